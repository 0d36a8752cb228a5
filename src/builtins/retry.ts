/**
 * `Retry`: invoking a flaky step again after it panics, with exponential backoff and jitter.
 *
 * Only panics are retried. A panic is an operational failure — a Kubernetes API error, a
 * command that failed, a file not there yet — which a later attempt may not meet; an error is
 * a bug in the program, which the next attempt would meet again, so it ends the run at once
 * (D15), as does a cancellation.
 *
 * The waits: before attempt n + 1, a wait drawn uniformly from [d/2, d], where
 * d = min(maxBackoff, backoff × 2^(n-1)). The random half keeps many runs retrying against one
 * server from retrying in step (the "equal jitter" of the k8s connection's own retries); the
 * fixed half keeps the waits growing.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoPanic } from "../value/failure.js";
import { EMPTY, field, int64, IntVal, Struct, type Value } from "../value/value.js";
import { misuse, namedParam } from "./common.js";
import { delay, DURATION, durationArg } from "./durations.js";

const NAME = "Retry";

export const retry: HostFunction = defineHost({
  pkg: "",
  name: NAME,
  doc:
    "Invokes invoke() until it returns, at most attempts times (default 3), waiting between attempts with exponential " +
    'backoff and jitter (backoff, default "1s", doubling up to maxBackoff, default "30s"); after the last attempt, ' +
    "re-raises its panic with the number of attempts noted. Only panics are retried: errors end the run (D15).",
  params: [
    namedParam("invoke", T.variety, "invoked with no arguments, once per attempt", false),
    namedParam("attempts", T.integer, "how many times to invoke it at most, at least 1 (default 3)"),
    namedParam("backoff", DURATION, 'the wait before the second attempt, doubling before each later one ("1s", or Int64 nanoseconds)'),
    namedParam("maxBackoff", DURATION, 'the longest wait between two attempts (default "30s")'),
  ],
  result: T.any,
  effects: "time",
  async: true,
  impl: ([invoke, attempts, backoff, maxBackoff], ctx) =>
    retrying(ctx, invoke!, {
      attempts: attemptsArg(attempts!),
      backoff: durationArg(NAME, "backoff", backoff!, "1s"),
      maxBackoff: durationArg(NAME, "maxBackoff", maxBackoff!, "30s"),
    }),
});

interface Schedule {
  readonly attempts: bigint;
  /** Nanoseconds. */
  readonly backoff: bigint;
  readonly maxBackoff: bigint;
}

async function retrying(ctx: HostContext, invoke: Value, schedule: Schedule): Promise<Value> {
  for (let attempt = 1n; ; attempt++) {
    try {
      return await ctx.call(invoke, []);
    } catch (e) {
      if (!(e instanceof KoPanic)) throw e; // errors and cancellations are not retried (D15)
      if (attempt >= schedule.attempts) throw exhausted(e, attempt);
    }
    await delay(jittered(ceiling(schedule, attempt)), ctx.signal);
  }
}

/** The longest wait after attempt n: backoff × 2^(n-1), capped at maxBackoff. */
function ceiling({ backoff, maxBackoff }: Schedule, attempt: bigint): bigint {
  if (backoff === 0n) return 0n;
  // After 63 doublings any backoff has passed every cap an Int64 can hold.
  if (attempt > 64n) return maxBackoff;
  const doubled = backoff << (attempt - 1n);
  return doubled < maxBackoff ? doubled : maxBackoff;
}

/** A wait drawn uniformly from [d/2, d]. */
function jittered(d: bigint): bigint {
  const half = d / 2n;
  return half + BigInt(Math.floor(Math.random() * Number(d - half + 1n)));
}

/**
 * The last attempt's panic, raised again with the attempts noted: a structure gains the field
 * `attempts` (replacing one of that name), any other value v becomes `(panic: v, attempts: n)`.
 * It keeps the place where it was raised, which the report shows.
 */
function exhausted(last: KoPanic, attempts: bigint): KoPanic {
  const noted = field("attempts", int64(attempts));
  const v = last.value;
  const value =
    v instanceof Struct ? new Struct([...v.fields.filter((f) => f.name !== "attempts"), noted]) : new Struct([field("panic", v), noted]);
  const raised = new KoPanic(value);
  if (last.site) raised.site = last.site;
  return raised;
}

function attemptsArg(v: Value): bigint {
  if (v === EMPTY) return 3n;
  const n = typeof v === "number" || typeof v === "bigint" ? BigInt(v) : (v as IntVal).v;
  if (n < 1n) throw misuse(NAME, `argument attempts: must be at least 1, got ${n}`);
  return n;
}
