/**
 * References that could not be resolved, compiled as functions that fail when they are called
 * (D33). The original finds an unknown name or a missing package only when the step that uses it
 * runs; `ko run`, `ko play` and `ko test` do the same for code their entry functions cannot reach,
 * and refuse to run what certainly executes one. Each such reference is compiled as a step that
 * calls an `UnresolvedFunction`, which fails with the compile diagnostic's message and carries
 * the diagnostic, so that the steps a check finds certain tell which diagnostics stand in the way
 * of a run (api/deferred.ts).
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoError } from "../value/failure.js";

export interface UnresolvedFunction extends HostFunction {
  /** Why the reference could not be resolved. */
  readonly unresolved: Diagnostic;
}

/** A function named as the reference is written (`pb.Unmarshal`) that fails with the diagnostic's message. */
export function unresolvedFunction(text: string, diagnostic: Diagnostic): UnresolvedFunction {
  const fn = defineHost({
    pkg: "",
    name: text,
    doc: `${text} could not be resolved: ${diagnostic.message}`,
    params: [],
    result: T.any,
    effects: "pure",
    impl: () => {
      throw new KoError(diagnostic.message, diagnostic.code);
    },
  });
  return { ...fn, unresolved: diagnostic };
}

export function isUnresolved(fn: unknown): fn is UnresolvedFunction {
  return typeof fn === "object" && fn !== null && "unresolved" in fn;
}
