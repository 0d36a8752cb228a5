/**
 * Layers: the cache, the run journal, the event log, the trace and the live view, stacked on
 * the run's one seam (runtime/hooks.ts) without any of them knowing about the others.
 *
 * Besides passing each call through every layer, the stack tells a layer which labelled step a
 * call answers for — its *site* — so that a step whose call the cache answered can be reported
 * as "cached", and a journal can record and replay the result of each labelled step. It relies
 * on an order the evaluator guarantees: a labelled step is reported as started immediately
 * before its closure runs, and the closure of an invoke step calls the hooks synchronously
 * before anything else can (augment and select steps call nothing, and are reported finished
 * at once). So the first call to reach the hooks after a step started is that step's own call;
 * a call arriving with no step pending is an inner call of some sub-formula or callee.
 *
 * Observing steps costs every step something, which a program of millions of tiny steps feels;
 * so steps are observed only if a layer listens, and a layer that can do with a sample (the
 * live view) may say, through `observing`, when it does not need to see steps start.
 */
import type { KoFunction } from "../compile/circuit.js";
import type { HostFunction } from "../host/binding.js";
import type { HostCall, KoCall, Next, RunHooks, StepEvent, StepObserver } from "../runtime/hooks.js";
import type { Value } from "../value/value.js";

export type StepStatus = "done" | "cached" | "failed";

/**
 * One labelled step of one activation, from its start to its end: the evaluator's event object
 * itself (the same object is reported at the start and at the end), which layers may annotate.
 */
export interface StepSite extends StepEvent {
  /** Set by a layer that answered the step's own call without running it. */
  answeredBy?: "cache" | "journal" | "grid";
  /** Set by the grid's layer: the worker that computed the step's own call (src/grid/). */
  worker?: string;
  /**
   * Set when the step starts by a layer that wants its own call to run, not to be answered: a
   * step forced to run again (`ko run --resume --rerun STEP`) must not get a stored result.
   */
  rerun?: boolean;
}

/**
 * A layer's wrapper of calls: `site` is the labelled step the call answers for, when it is that
 * step's own call and some layer observes steps. (Its shape lets a lone layer be the run's hook.)
 */
export type KoLayerCall = (call: KoCall, next: Next, site?: StepSite) => Value | Promise<Value>;
export type HostLayerCall = (call: HostCall, next: Next, site?: StepSite) => Value | Promise<Value>;

export interface Layer {
  /** Wraps calls of Ko functions; may answer instead of calling `next`. */
  readonly koCall?: KoLayerCall;
  /**
   * Whether this layer needs to see a call of `fn` (asked for every call, before anything is
   * made for it, so it must not allocate). Absent: every call. A layer that wraps Ko calls only
   * for the sake of their sites need not ask for any: a call that answers for a site always
   * passes the layers.
   */
  readonly wantsKoCall?: (fn: KoFunction) => boolean;
  /** How many of the next calls of `fn` `wantsKoCall` will refuse, whatever happens (RunHooks.unwantedKoCalls). */
  readonly unwantedKoCalls?: (fn: KoFunction) => number;
  /** Wraps calls of host functions; may answer instead of calling `next`. */
  readonly hostCall?: HostLayerCall;
  /** Whether `hostCall` needs to see a call of `fn`, as `wantsKoCall` for Ko calls. Absent: every call. */
  readonly wantsHostCall?: (fn: HostFunction) => boolean;
  /** Whether the layer wants the steps of `fn` observed (asked once per function). Absent: every function's. */
  readonly observesStepsOf?: (fn: KoFunction) => boolean;
  readonly stepStarted?: (site: StepSite) => void;
  /** `ms` is how long the step ran; `error` why it failed. */
  readonly stepFinished?: (site: StepSite, status: StepStatus, ms: number, error?: unknown) => void;
  /**
   * For a layer content with a sample of the steps: whether it wants to see the steps that start
   * now. Absent means always. (A step seen starting is always seen finishing.)
   */
  readonly observing?: () => boolean;
  /** Called once when the run is over (to flush files, stop timers); failures are reported, not thrown. */
  readonly close?: () => void | Promise<void>;
}

/**
 * Work done for this process's calls by other processes (the grid's workers), in milliseconds of
 * their time, added up as it lands. A layer that measures a call's work by this process's CPU
 * time adds what this grew by during the call, or a call computed remotely would look free.
 */
export interface OffloadedWork {
  ms: number;
}

/** The layers as the run's hooks. Layers listed first are outermost. */
export function stackLayers(layers: readonly Layer[]): RunHooks {
  const observers = layers.filter((l) => l.stepStarted || l.stepFinished);
  const ko = chain(layers.map((l) => l.koCall));
  const host = chain(layers.map((l) => l.hostCall));
  const watchesCalls = ko !== undefined || host !== undefined;
  const wanted = koCallsWanted(layers);
  const hostWanted = hostCallsWanted(layers);
  if (observers.length === 0) {
    // No sites: the wrappers are the hooks themselves, and a kind of call no layer wraps is not
    // hooked at all (each hook costs every call of its kind a detour).
    const unwanted = koCallsUnwanted(layers);
    return {
      ...(ko ? { koCall: ko, ...(wanted ? { wantsKoCall: wanted, ...(unwanted ? { unwantedKoCalls: unwanted } : {}) } : {}) } : {}),
      ...(host ? { hostCall: host, ...(hostWanted ? { wantsHostCall: hostWanted } : {}) } : {}),
    };
  }

  // The step whose own call has not reached the hooks yet (see the module's comment).
  let pending: StepSite | undefined;
  const take = (): StepSite | undefined => {
    const site = pending;
    pending = undefined;
    return site;
  };
  const started = observers.filter((l) => l.stepStarted).map((l) => l.stepStarted!);
  const finished = observers.filter((l) => l.stepFinished).map((l) => l.stepFinished!);
  const observes = observers.every((l) => l.observesStepsOf) ? observers.map((l) => l.observesStepsOf!) : undefined;
  const steps: StepObserver = {
    ...(observes ? { observes: (fn: KoFunction) => observes.some((o) => o(fn)) } : {}),
    started(ev) {
      pending = ev;
      for (let i = 0; i < started.length; i++) started[i]!(ev);
    },
    finished(ev, status, ms, error) {
      const site = ev as StepSite;
      if (pending === site) pending = undefined;
      const s = status === "done" && site.answeredBy ? "cached" : status;
      for (let i = 0; i < finished.length; i++) finished[i]!(site, s, ms, error);
    },
  };
  const calls: RunHooks = watchesCalls
    ? {
        koCall: ko ? (call, next) => ko(call, next, take()) : (_call, next) => (take(), next()),
        // A call with a site pending must come: it is the site's own call, or takes it away.
        ...(wanted ? { wantsKoCall: (fn: KoFunction) => pending !== undefined || wanted(fn) } : {}),
        hostCall: host ? (call, next) => host(call, next, take()) : (_call, next) => (take(), next()),
        // Besides the calls a layer wraps, the hook takes the pending site, so that no call inside
        // a host call (a Loop's) takes it; a builtin with fast forms calls nothing, and its step's
        // end clears the site.
        ...(!host
          ? { wantsHostCall: (fn: HostFunction) => fn.fast === undefined }
          : hostWanted
            ? { wantsHostCall: (fn: HostFunction) => fn.fast === undefined || hostWanted(fn) }
            : {}),
      }
    : {};
  const sampling = observers.every((l) => l.observing);
  if (!sampling) return { ...calls, steps };
  // Every observer can do with a sample: steps are observed only while one of them wants to.
  return Object.defineProperty<RunHooks>({ ...calls }, "steps", {
    get: () => (observers.some((l) => l.observing!()) ? steps : undefined),
    enumerable: true,
  });
}

/** Whether some layer wraps a call of a host function, if every layer that wraps host calls can say. */
function hostCallsWanted(layers: readonly Layer[]): ((fn: HostFunction) => boolean) | undefined {
  return anyWants(layers.filter((l) => l.hostCall !== undefined).map((l) => l.wantsHostCall));
}

/** Whether some layer wraps a call of a function, if every layer that wraps Ko calls can say. */
function koCallsWanted(layers: readonly Layer[]): ((fn: KoFunction) => boolean) | undefined {
  return anyWants(layers.filter((l) => l.koCall !== undefined).map((l) => l.wantsKoCall));
}

/**
 * How many of the next calls of a function no layer that wraps Ko calls will want, if each can
 * say: as many as the layer that wants one soonest lets go. Every layer is asked (each may count
 * the calls it lets go, as the cache counts those to its next sample).
 */
function koCallsUnwanted(layers: readonly Layer[]): ((fn: KoFunction) => number) | undefined {
  const asks = everyAnswers(layers.filter((l) => l.koCall !== undefined).map((l) => l.unwantedKoCalls));
  if (asks === undefined) return undefined;
  if (asks.length === 1) return asks[0];
  return (fn) => Math.min(...asks.map((unwanted) => unwanted(fn)));
}

/** The answers, if every layer has one. */
function everyAnswers<F, A>(answers: readonly (((fn: F) => A) | undefined)[]): readonly ((fn: F) => A)[] | undefined {
  return answers.every((a) => a !== undefined) ? answers : undefined;
}

/** The union of the wrapping layers' answers; undefined (every call) if one of them cannot say. */
function anyWants<F>(answers: readonly (((fn: F) => boolean) | undefined)[]): ((fn: F) => boolean) | undefined {
  const asks = everyAnswers(answers);
  if (asks === undefined) return undefined;
  if (asks.length === 1) return asks[0];
  return (fn) => {
    for (let i = 0; i < asks.length; i++) if (asks[i]!(fn)) return true;
    return false;
  };
}

/** Nests the layers' wrappers, the first outermost; undefined if no layer wraps this kind of call. */
function chain<C>(
  wrappers: readonly (((call: C, next: Next, site?: StepSite) => Value | Promise<Value>) | undefined)[],
): ((call: C, next: Next, site?: StepSite) => Value | Promise<Value>) | undefined {
  const present = wrappers.filter((w) => w !== undefined);
  if (present.length === 0) return undefined;
  return present.reduceRight((inner, outer) => (call, next, site) => outer(call, () => inner(call, next, site), site));
}

/** Closes every layer, in order, collecting failures instead of stopping at the first. */
export async function closeLayers(layers: readonly Layer[]): Promise<unknown[]> {
  const failures: unknown[] = [];
  for (const l of layers) {
    try {
      await l.close?.();
    } catch (e) {
      failures.push(e);
    }
  }
  return failures;
}
