/** Shared helpers for the syntax tests: parsing shortcuts and a compact AST printer. */
import { expect } from "vitest";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import type { FileAst, Formula, FuncDef, Term } from "../../src/syntax/ast.js";
import { parseFile } from "../../src/syntax/index.js";

export const FILE = "test.ko";

export function parse(text: string) {
  return parseFile(FILE, text);
}

/** One-line summary of diagnostics for failure messages. */
export function describe(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.span.start.line}:${d.span.start.col} ${d.message}`).join("\n");
}

/** Parses text that must have no diagnostics. */
export function parseClean(text: string): FileAst {
  const r = parse(text);
  expect(describe(r.diagnostics)).toBe("");
  return r.ast;
}

/** The function named `name` in a clean parse of `text`. */
export function funcOf(text: string, name = "Main"): FuncDef {
  const f = parseClean(text).funcs.find((x) => x.name.text === name);
  expect(f, `function ${name}`).toBeDefined();
  return f!;
}

/** The formula of the `return` step of `Main() { return: <formula> }`. */
export function formulaOf(formula: string): Formula {
  const steps = funcOf(`Main() { return: ${formula} }`).steps;
  expect(steps).toHaveLength(1);
  return steps[0]!.formula;
}

/** The diagnostics for `Main() { return: <formula> }`. */
export function formulaDiagnostics(formula: string): Diagnostic[] {
  return parse(`Main() { return: ${formula} }`).diagnostics;
}

/**
 * Prints a formula compactly: `F(x: 1)`, `[: 2]`, `{F(x: 1)}.a.b` for a selection (braces mark
 * the target), `def G(a?) {return: a}` for an inline definition, `"s"`, raw`"s"`, `1.5f`.
 */
export function show(f: Formula): string {
  switch (f.kind) {
    case "int":
      return f.value.toString();
    case "float":
      return `${Object.is(f.value, -0) ? "-0" : String(f.value)}f`;
    case "string":
      return `${f.raw ? "raw" : ""}${JSON.stringify(f.value)}`;
    case "ref":
      return f.path.map((n) => n.text).join(".");
    case "invoke":
      return `${f.callee ? show(f.callee) : ""}(${showTerms(f.terms)})`;
    case "augment":
      return `${f.callee ? show(f.callee) : ""}[${showTerms(f.terms)}]`;
    case "select":
      return `{${show(f.target)}}.${f.fields.map((n) => n.text).join(".")}`;
    case "inline":
      return `def ${showFunc(f.def)}`;
  }
}

export function showTerms(terms: readonly Term[]): string {
  return terms.map(showTerm).join(", ");
}

function showTerm(t: Term): string {
  if (t.label === undefined) return show(t.formula);
  return `${t.label.text}: ${show(t.formula)}`;
}

export function showFunc(f: FuncDef): string {
  const params = f.params.map((p) => `${p.name.text}${p.monadic ? "?" : ""}`).join(", ");
  return `${f.name.text}(${params}) {${showTerms(f.steps)}}`;
}

/** `line:col-line:col` of a span. */
export function at(span: { start: { line: number; col: number }; end: { line: number; col: number } }): string {
  return `${span.start.line}:${span.start.col}-${span.end.line}:${span.end.col}`;
}
