/**
 * The outline of a file (imports, functions with their parameters, steps and inline functions)
 * and the functions of the whole workspace, for "go to symbol".
 */
import type { FuncDef, Term } from "../syntax/ast.js";
import { walkFormula } from "../syntax/ast.js";
import type { Analysis } from "./analysis.js";
import { sourceFile } from "./places.js";
import { describeFunc } from "./describe.js";
import type { Location } from "./navigate.js";

export interface OutlineSymbol {
  readonly name: string;
  readonly kind: "import" | "function" | "param" | "step";
  readonly detail: string;
  /** The whole construct, and the name within it (offsets). */
  readonly range: Location;
  readonly selection: Location;
  readonly children: readonly OutlineSymbol[];
}

export function documentSymbols(analysis: Analysis, file: string): OutlineSymbol[] {
  const source = sourceFile(analysis.program, file);
  if (source === undefined) return [];
  const imports = source.ast.imports.map((d): OutlineSymbol => ({
    name: d.alias?.text ?? d.path,
    kind: "import",
    detail: `import "${d.path}"`,
    range: loc(d.span),
    selection: loc(d.alias?.span ?? d.pathSpan),
    children: [],
  }));
  return [...imports, ...source.ast.funcs.map(functionSymbol)];
}

function functionSymbol(def: FuncDef): OutlineSymbol {
  const params = def.params.map((p): OutlineSymbol => ({
    name: p.name.text,
    kind: "param",
    detail: p.monadic ? "monadic parameter" : "parameter",
    range: loc(p.name.span),
    selection: loc(p.name.span),
    children: [],
  }));
  const steps = def.steps.filter((t) => t.label !== undefined && t.label.text !== "").map(stepSymbol);
  return {
    name: def.name.text,
    kind: "function",
    detail: `(${def.params.map((p) => p.name.text + (p.monadic ? "?" : "")).join(", ")})`,
    range: loc(def.span),
    selection: loc(def.name.span),
    children: [...params, ...steps],
  };
}

/** A step, with the inline functions defined in its formula. */
function stepSymbol(t: Term): OutlineSymbol {
  const inline: OutlineSymbol[] = [];
  walkFormula(t.formula, (f) => {
    if (f.kind === "inline") inline.push(functionSymbol(f.def));
  });
  return { name: t.label!.text, kind: "step", detail: "step", range: loc(t.span), selection: loc(t.label!.span), children: inline };
}

export interface WorkspaceSymbol {
  readonly name: string;
  readonly container: string;
  readonly detail: string;
  readonly location: Location;
}

/** Functions of every analysed package whose name matches `query` (its letters in order). */
export function workspaceSymbols(analyses: readonly Analysis[], query: string): WorkspaceSymbol[] {
  const seen = new Set<string>();
  const out: WorkspaceSymbol[] = [];
  for (const a of analyses) {
    for (const pkg of a.program.packages.values()) {
      for (const info of pkg.funcs.values()) {
        const span = info.def.name.span;
        const id = `${span.file}#${span.start.offset}`;
        if (seen.has(id) || !matches(info.def.name.text, query)) continue;
        seen.add(id);
        out.push({ name: info.def.name.text, container: pkg.path, detail: describeFunc(info).signature, location: loc(span) });
      }
    }
  }
  return out;
}

function matches(name: string, query: string): boolean {
  let i = 0;
  const n = name.toLowerCase();
  for (const ch of query.toLowerCase()) {
    i = n.indexOf(ch, i) + 1;
    if (i === 0) return false;
  }
  return true;
}

function loc(span: { file: string; start: { offset: number }; end: { offset: number } }): Location {
  return { file: span.file, start: span.start.offset, end: span.end.offset };
}
