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

export function spanFrom(a: Span, b: Span): Span {
  return { file: a.file, start: a.start, end: b.end };
}

export function formatPos(span: Span): string {
  return `${span.file}:${span.start.line}:${span.start.col}`;
}
