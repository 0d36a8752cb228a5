/**
 * The one seam through which a run's calls pass (the brief's "host calls go through one seam"):
 * the cache, a concurrency limiter for cluster calls, progress events, run journals and, later,
 * a grid of remote workers all attach here, never inside the evaluator's logic.
 *
 * Every hook is optional; a run without hooks pays one property read per call, and a call the
 * hooks do not want (wantsKoCall) one question more.
 */
import type { Span } from "../diag/span.js";
import type { HostContext, HostFunction } from "../host/binding.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Field, Value } from "../value/value.js";

export type Next = () => Value | Promise<Value>;

/** A call of a host function, as the seam sees it. */
export interface HostCall {
  readonly fn: HostFunction;
  readonly fields: readonly Field[];
  readonly ctx: HostContext;
}

/** A call of a Ko function, as the seam sees it. */
export interface KoCall {
  readonly fn: KoFunction;
  readonly fields: readonly Field[];
  /** The Ko call depth of the call (1 for the entry). */
  readonly depth: number;
  /**
   * Aborted when the calling body fails or the run is cancelled (D6): a layer that answers the
   * call from elsewhere (the grid) stops waiting then. Made on first read.
   */
  readonly signal: AbortSignal;
}

/** A labelled step of one activation of a Ko function. */
export interface StepEvent {
  /** The function's printed name (`pkg.Name`). */
  readonly function: string;
  readonly step: string;
  readonly span: Span;
  /** Identifies the activation (one call of the function), unique within the run. */
  readonly activation: number;
  /** The step whose call this activation is (undefined for the run's entry call). */
  readonly caller: StepCaller | undefined;
}

/** The step of a calling activation that made a call, and that activation's own caller. */
export interface StepCaller {
  readonly function: string;
  /** The calling step's label (its owner, for a step inside a labelled formula). */
  readonly step: string;
  readonly activation: number;
  readonly caller: StepCaller | undefined;
}

export interface StepObserver {
  /** Whether the steps of `fn` are to be reported at all; asked once per function. Absent: all. */
  readonly observes?: (fn: KoFunction) => boolean;
  started(ev: StepEvent): void;
  finished(ev: StepEvent, status: "done" | "failed", ms: number, error?: unknown): void;
}

export interface RunHooks {
  /** Wraps every host-function call; returns `next()` or a value of its own (a cache hit, say). */
  readonly hostCall?: (call: HostCall, next: Next) => Value | Promise<Value>;
  /** Whether a call of `fn` must pass `hostCall`, as `wantsKoCall` for Ko calls. Absent: every call. */
  readonly wantsHostCall?: (fn: HostFunction) => boolean;
  /** Wraps every Ko-function call (those `wantsKoCall` lets through). */
  readonly koCall?: (call: KoCall, next: Next) => Value | Promise<Value>;
  /**
   * Whether a call of `fn` must pass `koCall`, asked before anything is made for the call: a
   * call the hooks have no use for costs this question and nothing else. Absent: every call.
   */
  readonly wantsKoCall?: (fn: KoFunction) => boolean;
  /**
   * How many of the next calls of `fn` `wantsKoCall` would say no to as well, whatever happens
   * meanwhile: Infinity for a function the cache can never store, the calls until the next
   * sample of a quick one. Asked when `wantsKoCall` says no, so that those calls are not asked
   * about at all. Absent: 0.
   */
  readonly unwantedKoCalls?: (fn: KoFunction) => number;
  /** Told when each labelled step starts and ends; bodies run instrumented while it is set. */
  readonly steps?: StepObserver;
}
