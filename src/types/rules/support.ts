/**
 * Pieces the builtins' typing rules share: how a builtin invokes a variety it was given, lifts a
 * list, assembles one, wants a Bool back, and iterates a carry.
 */
import type { HostFunction } from "../../host/binding.js";
import type { CallCtx } from "../context.js";
import { kindOfTy } from "../show.js";
import {
  EMPTY,
  NEVER,
  UNKNOWN,
  alternatives,
  cut,
  emptiness,
  join,
  maybeEmpty,
  narrow,
  sameType,
  sequence,
  withoutEmpty,
  type StaticType,
  type TyField,
} from "../static-type.js";

/** A builtin's typing rule: the static type of a call's result (Never if it certainly fails). */
export type Rule = (ctx: CallCtx, fn: HostFunction, fields: readonly TyField[]) => StaticType;

/** The unnamed argument of a call a builtin makes (`monadic(v)` in src/builtins/common.ts). */
export function monadic(type: StaticType): TyField {
  return { name: "", type };
}

/**
 * Invokes a variety that may be absent, as `When` and `Loop` do: Empty means "not given" and
 * the call is skipped.
 */
export function invokeIfGiven(ctx: CallCtx, v: StaticType, fields: readonly TyField[], certain: boolean): StaticType {
  switch (emptiness(v)) {
    case "yes":
      return EMPTY;
    case "no":
      return ctx.invoke(v, fields, certain);
    case "maybe":
      return join(EMPTY, ctx.invoke(withoutEmpty(v), fields, false));
  }
}

/** What a builtin sees of a list it lifts (reference 4.4): its elements' type and how many there are. */
export interface Lifted {
  /** The join of the elements' types (Never if there can be none). */
  readonly elem: StaticType;
  /** The fewest elements it may have, and whether it may have two or more. */
  readonly min: number;
  readonly many: boolean;
}

export function lifted(t: StaticType): Lifted {
  if (t.k === "unknown") return { elem: UNKNOWN, min: 0, many: true };
  let elem: StaticType = NEVER;
  let min = Infinity;
  let many = false;
  for (const a of alternatives(t)) {
    if (a.k === "empty") min = 0;
    else if (a.k === "sequence") {
      elem = join(elem, a.elem);
      min = Math.min(min, a.min);
      many = true;
    } else {
      elem = join(elem, a);
      min = Math.min(min, 1);
    }
  }
  return { elem, min: min === Infinity ? 0 : min, many };
}

/** A list that a builtin assembles (4.4 rule b): Empty when it has no elements, else a sequence. */
export function assembled(elem: StaticType, min: number): StaticType {
  if (elem.k === "never") return EMPTY;
  const seq = sequence(elem, min >= 2 ? 2 : 1);
  return min >= 1 ? seq : maybeEmpty(seq);
}

/** Checks that a predicate variety's result is a Bool (`verdict` in src/builtins/common.ts). */
export function verdict(ctx: CallCtx, fn: string, what: string, result: StaticType): void {
  if (result.k === "never" || result.k === "unknown") return;
  const bools = alternatives(result).filter((a) => a.k === "basic" && a.name === "Bool");
  if (bools.length === alternatives(result).length) return;
  const other = narrow(result, (a) => !(a.k === "basic" && a.name === "Bool"));
  ctx.fail("type/not-bool", `${fn}: ${what} must return a Bool, got ${kindOfTy(other)}`, bools.length === 0);
}

/**
 * Iterates a builtin's carry to a fixpoint: the least type covering `start` and every carry
 * `next` makes from one it covers. Computed without recording anything; the caller then checks
 * its calls once with the result.
 */
export function carryFixpoint(ctx: CallCtx, start: StaticType, next: (carry: StaticType) => StaticType): StaticType {
  let carry = start;
  for (let i = 0; i < 12; i++) {
    const step = ctx.trial(() => next(carry));
    const joined = join(carry, step);
    const covered = cut(joined);
    if (covered !== joined) ctx.widened();
    if (sameType(covered, carry)) return carry;
    carry = covered;
  }
  ctx.widened();
  return UNKNOWN;
}

/** A verdict the checker knows is `true`: the iteration certainly ends there. */
export function alwaysTrue(t: StaticType): boolean {
  const alts = alternatives(t);
  return alts.length > 0 && alts.every((a) => a.k === "basic" && a.literal === true);
}
