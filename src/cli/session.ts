/**
 * What `ko run` stacks on a run besides running it: the cache, the journal of a named run, the
 * event log, the trace and the live view (each a layer, src/instrument/layers.ts). The cache is on
 * unless `--no-cache` says otherwise, so its code is part of what every start of `ko` loads (it
 * touches the disk only when a pure function is called: one `readdir` of its stored entries); the
 * others are loaded only when asked for, so a run that asks for nothing pays for nothing.
 */
import type { KoProgram } from "../api/program.js";
import type { KoFunction } from "../compile/circuit.js";
import type { EntrySource } from "../resolve/load.js";
import type { RunHooks } from "../runtime/hooks.js";
import type { Field } from "../runtime/value.js";
import { openCache } from "../cache/open.js";
import { closeLayers, stackLayers, type Layer } from "../instrument/layers.js";
import { UsageError } from "./exit.js";

/** The options of `ko run` this module handles. */
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

/** What to add to each call's options, and what to do around and after the calls. */
export interface RunSession {
  readonly options: {
    readonly hooks?: RunHooks;
    readonly stdout?: (text: string) => void;
    readonly stderr?: (text: string) => void;
  };
  /** Follows one call of the run, so that the journal knows how it ended and the live view steps aside after it. */
  watch<T>(call: Promise<T>): Promise<T>;
  /** Flushes files and stops timers. */
  close(): Promise<void>;
}

export interface SessionTarget {
  readonly entry: EntrySource;
  readonly program: KoProgram;
  readonly functions: readonly KoFunction[];
  readonly fields: readonly Field[];
  /** The command line, for the journal. */
  readonly argv: readonly string[];
}

/** Where the script lives: its `.ko` directory is there. */
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

export async function openSession(target: SessionTarget, flags: SessionFlags): Promise<RunSession> {
  if (flags.resume && !flags.name) throw new UsageError("--resume needs --name NAME: the run to resume");
  if (flags.name !== undefined && target.functions.length !== 1) throw new UsageError("--name journals one function: give FUNC, not --list");
  const script = scriptPath(target.entry);
  const layers: Layer[] = [];
  const warn = (message: string) => process.stderr.write(`ko: warning: ${message}\n`);
  let stdout: ((text: string) => void) | undefined;
  let stderr: ((text: string) => void) | undefined;
  let onWatched: ((error: unknown) => void | Promise<void>) | undefined;
  let afterCall: (() => void) | undefined;

  // The cache goes first: a make-style call it answers has its output files put back, which a
  // journal's replay would not do; the journal replays the effects the cache never stores.
  if (flags.cache !== false && target.entry.kind !== "package") {
    layers.push(openCache({ compiled: target.program.compiled, script, warn }));
  }
  if (flags.name !== undefined) {
    const { openJournal, JournalError } = await import("../journal/layer.js");
    const journal = await openJournal({
      name: flags.name,
      script,
      resume: flags.resume === true,
      program: target.program,
      entry: target.functions[0]!,
      fields: target.fields,
      argv: target.argv,
    }).catch((e: unknown) => {
      throw e instanceof JournalError ? new UsageError(e.message) : e;
    });
    layers.push(journal);
    onWatched = (error) => journal.end(error);
  }
  if (flags.events !== undefined) {
    const { EventLog } = await import("../progress/events.js");
    layers.push(opening("--events", flags.events, () => new EventLog(flags.events!)));
  }
  if (flags.trace !== undefined) {
    const { TraceWriter } = await import("../progress/trace.js");
    layers.push(opening("--trace", flags.trace, () => new TraceWriter(flags.trace!)));
  }
  if (flags.progress !== false && process.stderr.isTTY && process.env.TERM !== "dumb") {
    const { LiveView } = await import("../progress/live.js");
    const view = new LiveView(process.stderr);
    layers.push(view);
    stdout = (text) => view.printAbove(process.stdout, text);
    stderr = (text) => view.printAbove(process.stderr, text);
    afterCall = () => view.pause();
  }
  if (layers.length === 0) return { options: {}, watch: (call) => call, close: async () => {} };

  const hooks = stackLayers(layers);
  return {
    options: { hooks, ...(stdout ? { stdout } : {}), ...(stderr ? { stderr } : {}) },
    async watch(call) {
      try {
        const result = await call;
        await onWatched?.(undefined);
        return result;
      } catch (e) {
        await onWatched?.(e);
        throw e;
      } finally {
        afterCall?.();
      }
    },
    async close() {
      for (const e of await closeLayers(layers)) warn(e instanceof Error ? e.message : String(e));
    },
  };
}

/** Opens an output file of an option, reporting a file that cannot be written as a usage error. */
function opening<T>(option: string, file: string, open: () => T): T {
  try {
    return open();
  } catch (e) {
    throw new UsageError(`${option}: cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
