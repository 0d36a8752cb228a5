/**
 * Control builtins: choosing (`Yield`, `When`), invoking (`Parallel`, `Sequential`, `Profile`,
 * `Recover`, `Spin`), `Memory`, iterating (`Loop`, `Range`) — and `os.Exit`, which never returns.
 */
import type { HostFunction } from "../../host/binding.js";
import type { CallCtx } from "../context.js";
import { checkParams } from "../host.js";
import { kindOfTy } from "../show.js";
import {
  EMPTY,
  INT64,
  NEVER,
  STRING,
  UNKNOWN,
  alternatives,
  emptiness,
  fieldTy,
  join,
  maybeEmpty,
  sequence,
  structure,
  variety,
  withoutEmpty,
  type StaticType,
  type TyField,
} from "../static-type.js";
import { checkSelfUnifiable } from "../unify.js";
import { alwaysTrue, carryFixpoint, invokeIfGiven, lifted, monadic, verdict, type Rule } from "./support.js";

/** `Yield`: then or else, as the Bool decides; both when the checker does not know it. */
export const yieldRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [condition, then, otherwise] = args as [StaticType, StaticType, StaticType];
  let out: StaticType = NEVER;
  const may = (b: boolean) =>
    condition.k === "unknown" || alternatives(condition).some((a) => a.k === "basic" && (a.literal === undefined || a.literal === b));
  if (may(true)) out = join(out, then);
  if (may(false)) out = join(out, otherwise);
  return out;
};

/** `When`: then(have) if have is not Empty, else else(); Empty when the chosen one is absent. */
export const whenRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [have, then, otherwise] = args as [StaticType, StaticType, StaticType];
  const e = emptiness(have);
  let out: StaticType = NEVER;
  if (e !== "yes") out = join(out, invokeIfGiven(ctx, then, [monadic(withoutEmpty(have))], e === "no"));
  if (e !== "no") out = join(out, invokeIfGiven(ctx, otherwise, [], e === "yes"));
  return out;
};

/** `Parallel`, `Sequential`: invoke the variety now. */
export const invokeNowRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  return failed ? NEVER : ctx.invoke(args[0]!, [], true);
};

export const profileRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const returns = ctx.invoke(args[0]!, [], true);
  if (returns.k === "never") return NEVER;
  return structure([
    { name: "returns", type: returns },
    { name: "duration", type: INT64 },
  ]);
};

/**
 * `Recover`: invoke() certainly; panic(<panic value>) only if it panics, with a value of any
 * type — so its result is Unknown to the handler.
 */
export const recoverRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [invoke, handler] = args as [StaticType, StaticType];
  const returned = ctx.invoke(invoke, [], true);
  const handled = ctx.invoke(handler, [monadic(UNKNOWN)], false);
  return join(returned, handled);
};

/**
 * `Spin`: the spun call runs on its own; its failure matters only to whoever waits (D32), so it
 * is checked as a possible one here and again, as certain, where `Wait` is invoked.
 */
export const spinRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const spun = args[0]!;
  ctx.invoke(spun, [], false);
  return structure([{ name: "Wait", type: variety({ k: "wait", spun }) }]);
};

export const memoryRule: Rule = () =>
  structure([
    { name: "name", type: STRING },
    { name: "Remember", type: variety({ k: "memory", method: "Remember" }) },
    { name: "Recall", type: variety({ k: "memory", method: "Recall" }) },
    { name: "Flush", type: variety({ k: "memory", method: "Flush" }) },
  ]);

/**
 * `Loop`: carry := step(carry) from start until stop(carry) is true. The first step and stop
 * certainly run; later ones only if stop said false. Without stop it never returns.
 */
export const loopRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [start, step, stop] = args as [StaticType, StaticType, StaticType];
  const stepOf = (carry: StaticType) => ctx.invoke(step, [monadic(carry)], true);
  const first = stepOf(start);
  if (first.k === "never") return NEVER;
  const stops = emptiness(stop) !== "yes";
  const later = carryFixpoint(ctx, first, stepOf);
  if (!stops) {
    ctx.invoke(step, [monadic(later)], true);
    return NEVER;
  }
  const stopOf = (carry: StaticType, certain: boolean): StaticType => {
    const said = invokeIfGiven(ctx, stop, [monadic(carry)], certain);
    verdict(ctx.within(certain), "Loop", "stop", said);
    return said;
  };
  if (alwaysTrue(stopOf(first, true))) return first;
  const next = ctx.invoke(step, [monadic(later)], false);
  stopOf(join(first, next), false);
  return join(first, next);
};

/**
 * `Range`: r := with(carry, elem) for each element; a structure r gives the next carry and an
 * emit, Empty resets the carry; stop(carry) after each element may end it early. Returns
 * (image: the emits, residue: the last carry, or start when there are no elements).
 */
export const rangeRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [over, withV, start, stop] = args as [StaticType, StaticType, StaticType, StaticType];
  const items = lifted(over);
  if (items.elem.k === "never") return rangeResult(EMPTY, start);
  const certain = items.min >= 1;
  const call = (carry: StaticType, certainly: boolean) =>
    ctx.invoke(
      withV,
      [
        { name: "carry", type: carry },
        { name: "elem", type: items.elem },
      ],
      certainly,
    );
  const outcome = (r: StaticType, certainly: boolean) => rangeOutcome(ctx.within(certainly), r);
  const first = outcome(call(start, certain), certain);
  if (certain && first.carry.k === "never") return NEVER;
  const stops = emptiness(stop) !== "yes";
  const stopOf = (carry: StaticType, certainly: boolean): StaticType => {
    const said = invokeIfGiven(ctx, stop, [monadic(carry)], certainly);
    verdict(ctx.within(certainly), "Range", "stop", said);
    return said;
  };
  const stopsFirst = stops && alwaysTrue(stopOf(first.carry, certain));
  // A single value is one element: only a sequence has later ones.
  let rest: { carry: StaticType; emit: StaticType } = { carry: NEVER, emit: NEVER };
  if (items.many && !stopsFirst) {
    const later = carryFixpoint(ctx, first.carry, (carry) => rangeOutcome(ctx, call(carry, false)).carry);
    rest = outcome(call(later, false), false);
    if (stops) stopOf(rest.carry, false);
  }
  const emits = join(first.emit, rest.emit);
  const unify = checkSelfUnifiable(emits);
  if (unify.failure) ctx.fail("type/unify", unify.failure.message, false);
  const emitted = withoutEmpty(emits);
  const image =
    emitted.k === "never" ? EMPTY : certain && emptiness(first.emit) === "no" ? sequence(emitted) : maybeEmpty(sequence(emitted));
  let residue = join(first.carry, rest.carry);
  if (!certain) residue = join(residue, start);
  return rangeResult(image, residue);
};

function rangeResult(image: StaticType, residue: StaticType): StaticType {
  // Both fields are there even when Empty: `(image: empty, residue: 5)`.
  return structure([
    { name: "image", type: image },
    { name: "residue", type: residue },
  ]);
}

/** The carry and emit of one `with` result: a structure's fields, Empty for Empty, else an error. */
function rangeOutcome(ctx: CallCtx, r: StaticType): { carry: StaticType; emit: StaticType } {
  if (r.k === "unknown") return { carry: UNKNOWN, emit: UNKNOWN };
  let carry: StaticType = NEVER;
  let emit: StaticType = NEVER;
  let refused: StaticType = NEVER;
  for (const a of alternatives(r)) {
    if (a.k === "structure") {
      carry = join(carry, fieldTy(a, "carry") ?? EMPTY);
      emit = join(emit, fieldTy(a, "emit") ?? EMPTY);
    } else if (a.k === "empty") {
      carry = join(carry, EMPTY);
      emit = join(emit, EMPTY);
    } else {
      refused = join(refused, a);
    }
  }
  if (refused.k !== "never") {
    ctx.fail("type/builtin", `Range: with must return a structure or empty, got ${kindOfTy(refused)}`, carry.k === "never");
  }
  return { carry, emit };
}

/** `os.Exit` ends the process (it unwinds the run with KoExit): it never returns. */
export function exitRule(ctx: CallCtx, fn: HostFunction, fields: readonly TyField[]): StaticType {
  checkParams(ctx, fn, fields);
  return NEVER;
}
