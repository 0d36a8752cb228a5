/**
 * Where each comment goes. The syntax tree has no comments, so the formatter places them by
 * offset, list by list (the file's top level, a parameter list, a body, a bracket):
 *
 * - a comment on the line where an item (or the opening bracket) ends trails that item;
 * - a comment on a line of its own leads the next item, or ends the list if none follows;
 * - a block comment right after an item (before its separator, or after it when nothing
 *   follows on the line) stays after it, inline;
 * - a block comment followed on its line by the next item stays in front of it, inline.
 *
 * Lists are laid out outside in and in source order, so when a list takes the comments in the
 * gaps between its items, those inside an item are left for the lists within it. A comment no
 * list takes (a block comment between a name and its bracket, say) is printed inline before the
 * next piece of text after it: `inlineBefore` hands those out.
 */
import type { SourceComment } from "../syntax/index.js";
import type { CommentLine } from "./doc.js";

/** An item of a list, by offsets: [start, end). */
export interface Extent {
  readonly start: number;
  readonly end: number;
}

/** The comments of one list, by slot. */
export interface ListComments {
  /** After the opening bracket, on its line. */
  readonly head: string[];
  /** Per item: comments above it, comments after it on its line, a blank line before it. */
  readonly leading: CommentLine[][];
  readonly trailing: string[][];
  /** Per item: block comments right after it, before any separator, kept on its line. */
  readonly suffix: string[][];
  readonly blankBefore: boolean[];
  /** After the last item, on lines of their own. */
  readonly tail: CommentLine[];
}

/** Thrown when a comment sits where the formatter cannot keep it; the file is left as it was. */
export class UnplaceableComment extends Error {
  constructor(readonly comment: SourceComment) {
    super("a line comment sits where the formatter cannot keep it");
  }
}

export class CommentPlacer {
  private readonly taken: boolean[];
  /** Every comment before this index is taken. */
  private cursor = 0;

  constructor(
    private readonly text: string,
    private readonly comments: readonly SourceComment[],
  ) {
    this.taken = comments.map(() => false);
  }

  /**
   * Takes the comments between the items of a list spanning [from, to) (inside its brackets).
   * `opener` says whether the list has an opening bracket a comment can trail.
   */
  list(from: number, to: number, items: readonly Extent[], opener: boolean): ListComments {
    const out: ListComments = {
      head: [],
      leading: items.map(() => []),
      trailing: items.map(() => []),
      suffix: items.map(() => []),
      blankBefore: items.map(() => false),
      tail: [],
    };
    let next = 0; // the first item not yet passed
    let lastEnd = from; // where the last item, or comment line, ended
    let itemEnd = opener ? from : -1; // where the previous item (or the opener) ended; -1: nothing
    for (let i = this.firstAt(from); i < this.comments.length; i++) {
      const c = this.comments[i]!;
      const start = c.span.start.offset;
      if (start >= to) break;
      if (this.taken[i]) continue;
      while (next < items.length && items[next]!.end <= start) {
        out.blankBefore[next] = this.blankBetween(lastEnd, items[next]!.start);
        itemEnd = lastEnd = items[next]!.end;
        next++;
      }
      const following = items[next];
      if (following !== undefined && following.start <= start) continue; // inside an item
      const end = c.span.end.offset;
      const followedOnItsLine = following !== undefined && !this.text.slice(end, following.start).includes("\n");
      // A block comment after an item on its line is printed right after the item, before the
      // separator (`1 /* c */, 2`) — also when written after the separator with nothing after it
      // on the line: printed after it at the end of a line, it would be right after the item the
      // next time the output is formatted (layout idempotence).
      const between = this.text.slice(itemEnd, start);
      const rightAfterItem =
        c.kind === "block" && next > 0 && (/^[ \t\r]*$/.test(between) || (!followedOnItsLine && /^[ \t\r]*,[ \t\r]*$/.test(between)));
      if (c.kind === "block" && !rightAfterItem && followedOnItsLine) continue; // stays inline, see inlineBefore
      this.taken[i] = true;
      const text = tidy(c);
      if (rightAfterItem) {
        out.suffix[next - 1]!.push(text);
        itemEnd = end; // a comment after this one, on its line, follows it
      } else if (itemEnd >= 0 && !this.text.slice(itemEnd, start).includes("\n")) {
        if (next === 0) out.head.push(text);
        else out.trailing[next - 1]!.push(text);
      } else {
        const line: CommentLine = { text, blankBefore: this.blankBetween(lastEnd, start) };
        if (following !== undefined) out.leading[next]!.push(line);
        else out.tail.push(line);
      }
      lastEnd = end;
    }
    for (; next < items.length; next++) {
      out.blankBefore[next] = this.blankBetween(lastEnd, items[next]!.start);
      lastEnd = items[next]!.end;
    }
    return out;
  }

  /** The comments no list took that lie before `offset`, to print inline in front of it. */
  inlineBefore(offset: number): string[] {
    const out: string[] = [];
    while (this.cursor < this.comments.length && this.taken[this.cursor]) this.cursor++;
    for (let i = this.cursor; i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.span.start.offset >= offset) break;
      if (this.taken[i]) continue;
      if (c.kind === "line") throw new UnplaceableComment(c);
      this.taken[i] = true;
      out.push(tidy(c));
    }
    return out;
  }

  /** Comments nothing took (none, when the whole file was laid out). */
  left(): SourceComment[] {
    return this.comments.filter((_, i) => !this.taken[i]);
  }

  private firstAt(offset: number): number {
    let lo = 0;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.comments[mid]!.span.start.offset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether an empty line lies between two offsets (newlines inside comments do not count). */
  private blankBetween(from: number, to: number): boolean {
    if (from < 0 || to <= from) return false;
    let newlines = 0;
    let at = from;
    for (let i = this.firstAt(from); i < this.comments.length && this.comments[i]!.span.start.offset < to; i++) {
      const c = this.comments[i]!;
      newlines += countNewlines(this.text, at, c.span.start.offset);
      at = c.span.end.offset;
    }
    newlines += countNewlines(this.text, at, to);
    return newlines >= 2;
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf("\n", from); i >= 0 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** A comment as printed: line comments lose trailing white space (a CR included). */
function tidy(c: SourceComment): string {
  return c.kind === "line" ? c.text.trimEnd() : c.text;
}
