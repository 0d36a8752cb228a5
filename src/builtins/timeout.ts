/**
 * `Timeout`: a deadline for one call.
 *
 * The call runs under a signal of its own (`HostContext.callWithin`), which follows the
 * caller's and is also aborted when the deadline passes. Everything under the call sees it: a
 * host call that honours its signal (a Kubernetes watch, `build.Exec`'s process, `time.Sleep`)
 * stops, and the evaluator stops the call's Ko steps at its next checkpoint. As with any failure
 * inside a body (D6), `Timeout` waits for the call to settle before it panics, so nothing of
 * the call runs after its caller has seen the timeout.
 *
 * A call that returns, panics or fails before the deadline does just that, through `Timeout`.
 * Once the deadline has passed, the call's late outcome is dropped — whether it stopped, failed
 * because it was stopped, or finished regardless — and `Timeout` panics with
 * `(timeout: "30s", message: "...")`, which `Recover` catches. A cancellation of the caller
 * (Ctrl-C, a failed sibling step) is no timeout: it goes on as the cancellation it is.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoCancelled, KoPanic } from "../value/failure.js";
import { field, Struct, Variety, type Value } from "../value/value.js";
import { cancellation, isThenable, namedParam } from "./common.js";
import { DURATION, durationArg, durationText, startTimer } from "./durations.js";

const NAME = "Timeout";

export const timeout: HostFunction = defineHost({
  pkg: "",
  name: NAME,
  doc:
    "Invokes invoke() and returns what it returns; if it has not returned after the duration `after` " +
    '("30s", "1m30s", or Int64 nanoseconds), cancels it, waits for it to stop, and panics with (timeout, message).',
  params: [
    namedParam("invoke", T.variety, "invoked with no arguments, under the deadline", false),
    namedParam("after", DURATION, 'how long it may take: "30s", "500ms", "1h", or Int64 nanoseconds', false),
  ],
  result: T.any,
  effects: "time",
  async: true,
  impl: ([invoke, after], ctx) => withDeadline(ctx, invoke!, after!, durationArg(NAME, "after", after!, "0s")),
});

function withDeadline(ctx: HostContext, invoke: Value, after: Value, ns: bigint): Value | Promise<Value> {
  const caller = ctx.signal;
  if (caller.aborted) throw cancellation(caller);
  const text = durationText(after, ns);
  const name = invoke instanceof Variety ? invoke.callable.displayName : "the call";
  const deadline = new AbortController();
  let expired = false;
  const timer = startTimer(ns, () => {
    expired = true;
    deadline.abort(new KoCancelled(`${name} was cancelled: its deadline of ${text} (Timeout) passed`));
  });
  const followCaller = () => deadline.abort(caller.reason);
  caller.addEventListener("abort", followCaller, { once: true });
  const done = () => {
    timer.cancel();
    caller.removeEventListener("abort", followCaller);
  };
  /** The outcome once the call has settled: the timeout's panic if the deadline passed first. */
  const settled = <T>(outcome: () => T): T => {
    done();
    if (expired && !caller.aborted) throw timedOut(name, text);
    return outcome();
  };

  let result: Value | Promise<Value>;
  try {
    result = ctx.callWithin(deadline.signal, invoke, []);
  } catch (e) {
    return settled(() => {
      throw e;
    });
  }
  if (!isThenable(result)) return settled(() => result);
  return Promise.resolve(result).then(
    (v) => settled(() => v),
    (e: unknown) =>
      settled(() => {
        throw e;
      }),
  );
}

function timedOut(name: string, text: string): KoPanic {
  return new KoPanic(new Struct([field("timeout", text), field("message", `${name} did not return within ${text}`)]));
}
