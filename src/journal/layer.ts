/**
 * The journal layer of a named run (`ko run FILE FUNC --name NAME [--resume] [--rerun STEP,...]`).
 *
 * Every labelled step is journaled when it starts and when it ends, with its status, duration
 * and error, and — when the step's own call can be keyed (instrument/call-keys.ts, effects allowed) and
 * its result serialised — with the call's key, its result, and what it read from outside the
 * program. On `--resume`, a labelled step whose own call has the key of a step that completed in
 * an earlier attempt, and whose reads are still what they were, gets that step's result without
 * running (replays.ts); `--rerun` forces steps to run all the same (rerun.ts). Each step that
 * completed before and runs again is said on standard error, with why.
 *
 * What a step read is what the host functions running on its behalf tell the run (the INPUTS
 * service, host/inputs.ts): its own call's, and those of every function it calls, however deep,
 * since its result depends on them all. So the layer knows which labelled steps are running
 * around each call: a step's own call runs in an async context that names the step
 * (AsyncLocalStorage, which follows the evaluator from a step into its callees and through their
 * promises), and each step knows the step it started inside. A read is given to the innermost
 * step running and to every step enclosing it. A step replayed inside one that runs gives it
 * what it read when it ran, as if it had read it again: the outer step's result depends on it.
 *
 * Make-style calls (`build.Exec`...) are keyed by their arguments like any other: the content
 * of their files is in their reads. (Journals written when the content was in their keys do not
 * match these keys: such steps run once more after an upgrade.)
 *
 * Recording reads costs the async context: the promise hooks of AsyncLocalStorage slow every
 * promise of a named run a little (10 to 15% more CPU time for a run of tiny asynchronous
 * steps), which is why only the journal, and only while it is open, keeps one.
 *
 * Steps that are not calls (a selection, an augmentation) and sub-formulas without a label are
 * not replayed; they run again, which is cheap and has no effects of its own.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Compiled } from "../compile/compile.js";
import { programCallables } from "../instrument/callables.js";
import { callKey, sha256 } from "../instrument/call-keys.js";
import type { Input, InputLog } from "../host/inputs.js";
import { SerialError, toData, type CallableLookup, type Data } from "../value/serial.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure } from "../value/describe-failure.js";
import { KoCancelled } from "../value/failure.js";
import type { HostCall, KoCall, Next } from "../runtime/hooks.js";
import type { Callable, Field, Value } from "../value/value.js";
import { inputId, inputRecord, recordedInput } from "./inputs.js";
import { JournalError } from "./journal-error.js";
import { attemptsOf, journalPath, readJournal, type JournalRecord, type StartRecord, type StepRecord } from "./records.js";
import { Replays, type Replay } from "./replays.js";
import { Rerun, type Forced } from "./rerun.js";
import { runState } from "./state.js";
import { onlyFastBuiltins } from "../instrument/cheap.js";

export { JournalError } from "./journal-error.js";

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

/** What the journal knows of a labelled step, from its start to its end. */
interface StepNote {
  readonly site: StepSite;
  /** The labelled step it runs inside: a step of a caller, waiting for it. */
  readonly parent: StepNote | undefined;
  /** The key of its own call, once that call came and could be keyed. */
  key?: string;
  replayed: boolean;
  value?: Value;
  /** What it read from outside the program, itself or through its callees: the first read of each input. */
  reads?: Map<string, Input>;
  finished: boolean;
  /** Forced to run again with all it runs (`--rerun`): the steps inside it are forced too. */
  forcedWhole: boolean;
}

/** What resuming takes: the earlier attempts' results, the steps forced to run, where to say what runs again. */
export interface Resumption {
  readonly replays: Replays;
  readonly rerun: Rerun | undefined;
  readonly tell: (message: string) => void;
}

export class JournalLayer implements Layer, InputLog {
  private readonly notes = new WeakMap<StepSite, StepNote>();
  /** The step whose own call is running, in the async context of that call and of everything it calls. */
  private readonly running = new AsyncLocalStorage<StepNote>();
  /** Steps forced to run again because a step they depend on was, by activation and label. */
  private readonly forcedDownstream = new Map<string, Forced>();
  /** What was said of steps running again, so that each step of a loop is told once. */
  private readonly said = new Set<string>();
  private readonly t0 = performance.now();

  constructor(
    private readonly file: AppendFile,
    private readonly lookup: CallableLookup,
    /** Absent for a fresh run. */
    private readonly resumption: Resumption | undefined,
    /** The run's own signal: aborted when the run is interrupted, rather than failing. */
    private readonly signal: AbortSignal | undefined,
  ) {}

  readonly koCall = (call: KoCall, next: Next, site?: StepSite): Value | Promise<Value> =>
    site ? this.around(call.fn, call.fields, site, next) : next();

  /** Only a step's own call matters here, and such a call always passes the layers. */
  readonly wantsKoCall = (): boolean => false;

  /**
   * The steps of a function too cheap to matter (instrument/cheap.ts) are not journaled: they
   * would run again on resume in less time than replaying them takes, and a loop of such steps
   * would write records by the million.
   */
  readonly observesStepsOf = (fn: KoFunction): boolean => !onlyFastBuiltins(fn);

  /**
   * A host function's call is keyed by its arguments alone, make-style ones (`build.Exec`...)
   * included: what they read is in the step's reads, checked on resume like any other step's.
   */
  readonly hostCall = (call: HostCall, next: Next, site?: StepSite): Value | Promise<Value> =>
    site ? this.around(call.fn, call.fields, site, next) : next();

  /** The step's own call: answered from an earlier attempt, or run in the step's context. */
  private around(callee: Callable, fields: readonly Field[], site: StepSite, next: Next): Value | Promise<Value> {
    const note = this.notes.get(site) ?? this.noteOf(site, undefined);
    const call = callKey(callee, fields, { pure: false });
    note.key = call && sha256(`${site.function}\n${site.step}\n${call}`);
    const run = (): Value | Promise<Value> => {
      const result = this.running.run(note, next);
      if (!(result instanceof Promise)) return (note.value = result);
      return result.then((v) => (note.value = v));
    };
    if (!this.resumption || note.key === undefined || site.rerun === true) return run();
    const replay = this.resumption.replays.take(note.key, site.function, site.step);
    const answer = (r: Replay): Value | Promise<Value> => {
      if (r.value === undefined) {
        if (r.why !== undefined) this.runsAgain(site, r.why);
        return run();
      }
      note.replayed = true;
      note.value = r.value;
      site.answeredBy = "journal";
      // The steps around it depend on what it read as much as if it had run: they are told so.
      for (const read of r.reads) {
        const input = recordedInput(read);
        if (input) this.attribute(note.parent, input);
      }
      return r.value;
    };
    return replay instanceof Promise ? replay.then(answer) : answer(replay);
  }

  /** Says on standard error that a step runs again, and why; once per step and reason. */
  private runsAgain(site: StepSite, why: string): void {
    const said = `${site.function}:${site.step}\u0000${why}`;
    if (this.said.has(said)) return;
    this.said.add(said);
    this.resumption?.tell(`ko: resume: step ${site.function}:${site.step} runs again: ${why}\n`);
  }

  private since(): number {
    return Math.round((performance.now() - this.t0) * 1000) / 1000;
  }

  private noteOf(site: StepSite, parent: StepNote | undefined): StepNote {
    const note: StepNote = { site, parent, replayed: false, finished: false, forcedWhole: false };
    this.notes.set(site, note);
    return note;
  }

  /**
   * A step starts in the async context of the step it runs inside (the evaluator starts a body's
   * steps from the context its call was made in). A step forced to run again says so now, so
   * that no layer answers its call, and forces the steps downstream of it in its body.
   */
  readonly stepStarted = (site: StepSite): void => {
    const parent = this.running.getStore();
    const note = this.noteOf(site, parent);
    const forced = this.forcedWhy(site, parent);
    if (forced !== undefined) this.force(note, forced);
    const record: StartRecord = {
      t: "start",
      fn: site.function,
      step: site.step,
      act: site.activation,
      ms: this.since(),
      ...(parent ? { in: { fn: parent.site.function, step: parent.site.step, act: parent.site.activation } } : {}),
    };
    this.file.append(record);
  };

  /** Why a starting step must run again under `--rerun`, if it must; undefined for a step inside a forced one. */
  private forcedWhy(site: StepSite, parent: StepNote | undefined): Forced | undefined {
    const rerun = this.resumption?.rerun;
    if (!rerun) return undefined;
    const forced = this.forcedDownstream.get(`${site.activation}\u0000${site.step}`) ?? rerun.forced(site.function, site.step);
    // What a forced step runs is forced with it, without a word for each: the step's says it.
    return forced ?? (parent?.forcedWhole === true ? { why: "", whole: true } : undefined);
  }

  private force(note: StepNote, forced: Forced): void {
    const site = note.site;
    site.rerun = true;
    note.forcedWhole = forced.whole;
    if (forced.why !== "") this.runsAgain(site, forced.why);
    for (const step of this.resumption!.rerun!.dependents(site.function, site.step)) {
      const id = `${site.activation}\u0000${step}`;
      if (!this.forcedDownstream.has(id))
        this.forcedDownstream.set(id, { why: `it depends on ${site.function}:${site.step}`, whole: true });
    }
  }

  /** An input read by a host function: it belongs to every labelled step running around the call. */
  read(input: Input): void {
    this.attribute(this.running.getStore(), input);
  }

  /** Gives an input to a step and to every step around it, unless they have ended. */
  private attribute(innermost: StepNote | undefined, input: Input): void {
    const id = inputId(input);
    for (let note = innermost; note; note = note.parent) {
      if (note.finished) continue;
      note.reads ??= new Map();
      if (!note.reads.has(id)) note.reads.set(id, input);
    }
  }

  readonly stepFinished = (site: StepSite, outcome: StepStatus, ms: number, error?: unknown): void => {
    const note = this.notes.get(site);
    if (note) note.finished = true;
    const status = note?.replayed ? "replayed" : outcome === "failed" && this.interrupted(error) ? "interrupted" : outcome;
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

  /** Whether a failure is the run's interruption reaching this step, rather than a failure of its own. */
  private interrupted(error: unknown): boolean {
    return error instanceof KoCancelled && this.signal?.aborted === true;
  }

  /** The key, the result and the reads to journal, when the result can be replayed. */
  private result(note: StepNote | undefined): { key?: string; value?: Data; reads?: StepRecord["reads"] } {
    if (!note || note.key === undefined || note.value === undefined) return {};
    let value: Data;
    try {
      value = toData(note.value, (c) => this.lookup(c.identity) === c);
    } catch (e) {
      if (e instanceof SerialError) return {};
      throw e;
    }
    return { key: note.key, value, ...(note.reads ? { reads: [...note.reads.values()].map(inputRecord) } : {}) };
  }

  /** Records how the run ended: done, failed, or interrupted (its signal aborted). */
  end(error: unknown): void {
    const interrupted = error !== undefined && this.signal?.aborted === true;
    this.file.append({
      t: "end",
      status: error === undefined ? "done" : interrupted ? "interrupted" : "failed",
      ms: this.since(),
      // An interruption is told by its reason ("interrupted (Ctrl-C)"), not as a step's "cancelled".
      ...(error !== undefined ? { error: interrupted && error instanceof KoCancelled ? error.reason : describeFailure(error) } : {}),
    });
  }

  close(): void {
    this.running.disable();
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
  /** With `resume`: the steps to run again whatever the journal holds (`Func:step` or `step`). */
  readonly rerun?: readonly string[];
  readonly compiled: Compiled;
  readonly entry: KoFunction;
  readonly fields: readonly Field[];
  readonly argv: readonly string[];
  /** The run's signal: a run cancelled through it is recorded as interrupted. */
  readonly signal?: AbortSignal;
  /** Where a resumed run says which steps run again and why (standard error). */
  readonly tell: (message: string) => void;
}

/** Opens a named run's journal: a new one, or, with `resume`, the existing one to continue. */
export async function openJournal(opts: JournalOptions): Promise<JournalLayer> {
  if (!NAME.test(opts.name)) throw new JournalError(`a run name is letters, digits, '.', '_' and '-': ${JSON.stringify(opts.name)}`);
  if (opts.rerun && opts.rerun.length > 0 && !opts.resume)
    throw new JournalError("--rerun needs --resume: it picks steps of a run to resume");
  const dir = path.join(opts.runsDir, opts.name);
  const records = readJournal(dir);
  const state = runState(records);
  if (state === "running") throw new JournalError(`run ${opts.name} is still running (process ${lastPid(records)})`);
  if (opts.resume && records.length === 0) throw new JournalError(`there is no run ${opts.name} to resume in ${path.dirname(dir)}`);
  const lookup = programCallables(opts.compiled);
  const resumption: Resumption | undefined = opts.resume
    ? {
        replays: new Replays(records, lookup),
        rerun: opts.rerun && opts.rerun.length > 0 ? new Rerun(opts.rerun, opts.name, records, opts.compiled) : undefined,
        tell: opts.tell,
      }
    : undefined;
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
  return new JournalLayer(file, lookup, resumption, opts.signal);
}

function lastPid(records: readonly JournalRecord[]): number | undefined {
  const attempts = attemptsOf(records);
  return attempts[attempts.length - 1]?.attempt.pid;
}
