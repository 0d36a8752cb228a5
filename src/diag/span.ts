/** A position in a source file. Lines and columns are 1-based; offset is 0-based (UTF-16 units). */
export interface Pos {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
}

/** A half-open range of source text in one file. Every AST node, diagnostic and frame has one. */
export interface Span {
  readonly file: string;
  readonly start: Pos;
  readonly end: Pos;
}

/**
 * Where the lines of one file's text start: turns offsets into positions. Only `\n` ends a line
 * (a CR is whitespace, reference 1.2); columns count UTF-16 code units from the line start, a
 * tab counting one. It holds no text, so a span that refers to it keeps nothing else alive.
 */
export class LineStarts {
  /** Offsets of line starts, ascending; the first is 0. */
  private readonly starts: number[] = [0];
  /** Index of the line found last: consecutive look-ups are usually on the same line. */
  private last = 0;
  /** The length of the text: offsets beyond it are clamped to it. */
  readonly length: number;

  constructor(
    readonly file: string,
    text: string,
  ) {
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) this.starts.push(nl + 1);
    this.length = text.length;
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

  clamp(offset: number): number {
    return Math.max(0, Math.min(offset, this.length));
  }

  pos(offset: number): Pos {
    const o = this.clamp(offset);
    const line = this.lineIndex(o);
    return { line: line + 1, col: o - this.starts[line]! + 1, offset: o };
  }

  /** The span of the half-open offset range [start, end). */
  span(start: number, end: number): SourceSpan {
    const from = this.clamp(start);
    return new SourceSpan(this, from, Math.max(from, this.clamp(end)));
  }
}

/**
 * The span of a parsed node: two offsets into a file whose line starts it shares with every
 * other span of the file. Lines and columns are found when asked (a binary search), so a syntax
 * tree holds one small object per span instead of a span and two positions; every reader of
 * `start` and `end` sees the same positions as before. As JSON (failure records, results) it is
 * a plain span.
 */
export class SourceSpan implements Span {
  constructor(
    readonly lines: LineStarts,
    /** Clamped to the text, and `from <= to`. */
    readonly from: number,
    readonly to: number,
  ) {}

  get file(): string {
    return this.lines.file;
  }

  get start(): Pos {
    return this.lines.pos(this.from);
  }

  get end(): Pos {
    return this.lines.pos(this.to);
  }

  toJSON(): Span {
    return plainSpan(this);
  }
}

/** A span as plain data (for another thread, or a value compared field by field). */
export function plainSpan(span: Span): Span {
  return { file: span.file, start: span.start, end: span.end };
}

/** Where a span starts, without making its position when it has none yet. */
export function startOffset(span: { readonly start: { readonly offset: number } }): number {
  return span instanceof SourceSpan ? span.from : span.start.offset;
}

/** Where a span ends, without making its position when it has none yet. */
export function endOffset(span: { readonly end: { readonly offset: number } }): number {
  return span instanceof SourceSpan ? span.to : span.end.offset;
}

export function formatPos(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`;
}
