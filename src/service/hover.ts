/**
 * Hover: what the name under the cursor is — a function's signature and documentation, a
 * parameter or step and the function it belongs to, an import's package — and its inferred type
 * (types-bridge.ts), printed as reference 7.4 prints types. On a field's label in a literal whose
 * record type is known from where it stands (a Kubernetes manifest, expected.ts): the field's
 * declared type and doc, as a YAML schema shows them.
 */
import { showHostType } from "../host/host-type.js";
import type { FuncInfo } from "../resolve/packages.js";
import { describeFunc, describeHost, qualifiedSignature, type FunctionDescription } from "./describe.js";
import { expectedFieldAt, type ExpectedField } from "./expected.js";
import type { Occurrence } from "./occurrences.js";
import type { View } from "./workspace.js";

export interface HoverResult {
  /** Offsets in the current text. */
  readonly start: number;
  readonly end: number;
  /** Markdown. */
  readonly contents: string;
}

export function hover(view: View, file: string, offset: number): HoverResult | undefined {
  const old = view.map.toOld(offset);
  const occ = view.analysis.index.at(file, old);
  if (occ === undefined) {
    // A field's label in a literal of a known record (a manifest): the field's type and doc.
    const field = expectedFieldAt(view, file, offset);
    if (field) return { start: field.start, end: field.end, contents: fieldText(field) };
    // Inside a formula (a bracket, a literal): the type of the innermost one.
    const type = view.analysis.types?.typeAt(file, old);
    return type === undefined ? undefined : { start: offset, end: offset, contents: typeText(type, false) };
  }
  const start = view.map.toNew(occ.start);
  const end = view.map.toNew(occ.end);
  if (start === undefined || end === undefined) return undefined;
  const contents = describe(occ, view);
  if (contents === undefined) return undefined;
  // At the name's start: the cursor may be just after it.
  const type = typed(occ, view.analysis.texts.get(file) ?? "") ? view.analysis.types?.typeAt(file, occ.start) : undefined;
  if (type === undefined) return { start, end, contents };
  return { start, end, contents: `${contents}\n\n---\n\n${typeText(type, occ.target.kind === "func" && type.includes("\n"))}` };
}

/**
 * Whether the name's inferred type is worth showing: that of a parameter, step or selected field,
 * and a function's signatures where it is defined. Where a function is called, the type at its
 * name would be the call's, which reads as if it were the function's.
 */
function typed(occ: Occurrence, text: string): boolean {
  switch (occ.target.kind) {
    case "param":
      // An argument's label (`n:` in `F(n: 1)`) names the parameter of the function called.
      return occ.declaration || !/^\s*:/.test(text.slice(occ.end, occ.end + 40));
    case "step":
    case "field":
      return true;
    case "func":
      return occ.declaration;
    default:
      return false;
  }
}

/** An inferred type; `several`: a function's signatures, one per specialisation. */
function typeText(type: string, several: boolean): string {
  return `inferred type${several ? "s" : ""}:\n${code(type)}`;
}

function describe(occ: Occurrence, view: View): string | undefined {
  const t = occ.target;
  switch (t.kind) {
    case "func":
      return functionText(describeFunc(t.info));
    case "host":
      return functionText(describeHost(t.fn));
    case "param": {
      const p = t.func.def.params[t.index]!;
      return `${code(`(parameter) ${p.name.text}${p.monadic ? "?" : ""}`)}\n${p.monadic ? "the monadic parameter " : "parameter "}of ${owner(t.func)}`;
    }
    case "hostParam":
      return `${code(`(parameter) ${t.param.name}${t.param.monadic ? "?" : ""}`)}\nparameter of ${t.fn.pkg === "" ? t.fn.name : `${t.fn.pkg}.${t.fn.name}`}${t.param.doc ? `: ${t.param.doc}` : ""}`;
    case "step": {
      const text = view.analysis.texts.get(t.func.file.path) ?? "";
      const formula = text.slice(t.term.formula.span.start.offset, t.term.formula.span.end.offset);
      const shown = formula.length > 200 || formula.includes("\n") ? `${formula.split("\n")[0]!.slice(0, 80)} ...` : formula;
      return `${code(`(step) ${t.term.label!.text}: ${shown}`)}\nstep of ${owner(t.func)}`;
    }
    case "alias": {
      const where = t.pkg?.dir !== undefined ? `\n\nfrom ${t.pkg.dir}` : "";
      const count = t.pkg ? t.pkg.funcs.size + t.pkg.host.size : 0;
      return `${code(`import "${t.decl.path}"${t.decl.alias ? ` as ${t.decl.alias.text}` : ""}`)}\npackage ${t.pkg?.path ?? t.decl.path}, ${count} functions${where}`;
    }
    case "field":
      return code(`(field) ${t.name}`);
    case "bool":
      return code("Bool");
  }
}

function fieldText(f: ExpectedField): string {
  return `${code(`(field) ${f.name}: ${showHostType(f.type)}`)}\nfield of ${f.schema.name}${f.doc ? `\n\n${f.doc}` : ""}`;
}

function functionText(d: FunctionDescription): string {
  return `${code(qualifiedSignature(d))}${d.doc ? `\n${d.doc}` : ""}`;
}

function owner(f: FuncInfo): string {
  return `\`${f.pkg.path}.${f.def.name.text}\``;
}

function code(text: string): string {
  return "```ko\n" + text + "\n```";
}
