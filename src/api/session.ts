/**
 * A session: everything one use of Ko needs besides the program — repository roots and host
 * functions to compile against, the cluster to talk to (with its policy, dry run and
 * confirmation), the results cache, named runs, event logs, traces and the live view. `ko run`,
 * `ko test`, the REPL and an embedding application all build their runs through one; nothing
 * of it is kept in module state, so two sessions in one process never see each other's roots,
 * cluster or cache.
 *
 *   const session = createSession({ roots: ["./lib"], kubernetes: { namespace: "dev" }, cache: true });
 *   const program = session.compileFile("deploy.ko");
 *   const result = await session.run(program, "Main", { replicas: 3 });
 *   await session.close();
 *
 * What a run stacks on the evaluator (each a layer, src/instrument/layers.ts): the cache first —
 * a make-style call it answers has its output files put back, which a journal's replay would
 * not do — then the journal of a named run, the grid (calls sent to remote workers, src/grid/),
 * the event log, the trace and the live view. Layers that are not asked for are not loaded. The journal also listens, as the run's INPUTS service,
 * to what host functions read from outside the program (src/host/inputs.ts).
 *
 * A call that may write to a cluster that is not the session's own embedded one is planned
 * first (planning.ts): run once as a dry run, with only the live view on it, its plan checked,
 * shown and confirmed, and only then run for real. The session's policy file is read when the
 * session is made, so a missing or malformed one is a usage error before anything runs.
 */
import * as path from "node:path";
import type { KoFunction } from "../compile/circuit.js";
import { UsageError } from "../diag/exit.js";
import type { HostFunction } from "../host/binding.js";
import type { HostRegistry } from "../host/registry.js";
import { INPUTS } from "../host/inputs.js";
import { Services } from "../host/services.js";
import { closeLayers, stackLayers, type Layer, type OffloadedWork } from "../instrument/layers.js";
import { cacheDirFor, runsDirFor } from "../instrument/ko-dir.js";
import { cachedParser } from "../resolve/parse-cache.js";
import type { ParseResult } from "../syntax/index.js";
import { ClusterAccess, K8S, type K8sOptions } from "../k8s/index.js";
import type { K8sConnection } from "../k8s/connection.js";
import type { Selection } from "../k8s/selection.js";
import type { EntrySource, SourceTree } from "../resolve/load.js";
import type { Field, Value } from "../value/value.js";
import type { CacheLayer } from "../cache/layer.js";
import { openCache } from "../cache/open.js";
import { stderrIsTerminal } from "../progress/terminal.js";
import { fieldsFromJs, toJs } from "./js-values.js";
import { compile, type KoProgram } from "./program.js";
import { planningOf, planThenApply } from "./planning.js";
import type { SessionGrid } from "./grid.js";

export interface SessionOptions {
  /** Repository roots searched for imported packages (D20), before the standard library. */
  readonly roots?: readonly string[];
  /** Host functions of the embedding application, beside the builtins and the standard library. */
  readonly bind?: readonly HostFunction[];
  /** The host functions to compile against instead of the default registry (with `bind` added). */
  readonly registry?: HostRegistry;
  /** Supplies file contents (unsaved editor buffers); defaults to reading the disk. */
  readonly readFile?: (file: string) => string | undefined;
  /** Where packages are found and read (a grid worker's program, sent by its client); default the disk. */
  readonly tree?: SourceTree;
  /** Which cluster the `k8s` package talks to, and its guardrails; opened at the first API call. */
  readonly kubernetes?: K8sOptions;
  /**
   * Reuse and store the results of pure calls (default off). `true` keeps them in `.ko/cache` next
   * to the program's file or directory (or in KO_CACHE_DIR); `{ dir }` in that directory. The
   * parses of the program's files are kept there too (`parses/`, src/resolve/parse-cache.ts).
   */
  readonly cache?: boolean | { readonly dir: string };
  /** Where named runs are journaled; default `.ko/runs` next to the program's file or directory. */
  readonly runsDir?: string;
  /** Write step events as JSON lines to this file, `-` for standard error. */
  readonly events?: string;
  /** Write a Chrome/Perfetto trace to this file. */
  readonly trace?: string;
  /** Show the live view of running steps when standard error is a terminal (default off). */
  readonly progress?: boolean;
  /** The program's output (default: the process's streams). */
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Deepest Ko call chain allowed. */
  readonly maxDepth?: number;
  /**
   * Where warnings of the session itself go (a cache entry that could not be written); default:
   * `stderr` as `ko: warning: MESSAGE`, else the process's standard error.
   */
  readonly warn?: (message: string) => void;
  /** The environment KO_CACHE_DIR, KO_CACHE_MIN_MS and KO_GRID_* are read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Run the calls of chosen pure functions on a grid of workers (`--grid URL`, README "The grid"). */
  readonly grid?: GridOptions;
}

export interface GridOptions {
  /** The grid's Redis: `redis://HOST[:PORT][/DB]`. */
  readonly redis: string;
  /**
   * Whose calls run on the grid: functions by name (`F` in the program's package, or `pkg.F`),
   * each pure; or "auto" (the default), pure functions whose calls were measured to be slow.
   */
  readonly remote?: readonly string[] | "auto";
  /** The prefix of the grid's keys in Redis (default "ko"), as its workers were given it. */
  readonly prefix?: string;
  /** How long a lost Redis is retried before the run fails, in milliseconds (default KO_GRID_RETRY_MS, else 30 s). */
  readonly retryMs?: number;
}

/** One call through the session. */
export interface RunRequest {
  /** Cancels the run: it rejects with KoCancelled, listing the steps in flight; a named run is journaled as interrupted. */
  readonly signal?: AbortSignal;
  /** Journal the run under this name (in `runsDir`), so that it can be resumed. */
  readonly name?: string;
  /** Resume the named run: steps that completed before are answered from the journal. */
  readonly resume?: boolean;
  /** With `resume`: steps to run again all the same (`Func:step` or `step`), and everything downstream. */
  readonly rerun?: readonly string[];
  /** What the journal records as the command that started the run. */
  readonly argv?: readonly string[];
  /** Check the call's types first and refuse one that would certainly fail (default true). */
  readonly check?: boolean;
  /**
   * How `run` returns integers: `"number"` (the default) a number when it is a safe integer and a
   * bigint otherwise, `"bigint"` always a bigint (toJs).
   */
  readonly integers?: "number" | "bigint";
  /** Layers of this call only, innermost (a grid worker's, for the job it runs). */
  readonly layers?: readonly Layer[];
}

export class Session {
  private readonly access: ClusterAccess;
  private readonly services: Services;
  private readonly caches = new Map<KoProgram, CacheLayer>();
  /** The grid's layer of each program, made at its first run when the session has a grid. */
  private readonly grids = new Map<KoProgram, Promise<Layer>>();
  private gridSession: Promise<SessionGrid> | undefined;
  /** What the grid's workers did for this session's calls, which the cache counts as work. */
  private readonly offloaded: OffloadedWork = { ms: 0 };
  /** The event log, trace and live view: opened at the first run, closed with the session. */
  private outputs: Promise<SessionOutputs> | undefined;
  /** The last planned call: the next one waits for it (they share the connection's guard). */
  private planned: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(readonly options: SessionOptions = {}) {
    const stderr = options.stderr;
    this.access = new ClusterAccess({ ...(stderr ? { stderr } : {}), ...options.kubernetes });
    this.services = Services.none.with(K8S, this.access);
  }

  /** The repository roots programs are compiled with (D20). */
  get roots(): readonly string[] {
    return this.options.roots ?? [];
  }

  /**
   * Loads, resolves and compiles a program; throws KoCompileError with every diagnostic (but the
   * unresolved references and imports, with `deferUnresolved`: D33, program.ts).
   */
  compile(entry: EntrySource, opts: { readonly deferUnresolved?: boolean } = {}): KoProgram {
    const { roots, bind, registry, readFile, tree } = this.options;
    return compile(entry, {
      ...(roots ? { roots } : {}),
      ...(bind ? { bind } : {}),
      ...(registry ? { registry } : {}),
      ...(readFile ? { readFile } : {}),
      ...(opts.deferUnresolved ? { deferUnresolved: true } : {}),
      ...(tree ? { tree } : {}),
      ...this.parseCacheFor(entry),
    });
  }

  /** The parse function of a session that caches: parses kept in the cache's directory. */
  private parseCacheFor(entry: EntrySource): { parse?: (file: string, text: string) => ParseResult } {
    const { cache, env } = this.options;
    // Parses of files on disk only: an editor's buffers or a grid client's sources are not the disk's.
    if (!cache || (entry.kind !== "file" && entry.kind !== "dir") || this.options.readFile !== undefined || this.options.tree !== undefined)
      return {};
    const dir = cache === true ? cacheDirFor(scriptPath(entry), env ?? process.env) : cache.dir;
    return { parse: cachedParser(path.join(dir, "parses")) };
  }

  /** Compiles source text as one package (default `main`; functions print as `main.Name`). */
  compileSource(text: string, opts: { readonly pkgPath?: string; readonly path?: string } = {}): KoProgram {
    const pkgPath = opts.pkgPath ?? "main";
    return this.compile({ kind: "text", text, pkgPath, path: opts.path ?? `${pkgPath}.ko` });
  }

  /** Compiles one `.ko` file as a package named after the file (D22). */
  compileFile(file: string): KoProgram {
    return this.compile({ kind: "file", file });
  }

  /** Compiles every `.ko` file of a directory as one package named after the directory. */
  compileDir(dir: string): KoProgram {
    return this.compile({ kind: "dir", dir });
  }

  /**
   * Runs a function of the program with JavaScript arguments (`fromJs`) and returns its result as
   * a JavaScript value (`toJs`, with `request.integers`). Rejects with a KoPanic (its value as
   * JavaScript in `data`), a KoError, or a KoCancelled when `request.signal` aborts.
   */
  async run(program: KoProgram, name: string, args: Record<string, unknown> = {}, request: RunRequest = {}): Promise<unknown> {
    return toJs(await this.call(program, functionNamed(program, name), fieldsFromJs(args), request), request);
  }

  /** Runs a function with Ko argument fields and returns its Ko result. */
  async call(program: KoProgram, fn: KoFunction, fields: readonly Field[], request: RunRequest = {}): Promise<Value> {
    if (this.closed) throw new UsageError("the session is closed");
    if (request.resume && request.name === undefined) throw new UsageError("resuming a run needs its name");
    // A wrong kubeconfig, context or policy stops the run before its first step, not at its first API call.
    if (program.packages.has("k8s")) await this.resolveCluster();
    if (request.rerun && request.rerun.length > 0 && !request.resume)
      throw new UsageError("--rerun needs --resume: it picks steps of a run to resume");
    const outputs = await (this.outputs ??= openOutputs(this.options));
    const usesCluster = program.packages.has("k8s");
    const mode = await planningOf(this.access, usesCluster);
    if (mode === undefined) return this.runCall(program, fn, fields, request, outputs);
    // A planned call has the cluster connection's guard to itself, from its plan to its end.
    const turn = this.planned.then(() =>
      planThenApply(
        {
          access: this.access,
          subject: fn.displayName,
          usesCluster,
          stdout: outputs.stdout ?? this.options.stdout ?? ((t) => void process.stdout.write(t)),
          stderr: outputs.stderr ?? this.options.stderr ?? ((t) => void process.stderr.write(t)),
          view: outputs.view,
          pauseView: () => outputs.afterCall(),
          pass: async ({ layers, services, stdout, stderr }) => {
            const out = stdout ?? outputs.stdout ?? this.options.stdout;
            const err = stderr ?? outputs.stderr ?? this.options.stderr;
            try {
              return await program.call(fn, fields, {
                services: services(this.services),
                hooks: stackLayers(layers),
                ...(out ? { stdout: out } : {}),
                ...(err ? { stderr: err } : {}),
                ...(request.signal ? { signal: request.signal } : {}),
                ...(this.options.maxDepth !== undefined ? { maxDepth: this.options.maxDepth } : {}),
                ...(request.check !== undefined ? { check: request.check } : {}),
              });
            } finally {
              outputs.afterCall();
            }
          },
          real: () => this.runCall(program, fn, fields, request, outputs),
        },
        mode,
      ),
    );
    this.planned = turn.catch(() => undefined);
    return turn;
  }

  /** One run of a call, with every layer the session has. */
  private async runCall(
    program: KoProgram,
    fn: KoFunction,
    fields: readonly Field[],
    request: RunRequest,
    outputs: SessionOutputs,
  ): Promise<Value> {
    // The grid first: one that cannot be reached stops the run before anything is written.
    const grid = this.options.grid ? await this.gridOf(program) : undefined;
    const layers: Layer[] = [];
    const cache = this.cacheOf(program);
    if (cache) layers.push(cache);
    const stdout = outputs.stdout ?? this.options.stdout;
    const stderr = outputs.stderr ?? this.options.stderr;
    const journal = request.name === undefined ? undefined : await this.openJournal(program, fn, fields, request, stderr);
    if (journal) layers.push(journal);
    if (grid) layers.push(grid);
    layers.push(...outputs.layers, ...(request.layers ?? []));
    const runHere = () =>
      program.call(fn, fields, {
        services: journal ? this.services.with(INPUTS, journal) : this.services,
        ...(layers.length > 0 ? { hooks: stackLayers(layers) } : {}),
        ...(stdout ? { stdout } : {}),
        ...(stderr ? { stderr } : {}),
        ...(request.signal ? { signal: request.signal } : {}),
        ...(this.options.maxDepth !== undefined ? { maxDepth: this.options.maxDepth } : {}),
        ...(request.check !== undefined ? { check: request.check } : {}),
      });
    // The entry call passes the layers like any other (the grid may run it remotely).
    const call = runHere();
    try {
      const result = await call;
      journal?.end(undefined);
      return result;
    } catch (e) {
      journal?.end(e);
      throw e;
    } finally {
      journal?.close();
      outputs.afterCall();
    }
  }

  /**
   * Decides which cluster the session talks to, as kubectl would (and starts the embedded one if
   * that is the choice); rejects with ClusterConfigError (a UsageError) when the kubeconfig,
   * context, policy or state file is wrong. A run of a program that imports "k8s" does this
   * first; calling it earlier reports the same errors sooner.
   */
  resolveCluster(): Promise<Selection> {
    return this.access.resolve();
  }

  /** The session's connection to its cluster, opened now if no run has needed it yet. */
  clusterConnection(): Promise<K8sConnection> {
    return this.access.connection();
  }

  /** Ends the session: flushes the cache, logs and trace, and closes the cluster connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const grids = await Promise.all([...this.grids.values()].map((g) => g.catch(() => undefined)));
    const layers: Layer[] = [
      ...this.caches.values(),
      ...grids.filter((g) => g !== undefined),
      ...(this.outputs ? (await this.outputs).layers : []),
    ];
    this.caches.clear();
    this.grids.clear();
    const warn = warner(this.options);
    for (const e of await closeLayers(layers)) warn(e instanceof Error ? e.message : String(e));
    await this.gridSession?.then((g) => g.close()).catch(() => undefined);
    await this.access.close();
  }

  /**
   * The program's grid layer, made at its first run; the grid's connections are opened with the
   * first (a UsageError if the grid cannot be reached). The grid's code is loaded only then.
   */
  private gridOf(program: KoProgram): Promise<Layer> {
    let layer = this.grids.get(program);
    if (!layer) {
      const options = this.options.grid!;
      this.gridSession ??= import("./grid.js").then((m) => m.openSessionGrid(options, this.options.env ?? process.env));
      layer = this.gridSession.then((g) => g.layerFor(program, this.offloaded));
      this.grids.set(program, layer);
    }
    return layer;
  }

  /** The program's cache layer, opened at its first run when the session caches. */
  private cacheOf(program: KoProgram): CacheLayer | undefined {
    const { cache } = this.options;
    if (!cache) return undefined;
    let layer = this.caches.get(program);
    if (!layer) {
      const where = cache === true ? { script: scriptPath(program.entry) } : { dir: cache.dir };
      const opened = openCacheFor(program, { ...where, offloaded: this.offloaded }, this.options);
      this.caches.set(program, (layer = opened));
    }
    return layer;
  }

  private async openJournal(
    program: KoProgram,
    fn: KoFunction,
    fields: readonly Field[],
    request: RunRequest,
    stderr: ((text: string) => void) | undefined,
  ) {
    const { openJournal, JournalError } = await import("../journal/layer.js");
    return openJournal({
      name: request.name!,
      runsDir: this.options.runsDir ?? runsDirFor(scriptPath(program.entry)),
      script: scriptPath(program.entry),
      resume: request.resume === true,
      ...(request.rerun ? { rerun: request.rerun } : {}),
      compiled: program.compiled,
      entry: fn,
      fields,
      argv: request.argv ?? [],
      ...(request.signal ? { signal: request.signal } : {}),
      tell: stderr ?? ((text) => void process.stderr.write(text)),
    }).catch((e: unknown) => {
      throw e instanceof JournalError ? new UsageError(e.message) : e;
    });
  }
}

/** A new session; close it when done (it may hold a cluster connection and open files). */
export function createSession(options: SessionOptions = {}): Session {
  return new Session(options);
}

function functionNamed(program: KoProgram, name: string): KoFunction {
  const fn = program.func(name);
  if (!fn) {
    const known = program.functionNames().sort().join(", ") || "none";
    throw new UsageError(`function ${name} not found in package ${program.packagePath} (its functions: ${known})`);
  }
  return fn;
}

/** Where the program lives: its `.ko` directory is there. */
function scriptPath(entry: EntrySource): string {
  switch (entry.kind) {
    case "file":
      return entry.file;
    case "dir":
      return entry.dir;
    default:
      return ".";
  }
}

function warner(opts: SessionOptions): (message: string) => void {
  const stderr = opts.stderr ?? ((text: string) => void process.stderr.write(text));
  return opts.warn ?? ((message) => stderr(`ko: warning: ${message}\n`));
}

/** The session-wide layers, and where the program's output goes while the live view shows. */
interface SessionOutputs {
  readonly layers: readonly Layer[];
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** The live view, when it shows (a planning pass stacks it alone). */
  readonly view?: Layer;
  /** After each call, and before a question: the live view steps aside. */
  afterCall(): void;
}

async function openOutputs(opts: SessionOptions): Promise<SessionOutputs> {
  const layers: Layer[] = [];
  if (opts.events !== undefined) {
    const { EventLog } = await import("../progress/events.js");
    layers.push(opening("events", opts.events, () => new EventLog(opts.events!)));
  }
  if (opts.trace !== undefined) {
    const { TraceWriter } = await import("../progress/trace.js");
    layers.push(opening("trace", opts.trace, () => new TraceWriter(opts.trace!)));
  }
  if (opts.progress === true && process.env.TERM !== "dumb" && stderrIsTerminal()) {
    const { LiveView } = await import("../progress/live.js");
    const view = new LiveView(process.stderr);
    layers.push(view);
    return {
      layers,
      view,
      stdout: (text) => view.printAbove(process.stdout, text),
      stderr: (text) => view.printAbove(process.stderr, text),
      afterCall: () => view.pause(),
    };
  }
  return { layers, afterCall: () => {} };
}

/** Opens an output file, reporting one that cannot be written as a usage error. */
function opening<T>(what: string, file: string, open: () => T): T {
  try {
    return open();
  } catch (e) {
    throw new UsageError(`--${what}: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function openCacheFor(
  program: KoProgram,
  where: ({ script: string } | { dir: string }) & { offloaded: OffloadedWork },
  opts: SessionOptions,
): CacheLayer {
  // Loaded with the session: the cache is on for every `ko run` that does not say --no-cache.
  return openCache({
    compiled: program.compiled,
    ...where,
    ...(opts.env ? { env: opts.env } : {}),
    warn: warner(opts),
  });
}
