/**
 * Boolean builtins: `And`, `Or`, `Xor` over a list of Bools, and `Not`. All arguments have
 * been evaluated before any of these runs, so there is no short-circuiting to speak of.
 */
import { defineHost, type HostFunction, type ParamSpec } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { lift, type Value } from "../value/value.js";

const series: ParamSpec = {
  name: "series",
  monadic: true,
  type: T.list(T.bool),
  optional: true,
  doc: "the Bools, one or a sequence; none is allowed",
};

/** A builtin that folds the (already type-checked) Bools of its series. */
function booleanFold(name: string, doc: string, fold: (bools: readonly boolean[]) => boolean): HostFunction {
  return defineHost({
    pkg: "",
    name,
    doc,
    params: [series],
    result: T.bool,
    effects: "pure",
    impl: ([s]) => fold(lift(s!) as readonly boolean[]),
  });
}

export const and = booleanFold("And", "True unless one of the Bools is false; And() is true.", (bs) => !bs.includes(false));

export const or = booleanFold("Or", "True if one of the Bools is true; Or() is false.", (bs) => bs.includes(true));

export const xor = booleanFold("Xor", "True if an odd number of the Bools are true.", (bs) => bs.reduce((odd, b) => odd !== b, false));

export const not: HostFunction = defineHost({
  pkg: "",
  name: "Not",
  doc: "Negates a Bool; a missing one counts as false, so Not() is true.",
  params: [{ name: "bool", monadic: true, type: T.bool, optional: true, doc: "the Bool to negate" }],
  result: T.bool,
  effects: "pure",
  impl: ([b]) => (b as Value) !== true,
});

export const logicBuiltins: readonly HostFunction[] = [and, or, xor, not];
