/**
 * The durations that `Retry` and `Timeout` take, and the timers they wait on.
 *
 * A duration argument is either a text as Go's time.ParseDuration reads it ("30s", "1m30s",
 * "250ms") or an integer count of nanoseconds, as the `time` package makes them
 * (`time.Second(30)`); a negative one, or a text that is not a duration, is a misuse (an error,
 * D15: the program is wrong, not the world).
 */
import { T, type HostType } from "../host/host-type.js";
import { durationArgument, formatDuration, MILLISECOND } from "../value/duration.js";
import { EMPTY, IntVal, type Value } from "../value/value.js";
import { cancellation, misuse } from "./common.js";

/** The host type of a duration parameter. */
export const DURATION: HostType = T.oneOf(T.string, T.integer);

/** A duration argument in nanoseconds; `fallback` (a duration text) when it was not given. */
export function durationArg(fn: string, param: string, v: Value, fallback: string): bigint {
  const given =
    v === EMPTY ? fallback : typeof v === "string" ? v : typeof v === "number" || typeof v === "bigint" ? BigInt(v) : (v as IntVal).v;
  try {
    return durationArgument(given);
  } catch (e) {
    throw misuse(fn, `argument ${param}: ${(e as RangeError).message}`);
  }
}

/** How a duration argument reads in a message or a panic: the text given, or Go's form of the nanoseconds. */
export function durationText(v: Value, ns: bigint): string {
  return typeof v === "string" ? v : formatDuration(ns);
}

/** The longest delay one `setTimeout` accepts, in milliseconds (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer that can be stopped before it fires. */
export interface Timer {
  cancel(): void;
}

/**
 * Calls `fire` after `ns` nanoseconds (rounded up to whole milliseconds). Delays longer than one
 * `setTimeout` allows are waited in several steps, so that "1000h" means a thousand hours and not
 * "at once", which is what Node makes of a delay it cannot hold.
 */
export function startTimer(ns: bigint, fire: () => void): Timer {
  let remaining = ns <= 0n ? 0 : Number((ns + MILLISECOND - 1n) / MILLISECOND);
  let handle: ReturnType<typeof setTimeout>;
  const next = () => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    remaining -= step;
    handle = setTimeout(remaining > 0 ? next : fire, step);
  };
  next();
  return { cancel: () => clearTimeout(handle) };
}

/** Waits `ns` nanoseconds; rejects with the cancellation when `signal` aborts first. */
export function delay(ns: bigint, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancellation(signal));
    const onAbort = () => {
      timer.cancel();
      reject(cancellation(signal));
    };
    const timer = startTimer(ns, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
