/**
 * Ko for Node, as a library: compile Ko source or files, bind host functions, run functions
 * with JavaScript arguments, get JavaScript results, cancel with an AbortSignal.
 *
 *   const program = compileSource(`Main(n) { return: Sum(n, 1) }`);
 *   await program.run("Main", { n: 41 });   // 42
 */
import { compile, type CompileOptions, type KoProgram } from "./program.js";

export { compile, defaultRegistry, KoCompileError, KoProgram, stdlibDir, type CallOptions, type CompileOptions } from "./program.js";
export { createSession, Session, type SessionOptions, type RunRequest } from "./session.js";
export type { K8sOptions } from "../k8s/index.js";
export type { Plan, PlanEntry, ObjectRef } from "../k8s/plan.js";
export { DRY_RUN, type DryRunLog, type DryRunSkip, type DryRunBehaviour } from "../host/dry-run.js";
export { serviceKey, Services, type ServiceKey } from "../host/services.js";
// For host functions that read from outside the program: what they read, told to a named run's journal.
export { INPUTS, inputLog, fileInput, envInput, type Input, type InputLog } from "../host/inputs.js";
export { fromJs, toJs, fieldsFromJs, KoValue, type ToJsOptions } from "./js-values.js";
export { renderFailure, failureDiagnostic } from "./failures.js";
export { formatResult, resultData, UnwritableResult, type OutputFormat } from "./result-formats.js";
export { KoTypeError, TypeChecker, defaultEntries, type TypeReport, type Entry } from "../types/index.js";
export {
  defineHost,
  signature,
  type HostContext,
  type HostFunction,
  type ParamSpec,
  type Effects,
  type Known,
  type Refine,
  type Refinement,
} from "../host/binding.js";
export { T, recordSchema, type HostType, type RecordSchema } from "../host/host-type.js";
export { HostRegistry } from "../host/registry.js";
export { KoError, KoPanic, KoCancelled, KoFailure } from "../value/failure.js";
export { printValue } from "../value/print.js";
export * as values from "../value/value.js";
export type { Diagnostic, CallFrame } from "../diag/diagnostic.js";
export type { Span, Pos } from "../diag/span.js";

export interface SourceOptions extends CompileOptions {
  /** The package path the source compiles as (functions print as `PKG.Name`); default "main". */
  readonly pkgPath?: string;
  /** A file name for messages; default `<PKG>.ko`. */
  readonly path?: string;
}

/** Compiles Ko source text as one package (throws KoCompileError with every diagnostic). */
export function compileSource(text: string, opts: SourceOptions = {}): KoProgram {
  const pkgPath = opts.pkgPath ?? "main";
  return compile({ kind: "text", text, pkgPath, path: opts.path ?? `${pkgPath}.ko` }, opts);
}

/** Compiles one `.ko` file as a package named after the file (D22). */
export function compileFile(file: string, opts: CompileOptions = {}): KoProgram {
  return compile({ kind: "file", file }, opts);
}

/** Compiles every `.ko` file of a directory as one package named after the directory. */
export function compileDir(dir: string, opts: CompileOptions = {}): KoProgram {
  return compile({ kind: "dir", dir }, opts);
}
