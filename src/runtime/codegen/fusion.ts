/**
 * Which `Yield(if: c, then: f, else: g)()` of a circuit the code generator turns into a branch.
 *
 * The pattern is Ko's conditional call: `Yield` picks one of two varieties and the step after it
 * invokes the one picked. Run as written it builds both varieties (`Return[n]`, `fibRec[n]`),
 * calls `Yield` and invokes the result; fused, it tests the condition and calls the chosen
 * function with its arguments, building neither variety. Nothing of that is observable: an
 * augmentation of a function named by a constant cannot fail and has no effect, and it is left
 * out only when the `Yield` step is its one reader.
 */
import { KoFunction, type ArgGroup, type Circuit } from "../../compile/circuit.js";
import { Variety } from "../../value/value.js";

/** One branch of a fused `Yield`: what the chosen step invokes. */
export type Branch =
  /** The branch is the value of step `step`, invoked with no arguments. */
  | { readonly kind: "value"; readonly step: number }
  /**
   * The branch is `callee[groups]`, an augmentation of a function named by a constant (step
   * `step`, left out of the body): the function is invoked with those arguments directly.
   */
  | { readonly kind: "augmented"; readonly step: number; readonly callee: Variety; readonly groups: readonly ArgGroup[] };

export interface FusedYield {
  /** The `Yield(...)` step and the step that invokes its result (right after it in the body). */
  readonly yieldStep: number;
  readonly callStep: number;
  /** The step of the condition. */
  readonly condition: number;
  readonly then: Branch;
  readonly else: Branch;
  /** The `Yield` variety itself, for the unfused path (a hook that watches it, a condition not a Bool). */
  readonly yieldVariety: Variety;
}

/**
 * The fusable `Yield(...)()` pairs of `circuit`, by the position of their `Yield` step in
 * `active` (the body's order of steps that compute something).
 */
export function findFusedYields(circuit: Circuit, active: Int32Array): Map<number, FusedYield> {
  const found = new Map<number, FusedYield>();
  const steps = circuit.steps;
  for (let k = 0; k + 1 < active.length; k++) {
    const y = active[k]!;
    const c = active[k + 1]!;
    const yieldOp = steps[y]!.op;
    const callOp = steps[c]!.op;
    // The call right after the Yield, of its result and nothing else, is the Yield's one reader.
    if (callOp.op !== "invoke" || callOp.callee !== y || callOp.groups.length !== 0 || steps[c]!.deps.some((d) => d !== y)) continue;
    if (yieldOp.op !== "invoke" || y === circuit.ret || circuit.dependents[y]!.some((d) => d !== c)) continue;
    const callee = steps[yieldOp.callee]!.op;
    if (callee.op !== "const" || !isYield(callee.value)) continue;
    const input = (name: string): number | undefined => {
      const g = yieldOp.groups.filter((g) => g.name === name);
      return g.length === 1 && g[0]!.inputs.length === 1 ? g[0]!.inputs[0] : undefined;
    };
    const condition = input("if");
    const then = input("then");
    const otherwise = input("else");
    if (yieldOp.groups.length !== 3 || condition === undefined || then === undefined || otherwise === undefined) continue;
    // Yield's dependencies are its callee and three terms (an ordering term `_: x` would be another).
    if (steps[y]!.deps.some((d) => d !== yieldOp.callee && d !== condition && d !== then && d !== otherwise)) continue;
    found.set(k, {
      yieldStep: y,
      callStep: c,
      condition,
      then: branchOf(circuit, then, y, otherwise),
      else: branchOf(circuit, otherwise, y, then),
      yieldVariety: callee.value as Variety,
    });
  }
  return found;
}

function isYield(v: unknown): boolean {
  if (!(v instanceof Variety) || v.fields.length !== 0 || v.callable instanceof KoFunction) return false;
  const fn = v.callable as { pkg?: string; name?: string };
  return fn.pkg === "" && fn.name === "Yield";
}

/** Branch `step` of the Yield step `y`; `other` is the other branch's step. */
function branchOf(circuit: Circuit, step: number, y: number, other: number): Branch {
  const op = circuit.steps[step]!.op;
  if (op.op !== "augment" || step === other || step === circuit.ret) return { kind: "value", step };
  if (circuit.dependents[step]!.some((d) => d !== y)) return { kind: "value", step };
  const callee = circuit.steps[op.callee]!.op;
  if (callee.op !== "const" || !(callee.value instanceof Variety) || callee.value.fields.length !== 0) return { kind: "value", step };
  // A group of several terms makes a sequence, which can fail (mixed kinds): that failure belongs
  // to the augmentation's own step, so such a branch is built as written.
  if (op.groups.some((g) => g.inputs.length !== 1)) return { kind: "value", step };
  return { kind: "augmented", step, callee: callee.value, groups: op.groups };
}
