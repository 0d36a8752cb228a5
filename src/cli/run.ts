/**
 * `ko run` and `ko play`: compile a package, run one or more of its functions, print each result
 * in canonical form (reference 8.2, D22, D25). Exit status per D19.
 */
import { KoCompileError, rootsFromEnv, type KoProgram } from "../api/program.js";
import type { KoFunction } from "../compile/circuit.js";
import { CompileFailure, type Diagnostic } from "../diag/diagnostic.js";
import { renderFailure } from "../api/failures.js";
import type { EntrySource } from "../resolve/load.js";
import { KoCancelled, KoFailure } from "../value/failure.js";
import { formatResult, UnwritableResult, type OutputFormat } from "../api/result-formats.js";
import { groupValues } from "../value/sequence.js";
import type { Field, Value } from "../value/value.js";
import { clusterOptions, type ClusterFlags } from "./cluster-flags.js";
import { gridOptions, type GridFlags } from "./grid-flags.js";
import { KoExit } from "../stdlib/os.js";
import { argField, playField } from "./args.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { createSession, type Session, type SessionOptions } from "../api/session.js";
import { fileOrDir, packageNotFound } from "./targets.js";
import type { CliIO } from "./io.js";

/** The options of `ko run` that shape its session. */
export interface SessionFlags {
  /** Reuse and store results (default true; `--no-cache`). */
  readonly cache?: boolean;
  /** Journal the run under this name (`--name`). */
  readonly name?: string;
  /** Resume the named run (`--resume`). */
  readonly resume?: boolean;
  /** Steps of the resumed run to run again all the same (`--rerun`, comma-separated, repeatable). */
  readonly rerun?: readonly string[];
  /** Write step events as JSON lines to this file, `-` for stderr (`--events`). */
  readonly events?: string;
  /** Write a Chrome/Perfetto trace to this file (`--trace`). */
  readonly trace?: string;
  /** Show the live view on a terminal (default true; `--no-progress`). */
  readonly progress?: boolean;
}

export interface RunFlags extends SessionFlags, ClusterFlags, GridFlags {
  readonly arg: string[];
  readonly list?: string;
  readonly maxDepth?: number;
  readonly root: string[];
  /** How results are written (`-o`, `--output`): Ko's canonical printing (the default), JSON or YAML. */
  readonly output?: OutputFormat;
  /** The command line (without `node ko`), which a journaled run records. */
  readonly argv: readonly string[];
}

/** Groups repeated argument names into sequences, as a bracket would (reference 5.3). */
function groupFields(fields: readonly Field[]): Field[] {
  const byName = new Map<string, Field[]>();
  for (const f of fields) {
    const g = byName.get(f.name);
    if (g) g.push(f);
    else byName.set(f.name, [f]);
  }
  return [...byName.values()].map((g) => (g.length === 1 ? g[0]! : { ...g[0]!, value: groupValues(g.map((f) => f.value)) }));
}

/**
 * A session with the command's roots (`--root`, then KOPATH's). One that only compiles holds
 * nothing that needs closing; one that runs is closed by its command.
 */
export function cliSession(roots: readonly string[], options: Omit<SessionOptions, "roots"> = {}): Session {
  return createSession({ roots: [...roots, ...rootsFromEnv()], ...options });
}

/**
 * Compiles, printing diagnostics to `stderr` and returning an exit status on failure. A command
 * that runs entry functions (`ko run`, `ko play`, `ko test`) passes `deferUnresolved`, and leaves
 * unresolved references and imports to `refuseIllTyped` (D33).
 */
export function compileOrReport(
  session: Session,
  entry: EntrySource,
  stderr: (text: string) => void,
  opts: { readonly deferUnresolved?: boolean } = {},
): KoProgram | number {
  try {
    return session.compile(entry, opts);
  } catch (e) {
    if (e instanceof KoCompileError) {
      stderr(renderFailure(e, e.sources));
      return EXIT.compile;
    }
    throw e;
  }
}

/** A call about to run: an entry function and its arguments. */
export interface EntryCall {
  readonly fn: KoFunction;
  readonly fields: readonly Field[];
}

/**
 * What stands in the way of one call (D33): the unresolved references it certainly executes, then
 * the errors the checker proves it would meet (the same check as `ko check`).
 */
export function refusalOf(compiled: KoProgram, call: EntryCall): Diagnostic[] {
  const report = compiled.check(call.fn, call.fields);
  return [...compiled.deferredErrors(report), ...report.errors];
}

/**
 * Prints, as warnings, the unresolved references and imports that none of `calls` certainly
 * executes (D33): they fail only if they run.
 */
export function warnDeferred(compiled: KoProgram, calls: readonly EntryCall[], stderr: (text: string) => void): void {
  const certain = new Set(calls.flatMap((call) => compiled.deferredErrors(compiled.check(call.fn, call.fields))));
  const warnings = compiled.deferred.filter((d) => !certain.has(d)).map((d): Diagnostic => ({ ...d, severity: "warning" }));
  if (warnings.length > 0) stderr(renderFailure(new CompileFailure(warnings), compiled.sources));
}

/** Prints diagnostics, each once however many calls met it. */
export function printRefusal(compiled: KoProgram, diagnostics: readonly Diagnostic[], stderr: (text: string) => void): void {
  const unique = new Map(diagnostics.map((d) => [`${d.span.file}:${d.span.start.offset}:${d.message}`, d]));
  stderr(renderFailure(new KoCompileError([...unique.values()], compiled.sources), compiled.sources));
}

/**
 * Checks the calls about to run and prints what would certainly make them fail: an unresolved
 * reference they certainly execute, or an error the checker proves; true if there is any, in
 * which case nothing may run. Such a program is refused before running, so its exit status is 3,
 * as `ko check`'s (D19). The other unresolved references are printed as warnings.
 */
export function refuseIllTyped(compiled: KoProgram, calls: readonly EntryCall[], stderr: (text: string) => void): boolean {
  warnDeferred(compiled, calls, stderr);
  const errors = calls.flatMap((call) => refusalOf(compiled, call));
  if (errors.length === 0) {
    // Errors the calls cannot reach, and likely mistakes, are warnings: the run goes on (D33, D35).
    const warnings = compiled.runWarnings(calls);
    if (warnings.length > 0) stderr(renderFailure(new KoCompileError(warnings, compiled.sources), compiled.sources));
    return false;
  }
  printRefusal(compiled, errors, stderr);
  return true;
}

export async function runCommand(target: string, func: string | undefined, flags: RunFlags, io: CliIO): Promise<number> {
  const entry = fileOrDir(target);
  const names = flags.list
    ? flags.list
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
    : [func ?? "Main"];
  if (flags.list && func) throw new UsageError("give either FUNC or --list, not both");
  const fields = groupFields(flags.arg.map(argField));
  return runFunctions(entry, names, fields, flags, io);
}

export async function playCommand(spec: string, args: string[], flags: RunFlags, io: CliIO): Promise<number> {
  const slash = spec.lastIndexOf("/");
  const pkgPath = slash < 0 ? "" : spec.slice(0, slash);
  const func = spec.slice(slash + 1);
  const fields = groupFields(args.map(playField));
  return runFunctions({ kind: "package", pkgPath }, [func], fields, flags, io);
}

/** The steps `--rerun` names, however they were given: `--rerun a,b --rerun c`. */
function rerunSteps(flags: RunFlags): string[] {
  return (flags.rerun ?? [])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

async function runFunctions(entry: EntrySource, names: string[], fields: Field[], flags: RunFlags, io: CliIO): Promise<number> {
  if (flags.resume && !flags.name) throw new UsageError("--resume needs --name NAME: the run to resume");
  if (rerunSteps(flags).length > 0 && !flags.resume) throw new UsageError("--rerun needs --resume: it picks steps of a run to resume");
  if (flags.name !== undefined && names.length !== 1) throw new UsageError("--name journals one function: give FUNC, not --list");
  const grid = gridOptions(flags);
  const session = cliSession(flags.root, {
    kubernetes: clusterOptions(flags, entry.kind === "file" ? entry.file : entry.kind === "dir" ? entry.dir : undefined),
    cache: flags.cache !== false && entry.kind !== "package",
    ...(flags.events !== undefined ? { events: flags.events } : {}),
    ...(flags.trace !== undefined ? { trace: flags.trace } : {}),
    // The live view draws on the process's terminal: a caller with writers of its own has none.
    progress: flags.progress !== false && io.standalone,
    stdout: io.stdout,
    stderr: io.stderr,
    ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
    ...(grid ? { grid } : {}),
  });
  try {
    return await runIn(session, entry, names, fields, flags, io);
  } finally {
    await session.close();
  }
}

async function runIn(session: Session, entry: EntrySource, names: string[], fields: Field[], flags: RunFlags, io: CliIO): Promise<number> {
  const compiled = compileOrReport(session, entry, io.stderr, { deferUnresolved: true });
  if (typeof compiled === "number") return compiled;
  const pkg = compiled.entryPackage;
  if (entry.kind === "package" && pkg.files.length === 0 && pkg.host.size === 0) throw packageNotFound(entry.pkgPath, compiled.roots);
  const fns = names.map((name) => {
    const fn = compiled.func(name);
    if (!fn) {
      const known = compiled.functionNames().sort().join(", ") || "none";
      throw new UsageError(`function ${name} not found in package ${compiled.packagePath} (its functions: ${known})`);
    }
    return fn;
  });
  if (
    refuseIllTyped(
      compiled,
      fns.map((fn) => ({ fn, fields })),
      io.stderr,
    )
  )
    return EXIT.compile;
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    controller.abort(new KoCancelled("interrupted (Ctrl-C)"));
  };
  // Ctrl-C is the process's: only `ko` itself takes it as cancelling the run.
  if (io.standalone) process.on("SIGINT", onSigint);
  try {
    for (const [i, fn] of fns.entries()) {
      const result = await session.call(compiled, fn, fields, {
        signal: controller.signal,
        ...(flags.name !== undefined ? { name: flags.name, resume: flags.resume === true, rerun: rerunSteps(flags) } : {}),
        argv: flags.argv,
        check: false,
      });
      const text = resultText(result, fn, flags.output ?? "ko", i, io);
      if (text === undefined) return EXIT.runtime;
      io.stdout(text);
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof KoExit) return e.code;
    if (e instanceof KoFailure) {
      io.stderr(renderFailure(e, compiled.sources));
      // Interrupted, not failed: the status a shell gives a command that SIGINT ended.
      return e instanceof KoCancelled && controller.signal.aborted ? EXIT.interrupted : EXIT.runtime;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/**
 * A result as text in the chosen format (reference 7.5); undefined, with the reason on standard
 * error, when the format cannot hold it (a variety, say): the run failed to give what was asked.
 */
function resultText(result: Value, fn: KoFunction, format: OutputFormat, index: number, io: CliIO): string | undefined {
  try {
    return formatResult(result, format, index);
  } catch (e) {
    if (!(e instanceof UnwritableResult)) throw e;
    io.stderr(`ko: cannot write the result of ${fn.displayName} as ${format.toUpperCase()}: ${e.message}\n`);
    return undefined;
  }
}
