/**
 * Layout documents: what the formatter builds from the syntax tree before deciding where lines
 * break. The rule is the one canonical printing uses (reference 7.3): a bracket stays on one line when
 * its flat text fits, and otherwise puts one item per line, indented by a tab, with no commas.
 * Source adds two things values do not have: comments, which must stay where they were, and
 * blank lines between items, which the formatter keeps (one at most).
 */

/** The widest a line may be, tabs counted as TAB_WIDTH columns. */
export const MAX_WIDTH = 100;
export const TAB_WIDTH = 4;

/**
 * A document: an atom (text printed as is; only a raw string can hold a newline), a sequence of
 * documents printed one after another, or a block (a bracketed list of items).
 */
export type Doc = string | Seq | Block | InlineComment;

export interface Seq {
  readonly kind: "seq";
  readonly parts: readonly Doc[];
}

/**
 * A block comment inside a line, in front of what follows it (a space after it, and one before
 * unless the line starts there) or after what precedes it (a space before it only).
 */
export interface InlineComment {
  readonly kind: "comment";
  readonly text: string;
  readonly side: "before" | "after";
}

/** A comment that sits on a line of its own. */
export interface CommentLine {
  readonly text: string;
  /** A blank line separated it from what came before. */
  readonly blankBefore: boolean;
}

export interface BlockItem {
  /** Comments on their own lines above the item. */
  readonly leading: readonly CommentLine[];
  readonly blankBefore: boolean;
  readonly doc: Doc;
  /** Comments after the item on its last line. */
  readonly trailing: readonly string[];
}

export interface Block {
  readonly kind: "block";
  readonly open: string;
  readonly close: string;
  readonly items: readonly BlockItem[];
  /** Comments after the opening bracket, on its line. */
  readonly head: readonly string[];
  /** Comments after the last item. */
  readonly tail: readonly CommentLine[];
  /** "always" breaks even when the flat text would fit (a top-level function body). */
  readonly breaks: "fit" | "always";
  /** Printed inside the brackets of the flat form, on both sides: " " for `{ return: x }`. */
  readonly pad: string;
}

export function seq(...parts: Doc[]): Doc {
  return { kind: "seq", parts };
}

/** The width of a document printed on one line; Infinity if it cannot be. */
export function flatWidth(doc: Doc): number {
  if (typeof doc === "string") return doc.includes("\n") ? Infinity : doc.length;
  if (doc.kind === "comment") return doc.text.includes("\n") ? Infinity : doc.text.length + 2;
  let w = widths.get(doc);
  if (w === undefined) {
    w = doc.kind === "seq" ? doc.parts.reduce((sum, p) => sum + flatWidth(p), 0) : blockFlatWidth(doc);
    widths.set(doc, w);
  }
  return w;
}

/** Widths are asked for at every level of nesting: computed once per node. */
const widths = new WeakMap<Seq | Block, number>();

function blockFlatWidth(b: Block): number {
  if (b.items.length === 0 && b.head.length === 0 && b.tail.length === 0) return b.open.length + b.close.length;
  if (b.breaks === "always" || b.head.length > 0 || b.tail.length > 0) return Infinity;
  let w = b.open.length + b.close.length + 2 * b.pad.length + 2 * (b.items.length - 1);
  for (const item of b.items) {
    if (item.leading.length > 0 || item.trailing.length > 0) return Infinity;
    w += flatWidth(item.doc);
  }
  return w;
}

/** Renders a document starting at column `col` of a line indented `indent` tabs. */
export function render(doc: Doc, indent = 0, col = indent * TAB_WIDTH): string {
  const r = new Renderer(col);
  r.doc(doc, indent, 0);
  return r.out.join("");
}

class Renderer {
  readonly out: string[] = [];
  /** The text output last, to tell whether a line has started. */
  last = "";

  constructor(private col: number) {}

  /** `suffix`: the width of what must follow on the same line (for the fit test). */
  doc(doc: Doc, indent: number, suffix: number): void {
    if (typeof doc === "string") return this.text(doc);
    if (doc.kind === "comment") {
      const space = /\S$/.test(this.last) ? " " : "";
      return this.text(doc.side === "before" ? `${space}${doc.text} ` : ` ${doc.text}`);
    }
    if (doc.kind === "block") return this.block(doc, indent, suffix);
    doc.parts.forEach((p, i) => this.doc(p, indent, restOfLine(doc.parts, i + 1, suffix)));
  }

  private block(b: Block, indent: number, suffix: number): void {
    const flat = flatWidth(b);
    if (this.col + flat + suffix <= MAX_WIDTH || (flat !== Infinity && b.items.length === 0)) return this.flat(b, indent);
    this.text(b.open);
    for (const c of b.head) this.text(` ${c}`);
    const inner = indent + 1;
    let first = true;
    const line = (blankBefore: boolean, print: () => void) => {
      this.newline(blankBefore && !first);
      first = false;
      this.text("\t".repeat(inner));
      print();
    };
    for (const item of b.items) {
      for (const c of item.leading) line(c.blankBefore, () => this.text(c.text));
      line(item.blankBefore, () => {
        this.doc(item.doc, inner, 0);
        for (const c of item.trailing) this.text(` ${c}`);
      });
    }
    for (const c of b.tail) line(c.blankBefore, () => this.text(c.text));
    this.newline(false);
    this.text("\t".repeat(indent) + b.close);
  }

  private flat(b: Block, indent: number): void {
    this.text(b.open);
    if (b.items.length > 0) this.text(b.pad);
    b.items.forEach((item, i) => {
      if (i > 0) this.text(", ");
      this.doc(item.doc, indent, 0);
    });
    if (b.items.length > 0) this.text(b.pad);
    this.text(b.close);
  }

  private newline(blank: boolean): void {
    this.out.push(blank ? "\n\n" : "\n");
    this.last = "\n";
    this.col = 0;
  }

  private text(s: string): void {
    this.out.push(s);
    this.last = s;
    const nl = s.lastIndexOf("\n");
    this.col = nl < 0 ? this.col + columns(s) : columns(s.slice(nl + 1));
  }
}

/**
 * The least width that must follow on the current line after `parts[from - 1]`: text up to the
 * first bracket that can break (its opening bracket stays on this line), or everything and then
 * `suffix` if none can.
 */
function restOfLine(parts: readonly Doc[], from: number, suffix: number): number {
  let w = 0;
  for (let i = from; i < parts.length; i++) {
    const l = lead(parts[i]!);
    w += l.width;
    if (l.breaks) return w;
  }
  return w + suffix;
}

/** The width of a document up to its first possible line break, and whether it has one. */
function lead(doc: Doc): { width: number; breaks: boolean } {
  if (typeof doc === "string" || doc.kind === "comment") return { width: flatWidth(doc), breaks: false };
  if (doc.kind === "block") {
    const flat = flatWidth(doc);
    return doc.items.length === 0 && flat !== Infinity ? { width: flat, breaks: false } : { width: doc.open.length, breaks: true };
  }
  let width = 0;
  for (const p of doc.parts) {
    const l = lead(p);
    width += l.width;
    if (l.breaks) return { width, breaks: true };
  }
  return { width, breaks: false };
}

function columns(s: string): number {
  let n = 0;
  for (const ch of s) n += ch === "\t" ? TAB_WIDTH : 1;
  return n;
}
