/**
 * `ko doc` on the user's own code: a `.ko` file or a package directory given by its path, or a
 * package path found in the roots (`--root`, KOPATH). Each function is printed with its doc
 * comment, its parameters, and its types as the checker infers them (one signature per way the
 * package calls it, or for arguments of any type when nothing does, as `ko check` checks it).
 * Everything else (builtins, standard packages, Kubernetes types) is the catalog's (api/catalog.ts).
 */
import * as fs from "node:fs";
import { docCommand } from "../api/catalog.js";
import { rootsFromEnv, type KoProgram } from "../api/program.js";
import { EXIT, UsageError } from "../diag/exit.js";
import type { FuncInfo, Program } from "../resolve/packages.js";
import { CheckedTypes } from "../service/checked-types.js";
import type { CliIO } from "./io.js";
import { cliSession, compileOrReport } from "./run.js";
import { packageNotFound } from "./targets.js";
import type { EntrySource } from "../resolve/load.js";

/**
 * Documents each name: a path on disk (`app.ko`, `./lib/util`), followed by the names of some of
 * its functions to show only those; otherwise what the catalog knows by that name; otherwise a
 * package, or `package.Function`, in the roots.
 */
export function docTargets(names: readonly string[], roots: readonly string[], io: CliIO): number {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (isPath(name)) {
      const entry: EntrySource = fs.statSync(name).isDirectory() ? { kind: "dir", dir: name } : { kind: "file", file: name };
      const compiled = compileOrReport(cliSession(roots), entry, io.stderr);
      if (typeof compiled === "number") return compiled;
      const program = compiled.program;
      const only: string[] = [];
      while (i + 1 < names.length && program.entry.funcs.has(names[i + 1]!)) only.push(names[++i]!);
      writePackageDoc(program, only, io.stdout);
      continue;
    }
    try {
      docCommand([name], io.stdout);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const status = rootPackageDoc(name, roots, io, e);
      if (status !== EXIT.ok) return status;
    }
  }
  return EXIT.ok;
}

/** A name that is a `.ko` file or a directory written as a path (so `k8s` is never a directory). */
function isPath(name: string): boolean {
  if (!fs.existsSync(name)) return false;
  return name.endsWith(".ko") || name === "." || name === ".." || name.includes("/");
}

/** `pkg`, `pkg.Func` or `pkg/Func` of a package in the roots; `notFound` when there is none. */
function rootPackageDoc(name: string, roots: readonly string[], io: CliIO, notFound: UsageError): number {
  const all = [...roots, ...rootsFromEnv()];
  if (all.length === 0) throw notFound;
  const cut = Math.max(name.lastIndexOf("/"), name.lastIndexOf("."));
  const tries: [string, string[]][] = [[name, []]];
  if (cut > 0) tries.push([name.slice(0, cut), [name.slice(cut + 1)]]);
  for (const [pkgPath, only] of tries) {
    let compiled: KoProgram | number;
    try {
      compiled = cliSession(roots).compile({ kind: "package", pkgPath });
    } catch {
      continue;
    }
    const program = compiled.program;
    if (program.entry.files.length === 0 || only.some((f) => !program.entry.funcs.has(f))) continue;
    writePackageDoc(program, only, io.stdout);
    return EXIT.ok;
  }
  throw new UsageError(`${notFound.message}; ${packageNotFound(name, all).message}`);
}

/** Every function of the program's entry package (or those in `only`), in the order they are written. */
function writePackageDoc(program: Program, only: readonly string[], out: (text: string) => void): void {
  const pkg = program.entry;
  const types = new CheckedTypes(program);
  const funcs = [...pkg.funcs.values()]
    .filter((f) => !f.inline && (only.length === 0 || only.includes(f.def.name.text)))
    .sort((a, b) => a.file.path.localeCompare(b.file.path) || a.def.span.start.offset - b.def.span.start.offset);
  if (only.length === 0) out(`package ${pkg.path || "(main)"}: ${funcs.length} function${funcs.length === 1 ? "" : "s"}\n\n`);
  for (const f of funcs) out(functionDoc(f, types));
}

function functionDoc(f: FuncInfo, types: CheckedTypes): string {
  const def = f.def;
  const where = f.pkg.path === "" ? "" : `${f.pkg.path}.`;
  let text = `${where}${def.name.text}(${def.params.map((p) => p.name.text + (p.monadic ? "?" : "")).join(", ")})\n`;
  text += def.doc ? indent(def.doc, "    ") : "    (no documentation)\n";
  const inferred = types.typeAt(f.file.path, def.name.span.start.offset);
  if (inferred !== undefined) {
    const lines = inferred.split("\n");
    text += `    inferred type${lines.length > 1 ? "s" : ""}:\n${indent(inferred, "      ")}`;
  }
  return text + "\n";
}

function indent(text: string, by: string): string {
  return text
    .trim()
    .split("\n")
    .map((l) => `${by}${l}\n`)
    .join("");
}
