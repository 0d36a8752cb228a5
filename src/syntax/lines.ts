import { LineStarts, type Pos, type SourceSpan } from "../diag/span.js";

/**
 * Turns offsets into 1-based line/column positions and spans (see LineStarts for what a line
 * and a column are).
 *
 * Lexing tracks offsets only; positions are computed on demand, which is cheaper than tracking
 * lines for every token and works the same for tokens the parser invents in recovery. Spans made
 * here hold offsets and the file's line starts, not positions (SourceSpan).
 */
export class LineMap {
  readonly table: LineStarts;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.table = new LineStarts(file, text);
  }

  /** The 0-based index of the line holding `offset`. */
  lineIndex(offset: number): number {
    return this.table.lineIndex(offset);
  }

  /** The offset at which the line of 0-based index `line` starts. */
  offsetOfLine(line: number): number {
    return this.table.offsetOfLine(line);
  }

  pos(offset: number): Pos {
    return this.table.pos(offset);
  }

  /** The span of the half-open offset range [start, end). */
  span(start: number, end: number): SourceSpan {
    return this.table.span(start, end);
  }
}
