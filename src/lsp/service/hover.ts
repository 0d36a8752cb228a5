/**
 * Hover: what the name under the cursor is — a function's signature and documentation, a
 * parameter or step and the function it belongs to, an import's package — and its inferred type
 * when the checker provides one (types-bridge.ts).
 */
import type { FuncInfo } from "../../resolve/program.js";
import { describeFunc, describeHost, qualifiedSignature, type FunctionDescription } from "./describe.js";
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
  const type = view.analysis.types?.typeAt(file, old);
  if (occ === undefined) {
    return type === undefined ? undefined : { start: offset, end: offset, contents: code(type) };
  }
  const start = view.map.toNew(occ.start);
  const end = view.map.toNew(occ.end);
  if (start === undefined || end === undefined) return undefined;
  const contents = describe(occ, view);
  if (contents === undefined) return undefined;
  return { start, end, contents: type === undefined ? contents : `${contents}\n\n---\n\ntype: \`${type}\`` };
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

function functionText(d: FunctionDescription): string {
  return `${code(qualifiedSignature(d))}${d.doc ? `\n${d.doc}` : ""}`;
}

function owner(f: FuncInfo): string {
  return `\`${f.pkg.path}.${f.def.name.text}\``;
}

function code(text: string): string {
  return "```ko\n" + text + "\n```";
}
