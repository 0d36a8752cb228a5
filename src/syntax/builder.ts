/**
 * Makes the AST's nodes (src/syntax/ast.ts) for the parser's actions, from the tokens and the
 * nodes a rule has read, and does the syntax checks that need more context than one token:
 * missing separators between items, labelled and unlabelled terms mixed in one bracket, two `?`
 * parameters, `{ }` used as a formula, a line break before a body, literal ranges.
 *
 * The parser recovers from errors, so a rule may hand over only part of what it reads: every
 * token and child is treated as possibly missing or invented by the recovery (not `real`). A term
 * without its formula is dropped; a missing closing bracket ends a span where the rule stopped.
 * Errors the parser or lexer already reported are not repeated. Checks about meaning (empty step
 * labels, missing return, duplicates) belong to the resolver.
 */
import type { IToken } from "chevrotain";
import { error, type Diagnostic, type Related } from "../diag/diagnostic.js";
import { endOffset, startOffset, type Span } from "../diag/span.js";
import type { FileAst, Formula, FuncDef, ImportDecl, Name, Param, Term } from "./ast.js";
import { DepthLimit } from "./depth.js";
import { docFor, tokenIndexAt } from "./doc-comments.js";
import { MAX_DIAGNOSTICS } from "./limits.js";
import { floatValue, intValue } from "./literals.js";
import type { LineMap } from "./lines.js";
import { Float, hasProblems, Ident, LBrace, LBracket, RawString, stringPayload } from "./tokens.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The longest string literal kept once per file (see AstBuilder.strings). */
const MAX_INTERNED = 64;

/** What a list holds, for the missing-separator message. */
export type ListKind = "parameters" | "steps" | "terms";

/**
 * The top-level definitions the parser made that hold no inline definition: the resolver, which
 * hoists inline definitions, need not walk their bodies to find some. A definition not in it
 * (one read back from the parse cache, or made by hand) may hold some.
 */
const withoutInline = new WeakSet<FuncDef>();

/** Whether the parser made `def` and saw no inline definition in it (see withoutInline). */
export function knownWithoutInline(def: FuncDef): boolean {
  return withoutInline.has(def);
}

/** A token with a place in the text: not one the parser invented while recovering. */
export function real(t: IToken | undefined): t is IToken {
  return t !== undefined && !Number.isNaN(t.startOffset) && t.isInsertedInRecovery !== true;
}

/** Builds the AST of one file, item by item in source order, and collects its syntax diagnostics. */
export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly imports: ImportDecl[] = [];
  private readonly funcs: FuncDef[] = [];
  /**
   * One string per distinct short string literal of the file, and one Int64 per distinct integer
   * literal: a literal such as `0` or `"name"` is written many times, and each token's value
   * would be an object of its own. (Names are one string each already: see Scanner.pushName.)
   */
  private readonly strings = new Map<string, string>();
  private readonly ints = new Map<string, bigint>();
  private depthLimit: DepthLimit | undefined;
  /** Whether an inline definition has been made since the last top-level item. */
  private madeInline = false;

  constructor(
    readonly lines: LineMap,
    /** The token stream the parser reads, in source order. */
    readonly tokens: readonly IToken[],
    /** Comment tokens, in source order. */
    private readonly comments: readonly IToken[],
  ) {}

  /**
   * Adds a top-level import or definition; `mayBeTooDeep` when the parser saw enough nesting in it
   * for the depth limit to matter (see depth.ts).
   */
  item(item: ImportDecl | FuncDef | undefined, mayBeTooDeep: boolean): void {
    const madeInline = this.madeInline;
    this.madeInline = false;
    if (item === undefined) return;
    if (item.kind === "import") {
      this.imports.push(item);
      return;
    }
    const def = mayBeTooDeep ? (this.depthLimit ??= new DepthLimit(this)).topLevel(item) : item;
    if (!madeInline) withoutInline.add(def);
    this.funcs.push(def);
  }

  build(): FileAst {
    return { file: this.lines.file, imports: this.imports, funcs: this.funcs, span: this.lines.span(0, this.lines.text.length) };
  }

  // -------------------------------------------------------------------------------------------
  // Top level

  importDecl(
    keyword: IToken,
    path: IToken | undefined,
    badPath: IToken | undefined,
    aliasToken: IToken | undefined,
  ): ImportDecl | undefined {
    if (!real(keyword)) return undefined;
    if (real(badPath)) {
      const message = `an import path is a string: write ${keyword.image} "${badPath.image}"`;
      this.report("syntax/unexpected-token", message, this.tokenSpan(badPath));
      return undefined;
    }
    if (!real(path)) return undefined;
    const pathSpan = this.tokenSpan(path);
    const value = stringPayload(path)?.value ?? "";
    if (!real(aliasToken)) return { kind: "import", path: value, pathSpan, span: this.cover(this.tokenSpan(keyword), pathSpan) };
    const alias = this.name(aliasToken);
    return { kind: "import", path: value, pathSpan, alias, span: this.cover(this.tokenSpan(keyword), alias.span) };
  }

  /**
   * A definition from its parts; `end` is where the rule stopped reading, which ends the body's
   * span when its `}` is missing.
   */
  funcDef(
    nameToken: IToken,
    params: Param[] | undefined,
    lineBeforeBody: IToken | undefined,
    open: IToken | undefined,
    steps: Term[] | undefined,
    close: IToken | undefined,
    end: number,
  ): FuncDef | undefined {
    if (!real(nameToken)) return undefined;
    const name = this.name(nameToken);
    if (real(lineBeforeBody) && real(open)) {
      const message = "the '{' that starts a function body must be on the same line as its ')'";
      this.report("syntax/unexpected-token", message, this.tokenSpan(open));
    }
    const bodySpan = real(close) ? this.tokenSpan(close) : this.endPoint(end, name.span);
    const doc = docFor(nameToken, this.tokens, this.comments, this.lines);
    const span = this.cover(name.span, bodySpan);
    if (doc === undefined) return { kind: "func", name, params: params ?? [], steps: steps ?? [], span, bodySpan };
    return { kind: "func", name, params: params ?? [], steps: steps ?? [], doc, span, bodySpan };
  }

  param(ident: IToken, question: IToken | undefined): Param | undefined {
    return real(ident) ? { name: this.name(ident), monadic: real(question) } : undefined;
  }

  /** A second parameter marked `?`. */
  secondMonadic(question: IToken, first: IToken): void {
    this.report("syntax/two-monadic-params", "only one parameter can be marked '?'", this.tokenSpan(question), [
      { span: this.tokenSpan(first), message: "the first '?' parameter is here" },
    ]);
  }

  /** Items of one list must be separated by at least one LINE token (reference 2.1 note 1). */
  missingSeparator(kind: ListKind, item: IToken): void {
    if (Number.isNaN(item.startOffset)) return;
    this.report("syntax/missing-separator", `expected a newline, ',' or ';' between ${kind}`, this.tokenSpanAt(item.startOffset));
  }

  // -------------------------------------------------------------------------------------------
  // Terms

  /** `label: formula` (or `: formula` when `label` is the colon, D11), or `formula` without one. */
  term(label: IToken | undefined, formula: Formula | undefined): Term | undefined {
    if (formula === undefined) return undefined;
    if (!real(label)) return { formula, span: formula.span };
    // An empty label is located at its colon, for the resolver's messages.
    const name = label.tokenType === Ident ? this.name(label) : { text: "", span: this.tokenSpan(label) };
    return { label: name, formula, span: this.cover(name.span, formula.span) };
  }

  /** A bracket holds labelled terms or unlabelled ones, never both (reference 2.1 note 2). */
  checkNotMixed(terms: readonly Term[]): void {
    const first = terms[0];
    if (first === undefined) return;
    const firstLabelled = first.label !== undefined;
    // A loop, not `find`: its callback would be made for every list.
    let odd: Term | undefined;
    for (let i = 1; i < terms.length && odd === undefined; i++) if ((terms[i]!.label !== undefined) !== firstLabelled) odd = terms[i];
    if (odd === undefined) return;
    const message = "cannot mix labelled and unlabelled terms in one bracket; give an unnamed value an empty label, as in F(: x, y: 2)";
    const kind = firstLabelled ? "labelled" : "unlabelled";
    this.report("syntax/mixed-terms", message, this.tokenSpanAt(startOffset(odd.span)), [
      { span: this.tokenSpanAt(startOffset(first.span)), message: `the first term is ${kind}` },
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // Formulas

  inline(def: FuncDef | undefined): Formula | undefined {
    if (def === undefined) return undefined;
    this.madeInline = true;
    return { kind: "inline", def, span: def.span };
  }

  /** `a` or `a.b.c` from its first name and those after dots (those the recovery invented left out). */
  ref(first: IToken | undefined, afterDots: readonly IToken[]): Formula | undefined {
    // Most references are one name: their path is made at its size, and from nothing else.
    const path =
      afterDots.length === 0 ? (real(first) ? [this.name(first)] : []) : [first, ...afterDots].filter(real).map((t) => this.name(t));
    if (path.length === 0) return undefined;
    return { kind: "ref", path, span: this.cover(path[0]!.span, path[path.length - 1]!.span) };
  }

  /** `target.f1.f2`, or `target` itself when there are no fields. */
  select(target: Formula, fields: readonly Name[]): Formula {
    if (fields.length === 0) return target;
    return { kind: "select", target, fields, span: this.cover(target.span, fields[fields.length - 1]!.span) };
  }

  field(ident: IToken | undefined): Name | undefined {
    return real(ident) ? this.name(ident) : undefined;
  }

  /**
   * `(...)` invokes, `[...]` augments; `{...}` is only a body, so it is reported and then read
   * like `(...)`. `end` is where the rule stopped reading, for a bracket without its closer.
   */
  bracket(
    callee: Formula | undefined,
    open: IToken,
    terms: Term[] | undefined,
    close: IToken | undefined,
    end: number,
  ): Formula | undefined {
    if (!real(open)) return undefined;
    if (open.tokenType === LBrace) {
      const message = "'{' can only start a function body; use '(' to build a structure";
      this.report("syntax/curly-bracket", message, this.tokenSpan(open));
    }
    const argsSpan = real(close) ? this.coverTokens(open, close) : this.toEndPoint(open, end);
    const kind = open.tokenType === LBracket ? "augment" : "invoke";
    if (callee === undefined) return { kind, terms: terms ?? [], argsSpan, span: argsSpan };
    return { kind, callee, terms: terms ?? [], argsSpan, span: this.cover(callee.span, argsSpan) };
  }

  string(str: IToken): Formula | undefined {
    if (!real(str)) return undefined;
    const decoded = stringPayload(str)?.value ?? "";
    // A long string is rarely written twice, and would cost its hashing.
    const value = decoded.length <= MAX_INTERNED ? this.intern(decoded) : decoded;
    return { kind: "string", value, raw: str.tokenType === RawString, span: this.tokenSpan(str) };
  }

  number(minus: IToken | undefined, num: IToken): Formula | undefined {
    if (!real(num)) return undefined;
    const negative = real(minus);
    const numSpan = this.tokenSpan(num);
    const span = negative ? this.cover(this.tokenSpan(minus), numSpan) : numSpan;
    const text = `${negative ? "-" : ""}${num.image}`;
    // A malformed literal was reported by the lexer; it still stands for some number here.
    const ok = !hasProblems(num);
    if (num.tokenType === Float) {
      const value = ok ? floatValue(num.image) * (negative ? -1 : 1) : 0;
      if (!Number.isFinite(value)) {
        this.report("syntax/float-overflow", `float literal ${text} is out of the Float64 range`, numSpan);
      }
      return { kind: "float", value, span };
    }
    const value = ok ? this.int(text) : 0n;
    if (value < INT64_MIN || value > INT64_MAX) {
      this.report("syntax/int-overflow", `integer literal ${text} is out of the Int64 range`, numSpan);
    }
    return { kind: "int", value, span };
  }

  /** The value of a well-formed integer literal written `text` (with its sign). */
  private int(text: string): bigint {
    let value = this.ints.get(text);
    if (value === undefined) {
      const negative = text.startsWith("-");
      const magnitude = intValue(negative ? text.slice(1) : text);
      this.ints.set(text, (value = negative ? -magnitude : magnitude));
    }
    return value;
  }

  // -------------------------------------------------------------------------------------------
  // Spans and reports

  name(t: IToken): Name {
    // The lexer has made one image per distinct name (see Scanner.pushName).
    return { text: t.image, span: this.tokenSpan(t) };
  }

  private intern(s: string): string {
    let kept = this.strings.get(s);
    if (kept === undefined) this.strings.set(s, (kept = s));
    return kept;
  }

  tokenSpan(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  /** The span of the real token starting at `offset` (zero-width if there is none). */
  tokenSpanAt(offset: number): Span {
    const toks = this.tokens;
    for (let i = tokenIndexAt(toks, offset); i < toks.length && toks[i]!.startOffset === offset; i++) {
      if (real(toks[i])) return this.tokenSpan(toks[i]!);
    }
    return this.lines.span(offset, offset);
  }

  /** From token `first` to `end`, where the rule that read it stopped (see endPoint). */
  private toEndPoint(first: IToken, end: number): Span {
    const firstSpan = this.tokenSpan(first);
    return this.cover(firstSpan, this.endPoint(end, firstSpan));
  }

  /** A zero-width span just after `end`, the end of the last token a rule read (or at `fallback`'s end). */
  private endPoint(end: number, fallback: Span): Span {
    const at = Number.isNaN(end) ? endOffset(fallback) : end;
    return this.lines.span(at, at);
  }

  /** cover(tokenSpan(first), tokenSpan(last)), without making the spans of the two tokens. */
  private coverTokens(first: IToken, last: IToken): Span {
    const start = first.startOffset;
    const end = last.startOffset + last.image.length;
    return end >= start ? this.lines.span(start, end) : this.tokenSpan(first);
  }

  cover(from: Span, to: Span): Span {
    if (from === to) return from; // a one-name reference: its name's span, not a copy of it
    const start = startOffset(from);
    const end = endOffset(to);
    return end >= start ? this.lines.span(start, end) : from;
  }

  report(code: string, message: string, span: Span, related?: Related[]): void {
    if (this.diagnostics.length > MAX_DIAGNOSTICS) return; // see MAX_DIAGNOSTICS
    this.diagnostics.push(error("syntax", code, message, span, related ? { related } : {}));
  }

  /** Forgets the diagnostics reported since there were `count`. */
  dropDiagnosticsSince(count: number): void {
    this.diagnostics.length = Math.min(this.diagnostics.length, count);
  }

  /** Forgets the diagnostics that start in [from, to): what they were about was cut from the AST. */
  dropDiagnostics(from: number, to: number): void {
    const kept = this.diagnostics.filter((d) => d.span.start.offset < from || d.span.start.offset >= to);
    this.diagnostics.splice(0, this.diagnostics.length, ...kept);
  }
}
