/**
 * Binding arguments to parameters (reference 5.1) worked out once for many calls: when the names
 * of the argument fields are known before their values — the terms of a bracket in a compiled
 * body, the fields a builtin such as `Loop` passes on every turn — which field each parameter
 * takes is known too, and a call only has to put values in place.
 */
import type { ParamInfo } from "../compile/circuit.js";

/** Where a parameter's value comes from: field `k` of the argument list, or nowhere (Empty). */
export type Source = number | undefined;

/**
 * For each parameter, the index in `names` (the argument fields' names, in order; "" for the
 * unnamed one) of the field it is bound to, by the rules of eval.ts bindParams: the first field
 * of the parameter's name, else, for the monadic parameter, the first unnamed field.
 */
export function planBinding(params: readonly ParamInfo[], names: readonly string[]): Source[] {
  return params.map(({ name, monadic }) => {
    const named = names.indexOf(name);
    if (named >= 0) return named;
    const unnamed = monadic ? names.indexOf("") : -1;
    return unnamed >= 0 ? unnamed : undefined;
  });
}
