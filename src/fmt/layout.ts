/**
 * Syntax tree → layout document (doc.ts), with every comment placed (comments.ts).
 *
 * The canonical layout: imports first as written, a blank line around each function, a function
 * body always one step per line, every other bracket on one line when it fits in MAX_WIDTH and
 * one item per line when it does not. Literals are printed as written (`0x1F` stays `0x1F`), so
 * formatting never changes a value. Separators become ", " on one line and newlines otherwise;
 * `use` becomes `import`.
 */
import type { IToken, TokenType } from "chevrotain";
import type { FileAst, Formula, FuncDef, ImportDecl, Name, Param, Term } from "../syntax/ast.js";
import { LBrace, LParen, Question, RParen, tokenIndexAt, type SourceComment } from "../syntax/index.js";
import { CommentPlacer, type Extent } from "./comments.js";
import { seq, type Block, type BlockItem, type Doc } from "./doc.js";

export interface PrintInput {
  readonly text: string;
  readonly ast: FileAst;
  readonly comments: readonly SourceComment[];
  /** The file's tokens (comments excluded), for the punctuation the tree does not record. */
  readonly tokens: readonly IToken[];
}

/** The document of a whole file: top-level items, one per line, functions set off by blank lines. */
export function fileDoc(input: PrintInput): { items: TopItem[]; tail: Block["tail"] } {
  return new Printer(input).file();
}

/** A top-level item with its comments, laid out by layout.ts. */
export interface TopItem extends BlockItem {
  readonly kind: "import" | "func";
}

type Top = { kind: "import"; decl: ImportDecl } | { kind: "func"; def: FuncDef };

class Printer {
  private readonly text: string;
  private readonly placer: CommentPlacer;

  constructor(private readonly input: PrintInput) {
    this.text = input.text;
    this.placer = new CommentPlacer(input.text, input.comments);
  }

  file(): { items: TopItem[]; tail: Block["tail"] } {
    const { ast } = this.input;
    const tops: Top[] = [
      ...ast.imports.map((decl): Top => ({ kind: "import", decl })),
      ...ast.funcs.map((def): Top => ({ kind: "func", def })),
    ].sort((a, b) => this.topSpan(a).start - this.topSpan(b).start);
    const placed = this.placer.list(
      0,
      this.text.length,
      tops.map((t) => this.topSpan(t)),
      false,
    );
    const items = tops.map((t, i): TopItem => ({
      kind: t.kind,
      leading: placed.leading[i]!,
      blankBefore: placed.blankBefore[i]!,
      doc: withSuffix(t.kind === "import" ? this.importDoc(t.decl) : this.funcDoc(t.def, true), placed.suffix[i]!),
      trailing: placed.trailing[i]!,
    }));
    // Comments past the last item are taken now, after the items took the ones inside them.
    return { items, tail: placed.tail };
  }

  private topSpan(t: Top): Extent {
    const span = t.kind === "import" ? t.decl.span : t.def.span;
    return { start: span.start.offset, end: span.end.offset };
  }

  // -------------------------------------------------------------------------------------------

  private importDoc(d: ImportDecl): Doc {
    const parts: Doc[] = [this.atom("import ", d.span.start.offset), this.atom(this.source(d.pathSpan), d.pathSpan.start.offset)];
    if (d.alias) parts.push(this.atom(" as ", d.alias.span.start.offset), this.name(d.alias));
    return seq(...parts);
  }

  /** `Name(params) { steps }`; a top-level body always has one step per line. */
  private funcDoc(def: FuncDef, topLevel: boolean): Doc {
    const nameEnd = def.name.span.end.offset;
    const open = this.tokenAfter(nameEnd, LParen);
    const close = this.tokenAfter(open, RParen);
    const brace = this.tokenAfter(close, LBrace);
    const params = this.block(
      "(",
      ")",
      open,
      close,
      def.params,
      (p) => this.paramExtent(p),
      (p) => this.paramDoc(p),
      {
        breaks: "fit",
        pad: "",
      },
    );
    const bodyEnd = def.bodySpan.start.offset;
    const breaks = topLevel || def.steps.length > 1 ? "always" : "fit";
    const body = this.block(
      "{",
      "}",
      brace,
      bodyEnd,
      def.steps,
      (t) => extent(t.span),
      (t) => this.termDoc(t),
      { breaks, pad: " " },
    );
    return seq(this.name(def.name), params, " ", body);
  }

  private paramExtent(p: Param): Extent {
    const start = p.name.span.start.offset;
    const end = p.monadic ? this.tokenAfter(p.name.span.end.offset, Question) + 1 : p.name.span.end.offset;
    return { start, end };
  }

  private paramDoc(p: Param): Doc {
    return p.monadic ? seq(this.name(p.name), "?") : this.name(p.name);
  }

  /**
   * A bracketed list: `open` and `close` are the offsets of its brackets. Comments in the gaps
   * are placed first; then each item is laid out, which places the comments inside it.
   */
  private block<T>(
    open: string,
    close: string,
    openAt: number,
    closeAt: number,
    items: readonly T[],
    extentOf: (item: T) => Extent,
    docOf: (item: T) => Doc,
    style: Pick<Block, "breaks" | "pad">,
  ): Doc {
    const before = this.inlineComments(openAt);
    const placed = this.placer.list(openAt + 1, closeAt, items.map(extentOf), true);
    const blockItems = items.map((item, i) => ({
      leading: placed.leading[i]!,
      blankBefore: placed.blankBefore[i]!,
      doc: withSuffix(docOf(item), placed.suffix[i]!),
      trailing: placed.trailing[i]!,
    }));
    // Nothing is left before the closer in a file that parsed; a comment that were goes on a line of its own.
    const tail = [...placed.tail, ...this.placer.inlineBefore(closeAt).map((text) => ({ text, blankBefore: false }))];
    const block: Block = { kind: "block", open, close, items: blockItems, head: placed.head, tail, ...style };
    return before.length === 0 ? block : seq(...before, block);
  }

  private termDoc(t: Term): Doc {
    const formula = this.formulaDoc(t.formula);
    if (t.label === undefined) return formula;
    const label = t.label.text === "" ? this.atom(": ", t.label.span.start.offset) : seq(this.name(t.label), ": ");
    return seq(label, formula);
  }

  private formulaDoc(f: Formula): Doc {
    switch (f.kind) {
      case "int":
      case "float":
        return this.atom(this.source(f.span).replace(/^-\s*/, "-"), f.span.start.offset);
      case "string":
        return this.atom(this.source(f.span), f.span.start.offset);
      case "ref":
        return seq(...f.path.map((n, i) => (i === 0 ? this.name(n) : seq(".", this.name(n)))));
      case "select":
        return seq(this.formulaDoc(f.target), ...f.fields.map((n) => seq(".", this.name(n))));
      case "inline":
        return this.funcDoc(f.def, false);
      case "invoke":
      case "augment": {
        const callee = f.callee ? this.formulaDoc(f.callee) : "";
        const [open, close] = f.kind === "invoke" ? ["(", ")"] : ["[", "]"];
        const style = { breaks: "fit", pad: "" } as const;
        const args = this.block(
          open,
          close,
          f.argsSpan.start.offset,
          f.argsSpan.end.offset - 1,
          f.terms,
          (t) => extent(t.span),
          (t) => this.termDoc(t),
          style,
        );
        return seq(callee, args);
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Atoms: text from the source, with any comment left in front of it.

  private name(n: Name): Doc {
    return this.atom(n.text, n.span.start.offset);
  }

  private atom(text: string, offset: number): Doc {
    const comments = this.inlineComments(offset);
    if (comments.length === 0) return text;
    // `" as "` keeps its space before the comments: `"path" /* c */ as alias`.
    return text.startsWith(" ") ? seq(" ", ...comments, text.trimStart()) : seq(...comments, text);
  }

  private inlineComments(offset: number): Doc[] {
    return this.placer.inlineBefore(offset).map((text): Doc => ({ kind: "comment", text, side: "before" }));
  }

  private source(span: { start: { offset: number }; end: { offset: number } }): string {
    return this.text.slice(span.start.offset, span.end.offset);
  }

  /** The offset of the first token of `type` at or after `offset` (the tree does not record it). */
  private tokenAfter(offset: number, type: TokenType): number {
    const toks = this.input.tokens;
    for (let i = tokenIndexAt(toks, offset); i < toks.length; i++) if (toks[i]!.tokenType === type) return toks[i]!.startOffset;
    return this.text.length;
  }
}

function withSuffix(doc: Doc, comments: readonly string[]): Doc {
  return comments.length === 0 ? doc : seq(doc, ...comments.map((text): Doc => ({ kind: "comment", text, side: "after" })));
}

function extent(span: { start: { offset: number }; end: { offset: number } }): Extent {
  return { start: span.start.offset, end: span.end.offset };
}
