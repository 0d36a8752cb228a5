/**
 * Builtins of named packages, reachable through an import (reference 6.5, D29):
 *
 * - `integer`: the integer-only arithmetic (`Sum`, `Prod`, `Ratio`, `Moduli`, `Negative`, `Less`,
 *   the same as the core ones) and `integer.Equal`, which unlike `Equal` accepts only a
 *   non-empty list of integers;
 * - `circuit`: `PkgPath`, the package path of the calling function.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { equal } from "../value/equal.js";
import { lift } from "../value/value.js";
import { arithmeticBuiltins, checkSignedness } from "./arith.js";
import { valueParam } from "./common.js";

export const integerEqual: HostFunction = defineHost({
  pkg: "integer",
  name: "Equal",
  doc: "True if the integers (one at least, all signed or all unsigned) are equal, types included.",
  params: [valueParam("the integers, one or a sequence", T.list(T.integer), false)],
  result: T.bool,
  effects: "pure",
  impl: ([v]) => {
    const list = lift(v!);
    checkSignedness("integer.Equal", list);
    for (let i = 1; i < list.length; i++) if (!equal(list[i - 1]!, list[i]!)) return false;
    return true;
  },
});

export const pkgPath: HostFunction = defineHost({
  pkg: "circuit",
  name: "PkgPath",
  doc: "The package path of the calling function.",
  params: [],
  result: T.string,
  // Not pure: the result depends on where the call is, not on its arguments.
  effects: "io",
  dryRun: "runs",
  impl: (_args, ctx) => ctx.callerPackage,
});

export const packageBuiltins: readonly HostFunction[] = [...arithmeticBuiltins("integer"), integerEqual, pkgPath];
