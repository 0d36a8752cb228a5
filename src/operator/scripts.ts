/**
 * A KoScript compiled: its files are written under the operator's work directory (one directory
 * per package, named for it, so the loader compiles them as `ko run DIR` would), compiled and
 * checked as `ko check` checks a package — every function, those a run may start from as they
 * would be called, the others for arguments of any type (D33). The outcome is the script's
 * status: the program's hash, its functions, every diagnostic located in the script's own files,
 * and the `Compiled` condition. A script with an error is never run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createSession } from "../api/session.js";
import { KoCompileError, type KoProgram } from "../api/program.js";
import { transitiveHash } from "../compile/circuit-hash.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { sha256 } from "../instrument/call-keys.js";
import { condition, type KoScript, type KoScriptStatus } from "./kinds.js";
import { describeApiError, type Kube } from "./kube.js";

/** A script compiled, or why it could not be. */
export interface CompiledScript {
  /** Present when the script compiled and checked without errors. */
  readonly program?: KoProgram;
  /** The package's directory (its files are those of the KoScript's spec). */
  readonly dir: string;
  readonly status: KoScriptStatus;
}

/** The files of a KoScript: inline, or the `.ko` keys of its ConfigMap. */
export async function scriptFiles(kube: Kube, script: KoScript): Promise<Record<string, string>> {
  const { files, configMapRef } = script.spec;
  if (files && configMapRef) throw new ScriptError("give either spec.files or spec.configMapRef, not both");
  if (files) return files;
  if (!configMapRef) throw new ScriptError("spec.files or spec.configMapRef is needed: the script has no files");
  try {
    const cm = await kube.core.readNamespacedConfigMap({ name: configMapRef.name, namespace: script.metadata.namespace! });
    return Object.fromEntries(Object.entries(cm.data ?? {}).filter(([k]) => k.endsWith(".ko")));
  } catch (e) {
    throw new ScriptError(`ConfigMap ${configMapRef.name}: ${describeApiError(e)}`);
  }
}

export class ScriptError extends Error {
  override name = "ScriptError";
}

export function packageOf(script: KoScript): string {
  return script.spec.package ?? script.metadata.name.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Writes the files where the package is compiled from, replacing what an older generation left. */
export function writePackage(workDir: string, script: KoScript, files: Record<string, string>): string {
  const dir = path.join(workDir, "scripts", script.metadata.namespace ?? "default", script.metadata.name, packageOf(script));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    if (!/^[A-Za-z0-9_.-]+\.ko$/.test(name)) throw new ScriptError(`${name}: a file of a script is NAME.ko, with no directory`);
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** Compiles and checks the script; never throws for what is wrong with the script itself. */
export async function compileScript(kube: Kube, workDir: string, script: KoScript, roots: readonly string[]): Promise<CompiledScript> {
  const generation = script.metadata.generation;
  const pkg = packageOf(script);
  const failed = (reason: string, message: string, diagnostics: Diagnostic[] = [], dir = ""): CompiledScript => ({
    dir,
    status: {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      package: pkg,
      programHash: "",
      functions: [],
      diagnostics: diagnostics.map((d) => diagnosticEntry(d, dir)),
      conditions: condition(script.status?.conditions, "Compiled", "False", reason, message, generation),
    },
  });
  let dir: string;
  try {
    dir = writePackage(workDir, script, await scriptFiles(kube, script));
  } catch (e) {
    if (e instanceof ScriptError) return failed("InvalidSpec", e.message);
    throw e;
  }
  const session = createSession({ roots, cache: false });
  let program: KoProgram;
  try {
    program = session.compileDir(dir);
  } catch (e) {
    if (e instanceof KoCompileError) return failed("CompileError", summary(e.diagnostics, dir), [...e.diagnostics], dir);
    throw e;
  } finally {
    await session.close();
  }
  const functions = program.compiled.functions.get(program.packagePath) ?? new Map<string, KoFunction>();
  const report = program.types.checkPackage(functions);
  if (report.errors.length > 0) return failed("TypeError", summary(report.errors, dir), [...report.diagnostics], dir);
  const names = [...functions.keys()].sort();
  const hash = sha256(names.map((n) => `${n} ${transitiveHash(functions.get(n)!)}`).join("\n"));
  return {
    program,
    dir,
    status: {
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
      package: program.packagePath,
      programHash: hash,
      functions: names.map((name) => {
        const fn = functions.get(name)!;
        return {
          name,
          params: fn.circuit.params.map((p) => (p.monadic ? "?" : p.name)),
          ...(fn.doc ? { doc: fn.doc } : {}),
        };
      }),
      diagnostics: report.diagnostics.map((d) => diagnosticEntry(d, dir)),
      conditions: condition(
        script.status?.conditions,
        "Compiled",
        "True",
        "Compiled",
        `${plural(names.length, "function")}, ${plural(report.diagnostics.length, "warning")}`,
        generation,
      ),
    },
  };
}

/** A diagnostic as the status holds it: located in the script's own file names. */
function diagnosticEntry(d: Diagnostic, dir: string): { severity: string; code: string; message: string; location: string } {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    location: locationIn(dir, d.span.file, d.span.start.line, d.span.start.col),
  };
}

/** `FILE:LINE:COL`, FILE relative to the script's package when it is one of its files. */
export function locationIn(dir: string, file: string, line: number, col: number): string {
  const rel = dir !== "" && file.startsWith(dir + path.sep) ? file.slice(dir.length + 1) : file;
  return `${rel}:${line}:${col}`;
}

function summary(diagnostics: readonly Diagnostic[], dir: string): string {
  const first = diagnostics.find((d) => d.severity === "error") ?? diagnostics[0];
  if (!first) return "the script does not compile";
  const more = diagnostics.filter((d) => d.severity === "error").length - 1;
  const where = locationIn(dir, first.span.file, first.span.start.line, first.span.start.col);
  return `${where}: ${first.message}${more > 0 ? ` (and ${more} more errors)` : ""}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
