/**
 * Offsets across edits. Parsing a large file takes a good part of the time an editor allows for
 * completion, so completion and hover may read the last analysis while a fresh one is pending.
 * The edits made since then translate offsets between the text in the editor and the text that
 * was analysed.
 */

/** `[start, end)` of the text before the edit was replaced by `length` characters. */
export interface Edit {
  readonly start: number;
  readonly end: number;
  readonly length: number;
}

/** Translates offsets between an older text and the text after `edits` (in the order made). */
export class OffsetMap {
  constructor(private readonly edits: readonly Edit[]) {}

  static readonly identity = new OffsetMap([]);

  get isIdentity(): boolean {
    return this.edits.length === 0;
  }

  /** Where an offset of the current text was in the older text (text typed since maps to where it was typed). */
  toOld(offset: number): number {
    let at = offset;
    for (let i = this.edits.length - 1; i >= 0; i--) {
      const e = this.edits[i]!;
      if (at >= e.start + e.length) at += e.end - e.start - e.length;
      else if (at > e.start) at = e.end;
    }
    return at;
  }

  /** Where an offset of the older text is now; undefined if the text there was replaced. */
  toNew(offset: number): number | undefined {
    let at = offset;
    for (const e of this.edits) {
      if (at >= e.end) at += e.length - (e.end - e.start);
      else if (at > e.start) return undefined;
    }
    return at;
  }
}
