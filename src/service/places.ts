/**
 * Where a place in the text stands: the file and package it belongs to, the top-level
 * definition around it, the cursor's syntactic context there, and the function a call site
 * names. Shared by completion, signature help, manifest fields (expected.ts) and navigation.
 */
import { endOffset, startOffset } from "../diag/span.js";
import { defaultRegistry } from "../api/program.js";
import type { HostFunction } from "../host/binding.js";
import { CORE_PACKAGE, IDIOM_PACKAGE, type FuncInfo, type KoPackage, type Program, type SourceFile } from "../resolve/packages.js";
import { cursorContext, type CallSite, type CursorContext } from "./cursor.js";
import type { View } from "./workspace.js";

/** The core builtins, from the registry the analysis compiled against (the facade's). */
export function coreBuiltins(): readonly HostFunction[] {
  return defaultRegistry().functionsOf(CORE_PACKAGE);
}

/** The function a call site names, looked up as the resolver would (reference 3.6). */
export function calledAt(program: Program, view: View, file: string, call: CallSite): FuncInfo | HostFunction | undefined {
  const callee = call.callee;
  if (callee === undefined) return undefined;
  const fn = view.analysis.index.enclosingFunction(file, view.map.toOld(call.open));
  const source = fn?.file ?? sourceFile(program, file);
  if (callee.length === 2) {
    const pkgPath = source?.aliases.get(callee[0]!);
    const pkg = pkgPath === undefined ? undefined : program.packages.get(pkgPath);
    return pkg?.funcs.get(callee[1]!) ?? pkg?.host.get(callee[1]!);
  }
  if (callee.length !== 1) return undefined;
  const name = callee[0]!;
  if (fn && (fn.def.params.some((p) => p.name.text === name) || fn.def.steps.some((t) => t.label?.text === name))) return undefined;
  const pkg = fn?.pkg ?? packageOfFile(program, file);
  return (
    pkg?.funcs.get(name) ??
    (pkg && pkg.path !== CORE_PACKAGE ? pkg.host.get(name) : undefined) ??
    program.packages.get(IDIOM_PACKAGE)?.funcs.get(name) ??
    coreBuiltins().find((h) => h.name === name)
  );
}

/** The cursor's context in the current text (see context.ts). */
export function cursorAt(view: View, file: string, offset: number): CursorContext {
  return cursorContext(view.text, offset, scopeStart(view, file, offset));
}

/** Where the top-level definition around `offset` starts in the current text (lexing starts there). */
export function scopeStart(view: View, file: string, offset: number): number {
  const old = view.map.toOld(offset);
  const top = view.analysis.index
    .functionsIn(file)
    .find((f) => !f.inline && startOffset(f.def.span) <= old && old <= endOffset(f.def.span));
  const mapped = top === undefined ? undefined : view.map.toNew(startOffset(top.def.span));
  if (mapped !== undefined && mapped <= offset) return mapped;
  // Not known to the last analysis (just typed): the nearest line that starts a definition at column 0.
  const before = view.text.slice(0, offset);
  const re = /^[\p{L}_][\p{L}\p{Nd}_]*\s*\(/gmu;
  let start = 0;
  for (let m = re.exec(before); m !== null; m = re.exec(before)) start = m.index;
  return start;
}

export function packageOfFile(program: Program, file: string): KoPackage | undefined {
  for (const pkg of program.packages.values()) if (pkg.files.some((f) => f.path === file)) return pkg;
  return undefined;
}

export function sourceFile(program: Program, file: string): SourceFile | undefined {
  for (const pkg of program.packages.values()) {
    const f = pkg.files.find((s) => s.path === file);
    if (f) return f;
  }
  return undefined;
}
