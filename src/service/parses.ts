/**
 * Parses that survive edits. Parsing is most of what an analysis costs (a 5,000-line file takes
 * about 90 ms to parse, against 15 ms to resolve), and an edit usually changes one definition, so
 * the language server parses again only the top-level definitions an edit touched and reuses the
 * syntax trees of the others, their spans moved by what the edit added or removed before them.
 *
 * The result must be what `parseFile` gives for the whole text, or the editor would report what
 * `ko check` does not. So a file is split only where parsing provably starts afresh: at the
 * start of a line after a top-level definition or import, in a text that parsed without any
 * problem (no bracket left open, no string or comment running on). The region an edit touched
 * is parsed alone, and used only if it too parses without a problem and leaves no comment that
 * could become the doc comment of the definition after it; anything else is parsed whole.
 * Texts seen before (the standard library's files, a buffer re-requested) are not parsed again.
 */
import { SourceSpan, type LineStarts, type Span } from "../diag/span.js";
import type { FuncDef, ImportDecl } from "../syntax/ast.js";
import { LineMap, parseFile, type ParseResult, type SourceComment } from "../syntax/index.js";

/** A top-level item of a file and the text it owns: [start, end), from a line start to one. */
interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly imports: readonly ImportDecl[];
  readonly funcs: readonly FuncDef[];
}

/** A text that parsed without problems, and how it splits. */
interface Base {
  readonly text: string;
  readonly result: ParseResult;
  chunks?: readonly Chunk[];
}

interface FileParses {
  last: { readonly text: string; readonly result: ParseResult };
  base: Base | undefined;
}

/** An edit this large is parsed whole: splicing would save little. */
const MAX_REGION_SHARE = 0.5;

export class Parses {
  private readonly files = new Map<string, FileParses>();
  /** How many parses reused trees (for the tests). */
  reused = 0;

  readonly parse = (file: string, text: string): ParseResult => {
    const known = this.files.get(file);
    if (known?.last.text === text) return known.last.result;
    const result = (known?.base && this.reparse(file, known.base, text)) ?? parseFile(file, text);
    const base = result.diagnostics.length === 0 ? { text, result } : known?.base;
    this.files.set(file, { last: { text, result }, base });
    return result;
  };

  /** The whole-text parse of `text`, made from `base` by parsing only what changed; undefined if that cannot be done. */
  private reparse(file: string, base: Base, text: string): ParseResult | undefined {
    const old = base.text;
    let prefix = 0;
    const most = Math.min(old.length, text.length);
    while (prefix < most && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
    let suffix = 0;
    while (suffix < most - prefix && old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
    const editEnd = old.length - suffix;

    const chunks = (base.chunks ??= chunksOf(base.result, old));
    // The chunks the edit touches, those it borders included (text typed at a boundary may join either).
    const first = chunks.findIndex((c) => c.end >= prefix);
    if (first < 0) return undefined;
    let last = first;
    while (last + 1 < chunks.length && chunks[last + 1]!.start <= editEnd) last++;
    const start = chunks[first]!.start;
    const delta = text.length - old.length;
    const oldEnd = chunks[last]!.end;
    const end = oldEnd + delta;
    if (end - start > MAX_REGION_SHARE * text.length) return undefined;

    const region = parseFile(file, text.slice(start, end));
    if (region.diagnostics.length > 0) return undefined;
    const after = chunks.slice(last + 1);
    if (after.length > 0 && trailingComment(region)) return undefined;

    const lines = new LineMap(file, text);
    const lineDelta = newlines(text, start, end) - newlines(old, start, oldEnd);
    const before = chunks.slice(0, first);
    const moveRegion = shifter(start, lines.table);
    // Unmoved, the trees after the region keep the old text's line starts, which are the new text's there.
    const moveAfter = delta === 0 && lineDelta === 0 ? <T>(node: T) => node : shifter(delta, lines.table);
    const comments: SourceComment[] = [
      ...base.result.comments.filter((c) => c.span.end.offset <= start),
      ...region.comments.map(moveRegion),
      ...base.result.comments.filter((c) => c.span.start.offset >= oldEnd).map(moveAfter),
    ];
    this.reused++;
    return {
      ast: {
        file,
        imports: [
          ...before.flatMap((c) => c.imports),
          ...region.ast.imports.map(moveRegion),
          ...after.flatMap((c) => c.imports.map(moveAfter)),
        ],
        funcs: [...before.flatMap((c) => c.funcs), ...region.ast.funcs.map(moveRegion), ...after.flatMap((c) => c.funcs.map(moveAfter))],
        span: lines.span(0, text.length),
      },
      diagnostics: [],
      comments,
    };
  }
}

/**
 * The chunks of a text that parsed without problems: each item with the lines from the one
 * after the previous item's last line to its own last line (so its doc comment goes with it).
 * Items that share a line, or whose boundary a block comment spans, stay in one chunk.
 */
function chunksOf(result: ParseResult, text: string): Chunk[] {
  const items: { span: Span; imp?: ImportDecl; fn?: FuncDef }[] = [
    ...result.ast.imports.map((imp) => ({ span: imp.span, imp })),
    ...result.ast.funcs.map((fn) => ({ span: fn.span, fn })),
  ].sort((a, b) => a.span.start.offset - b.span.start.offset);
  const spanned = (at: number) => result.comments.some((c) => c.span.start.offset < at && at < c.span.end.offset);
  const chunks: { start: number; end: number; imports: ImportDecl[]; funcs: FuncDef[] }[] = [];
  let current = { start: 0, end: text.length, imports: [] as ImportDecl[], funcs: [] as FuncDef[] };
  items.forEach((item, i) => {
    if (item.imp) current.imports.push(item.imp);
    if (item.fn) current.funcs.push(item.fn);
    const next = items[i + 1];
    if (next === undefined) return;
    const nl = text.indexOf("\n", item.span.end.offset);
    const boundary = nl < 0 ? -1 : nl + 1;
    if (boundary < 0 || boundary > next.span.start.offset || spanned(boundary)) return;
    current.end = boundary;
    chunks.push(current);
    current = { start: boundary, end: text.length, imports: [], funcs: [] };
  });
  chunks.push(current);
  return chunks;
}

function newlines(text: string, start: number, end: number): number {
  let n = 0;
  for (let nl = text.indexOf("\n", start); nl >= 0 && nl < end; nl = text.indexOf("\n", nl + 1)) n++;
  return n;
}

/** A comment after the region's last item (or any, with no item): it might document the next chunk's first item. */
function trailingComment(region: ParseResult): boolean {
  const ends = [...region.ast.imports, ...region.ast.funcs].map((i) => i.span.end.offset);
  const lastEnd = ends.length === 0 ? -1 : Math.max(...ends);
  return region.comments.some((c) => c.span.start.offset >= lastEnd);
}

/**
 * A deep copy of a syntax tree (or comment) with every span moved by `offset` characters into
 * the text whose line starts are `table`.
 */
function shifter(offset: number, table: LineStarts): <T>(node: T) => T {
  const move = (node: unknown): unknown => {
    if (node === null || typeof node !== "object") return node;
    if (Array.isArray(node)) return node.map(move);
    if (node instanceof SourceSpan) return new SourceSpan(table, node.from + offset, node.to + offset);
    const o = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key in o) out[key] = move(o[key]);
    return out;
  };
  return <T>(node: T) => move(node) as T;
}
