/**
 * Which steps of a body can only ever be in flight alone: those that every other computing step of
 * the body either comes before (transitively) or waits for. While such a step runs, the steps
 * before it have settled and those after it cannot start, so the body can fail only by its failing
 * (eval.ts, Frame.hostSignal, relies on this).
 */
import type { Circuit } from "../compile/circuit.js";

/** Whether step `i` of `circuit` runs alone; `active` are the body's computing steps (not constants or parameters). */
export function runsAlone(circuit: Circuit, active: Int32Array, i: number): boolean {
  const related = new Uint8Array(circuit.steps.length);
  related[i] = 1;
  // In a DAG, what a step waits for and what waits for it are disjoint: one mark serves both walks.
  mark(related, i, (j) => circuit.steps[j]!.deps);
  mark(related, i, (j) => circuit.dependents[j]!);
  for (let k = 0; k < active.length; k++) if (related[active[k]!] === 0) return false;
  return true;
}

/** Marks every step reachable from `from` along `next`. */
function mark(marked: Uint8Array, from: number, next: (j: number) => readonly number[]): void {
  const stack = [from];
  while (stack.length > 0) {
    for (const d of next(stack.pop()!)) {
      if (marked[d] === 0) {
        marked[d] = 1;
        stack.push(d);
      }
    }
  }
}
