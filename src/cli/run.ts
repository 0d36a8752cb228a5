/**
 * `ko run` and `ko play`: compile a package, run one or more of its functions, print each result
 * in canonical form (reference 8.2, D22, D25). Exit status per D19.
 */
import { KoCompileError, rootsFromEnv, type KoProgram } from "../api/program.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { renderFailure } from "../api/failures.js";
import type { EntrySource } from "../resolve/load.js";
import { KoCancelled, KoFailure } from "../value/failure.js";
import { printValue } from "../value/print.js";
import { groupValues } from "../value/sequence.js";
import type { Field } from "../value/value.js";
import { clusterOptions, type ClusterFlags } from "./cluster-flags.js";
import { gridOptions, type GridFlags } from "./grid-flags.js";
import { KoExit } from "../stdlib/os.js";
import { argField, playField } from "./args.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { createSession, type Session, type SessionOptions } from "../api/session.js";
import { fileOrDir } from "./targets.js";
import type { CliIO } from "./io.js";

/** The options of `ko run` that shape its session. */
export interface SessionFlags {
  /** Reuse and store results (default true; `--no-cache`). */
  readonly cache?: boolean;
  /** Journal the run under this name (`--name`). */
  readonly name?: string;
  /** Resume the named run (`--resume`). */
  readonly resume?: boolean;
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

/** Compiles, printing diagnostics to `stderr` and returning an exit status on failure. */
export function compileOrReport(session: Session, entry: EntrySource, stderr: (text: string) => void): KoProgram | number {
  try {
    return session.compile(entry);
  } catch (e) {
    if (e instanceof KoCompileError) {
      stderr(renderFailure(e, e.sources));
      return EXIT.compile;
    }
    throw e;
  }
}

/**
 * Checks the calls about to run (the same check as `ko check`) and prints the errors of those
 * that would certainly fail; true if there are any, in which case nothing may run. Such a
 * program is refused before running, so its exit status is 3, as `ko check`'s (D19).
 */
export function refuseIllTyped(
  compiled: KoProgram,
  calls: readonly { fn: KoFunction; fields: readonly Field[] }[],
  stderr: (text: string) => void,
): boolean {
  const errors = new Map<string, Diagnostic>();
  for (const { fn, fields } of calls) {
    for (const d of compiled.check(fn, fields).errors) errors.set(`${d.span.file}:${d.span.start.offset}:${d.message}`, d);
  }
  if (errors.size === 0) return false;
  stderr(renderFailure(new KoCompileError([...errors.values()], compiled.sources), compiled.sources));
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

async function runFunctions(entry: EntrySource, names: string[], fields: Field[], flags: RunFlags, io: CliIO): Promise<number> {
  if (flags.resume && !flags.name) throw new UsageError("--resume needs --name NAME: the run to resume");
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
  const compiled = compileOrReport(session, entry, io.stderr);
  if (typeof compiled === "number") return compiled;
  const pkg = compiled.program.entry;
  if (entry.kind === "package" && pkg.files.length === 0 && pkg.host.size === 0) {
    const roots = compiled.roots;
    throw new UsageError(
      `package ${entry.pkgPath || '""'} not found (roots: ${roots.length > 0 ? roots.join(", ") : "none; use --root or KOPATH"})`,
    );
  }
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
    for (const fn of fns) {
      const result = await session.call(compiled, fn, fields, {
        signal: controller.signal,
        ...(flags.name !== undefined ? { name: flags.name, resume: flags.resume === true } : {}),
        argv: flags.argv,
        check: false,
      });
      io.stdout(printValue(result) + "\n");
    }
    return EXIT.ok;
  } catch (e) {
    if (e instanceof KoExit) return e.code;
    if (e instanceof KoFailure) {
      io.stderr(renderFailure(e, compiled.sources));
      return EXIT.runtime;
    }
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
  }
}
