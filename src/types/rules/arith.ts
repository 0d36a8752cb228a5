/** Integer arithmetic: `Sum`, `Prod`, `Ratio`, `Moduli`, `Negative`, `Less`, `integer.Equal` (reference 6.3). */
import type { HostFunction } from "../../host/binding.js";
import type { BasicType } from "../../value/value.js";
import type { CallCtx } from "../context.js";
import { checkParams } from "../host.js";
import { BOOL, NEVER, alternatives, basic, isSignedType, unionOf, type StaticType } from "../static-type.js";
import { lifted, type Rule } from "./support.js";

/**
 * The integers of a checked `T.list(T.integer)` argument: the type of their elements, after
 * checking that signed and unsigned are not mixed.
 */
function integers(ctx: CallCtx, fn: HostFunction, v: StaticType): StaticType {
  const elem = lifted(v).elem;
  const signs = new Set(alternatives(elem).flatMap((a) => (a.k === "basic" ? [isSignedType(a.name) ? "signed" : "unsigned"] : [])));
  if (signs.size > 1) {
    const signed = alternatives(elem).find((a) => a.k === "basic" && isSignedType(a.name)) as { name: BasicType };
    const unsigned = alternatives(elem).find((a) => a.k === "basic" && !isSignedType(a.name)) as { name: BasicType };
    // A sequence's elements unify, so only a join of two sequences mixes them: possibly.
    ctx.fail("type/not-integer", `${fn.displayName}: cannot mix signed and unsigned integers (${signed.name} and ${unsigned.name})`, false);
  }
  return elem;
}

/** Sum, Prod, Ratio, Moduli: the result has the type of the first element. */
export const foldRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  return plainIntegers(integers(ctx, fn, args[0]!));
};

/** The integer types of `t` without their literals (arithmetic computes new values). */
function plainIntegers(t: StaticType): StaticType {
  if (t.k === "unknown") return t;
  return unionOf(alternatives(t).map((a) => (a.k === "basic" ? basic(a.name) : a)));
}

export const negativeRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const v = args[0]!;
  const elem = integers(ctx, fn, v);
  const seqs = alternatives(v).filter((a) => a.k === "sequence");
  if (seqs.length > 0) {
    const always = seqs.length === alternatives(v).length && seqs.every((s) => s.k === "sequence" && s.min === 2);
    ctx.fail("type/builtin", `${fn.displayName}: expects exactly one integer, got ${always ? "2 or more" : "a sequence"}`, always);
    if (always) return NEVER;
  }
  return plainIntegers(elem);
};

/** Less and integer.Equal: integers in, a Bool out. */
export const compareRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  integers(ctx, fn, args[0]!);
  return BOOL;
};
