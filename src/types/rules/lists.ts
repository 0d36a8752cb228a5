/** Builtins over lists: `Merge`, `Take` and `Sort` (reference 6.3, 4.4). */
import { checkParams } from "../host.js";
import {
  EMPTY,
  NEVER,
  UNKNOWN,
  alternatives,
  emptiness,
  join,
  joinAll,
  maybeEmpty,
  sequence,
  structure,
  withoutEmpty,
  type StaticType,
} from "../static-type.js";
import { checkSelfUnifiable } from "../unify.js";
import { assembled, lifted, verdict, type Rule } from "./support.js";

export const mergeRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const outer = lifted(args[0]!);
  const inner = lifted(outer.elem);
  const elem = outer.elem.k === "unknown" ? UNKNOWN : inner.elem;
  const unify = checkSelfUnifiable(elem);
  if (unify.failure) ctx.fail("type/unify", unify.failure.message, false);
  return assembled(elem, outer.min >= 1 ? 1 : 0);
};

/** `Take`: (first, remainder) of the list given as `value`, or else as `from`; Empty for none. */
export const takeRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [value, from] = args as [StaticType, StaticType];
  const source = emptiness(value) === "no" ? value : emptiness(value) === "yes" ? from : join(withoutEmpty(value), from);
  if (source.k === "unknown") return UNKNOWN;
  return joinAll(
    alternatives(source).map((a): StaticType => {
      if (a.k === "empty") return EMPTY;
      if (a.k !== "sequence")
        return structure([
          { name: "first", type: a },
          { name: "remainder", type: EMPTY },
        ]);
      const rest = sequence(a.elem, 1);
      return structure([
        { name: "first", type: a.elem },
        { name: "remainder", type: a.min === 2 ? rest : maybeEmpty(rest) },
      ]);
    }),
  );
};

/** `Sort`: calls less(left, right) for pairs, which needs two elements; must return a Bool. */
export const sortRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [over, less] = args as [StaticType, StaticType];
  const items = lifted(over);
  if (items.many) {
    const pair = [
      { name: "left", type: items.elem },
      { name: "right", type: items.elem },
    ];
    const verdictTy = ctx.invoke(less, pair, items.min >= 2);
    verdict(ctx.within(items.min >= 2), "Sort", "less", verdictTy);
    if (items.min >= 2 && verdictTy.k === "never") return NEVER;
  }
  return assembled(items.elem, items.min);
};
