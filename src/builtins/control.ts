/**
 * Control builtins: choosing (`Yield`, `When`), iterating (`Loop`, `Range`), failing and
 * recovering (`Panic`, `Recover`), waiting forever (`Hang`), and invoking a variety in a given
 * scheduling mode (`Parallel`, `Sequential`) or under a stopwatch (`Profile`).
 *
 * Whenever one of them calls a variety it goes through `ctx.call`, which augments the variety
 * with the fields given and then invokes it (reference 5.5) — so a variety whose monadic slot is
 * already filled cannot receive the carry of a `Loop`, exactly as in the original.
 */
import { defineHost, repeatedCall, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoPanic } from "../value/failure.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, Struct, field, int64, kindOf, lift, type Value } from "../value/value.js";
import { andThen, cancellation, isThenable, misuse, monadic, namedParam, valueParam, verdict, type Pending } from "./common.js";
import { construct } from "./construct.js";
import { Clock, drive, pauseThen, type Steps } from "./drive.js";

export const yieldBuiltin: HostFunction = defineHost({
  pkg: "",
  name: "Yield",
  doc: "Returns then if the condition holds, else else; neither is invoked.",
  params: [
    namedParam("if", T.bool, "the condition", false),
    namedParam("then", T.any, "the result when the condition is true"),
    namedParam("else", T.any, "the result when the condition is false"),
  ],
  result: T.any,
  effects: "pure",
  impl: ([condition, then, otherwise]) => (condition === true ? then! : otherwise!),
  // A condition that is not a Bool takes the general path, which reports it.
  fast: {
    named: {
      names: ["if", "then", "else"],
      call: (condition, then, otherwise) => (condition === true ? then : condition === false ? otherwise : undefined),
    },
  },
});

export const when: HostFunction = defineHost({
  pkg: "",
  name: "When",
  doc: "Invokes then with the value if there is one, else invokes else; empty when that one is absent.",
  params: [
    { name: "have", monadic: true, type: T.any, optional: true, doc: "the value that may be empty" },
    namedParam("then", T.variety, "invoked with the value as its unnamed argument"),
    namedParam("else", T.variety, "invoked with no arguments when the value is empty"),
  ],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([have, then, otherwise], ctx) => {
    if (have !== EMPTY) return then === EMPTY ? EMPTY : ctx.call(then!, [monadic(have!)]);
    return otherwise === EMPTY ? EMPTY : ctx.call(otherwise!, []);
  },
});

export const loop: HostFunction = defineHost({
  pkg: "",
  name: "Loop",
  doc: "Repeats carry := step(carry) from start until stop(carry) is true; without stop, forever.",
  params: [
    namedParam("start", T.any, "the first carry"),
    namedParam("step", T.variety, "called with the carry as its unnamed argument; returns the next carry", false),
    namedParam("stop", T.variety, "called with each new carry; true ends the loop"),
  ],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([start, step, stop], ctx) => loopNow(ctx, start!, step!, stop!),
});

/**
 * The loop, run in plain JavaScript while its calls finish synchronously (most loops, and the
 * hottest): no generator to resume twice an iteration. At the first call that returns a promise,
 * or when the clock says to give way, the rest of the loop continues in `looping` under `drive`,
 * from that very call, with the same clock.
 */
function loopNow(ctx: HostContext, start: Value, step: Value, stop: Value): Value | Promise<Value> {
  const clock = new Clock(ctx.signal);
  const callStep = repeatedCall(ctx, step, [""]);
  const callStop = stop === EMPTY ? undefined : repeatedCall(ctx, stop, [""]);
  let carry = start;
  for (;;) {
    const next = callStep(carry);
    if (isThenable(next)) return drive(looping(ctx, carry, step, stop, next, false), ctx.signal, clock);
    if (clock.tick()) return drive(looping(ctx, carry, step, stop, pauseThen(clock, next), false), ctx.signal, clock);
    carry = next;
    if (callStop === undefined) continue;
    const done = callStop(carry);
    if (isThenable(done)) return drive(looping(ctx, carry, step, stop, done, true), ctx.signal, clock);
    if (clock.tick()) return drive(looping(ctx, carry, step, stop, pauseThen(clock, done), true), ctx.signal, clock);
    if (verdict("Loop", "stop", done)) return carry;
  }
}

/**
 * The loop from a call already made: `pending`, the call of `step` on `carry` (or, with
 * `ofStop`, of `stop` on it).
 */
function* looping(ctx: HostContext, carry: Value, step: Value, stop: Value, pending: Pending, ofStop: boolean): Steps<Value> {
  if (!ofStop) carry = yield pending;
  if (stop !== EMPTY && verdict("Loop", "stop", ofStop ? yield pending : yield ctx.call(stop, [monadic(carry)]))) return carry;
  for (;;) {
    carry = yield ctx.call(step, [monadic(carry)]);
    if (stop !== EMPTY && verdict("Loop", "stop", yield ctx.call(stop, [monadic(carry)]))) return carry;
  }
}

export const range: HostFunction = defineHost({
  pkg: "",
  name: "Range",
  doc: "Calls with(carry, elem) for each element in order, collecting emits; returns (image, residue).",
  params: [
    namedParam("over", T.any, "the list to iterate over"),
    namedParam("with", T.variety, "called as with(carry, elem); returns (emit, carry) or empty", false),
    namedParam("start", T.any, "the first carry"),
    namedParam("stop", T.variety, "called with the carry after each element; true ends the iteration"),
  ],
  result: T.struct({ image: T.any, residue: T.any }),
  effects: "pure",
  async: true,
  impl: ([over, withV, start, stop], ctx) => rangeNow(ctx, lift(over!), withV!, start!, stop!),
});

/** What Range has gathered so far. */
interface Ranged {
  carry: Value;
  readonly image: Value[];
}

/** Takes the result of `with` for one element into `acc`. */
function takeResult(acc: Ranged, r: Value): void {
  if (r instanceof Struct) {
    acc.carry = r.get("carry");
    acc.image.push(r.get("emit")); // an Empty emit is dropped by listToValue
  } else if (r === EMPTY) {
    acc.carry = EMPTY;
  } else {
    throw misuse("Range", `with must return a structure or empty, got ${kindOf(r)}`);
  }
}

/** Both fields are present even when Empty: `(image: empty, residue: 5)`. */
function rangeResult(acc: Ranged): Value {
  return new Struct([field("image", listToValue(acc.image)), field("residue", acc.carry)]);
}

/** Range as Loop runs (see loopNow): plainly while the calls finish synchronously, then driven. */
function rangeNow(ctx: HostContext, over: readonly Value[], withV: Value, start: Value, stop: Value): Value | Promise<Value> {
  const clock = new Clock(ctx.signal);
  const acc: Ranged = { carry: start, image: [] };
  const callWith = repeatedCall(ctx, withV, ["carry", "elem"]);
  const callStop = stop === EMPTY ? undefined : repeatedCall(ctx, stop, [""]);
  for (let i = 0; i < over.length; i++) {
    const r = callWith(acc.carry, over[i]);
    if (isThenable(r)) return drive(ranging(ctx, over, withV, stop, acc, i, r, false), ctx.signal, clock);
    if (clock.tick()) return drive(ranging(ctx, over, withV, stop, acc, i, pauseThen(clock, r), false), ctx.signal, clock);
    takeResult(acc, r);
    if (callStop === undefined) continue;
    const done = callStop(acc.carry);
    if (isThenable(done)) return drive(ranging(ctx, over, withV, stop, acc, i, done, true), ctx.signal, clock);
    if (clock.tick()) return drive(ranging(ctx, over, withV, stop, acc, i, pauseThen(clock, done), true), ctx.signal, clock);
    if (verdict("Range", "stop", done)) break;
  }
  return rangeResult(acc);
}

/**
 * The rest of a Range from element `from`, whose call is `pending`: the call of `with` on it (or,
 * with `ofStop`, the call of `stop` after it).
 */
function* ranging(
  ctx: HostContext,
  over: readonly Value[],
  withV: Value,
  stop: Value,
  acc: Ranged,
  from: number,
  pending: Pending,
  ofStop: boolean,
): Steps<Value> {
  for (let i = from; i < over.length; i++) {
    const first = i === from;
    if (!(first && ofStop))
      takeResult(acc, first ? yield pending : yield ctx.call(withV, [field("carry", acc.carry), field("elem", over[i]!)]));
    if (stop !== EMPTY && verdict("Range", "stop", first && ofStop ? yield pending : yield ctx.call(stop, [monadic(acc.carry)]))) break;
  }
  return rangeResult(acc);
}

export const panic: HostFunction = defineHost({
  pkg: "",
  name: "Panic",
  doc: "Raises a panic carrying the value built from its arguments, as a bracket would build it.",
  params: [],
  result: T.any,
  effects: "pure",
  raw: (fields) => {
    throw new KoPanic(construct(fields));
  },
});

export const recover: HostFunction = defineHost({
  pkg: "",
  name: "Recover",
  doc: "Returns invoke(); if it panics, returns panic(<panic value>). Errors are not caught.",
  params: [
    namedParam("invoke", T.variety, "invoked with no arguments", false),
    namedParam("panic", T.variety, "invoked with the panic value as its unnamed argument", false),
  ],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([invoke, handler], ctx) => drive(recovering(ctx, invoke!, handler!), ctx.signal),
});

function* recovering(ctx: HostContext, invoke: Value, handler: Value): Steps<Value> {
  let caught: KoPanic;
  try {
    return yield ctx.call(invoke, []);
  } catch (e) {
    if (!(e instanceof KoPanic)) throw e; // errors and cancellations go on (D15)
    caught = e;
  }
  return yield ctx.call(handler, [monadic(caught.value)]);
}

export const hang: HostFunction = defineHost({
  pkg: "",
  name: "Hang",
  doc: "Never returns (until the run is cancelled).",
  params: [],
  result: T.any,
  effects: "time",
  async: true,
  impl: (_args, ctx) => hangUntilAborted(ctx.signal),
});

/**
 * A promise that settles only when `signal` aborts, and then with the cancellation. A timer
 * keeps the process alive meanwhile: a hanging program must hang, not quietly exit.
 */
function hangUntilAborted(signal: AbortSignal): Promise<Value> {
  return new Promise<Value>((_resolve, reject) => {
    if (signal.aborted) return reject(cancellation(signal));
    const keepAlive = setInterval(() => {}, 1 << 30);
    signal.addEventListener(
      "abort",
      () => {
        clearInterval(keepAlive);
        reject(cancellation(signal));
      },
      { once: true },
    );
  });
}

const invokedVariety = valueParam("the variety to invoke", T.variety, false);

export const parallel: HostFunction = defineHost({
  pkg: "",
  name: "Parallel",
  doc: "Invokes the variety; its body's steps run concurrently, as every body does (D5).",
  params: [invokedVariety],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([v], ctx) => ctx.call(v!, []),
});

export const sequential: HostFunction = defineHost({
  pkg: "",
  name: "Sequential",
  doc: "Invokes the variety, running its body one step at a time in source order (D5, D31).",
  params: [invokedVariety],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([v], ctx) => ctx.call(v!, [], "sequential"),
});

export const profile: HostFunction = defineHost({
  pkg: "",
  name: "Profile",
  doc: "Invokes the variety and returns (returns: <its result>, duration: <nanoseconds>).",
  params: [invokedVariety],
  result: T.struct({ returns: T.any, duration: T.int64 }),
  effects: "time",
  async: true,
  impl: ([v], ctx) => {
    const started = process.hrtime.bigint();
    return andThen(ctx.call(v!, []), (returns) => {
      const duration = int64(process.hrtime.bigint() - started);
      return new Struct([field("returns", returns), field("duration", duration)]);
    });
  },
});

export const controlBuiltins: readonly HostFunction[] = [
  yieldBuiltin,
  when,
  loop,
  range,
  panic,
  recover,
  hang,
  parallel,
  sequential,
  profile,
];
