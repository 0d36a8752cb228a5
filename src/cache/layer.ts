/**
 * The caching layer: answers calls from the store, and stores the results worth keeping.
 *
 * What is cached:
 * - calls of *pure* Ko functions — nothing they can reach has effects (by the effects host
 *   functions declare), no variety among their arguments has effects, and no argument holds a
 *   host value — whose result is a Ko value that can be serialised and is not so big that
 *   reading it back would cost more than computing it, and that were worth storing (below);
 * - calls of host functions that declare a cache policy (policy.ts): `build.Exec` and friends,
 *   keyed by the content of the files they read, their output files stored and put back.
 * Pure host functions are not cached on their own: each takes microseconds, less than a lookup;
 * they are cached as part of the Ko functions that call them.
 *
 * Which results are worth storing is decided by measured time. A call that took under `minMs` is
 * not. Nor is one whose time is nearly all covered by results already stored during it: in a
 * deep recursion every level takes as long as the levels below it, and storing each would fill
 * the disk with entries that add nothing; so a call is stored only if `minMs` of its work is not
 * stood for by stored inner calls, or if it is the outermost call running (so the call a rerun
 * makes first is there to be found). The entries of a run thus number at most about its running
 * time over `minMs`, plus its outermost calls.
 *
 * What it costs: a function whose body calls only builtins with fast forms (arithmetic,
 * comparisons, construction) is too cheap to cache, decided once, and its calls are not even
 * asked about; those of a function whose calls have proved quick are asked about once per
 * sample (`wantsKoCall`, `unwantedKoCalls`); neither is made into a call object for the hooks.
 * The others cost a clock reading, and only functions with stored entries (in the store's
 * index, read once per run) have their calls' keys computed.
 *
 * Concurrent identical calls — the same key while the first is still running — share the first
 * one's result; if it fails, each of the others runs on its own, to fail (or not) where it is.
 *
 * A make-style call answered without running still tells the run what it read (its plan's
 * reads), so that a named run's journal knows what the steps around it depend on. A step forced
 * to run again (`--rerun`, StepSite.rerun) is never answered.
 */
import { KoFunction } from "../compile/circuit.js";
import type { HostCall, KoCall, Next } from "../runtime/hooks.js";
import type { Field, Value } from "../value/value.js";
import { onlyFastBuiltins } from "../instrument/cheap.js";
import type { HostLayerCall, Layer, OffloadedWork, StepSite } from "../instrument/layers.js";
import type { EntryBody, StoredFile } from "./entry.js";
import { callKey, codeHash, isPureCallable } from "../instrument/call-keys.js";
import { cachePolicyOf, type FileCall } from "../host/cache-policy.js";
import type { HostFunction } from "../host/binding.js";
import { inputLog } from "../host/inputs.js";
import { fromData, SerialError, toData, type CallableLookup, type Data } from "../value/serial.js";
import type { CacheStore } from "./store.js";
import { restoreFiles, storeFiles } from "./output-files.js";

/**
 * Calls that took less work than this are not stored. Measured by bench/cache.js: a hit costs
 * about 0.03 ms once a run is warm, and a few milliseconds for the first hit of a process
 * (loading the cache's code, listing the function's entries, reading); storing costs a few tenths
 * of a millisecond. A call of 10 ms or more saves most of its time even on a cold hit, and the
 * warm-up of a fresh process — the first call of a function often takes 1 to 2 ms however little
 * it does — stays well below it, so quick scripts leave no cache behind.
 */
export const DEFAULT_MIN_MS = 10;

/** Reading an entry back costs roughly this many milliseconds per byte (about 100 MB/s, pessimistic). */
const READ_MS_PER_BYTE = 1 / 100_000;

export interface CacheOptions {
  readonly store: CacheStore;
  /** Identifies a serialised variety's callable in this program (callables.ts). */
  readonly lookup: CallableLookup;
  /** Calls faster than this many milliseconds are not stored. */
  readonly minMs?: number;
  /** Told about a failure to write the cache (a full disk...), which never fails the run. */
  readonly warn?: (message: string) => void;
  /** Work other processes do for this one's calls (the grid's), counted as this process's CPU time. */
  readonly offloaded?: OffloadedWork;
  /**
   * Whether the program can call a make-style host function (see `reachesCacheable`); if not,
   * host calls are not watched at all, which spares every builtin call a detour. Default true.
   */
  readonly makeStyle?: boolean;
}

export interface CacheCounts {
  /** Calls answered from the store or from a result computed earlier in this run. */
  hits: number;
  /** Calls that waited for an identical call in flight instead of running. */
  shared: number;
  /** Eligible calls that ran, because nothing was stored for them. */
  misses: number;
  /** Results written to the store. */
  stored: number;
  /** Results not stored because the call was too quick. */
  cheap: number;
}

/** What the layer knows of one Ko function in this run. */
interface FunctionState {
  readonly fn: KoFunction;
  readonly pure: boolean;
  /**
   * The hash of its code: the group its entries are stored under. Made when first needed, to
   * look in a store that holds entries or to store one: a run whose store is empty and whose
   * calls are quick hashes nothing, and so loads no SHA-256 at all.
   */
  group: string | undefined;
  /** Keys stored under the group when first looked (undefined: none, or not looked yet). */
  keys: Set<string> | undefined;
  looked: boolean;
  /** True once one of its results was stored in this run (so later calls look in `memo`). */
  storedNow: boolean;
  /**
   * Its calls running now (gone asynchronous), by call depth. A call may only wait for a twin
   * at its own depth: a twin further out could be its own caller, and waiting for it would
   * never end (D24) — and the calls of a deep recursion, all in flight at once, need no
   * comparing, each at a depth of its own.
   */
  readonly flying: Map<number, Flying[]>;
  /** How many calls are in `flying`. */
  inFlight: number;
  /** Its timed calls running now (nested in one another, in a recursion). */
  openCalls: number;
  /**
   * How often its timed calls were slow (took `minMs` or more) lately: a moving average of 1 for
   * a slow call and 0 for a quick one, starting at 1 (every function is presumed slow).
   */
  slowness: number;
  /** Its calls have proved quick: they are neither looked up nor timed, but one in SAMPLE_EVERY. */
  quick: boolean;
  /** Counts calls while `quick`, to pick the samples. */
  untimed: number;
  /** Set by `wantsKoCall` when the call it let through is a quick function's sample. */
  sampleDue: boolean;
  /**
   * Too cheap to cache, whatever its arguments: its body calls only builtins with fast forms
   * (host/binding.ts), so it can neither loop nor recurse. Decided once; its calls never pass.
   */
  readonly cheap: boolean;
}

/** A call running now, that an identical call may wait for instead of running too. */
interface Flying {
  readonly fields: readonly Field[];
  /** Computed only when another call at its depth might be its twin. */
  key?: string | undefined;
  readonly result: Promise<Value>;
}

/** A timed call, from its start to its end. */
interface Timing {
  readonly t0: number;
  /**
   * The process's CPU time when the call started (not read for samples, which are never
   * stored). A busy machine stretches a call's wall time, not the CPU time it takes; a call that
   * went asynchronous may have waited while others ran, which its wall time counts and its CPU
   * time does not always make up for: the smaller of the two is the estimate of its work.
   */
  readonly cpu0: NodeJS.CpuUsage | undefined;
  /** `covered` when the call started. */
  readonly covered0: number;
  /** `storedNow` when the call started. */
  readonly stored0: number;
  /** The offloaded work when the call started. */
  readonly offloaded0: number;
}

/** The weight of the latest timed call in `slowness`. */
const SLOWNESS_WEIGHT = 1 / 8;
/** A function is quick while fewer than this share of its calls are slow (reached after ~20 quick calls). */
const QUICK_BELOW = 0.1;
/** One call in this many of a quick function is timed all the same, in case its calls got slower. */
const SAMPLE_EVERY = 64;
/**
 * A call of a function with this many timed calls running already — a recursion this deep — is
 * neither looked up nor timed: the outer levels are (and so the call a rerun makes first), and
 * each level below would cost the time of a key for the little a stored result there would add.
 */
const MAX_OPEN = 64;

export class CacheLayer implements Layer {
  readonly counts: CacheCounts = { hits: 0, shared: 0, misses: 0, stored: 0, cheap: 0 };
  private readonly store: CacheStore;
  private readonly lookup: CallableLookup;
  private readonly minMs: number;
  private readonly functions = new Map<KoFunction, FunctionState>();
  /** Results stored in this run, by key: a later identical call gets the very same value. */
  private readonly memo = new Map<string, Value>();
  private readonly hostFlying = new Map<string, Promise<Value>>();
  /**
   * Milliseconds of work that stored results stand for: what a call's stored inner calls
   * covered is what this grew by while it ran. Only the uncovered rest is new work to store.
   */
  private covered = 0;
  /** Results stored in this run so far (what a call's stored inner calls number is what this grew by). */
  private storedNow = 0;
  /** Timed calls running now, in the order they started: the first is the outermost. */
  private readonly open = new Set<Timing>();
  private warned = false;

  constructor(private readonly opts: CacheOptions) {
    this.store = opts.store;
    this.lookup = opts.lookup;
    this.minMs = opts.minMs ?? DEFAULT_MIN_MS;
    if (opts.makeStyle === false) this.hostCall = undefined;
  }

  /**
   * A call of a Ko function. Timing a call and computing its key cost a little, which matters
   * for functions called a million times that each take a microsecond; so a function whose calls
   * have proved quick (nearly all of its last twenty or so timed calls took under `minMs`) is
   * neither looked up nor timed, but for one call in SAMPLE_EVERY, timed to notice if its calls
   * get slower (such a sample is never stored: a garbage collection may have slowed it down).
   */
  /**
   * Whether a call of `fn` is worth seeing: not if it cannot be cached (it has effects, or is too
   * cheap by its code), nor if its calls have proved quick, but for the samples. The evaluator
   * asks before it makes anything for the call, so a call let go costs a map lookup.
   */
  readonly wantsKoCall = (fn: KoFunction): boolean => {
    const state = this.functions.get(fn) ?? this.stateOf(fn);
    if (!state.pure || state.cheap) return false;
    if (!state.quick || state.inFlight > 0) return true;
    return (state.sampleDue = ++state.untimed % SAMPLE_EVERY === 0);
  };

  /**
   * The calls of `fn` not worth seeing from now on, after one that was not: all of them for a
   * function with effects or too cheap by its code, which is known once; for a quick one, those
   * before its next sample, counted here as `wantsKoCall` would have counted them.
   */
  readonly unwantedKoCalls = (fn: KoFunction): number => {
    const state = this.functions.get(fn) ?? this.stateOf(fn);
    if (!state.pure || state.cheap) return Infinity;
    if (!state.quick || state.inFlight > 0) return 0;
    const unsampled = SAMPLE_EVERY - 1 - (state.untimed % SAMPLE_EVERY);
    state.untimed += unsampled;
    return unsampled;
  };

  readonly koCall = (call: KoCall, next: Next, site?: StepSite): Value | Promise<Value> => {
    if (site?.rerun === true) return next();
    const state = this.functions.get(call.fn) ?? this.stateOf(call.fn);
    if (!state.pure || state.cheap) return next();
    // A quick function's call comes only as a sample (or for another layer's sake).
    const sampled = state.quick && state.inFlight === 0;
    if (sampled && !state.sampleDue) return next();
    state.sampleDue = false;
    const deep = state.openCalls >= MAX_OPEN;
    let key: string | undefined;
    if (!deep && !state.quick && (state.storedNow || this.storedKeys(state))) {
      key = callKey(call.fn, call.fields, { pure: true });
      if (key === undefined) return next();
      const known = this.memo.get(key) ?? (state.keys?.has(key) ? this.load(state, key) : undefined);
      if (known !== undefined) {
        this.counts.hits++;
        if (site) site.answeredBy = "cache";
        return known;
      }
    }
    if (state.inFlight > 0) {
      const twin = this.twinInFlight(call, state, key);
      if (twin) return this.join(twin, next, site);
    }
    if (deep) return next();
    this.counts.misses++;
    const timing: Timing = {
      t0: performance.now(),
      cpu0: sampled ? undefined : process.cpuUsage(),
      covered0: this.covered,
      stored0: this.storedNow,
      offloaded0: this.opts.offloaded?.ms ?? 0,
    };
    if (!sampled) {
      this.open.add(timing);
      state.openCalls++;
    }
    const result = next();
    if (!(result instanceof Promise)) {
      this.timed(call, state, key, result, timing, sampled);
      return result;
    }
    const depth = call.depth;
    const flying: Flying = {
      fields: call.fields,
      key,
      result: result.then(
        (v) => {
          this.land(state, depth, flying);
          this.timed(call, state, flying.key, v, timing, sampled);
          return v;
        },
        (e: unknown) => {
          this.land(state, depth, flying);
          if (this.open.delete(timing)) state.openCalls--;
          throw e;
        },
      ),
    };
    if (!sampled) this.takeOff(state, depth, flying);
    return flying.result;
  };

  /** An identical call of the function running now at the same depth, if any. */
  private twinInFlight(call: KoCall, state: FunctionState, key: string | undefined): Flying | undefined {
    const candidates = state.flying.get(call.depth);
    if (!candidates) return undefined;
    key ??= callKey(call.fn, call.fields, { pure: true });
    if (key === undefined) return undefined;
    for (const f of candidates) {
      f.key ??= callKey(call.fn, f.fields, { pure: true });
      if (f.key === key) return f;
    }
    return undefined;
  }

  private takeOff(state: FunctionState, depth: number, flying: Flying): void {
    const list = state.flying.get(depth);
    if (list) list.push(flying);
    else state.flying.set(depth, [flying]);
    state.inFlight++;
  }

  private land(state: FunctionState, depth: number, flying: Flying): void {
    const list = state.flying.get(depth);
    const i = list?.indexOf(flying) ?? -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) state.flying.delete(depth);
    state.inFlight--;
  }

  /** The host functions whose calls `hostCall` looks at: the make-style ones (policy.ts). */
  readonly wantsHostCall = (fn: HostFunction): boolean => cachePolicyOf(fn) !== undefined;

  /** A call of a host function: only make-style ones (policy.ts) are cached. */
  readonly hostCall: HostLayerCall | undefined = (call, next, site) => {
    const policy = cachePolicyOf(call.fn);
    if (!policy || site?.rerun === true) return next();
    return policy.describe(call.fields, call.ctx).then(
      (plan) => (plan ? this.fileCall(call, plan, site, next) : next()),
      // Arguments the policy cannot read: the call itself reports what is wrong with them.
      () => next(),
    );
  };

  private stateOf(fn: KoFunction): FunctionState {
    let state = this.functions.get(fn);
    if (!state) {
      const pure = isPureCallable(fn);
      state = {
        fn,
        pure,
        group: undefined,
        keys: undefined,
        looked: false,
        storedNow: false,
        flying: new Map(),
        inFlight: 0,
        openCalls: 0,
        slowness: 1,
        quick: false,
        untimed: 0,
        sampleDue: false,
        // A threshold of 0 asks for every call to be stored, however quick.
        cheap: pure && this.minMs > 0 && onlyFastBuiltins(fn),
      };
      this.functions.set(fn, state);
    }
    return state;
  }

  private groupOf(state: FunctionState): string {
    return (state.group ??= codeHash(state.fn));
  }

  /** True if the store holds entries for the function (listed once per run). */
  private storedKeys(state: FunctionState): boolean {
    if (!state.looked) {
      state.looked = true;
      state.keys = this.store.isEmpty() ? undefined : this.store.keysOf(this.groupOf(state));
    }
    return state.keys !== undefined;
  }

  /** The stored result, if the entry is intact and readable in this program. */
  private load(state: FunctionState, key: string): Value | undefined {
    const body = this.store.read(this.groupOf(state), key);
    if (!body) return undefined;
    try {
      const v = fromData(body.value, this.lookup);
      this.memo.set(key, v);
      return v;
    } catch {
      state.keys?.delete(key);
      return undefined;
    }
  }

  /** Waits for an identical call in flight; if that one fails, runs this call on its own. */
  private join(flying: Flying | Promise<Value>, next: Next, site: StepSite | undefined): Promise<Value> {
    this.counts.shared++;
    if (site) site.answeredBy = "cache";
    return (flying instanceof Promise ? flying : flying.result).catch(() => {
      if (site) site.answeredBy = undefined;
      return next();
    });
  }

  /**
   * Learns from a timed call how quick its function is, and stores its result if that is worth
   * it: if the call took `minMs` or more of work that no stored result covers yet (below).
   */
  private timed(call: KoCall, state: FunctionState, key: string | undefined, value: Value, timing: Timing, sampled: boolean): void {
    const ms = performance.now() - timing.t0;
    const outermost = this.open.values().next().value === timing;
    if (this.open.delete(timing)) state.openCalls--;
    const slow = ms >= this.minMs;
    state.slowness += ((slow ? 1 : 0) - state.slowness) * SLOWNESS_WEIGHT;
    state.quick = state.slowness < QUICK_BELOW;
    if (!slow || sampled || timing.cpu0 === undefined) {
      this.counts.cheap++;
      return;
    }
    const cpu = process.cpuUsage(timing.cpu0);
    const offloaded = (this.opts.offloaded?.ms ?? 0) - timing.offloaded0;
    const work = Math.min(ms, (cpu.user + cpu.system) / 1000 + offloaded);
    const uncovered = work - (this.covered - timing.covered0);
    // An outermost call whose work its stored inner calls cover is stored only if it stands for
    // several of them: a rerun then finds it first, in one lookup; standing for one, it adds
    // nothing but an entry.
    const standsForSeveral = outermost && this.storedNow - timing.stored0 >= 2;
    if (work < this.minMs || (uncovered < this.minMs && !standsForSeveral)) {
      this.counts.cheap++;
      return;
    }
    key ??= callKey(call.fn, call.fields, { pure: true });
    if (key === undefined) return;
    const data = this.serialisable(value);
    if (data === undefined) return;
    const text = JSON.stringify(data);
    if (text.length * READ_MS_PER_BYTE > work / 2) {
      this.counts.cheap++;
      return;
    }
    this.covered += Math.max(0, uncovered);
    this.memo.set(key, value);
    state.storedNow = true;
    this.write(this.groupOf(state), key, { value: data, callee: call.fn.displayName, ms: work });
  }

  /** The value as data, if it can be read back in this program. */
  private serialisable(value: Value): Data | undefined {
    try {
      return toData(value, (c) => this.lookup(c.identity) === c);
    } catch (e) {
      if (e instanceof SerialError) return undefined;
      throw e;
    }
  }

  private write(group: string, key: string, body: EntryBody): void {
    try {
      this.store.write(group, key, body);
      this.counts.stored++;
      this.storedNow++;
    } catch (e) {
      this.warnOnce(e);
    }
  }

  private warnOnce(e: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.opts.warn?.(`could not write to the cache ${this.store.dir}: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Makes what this run stored durable (the store's one sync) and findable by its index. */
  close(): void {
    this.store.close();
  }

  /** A make-style host call: answered from the store, with its files put back, or run and stored. */
  private fileCall(call: HostCall, plan: FileCall, site: StepSite | undefined, next: Next): Promise<Value> {
    const key = callKey(call.fn, call.fields, { pure: false, extra: plan.material });
    if (key === undefined) return Promise.resolve(next());
    const flying = this.hostFlying.get(key);
    if (flying) {
      tellReads(call, plan);
      return this.join(flying, next, site);
    }
    const group = codeHash(call.fn);
    const run = this.answerOrRun(call, group, key, plan, site, next).finally(() => this.hostFlying.delete(key));
    this.hostFlying.set(key, run);
    return run;
  }

  private async answerOrRun(
    call: HostCall,
    group: string,
    key: string,
    plan: FileCall,
    site: StepSite | undefined,
    next: Next,
  ): Promise<Value> {
    const body = await this.store.readAsync(group, key);
    if (body) {
      const v = await this.restore(body, plan);
      if (v !== undefined) {
        this.counts.hits++;
        if (site) site.answeredBy = "cache";
        tellReads(call, plan);
        return v;
      }
    }
    this.counts.misses++;
    const t0 = performance.now();
    const value = await next();
    const ms = performance.now() - t0;
    const data = this.serialisable(value);
    if (data === undefined) return value;
    // The outputs are stored before anyone can see the result, so no later step can change them first.
    let files: StoredFile[] | undefined;
    try {
      files = await storeFiles(this.store, plan.outputs);
    } catch (e) {
      this.warnOnce(e);
      return value;
    }
    // A declared output the call did not produce: nothing to put back on a hit, so no entry.
    if (files) this.write(group, key, { value: data, callee: call.fn.displayName, ms, files });
    return value;
  }

  /** The stored value, once the stored files are back in place; undefined if any is lost. */
  private async restore(body: EntryBody, plan: FileCall): Promise<Value | undefined> {
    let value: Value;
    try {
      value = fromData(body.value, this.lookup);
    } catch {
      return undefined;
    }
    const ok = await restoreFiles(this.store, body.files ?? [], plan.outputs);
    return ok ? value : undefined;
  }
}

/** Tells the run what a call answered without running read, as the call would have told it (host/inputs.ts). */
function tellReads(call: HostCall, plan: FileCall): void {
  const inputs = inputLog(call.ctx);
  if (inputs) for (const input of plan.reads) inputs.read(input);
}
