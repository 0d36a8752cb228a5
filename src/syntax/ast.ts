/**
 * The abstract syntax of Ko (reference section 2). Produced by the parser's actions, read by the
 * resolver, the compiler, the formatter and the language server. Every node carries its span.
 * Nodes are plain immutable data; facts found later (what a name means, its type) live in side
 * tables keyed by node, never on the node itself.
 */
import type { Span } from "../diag/span.js";

/** An identifier occurrence with its own span (labels, parameters, reference segments). */
export interface Name {
  readonly text: string;
  readonly span: Span;
}

export interface FileAst {
  readonly file: string;
  readonly imports: readonly ImportDecl[];
  readonly funcs: readonly FuncDef[];
  readonly span: Span;
}

/** `import "path" [as alias]` (`use` is a synonym). */
export interface ImportDecl {
  readonly kind: "import";
  readonly path: string;
  readonly pathSpan: Span;
  readonly alias?: Name;
  readonly span: Span;
}

export interface Param {
  readonly name: Name;
  /** Marked with `?`: receives the unnamed argument (reference 5.1). */
  readonly monadic: boolean;
}

/** A function definition, at top level or inline in a formula (reference 2.1 note 9). */
export interface FuncDef {
  readonly kind: "func";
  readonly name: Name;
  readonly params: readonly Param[];
  /** The labelled steps of the body, in source order (the parser also keeps unlabelled ones, for errors). */
  readonly steps: readonly Term[];
  /** The comment block directly above the definition, without comment markers. */
  readonly doc?: string;
  readonly span: Span;
  /** Where the body's closing brace is (for "missing return"). */
  readonly bodySpan: Span;
}

/**
 * One term of a bracket or body: `label: formula`, `: formula` (empty label, D11) or `formula`.
 * `label` is undefined for an unlabelled term; an empty label has text "".
 */
export interface Term {
  readonly label?: Name;
  readonly formula: Formula;
  readonly span: Span;
}

export type Bracket = "(" | "[";

export type Formula = IntLit | FloatLit | StringLit | Ref | Invoke | Augment | Select | InlineFunc;

export interface IntLit {
  readonly kind: "int";
  readonly value: bigint;
  readonly span: Span;
}

export interface FloatLit {
  readonly kind: "float";
  readonly value: number;
  readonly span: Span;
}

export interface StringLit {
  readonly kind: "string";
  readonly value: string;
  readonly raw: boolean;
  readonly span: Span;
}

/** A reference `n` or `n.f1.f2`: a parameter, a step, a function, or `alias.Func` (reference 3.6). */
export interface Ref {
  readonly kind: "ref";
  readonly path: readonly Name[];
  readonly span: Span;
}

/** `callee(terms)`; with no callee, the construction builtin `(terms)` (reference 6.2). */
export interface Invoke {
  readonly kind: "invoke";
  readonly callee?: Formula;
  readonly terms: readonly Term[];
  /** The bracket's own span, from `(` to `)`. */
  readonly argsSpan: Span;
  readonly span: Span;
}

/** `callee[terms]`; with no callee, a variety of the construction builtin `[terms]`. */
export interface Augment {
  readonly kind: "augment";
  readonly callee?: Formula;
  readonly terms: readonly Term[];
  readonly argsSpan: Span;
  readonly span: Span;
}

/** `formula.f1.f2` after a bracket or literal (a dotted name right after an identifier is a Ref). */
export interface Select {
  readonly kind: "select";
  readonly target: Formula;
  readonly fields: readonly Name[];
  readonly span: Span;
}

/** An inline function definition used as a formula: hoisted to package level, denotes its variety. */
export interface InlineFunc {
  readonly kind: "inline";
  readonly def: FuncDef;
  readonly span: Span;
}

/** Calls `visit` on every formula below `f` (including `f`), parents first. */
export function walkFormula(f: Formula, visit: (f: Formula) => void): void {
  visit(f);
  switch (f.kind) {
    case "invoke":
    case "augment":
      if (f.callee) walkFormula(f.callee, visit);
      for (const t of f.terms) walkFormula(t.formula, visit);
      break;
    case "select":
      walkFormula(f.target, visit);
      break;
    default:
      break;
  }
}
