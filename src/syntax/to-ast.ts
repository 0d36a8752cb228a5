/**
 * CST -> AST (src/syntax/ast.ts), one top-level item at a time as the parser finishes it, plus the syntax checks that need more context than one token:
 * missing separators between items, labelled and unlabelled terms mixed in one bracket, two `?`
 * parameters, `{ }` used as a formula, literal ranges, and nesting depth.
 *
 * The tree may be partial (the parser recovers from errors), so every child is treated as
 * possibly missing: a term without its formula is dropped, a missing closing bracket ends a span
 * at the last known token. Errors the parser or lexer already reported are not repeated.
 * Checks about meaning (empty step labels, missing return, duplicates) belong to the resolver.
 */
import type { CstNode, IToken } from "chevrotain";
import { error, type Diagnostic, type Related } from "../diag/diagnostic.js";
import { endOffset, startOffset, type Span } from "../diag/span.js";
import type { Augment, FileAst, Formula, FuncDef, ImportDecl, Invoke, Name, Param, Select, Term } from "./ast.js";
import { MAX_DIAGNOSTICS, MAX_FORMULA_DEPTH } from "./limits.js";
import { floatValue, intValue } from "./literals.js";
import type { LineMap } from "./lines.js";
import { BlockComment, Float, hasProblems, LBrace, LBracket, Line, RawString, stringPayload } from "./tokens.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export interface BuildInput {
  readonly lines: LineMap;
  /** The token stream the parser read, in source order. */
  readonly tokens: readonly IToken[];
  /** Comment tokens, in source order. */
  readonly comments: readonly IToken[];
}

export interface BuildResult {
  readonly ast: FileAst;
  readonly diagnostics: Diagnostic[];
}

/** What a list holds, for the missing-separator message. */
type ListKind = "parameters" | "steps" | "terms";

/** Builds a file's AST from its top-level items (see parseTokens), given in source order. */
export class AstBuilder {
  private readonly lines: LineMap;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly imports: ImportDecl[] = [];
  private readonly funcs: FuncDef[] = [];
  private reportedTooDeep = false;
  /**
   * One string per distinct name of the file: each token's image is a string of its own, and a
   * name such as `Sum` or `x` is written many times.
   */
  private readonly names = new Map<string, string>();

  constructor(private readonly input: BuildInput) {
    this.lines = input.lines;
  }

  /** Adds a top-level `importDecl` or `funcDef` node. Nothing keeps the node. */
  item(n: CstNode): void {
    if (n.name === "importDecl") {
      const i = this.importDecl(n);
      if (i !== undefined) this.imports.push(i);
    } else {
      const f = this.funcDef(n, 0);
      if (f !== undefined) this.funcs.push(f);
    }
  }

  build(): BuildResult {
    const ast: FileAst = {
      file: this.lines.file,
      imports: this.imports,
      funcs: this.funcs,
      span: this.lines.span(0, this.lines.text.length),
    };
    return { ast, diagnostics: this.diagnostics };
  }

  // -------------------------------------------------------------------------------------------
  // Top level

  private importDecl(n: CstNode): ImportDecl | undefined {
    const keyword = token(n, "keyword");
    if (!real(keyword)) return undefined;
    const badPath = token(n, "badPath");
    if (real(badPath)) {
      const message = `an import path is a string: write ${keyword.image} "${badPath.image}"`;
      this.report("syntax/unexpected-token", message, this.tokenSpan(badPath));
      return undefined;
    }
    const path = token(n, "StringLit");
    if (!real(path)) return undefined;
    const aliasToken = token(n, "alias");
    const alias = real(aliasToken) ? this.name(aliasToken) : undefined;
    const pathSpan = this.tokenSpan(path);
    return {
      kind: "import",
      path: stringPayload(path)?.value ?? "",
      pathSpan,
      ...(alias && { alias }),
      span: this.cover(this.tokenSpan(keyword), alias?.span ?? pathSpan),
    };
  }

  /** A definition; `depth` is the formula depth it appears at (0 at top level). */
  private funcDef(n: CstNode, depth: number): FuncDef | undefined {
    const nameToken = token(n, "Ident");
    if (!real(nameToken)) return undefined;
    const name = this.name(nameToken);
    const params = this.params(node(n, "params"));
    const lineBeforeBody = token(n, "lineBeforeBody");
    const open = token(n, "LBrace");
    if (real(lineBeforeBody) && real(open)) {
      const message = "the '{' that starts a function body must be on the same line as its ')'";
      this.report("syntax/unexpected-token", message, this.tokenSpan(open));
    }
    const body = node(n, "termList");
    const steps = body ? this.termList(body, "steps", depth + 1) : [];
    const close = token(n, "RBrace");
    const bodySpan = real(close) ? this.tokenSpan(close) : this.endPoint(n, name.span);
    const doc = this.docFor(nameToken);
    return {
      kind: "func",
      name,
      params,
      steps,
      ...(doc !== undefined && { doc }),
      span: this.cover(name.span, bodySpan),
      bodySpan,
    };
  }

  private params(n: CstNode | undefined): Param[] {
    if (n === undefined) return [];
    const items = nodes(n, "param");
    this.checkSeparated(items, tokens(n, "Line"), "parameters");
    const params: Param[] = [];
    let firstMonadic: IToken | undefined;
    for (const p of items) {
      const ident = token(p, "Ident");
      if (!real(ident)) continue;
      const question = token(p, "Question");
      const monadic = real(question);
      if (monadic && firstMonadic !== undefined) {
        this.report("syntax/two-monadic-params", "only one parameter can be marked '?'", this.tokenSpan(question), [
          { span: this.tokenSpan(firstMonadic), message: "the first '?' parameter is here" },
        ]);
      }
      if (monadic) firstMonadic ??= question;
      params.push({ name: this.name(ident), monadic });
    }
    return params;
  }

  // -------------------------------------------------------------------------------------------
  // Term lists

  /** The terms of a body or bracket; `depth` is the formula depth of the terms' formulas. */
  private termList(n: CstNode, kind: ListKind, depth: number): Term[] {
    if (depth > MAX_FORMULA_DEPTH) {
      this.reportTooDeep(n);
      return [];
    }
    const items = nodes(n, "term");
    this.checkSeparated(items, tokens(n, "Line"), kind);
    // Made by map, an array is of its exact size; one grown by push or flatMap keeps room for seventeen.
    const built = items.map((t) => this.term(t, depth));
    const terms = built.includes(undefined) ? built.filter((t) => t !== undefined) : (built as Term[]);
    if (kind === "terms") this.checkNotMixed(terms);
    return terms;
  }

  private term(n: CstNode, depth: number): Term | undefined {
    const f = node(n, "formula");
    const formula = f && this.formula(f, depth);
    if (formula === undefined) return undefined;
    const labelToken = token(n, "label");
    const colon = token(n, "Colon");
    let label: Name | undefined;
    if (real(labelToken)) label = this.name(labelToken);
    // An empty label (D11) is located at its colon, for the resolver's messages.
    else if (real(colon)) label = { text: "", span: this.tokenSpan(colon) };
    if (label === undefined) return { formula, span: formula.span };
    return { label, formula, span: this.cover(label.span, formula.span) };
  }

  /** Items of one list must be separated by at least one LINE token (reference 2.1 note 1). */
  private checkSeparated(items: readonly CstNode[], separators: readonly IToken[], kind: ListKind): void {
    let s = 0;
    for (let i = 0; i < items.length; i++) {
      const start = items[i]!.location?.startOffset ?? NaN;
      if (Number.isNaN(start)) continue;
      let separated = false;
      while (s < separators.length && separators[s]!.startOffset < start) {
        separated = true;
        s++;
      }
      if (i > 0 && !separated) {
        const message = `expected a newline, ',' or ';' between ${kind}`;
        this.report("syntax/missing-separator", message, this.tokenSpanAt(start));
      }
    }
  }

  /** A bracket holds labelled terms or unlabelled ones, never both (reference 2.1 note 2). */
  private checkNotMixed(terms: readonly Term[]): void {
    const first = terms[0];
    if (first === undefined) return;
    const firstLabelled = first.label !== undefined;
    const odd = terms.find((t) => (t.label !== undefined) !== firstLabelled);
    if (odd === undefined) return;
    const message = "cannot mix labelled and unlabelled terms in one bracket; give an unnamed value an empty label, as in F(: x, y: 2)";
    const kind = firstLabelled ? "labelled" : "unlabelled";
    this.report("syntax/mixed-terms", message, this.tokenSpanAt(odd.span.start.offset), [
      { span: this.tokenSpanAt(first.span.start.offset), message: `the first term is ${kind}` },
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // Formulas

  /**
   * A primary and its postfix chain. `depth` counts the formulas this one is nested in: each
   * postfix level wraps the formula so far, so the primary ends up that much deeper. A bracket
   * is one level; a run of selections is one Select node, so one level.
   */
  private formula(n: CstNode, depth: number): Formula | undefined {
    const { postfixes, levels } = this.boundedPostfixes(nodes(n, "postfix"), MAX_FORMULA_DEPTH - depth);
    let nesting = levels;
    let current = this.primary(n, depth + nesting);
    if (current === undefined) return undefined;
    let fields: Name[] = [];
    for (const p of postfixes) {
      if (isSelection(p)) {
        if (fields.length === 0) nesting--;
        const field = token(p, "Ident");
        if (real(field)) fields.push(this.name(field));
        continue;
      }
      current = this.select(current, fields);
      fields = [];
      nesting--;
      current = this.bracket(p, current, depth + nesting) ?? current;
    }
    return this.select(current, fields);
  }

  /** The postfix operators that fit in `room` levels (see formula); reports the first that does not. */
  private boundedPostfixes(all: CstNode[], room: number): { postfixes: CstNode[]; levels: number } {
    let levels = 0;
    for (let i = 0; i < all.length; i++) {
      if (isSelection(all[i]!) && i > 0 && isSelection(all[i - 1]!)) continue;
      if (levels === room) {
        this.reportTooDeep(all[i]!);
        return { postfixes: all.slice(0, i), levels };
      }
      levels++;
    }
    return { postfixes: all, levels };
  }

  /** `target.f1.f2`, or `target` itself when there are no fields. */
  private select(target: Formula, fields: Name[]): Formula {
    if (fields.length === 0) return target;
    const s: Select = { kind: "select", target, fields, span: this.cover(target.span, fields[fields.length - 1]!.span) };
    return s;
  }

  private primary(n: CstNode, depth: number): Formula | undefined {
    const def = node(n, "funcDef");
    if (def !== undefined) {
      const f = this.funcDef(def, depth);
      return f && { kind: "inline", def: f, span: f.span };
    }
    const ref = node(n, "ref");
    if (ref !== undefined) return this.ref(ref);
    const literal = node(n, "literal");
    if (literal !== undefined) return this.literal(literal);
    return this.bracket(n, undefined, depth);
  }

  private ref(n: CstNode): Formula | undefined {
    const path = tokens(n, "Ident")
      .filter(real)
      .map((t) => this.name(t));
    if (path.length === 0) return undefined;
    return { kind: "ref", path, span: this.cover(path[0]!.span, path[path.length - 1]!.span) };
  }

  /**
   * The bracket held directly by `n` (a formula or postfix node): `(...)` invokes, `[...]`
   * augments; `{...}` is only a body, so it is reported and then read like `(...)`.
   */
  private bracket(n: CstNode, callee: Formula | undefined, depth: number): Formula | undefined {
    const open = token(n, "LParen") ?? token(n, "LBracket") ?? token(n, "LBrace");
    if (!real(open)) return undefined;
    if (open.tokenType === LBrace) {
      const message = "'{' can only start a function body; use '(' to build a structure";
      this.report("syntax/curly-bracket", message, this.tokenSpan(open));
    }
    const list = node(n, "termList");
    const terms = list ? this.termList(list, "terms", depth + 1) : [];
    const close = token(n, "RParen") ?? token(n, "RBracket") ?? token(n, "RBrace");
    const argsSpan = this.cover(this.tokenSpan(open), real(close) ? this.tokenSpan(close) : this.endPoint(n));
    const span = callee ? this.cover(callee.span, argsSpan) : argsSpan;
    const calleePart = callee && { callee };
    if (open.tokenType === LBracket) {
      const augment: Augment = { kind: "augment", ...calleePart, terms, argsSpan, span };
      return augment;
    }
    const invoke: Invoke = { kind: "invoke", ...calleePart, terms, argsSpan, span };
    return invoke;
  }

  private literal(n: CstNode): Formula | undefined {
    const str = token(n, "StringLit");
    if (real(str)) {
      const value = stringPayload(str)?.value ?? "";
      return { kind: "string", value, raw: str.tokenType === RawString, span: this.tokenSpan(str) };
    }
    const num = token(n, "NumberLit");
    if (!real(num)) return undefined;
    const minus = token(n, "Minus");
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
    const magnitude = ok ? intValue(num.image) : 0n;
    const value = negative ? -magnitude : magnitude;
    if (value < INT64_MIN || value > INT64_MAX) {
      this.report("syntax/int-overflow", `integer literal ${text} is out of the Int64 range`, numSpan);
    }
    return { kind: "int", value, span };
  }

  // -------------------------------------------------------------------------------------------
  // Doc comments

  /**
   * The comment block directly above a definition that starts its line: consecutive comments,
   * each first on its line, the last ending on the line just above, no blank line between.
   */
  private docFor(nameToken: IToken): string | undefined {
    const { tokens: toks, comments } = this.input;
    const at = nameToken.startOffset;
    let i = tokenIndexAt(toks, at) - 1;
    while (i >= 0 && isNewline(toks[i]!)) i--;
    // Text before the definition on its own line means it is not a documented definition.
    const before = toks[i];
    const codeEnd = before ? before.startOffset + before.image.length : 0;
    const codeLine = before ? this.lines.lineIndex(codeEnd) : -1;
    let topLine = this.lines.lineIndex(at);
    if (before && codeLine === topLine) return undefined;

    const block: IToken[] = [];
    for (let c = tokenIndexAt(comments, at) - 1; c >= 0; c--) {
      const comment = comments[c]!;
      const startLine = this.lines.lineIndex(comment.startOffset);
      const endLine = this.lines.lineIndex(comment.startOffset + comment.image.length - 1);
      const adjacent = endLine === topLine - 1 || (block.length > 0 && endLine === topLine);
      if (!adjacent || startLine <= codeLine) break;
      block.push(comment);
      topLine = startLine;
    }
    if (block.length === 0) return undefined;
    return block.reverse().map(commentText).join("\n");
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private name(t: IToken): Name {
    let text = this.names.get(t.image);
    if (text === undefined) this.names.set(t.image, (text = t.image));
    return { text, span: this.tokenSpan(t) };
  }

  private tokenSpan(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }

  /** The span of the real token starting at `offset` (zero-width if there is none). */
  private tokenSpanAt(offset: number): Span {
    const toks = this.input.tokens;
    for (let i = tokenIndexAt(toks, offset); i < toks.length && toks[i]!.startOffset === offset; i++) {
      if (real(toks[i])) return this.tokenSpan(toks[i]!);
    }
    return this.lines.span(offset, offset);
  }

  /** A zero-width span where the node ends (or at `fallback`'s end) when its closer is missing. */
  private endPoint(n: CstNode, fallback?: Span): Span {
    const end = n.location?.endOffset;
    if (end !== undefined && !Number.isNaN(end)) return this.lines.span(end + 1, end + 1);
    const at = fallback?.end.offset ?? n.location?.startOffset ?? 0;
    return this.lines.span(at, at);
  }

  private cover(from: Span, to: Span): Span {
    if (from === to) return from; // a one-name reference: its name's span, not a copy of it
    const start = startOffset(from);
    const end = endOffset(to);
    return end >= start ? this.lines.span(start, end) : from;
  }

  private report(code: string, message: string, span: Span, related?: Related[]): void {
    if (this.diagnostics.length > MAX_DIAGNOSTICS) return; // see MAX_DIAGNOSTICS
    this.diagnostics.push(error("syntax", code, message, span, related ? { related } : {}));
  }

  private reportTooDeep(n: CstNode): void {
    if (this.reportedTooDeep) return;
    this.reportedTooDeep = true;
    const message = `formula nested too deeply (more than ${MAX_FORMULA_DEPTH} levels of brackets and postfix operators)`;
    this.report("syntax/too-deep", message, this.tokenSpanAt(n.location?.startOffset ?? 0));
  }
}

// ---------------------------------------------------------------------------------------------
// CST access. Children are grouped by name; any of them may be missing in a recovered tree.

function nodes(n: CstNode, key: string): CstNode[] {
  return (n.children[key] as CstNode[] | undefined) ?? [];
}

function node(n: CstNode, key: string): CstNode | undefined {
  return nodes(n, key)[0];
}

function tokens(n: CstNode, key: string): IToken[] {
  return (n.children[key] as IToken[] | undefined) ?? [];
}

function token(n: CstNode, key: string): IToken | undefined {
  return tokens(n, key)[0];
}

/** A token with a place in the text: not one the parser invented while recovering. */
function real(t: IToken | undefined): t is IToken {
  return t !== undefined && !Number.isNaN(t.startOffset) && t.isInsertedInRecovery !== true;
}

/** A postfix `.name` (the others are brackets). */
function isSelection(postfix: CstNode): boolean {
  return token(postfix, "Dot") !== undefined;
}

function isNewline(t: IToken): boolean {
  return t.tokenType === Line && t.image === "\n";
}

/** Index of the first token starting at or after `offset` (tokens sorted by offset). */
function tokenIndexAt(toks: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A comment's text without its markers: `// x` gives "x"; a block comment gives its lines,
 * without the ` * ` margin if every line after the first has one, and without blank lines
 * around them.
 */
export function commentText(c: IToken): string {
  if (c.tokenType !== BlockComment) return c.image.slice(2).replace(/\r$/, "").replace(/^ /, "");
  const closed = c.image.length >= 4 && c.image.endsWith("*/");
  const inner = c.image.slice(2, closed ? -2 : undefined).replace(/^ /, "");
  let lines = inner.split("\n").map((l) => l.replace(/\s+$/, ""));
  if (lines.slice(1).every((l) => /^\s*(\*|$)/.test(l))) {
    lines = lines.map((l, k) => (k === 0 ? l : l.replace(/^\s*\* ?/, "")));
  }
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.join("\n");
}
