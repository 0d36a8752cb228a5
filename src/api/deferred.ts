/**
 * Which unresolved references a run certainly executes (D33). A reference that could not be
 * resolved is compiled as a step that calls a function that fails (compile/unresolved.ts). Like a
 * type error (reference 3.7), it refuses a run only when the failure is certain: the step runs
 * whenever its function runs, and the entry certainly calls that function. One in a function
 * that only may be called — in a branch, a case of a Switch, a variety that may not be invoked —
 * is left to fail if it runs, as the original fails.
 */
import { isUnresolved } from "../compile/unresolved.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { TypeReport } from "../types/index.js";
import { Variety } from "../value/value.js";

/** The diagnostics of the unresolved references that the checked entries certainly call. */
export function certainlyUnresolved(report: TypeReport): Diagnostic[] {
  const found = new Set<Diagnostic>();
  for (const [spec, reach] of report.reached) {
    if (!reach.certain) continue;
    const steps = spec.fn.circuit.steps;
    const types = spec.steps;
    // Not inferred (a checking limit was reached): nothing is certain there.
    if (types.length !== steps.length) continue;
    // As the checker runs a body: once a step never produces a value, later steps may not run.
    let returns = true;
    steps.forEach((step, i) => {
      const runs = returns && !step.deps.some((d) => types[d]!.k === "never");
      if (runs && step.op.op === "invoke") {
        const callee = steps[step.op.callee]!.op;
        if (callee.op === "const" && callee.value instanceof Variety && isUnresolved(callee.value.callable)) {
          found.add(callee.value.callable.unresolved);
        }
      }
      if (types[i]!.k === "never") returns = false;
    });
  }
  return [...found];
}
