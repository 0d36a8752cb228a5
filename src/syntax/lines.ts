import type { Pos, Span } from "../diag/span.js";

/**
 * Turns offsets into 1-based line/column positions. Only `\n` ends a line (a CR is whitespace,
 * reference 1.2); columns count UTF-16 code units from the line start, a tab counting one.
 *
 * Lexing tracks offsets only; positions are computed here on demand, which is cheaper than
 * tracking lines for every token and works the same for tokens the parser invents in recovery.
 */
export class LineMap {
  private readonly starts: number[] = [0];
  /** Index of the line found last: consecutive look-ups are usually on the same line. */
  private last = 0;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) this.starts.push(nl + 1);
  }

  /** The 0-based index of the line holding `offset`. */
  lineIndex(offset: number): number {
    const starts = this.starts;
    const last = this.last;
    if (offset >= starts[last]! && (last + 1 >= starts.length || offset < starts[last + 1]!)) return last;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.last = lo;
    return lo;
  }

  /** The offset at which the line of 0-based index `line` starts. */
  offsetOfLine(line: number): number {
    return this.starts[line]!;
  }

  pos(offset: number): Pos {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const line = this.lineIndex(o);
    return { line: line + 1, col: o - this.starts[line]! + 1, offset: o };
  }

  /** The span of the half-open offset range [start, end). */
  span(start: number, end: number): Span {
    return { file: this.file, start: this.pos(start), end: this.pos(Math.max(start, end)) };
  }
}
