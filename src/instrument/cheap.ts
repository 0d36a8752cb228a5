/**
 * Functions too cheap to be worth a layer's attention: their bodies call only builtins with fast
 * forms (arithmetic, comparisons, `Yield`, construction: host/binding.ts FastForms), so they can
 * neither loop, nor recurse, nor have effects, nor read anything. Looking a call of one up in the
 * cache costs more than running it, and journaling its steps more than running them again on
 * resume. Decided once per function, from its code.
 */
import { KoFunction } from "../compile/circuit.js";
import type { HostFunction } from "../host/binding.js";
import { Variety } from "../value/value.js";

const decided = new WeakMap<KoFunction, boolean>();

export function onlyFastBuiltins(fn: KoFunction): boolean {
  let cheap = decided.get(fn);
  if (cheap === undefined) decided.set(fn, (cheap = decide(fn)));
  return cheap;
}

function decide(fn: KoFunction): boolean {
  const steps = fn.circuit.steps;
  for (const step of steps) {
    if (step.op.op !== "invoke") continue;
    const callee = steps[step.op.callee]!.op;
    if (callee.op !== "const" || !(callee.value instanceof Variety)) return false;
    const c = callee.value.callable;
    if (c instanceof KoFunction || (c as HostFunction).fast === undefined) return false;
  }
  return true;
}
