/**
 * Go to definition, find references and rename, across files and packages. All three start from
 * the occurrence under the cursor (occurrences.ts); references and rename then collect every
 * occurrence of the same symbol from the analyses of every package in the workspace, since a
 * package's analysis sees what it imports but not who imports it.
 */
import * as path from "node:path";
import { stdlibDir } from "../api/program.js";
import type { FuncInfo } from "../resolve/packages.js";
import { walkFormula, type FuncDef } from "../syntax/ast.js";
import type { Analysis } from "./analysis.js";
import { sourceFile } from "./places.js";
import type { Occurrence } from "./occurrences.js";
import type { View } from "./workspace.js";

/** A range of a file, by offsets in the text the analysis read (the current text when fresh). */
export interface Location {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface TextEdit extends Location {
  readonly newText: string;
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

export function definition(view: View, file: string, offset: number): Location[] {
  const occ = view.analysis.index.at(file, offset);
  if (occ === undefined) return importedPackage(view, file, offset);
  const t = occ.target;
  switch (t.kind) {
    case "func":
      return [spanLocation(t.info.def.name.span)];
    case "param":
      return [spanLocation(t.func.def.params[t.index]!.name.span)];
    case "step":
      return [spanLocation(t.term.label!.span)];
    case "alias": {
      if (!occ.declaration) return [spanLocation(t.decl.alias?.span ?? t.decl.pathSpan)];
      const first = t.pkg?.files[0];
      return first ? [{ file: first.path, start: 0, end: 0 }] : [];
    }
    default:
      return []; // builtins and fields have no source
  }
}

/** On an import's path: the package's first file. */
function importedPackage(view: View, file: string, offset: number): Location[] {
  const source = sourceFile(view.analysis.program, file);
  const decl = source?.ast.imports.find((d) => d.pathSpan.start.offset <= offset && offset <= d.pathSpan.end.offset);
  const first = decl && view.analysis.program.imports.get(decl)?.files[0];
  return first ? [{ file: first.path, start: 0, end: 0 }] : [];
}

/** Every occurrence of the symbol under the cursor, in `analyses` (one per package). */
export function references(
  view: View,
  file: string,
  offset: number,
  analyses: readonly Analysis[],
  includeDeclaration: boolean,
): Location[] {
  const occ = view.analysis.index.at(file, offset);
  if (occ?.key === undefined) return [];
  return occurrencesOf(occ.key, [view.analysis, ...analyses])
    .filter((o) => includeDeclaration || !o.declaration)
    .map((o) => ({ file: o.file, start: o.start, end: o.end }));
}

function occurrencesOf(key: string, analyses: readonly Analysis[]): Occurrence[] {
  const seen = new Set<string>();
  const out: Occurrence[] = [];
  for (const a of analyses) {
    for (const o of a.index.occurrencesOf(key)) {
      const id = `${o.file}#${o.start}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(o);
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.start - b.start);
}

// ---------------------------------------------------------------------------------------------
// Rename: steps, parameters and functions (with the argument labels that name a parameter).

export type RenameCheck =
  | { readonly ok: true; readonly start: number; readonly end: number; readonly name: string }
  | { readonly ok: false; readonly error: string };

/** Whether the name under the cursor can be renamed, and its range. */
export function prepareRename(view: View, file: string, offset: number): RenameCheck {
  const occ = view.analysis.index.at(file, offset);
  if (occ === undefined) return { ok: false, error: "nothing to rename here" };
  const t = occ.target;
  if (t.kind !== "func" && t.kind !== "param" && t.kind !== "step")
    return { ok: false, error: "only functions, parameters and steps can be renamed" };
  if (t.kind === "step" && t.term.label!.text === "return") return { ok: false, error: "the return step keeps its name" };
  const owner = t.kind === "func" ? t.info : t.func;
  if (isStandardLibrary(owner.file.path)) return { ok: false, error: "functions of the standard library cannot be renamed" };
  return { ok: true, start: occ.start, end: occ.end, name: view.analysis.texts.get(file)?.slice(occ.start, occ.end) ?? "" };
}

export function rename(
  view: View,
  file: string,
  offset: number,
  newName: string,
  analyses: readonly Analysis[],
): { edits: TextEdit[] } | { error: string } {
  const check = prepareRename(view, file, offset);
  if (!check.ok) return { error: check.error };
  if (!IDENTIFIER.test(newName) || newName === "true" || newName === "false") return { error: `${newName} is not a name` };
  const occ = view.analysis.index.at(file, offset)!;
  const conflict = renameConflict(occ, newName, [view.analysis, ...analyses]);
  if (conflict !== undefined) return { error: conflict };
  const edits = occurrencesOf(occ.key!, [view.analysis, ...analyses]).map((o) => ({
    file: o.file,
    start: o.start,
    end: o.end,
    newText: newName,
  }));
  return { edits };
}

/** Why renaming to `name` would change what some reference means, if it would. */
function renameConflict(occ: Occurrence, name: string, analyses: readonly Analysis[]): string | undefined {
  const t = occ.target;
  if (t.kind === "func") {
    const pkg = t.info.pkg;
    if (pkg.funcs.has(name) || pkg.host.has(name)) return `package ${pkg.path} already has a function ${name}`;
    for (const info of pkg.funcs.values()) {
      if (mentions(info.def, name)) return `${name} already means something in ${info.def.name.text}; renaming would change it`;
    }
    // A bare reference to the function from a body that has a step or parameter of the new name.
    for (const o of occurrencesOf(occ.key!, analyses)) {
      const user = analyses.map((a) => a.index.enclosingFunction(o.file, o.start)).find((f) => f !== undefined);
      if (user && !o.declaration && hasLocal(user, name))
        return `${user.def.name.text} has a step or parameter ${name}; renaming would change what it calls`;
    }
    return undefined;
  }
  if (t.kind === "param" || t.kind === "step") {
    const fn = t.func;
    if (hasLocal(fn, name)) return `${fn.def.name.text} already has a step or parameter ${name}`;
    if (mentions(fn.def, name)) return `${name} already means something in ${fn.def.name.text}; renaming would change it`;
  }
  return undefined;
}

function hasLocal(fn: FuncInfo, name: string): boolean {
  return fn.def.params.some((p) => p.name.text === name) || fn.def.steps.some((s) => s.label?.text === name);
}

/** Whether a body refers to `name` by its first segment (a function, builtin, alias...). */
function mentions(def: FuncDef, name: string): boolean {
  let found = false;
  for (const t of def.steps) walkFormula(t.formula, (f) => (found ||= f.kind === "ref" && f.path[0]!.text === name));
  return found;
}

function isStandardLibrary(file: string): boolean {
  const rel = path.relative(stdlibDir(), file);
  return !rel.startsWith("..") && !path.isAbsolute(rel);
}

function spanLocation(span: { file: string; start: { offset: number }; end: { offset: number } }): Location {
  return { file: span.file, start: span.start.offset, end: span.end.offset };
}
