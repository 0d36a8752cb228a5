/**
 * Package `time`: waiting, durations and the clock.
 *
 * A **duration** is an Int64 count of nanoseconds, as Go's `time.Duration` and as the `duration`
 * that the `Profile` builtin reports; a **time** is an Int64 count of nanoseconds since the Unix
 * epoch. So `time.Sleep(time.Millisecond(250))` waits a quarter of a second and
 * `time.Sleep(time.Second(2))` two seconds. Arithmetic on durations wraps at 64 bits, like Go's.
 *
 * The `Go`-prefixed names are the original's gates: `GoSleep`, `GoSecond`, `GoMinute`, `GoHour`,
 * `GoFormatDurationSeconds` (a duration in seconds with three decimals, `"1.500s"`) and
 * `GoFormatDurationMilliseconds` (`"1500.000ms"`). `Sleep`, `Second`, `Minute` and `Hour` are
 * written in Ko over them (stdlib/time/time.ko), as in the original's library, so that the
 * original's own copy of the package, found in a root, defines them without a clash (D20).
 * As the original's gates, which take Go's zero value for a missing field, they read a missing
 * duration as 0.
 *
 * Sleeping honours cancellation: when the run is cancelled, `Sleep` stops at once and fails
 * with `KoCancelled`.
 */
import { defineHost, type HostFunction, type ParamSpec } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { EMPTY, int64, type Value } from "../value/value.js";
import { formatDuration, HOUR, MILLISECOND, MICROSECOND, MINUTE, SECOND } from "../value/duration.js";
import { bigOf, cancellation, wrap64 } from "./helpers.js";

export { formatDuration };

const PKG = "time";

/** The longest delay one `setTimeout` accepts, in milliseconds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ns` nanoseconds (rounded up to whole milliseconds); rejects with KoCancelled on abort. */
export function sleep(ns: bigint, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(cancellation(signal));
    let remaining = ns <= 0n ? 0 : Number((ns + MILLISECOND - 1n) / MILLISECOND);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancellation(signal));
    };
    // Delays beyond what one timer allows are waited in several steps.
    const next = () => {
      if (remaining <= 0) {
        signal.removeEventListener("abort", onAbort);
        return resolve();
      }
      const step = Math.min(remaining, MAX_TIMER_MS);
      remaining -= step;
      timer = setTimeout(next, step);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    next();
  });
}

/** The current time in nanoseconds since the Unix epoch (microsecond resolution at best). */
function nowNanos(): bigint {
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.floor(ms * 1000)) * MICROSECOND;
}

/** The monadic duration; 0 when not given. */
const duration: ParamSpec = { name: "duration", type: T.int64, monadic: true, optional: true };

/** A duration argument's nanoseconds: 0 when it was not given. */
function nanosOf(d: Value): bigint {
  return d === EMPTY ? 0n : bigOf(d);
}

const GoSleep = defineHost({
  pkg: PKG,
  name: "GoSleep",
  doc: "GoSleep(duration?) waits for the duration (Int64 nanoseconds, default 0; zero or negative does not wait) and returns it.",
  params: [duration],
  result: T.int64,
  effects: "time",
  async: true,
  impl: async ([d], ctx) => {
    const ns = nanosOf(d!);
    await sleep(ns, ctx.signal);
    return int64(ns);
  },
});

/** A function returning `scale` (default 1) times a unit, as a duration. */
function defineUnit(name: string, unit: bigint, unitName: string): HostFunction {
  return defineHost({
    pkg: PKG,
    name,
    doc: `${name}(scale?) returns the duration of scale (Int64, default 1) ${unitName}, in nanoseconds.`,
    params: [{ name: "scale", type: T.int64, monadic: true, optional: true }],
    result: T.int64,
    effects: "pure",
    impl: ([scale]) => int64(wrap64((scale === EMPTY ? 1n : bigOf(scale!)) * unit)),
  });
}

/** A function writing a duration as a decimal number of `unit` with three fraction digits. */
function defineFormatIn(name: string, unit: number, suffix: string): HostFunction {
  return defineHost({
    pkg: PKG,
    name,
    doc: `${name}(duration?) writes the duration (Int64 nanoseconds) in ${suffix} with three decimals, such as "1.500${suffix}".`,
    params: [duration],
    result: T.string,
    effects: "pure",
    impl: ([d]) => `${(Number(nanosOf(d!)) / unit).toFixed(3)}${suffix}`,
  });
}

const FormatDuration = defineHost({
  pkg: PKG,
  name: "FormatDuration",
  doc: 'FormatDuration(duration?) writes the duration (Int64 nanoseconds) as Go does: "1h2m3.5s", "1.5ms", "0s".',
  params: [duration],
  result: T.string,
  effects: "pure",
  impl: ([d]) => formatDuration(nanosOf(d!)),
});

const Now = defineHost({
  pkg: PKG,
  name: "Now",
  doc: "Now() returns the current time as Int64 nanoseconds since the Unix epoch.",
  params: [],
  result: T.int64,
  effects: "time",
  impl: () => int64(nowNanos()),
});

const Since = defineHost({
  pkg: PKG,
  name: "Since",
  doc: "Since(time?) returns the duration (Int64 nanoseconds) from the given time (as returned by Now) until now.",
  params: [{ name: "time", type: T.int64, monadic: true }],
  result: T.int64,
  effects: "time",
  impl: ([t]): Value => int64(wrap64(nowNanos() - bigOf(t!))),
});

export const timeFunctions: readonly HostFunction[] = [
  defineUnit("Millisecond", MILLISECOND, "milliseconds"),
  FormatDuration,
  Now,
  Since,
  GoSleep,
  defineUnit("GoSecond", SECOND, "seconds"),
  defineUnit("GoMinute", MINUTE, "minutes"),
  defineUnit("GoHour", HOUR, "hours"),
  defineFormatIn("GoFormatDurationSeconds", 1e9, "s"),
  defineFormatIn("GoFormatDurationMilliseconds", 1e6, "ms"),
];
