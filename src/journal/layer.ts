/**
 * The journal layer of a named run (`ko run FILE FUNC --name NAME [--resume]`).
 *
 * Every labelled step is journaled when it starts and when it ends, with its status, duration
 * and error, and — when the step's own call can be keyed (instrument/call-keys.ts, effects allowed) and
 * its result serialised — with the call's key and result. On `--resume`, a labelled step whose
 * own call has the key of a step that completed in an earlier attempt gets that step's result
 * without running: so only the steps that did not complete, or whose inputs (argument values)
 * or code changed, run again. Identical calls are matched one for one, in order: a step that
 * completed once is replayed once.
 *
 * Steps that are not calls (a selection, an augmentation) and sub-formulas without a label are
 * not replayed; they run again, which is cheap and has no effects of its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Compiled } from "../compile/compile.js";
import { programCallables } from "../instrument/callables.js";
import { callKey, sha256 } from "../instrument/call-keys.js";
import { cachePolicyOf } from "../host/cache-policy.js";
import { fromData, SerialError, toData, type CallableLookup, type Data } from "../value/serial.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure } from "../value/describe-failure.js";
import type { HostCall, KoCall, Next } from "../runtime/hooks.js";
import type { Callable, Field, Value } from "../value/value.js";
import { attemptsOf, journalPath, readJournal, type JournalRecord, type StepRecord } from "./records.js";
import { runState } from "./state.js";

/** A request the journal cannot honour (an unknown run to resume, a run still going on...). */
export class JournalError extends Error {
  override name = "JournalError";
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** An append-only file whose records survive a kill at once and a crash soon after. */
class AppendFile {
  private readonly fd: number;
  private syncing = false;
  private closed = false;

  constructor(file: string) {
    this.fd = fs.openSync(file, "a");
  }

  /**
   * Written at once (so a killed process loses nothing it recorded); made durable with one
   * fdatasync per turn of the event loop, shared by the records written in that turn.
   */
  append(record: JournalRecord): void {
    fs.writeSync(this.fd, JSON.stringify(record) + "\n");
    if (this.syncing) return;
    this.syncing = true;
    setImmediate(() => {
      this.syncing = false;
      if (!this.closed) fs.fdatasyncSync(this.fd);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
  }
}

/** What the journal learned of a step's own call. */
interface CallNote {
  readonly key: string | undefined;
  replayed: boolean;
  value?: Value;
}

export class JournalLayer implements Layer {
  private readonly notes = new WeakMap<StepSite, CallNote>();
  private readonly t0 = performance.now();

  constructor(
    private readonly file: AppendFile,
    /** Results of earlier attempts, by step key, in the order they completed. */
    private readonly replays: Map<string, Data[]>,
    private readonly lookup: CallableLookup,
  ) {}

  readonly koCall = (call: KoCall, next: Next, site?: StepSite): Value | Promise<Value> =>
    site ? this.around(call.fn, call.fields, site, next) : next();

  /**
   * A make-style host function's call (`build.Exec`...) is keyed by the content of the files it
   * reads as well, as the cache keys it: a step whose input files changed runs again.
   */
  readonly hostCall = (call: HostCall, next: Next, site?: StepSite): Value | Promise<Value> => {
    if (!site) return next();
    const policy = cachePolicyOf(call.fn);
    if (!policy) return this.around(call.fn, call.fields, site, next);
    return policy.describe(call.fields, call.ctx).then(
      (plan) => this.around(call.fn, call.fields, site, next, plan?.material),
      () => next(),
    );
  };

  private around(callee: Callable, fields: readonly Field[], site: StepSite, next: Next, extra?: string): Value | Promise<Value> {
    const call = callKey(callee, fields, { pure: false, ...(extra !== undefined ? { extra } : {}) });
    const note: CallNote = { key: call && sha256(`${site.function}\n${site.step}\n${call}`), replayed: false };
    this.notes.set(site, note);
    const replayed = note.key !== undefined ? this.replay(note.key) : undefined;
    if (replayed !== undefined) {
      note.replayed = true;
      note.value = replayed;
      site.answeredBy = "journal";
      return replayed;
    }
    const result = next();
    if (!(result instanceof Promise)) {
      note.value = result;
      return result;
    }
    return result.then((v) => {
      note.value = v;
      return v;
    });
  }

  private replay(key: string): Value | undefined {
    const queue = this.replays.get(key);
    while (queue && queue.length > 0) {
      try {
        return fromData(queue.shift()!, this.lookup);
      } catch {
        // not readable in this program any more: run the step
      }
    }
    return undefined;
  }

  private since(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  readonly stepStarted = (site: StepSite): void => {
    this.file.append({ t: "start", fn: site.function, step: site.step, act: site.activation, ms: this.since() });
  };

  readonly stepFinished = (site: StepSite, outcome: StepStatus, ms: number, error?: unknown): void => {
    const note = this.notes.get(site);
    const status = note?.replayed ? "replayed" : outcome;
    const record: StepRecord = {
      t: "step",
      fn: site.function,
      step: site.step,
      act: site.activation,
      status,
      ms: Math.round(ms * 1000) / 1000,
      ...(outcome === "failed" ? { error: describeFailure(error) } : {}),
      ...(status === "done" || status === "cached" ? this.result(note) : {}),
    };
    this.file.append(record);
  };

  /** The key and the result to journal, when the result can be replayed. */
  private result(note: CallNote | undefined): { key?: string; value?: Data } {
    if (!note || note.key === undefined || note.value === undefined) return {};
    try {
      return { key: note.key, value: toData(note.value, (c) => this.lookup(c.identity) === c) };
    } catch (e) {
      if (e instanceof SerialError) return {};
      throw e;
    }
  }

  /** Records how the run ended. */
  end(error: unknown): void {
    this.file.append({
      t: "end",
      status: error === undefined ? "done" : "failed",
      ms: this.since(),
      ...(error !== undefined ? { error: describeFailure(error) } : {}),
    });
  }

  close(): void {
    this.file.close();
  }
}

export interface JournalOptions {
  readonly name: string;
  /** The directory of named runs (`.ko/runs` next to the script, usually). */
  readonly runsDir: string;
  /** The script (file or package directory) run, for the record. */
  readonly script: string;
  readonly resume: boolean;
  readonly compiled: Compiled;
  readonly entry: KoFunction;
  readonly fields: readonly Field[];
  readonly argv: readonly string[];
}

/** Opens a named run's journal: a new one, or, with `resume`, the existing one to continue. */
export async function openJournal(opts: JournalOptions): Promise<JournalLayer> {
  if (!NAME.test(opts.name)) throw new JournalError(`a run name is letters, digits, '.', '_' and '-': ${JSON.stringify(opts.name)}`);
  const dir = path.join(opts.runsDir, opts.name);
  const records = readJournal(dir);
  const state = runState(records);
  if (state === "running") throw new JournalError(`run ${opts.name} is still running (process ${lastPid(records)})`);
  if (opts.resume && records.length === 0) throw new JournalError(`there is no run ${opts.name} to resume in ${path.dirname(dir)}`);
  if (!opts.resume) fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const file = new AppendFile(journalPath(dir));
  file.append({
    t: "attempt",
    n: attemptsOf(records).length + 1,
    pid: process.pid,
    at: new Date().toISOString(),
    resume: opts.resume,
    function: opts.entry.displayName,
    script: path.resolve(opts.script),
    argv: opts.argv,
  });
  return new JournalLayer(file, opts.resume ? replayable(records) : new Map<string, Data[]>(), programCallables(opts.compiled));
}

/** The results that completed in earlier attempts, by key, in order. */
function replayable(records: readonly JournalRecord[]): Map<string, Data[]> {
  const out = new Map<string, Data[]>();
  for (const r of records) {
    if (r.t !== "step" || r.key === undefined || r.value === undefined) continue;
    if (r.status !== "done" && r.status !== "cached") continue;
    let queue = out.get(r.key);
    if (!queue) out.set(r.key, (queue = []));
    queue.push(r.value);
  }
  return out;
}

function lastPid(records: readonly JournalRecord[]): number | undefined {
  const attempts = attemptsOf(records);
  return attempts[attempts.length - 1]?.attempt.pid;
}
