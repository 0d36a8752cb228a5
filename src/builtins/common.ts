/**
 * Small pieces shared by the builtin families: argument declarations that recur, the error a
 * misused builtin raises, and the handling of results that may or may not be promises.
 */
import { T, type HostType } from "../host/host-type.js";
import type { ParamSpec } from "../host/binding.js";
import { KoCancelled, KoError, KoFailure } from "../value/failure.js";
import { kindOf, type Field, type Value } from "../value/value.js";

/** What `ctx.call` gives back: a value now, or a promise of one. */
export type Pending = Value | Promise<Value>;

/**
 * True if `x` is a promise (or any thenable). Ko values never are, so this tells a finished
 * call from one still running without wrapping anything in a promise.
 */
export function isThenable(x: unknown): x is PromiseLike<Value> {
  return typeof (x as { then?: unknown } | null)?.then === "function";
}

/** Applies `f` to a result now if it is there, or when it arrives. */
export function andThen<T>(r: Pending, f: (v: Value) => T): T | Promise<T> {
  return isThenable(r) ? Promise.resolve(r).then(f) : f(r);
}

/** The unnamed (monadic) argument of a call a builtin makes on the program's behalf. */
export function monadic(value: Value): Field {
  return { name: "", value, monadic: true };
}

/** A builtin used the wrong way: a run-time error (never a panic, D15), prefixed by its name. */
export function misuse(fn: string, message: string): KoError {
  return new KoError(`${fn}: ${message}`, "runtime/builtin");
}

/** The Bool a predicate variety (`stop`, `less`) returned; anything else is a misuse. */
export function verdict(fn: string, what: string, v: Value): boolean {
  if (typeof v !== "boolean") throw misuse(fn, `${what} must return a Bool, got ${kindOf(v)}`);
  return v;
}

/** The failure to raise when the run's signal has been aborted. */
export function cancellation(signal: AbortSignal): KoFailure {
  const reason: unknown = signal.reason;
  if (reason instanceof KoFailure) return reason;
  return new KoCancelled(reason instanceof Error ? reason.message : "cancelled");
}

// Parameter declarations that many builtins share.

/** The main input most builtins take, by name `value` or as the unnamed argument (reference 6.1). */
export function valueParam(doc: string, type: HostType = T.any, optional = true): ParamSpec {
  return { name: "value", monadic: true, type, optional, doc };
}

/** A parameter that is not monadic. */
export function namedParam(name: string, type: HostType, doc: string, optional = true): ParamSpec {
  return { name, type, optional, doc };
}
