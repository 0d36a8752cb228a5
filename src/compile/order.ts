/**
 * Kahn's algorithm, always taking the ready step that appears first in the source (D31): the one
 * with the smallest source offset, then the one created first. This order — dependencies first,
 * ties broken by source order — is what `Sequential` runs and what the evaluator walks.
 *
 * It runs once per function of every program loaded, so it works on typed arrays: a step's
 * dependents in one flat array (each step's run of it from `first[i]`), a repeated input counted
 * once by stamping it with the step that saw it, and a binary heap of step indices ordered by
 * (offset, index) without a comparator closure. The arrays are kept from one sort to the next
 * (grown when a function needs more): allocating seven typed arrays cost more than sorting the
 * few dozen steps of a function.
 */
import type { Step } from "./circuit.js";

/** The steps' indices in topological order; `start(i)` is where step i starts in the source. */
export function topoOrder(steps: readonly Pick<Step, "deps">[], start: (index: number) => number): number[] {
  return work.sort(steps, start);
}

/** The arrays of one sort; a sort reads only what it wrote, so none needs clearing. */
class TopoSort {
  private offsets = new Float64Array(0);
  /** How many distinct inputs of each step are not yet in the order. */
  private waiting = new Int32Array(0);
  /** Where each step's dependents start in `dependents` (n + 1 entries). */
  private first = new Int32Array(0);
  private stamp = new Int32Array(0);
  private fill = new Int32Array(0);
  private dependents = new Int32Array(0);
  private heap = new Int32Array(0);

  sort(steps: readonly Pick<Step, "deps">[], start: (index: number) => number): number[] {
    const n = steps.length;
    this.reserve(n, steps);
    const { offsets, waiting, first, stamp, fill, dependents } = this;
    for (let i = 0; i < n; i++) offsets[i] = start(i);
    waiting.fill(0, 0, n);
    first.fill(0, 0, n + 1);
    stamp.fill(-1, 0, n);
    for (let i = 0; i < n; i++) {
      for (const d of steps[i]!.deps) {
        if (stamp[d] === i) continue;
        stamp[d] = i;
        waiting[i]!++;
        first[d + 1]!++;
      }
    }
    for (let i = 0; i < n; i++) {
      first[i + 1]! += first[i]!;
      fill[i] = first[i]!;
    }
    stamp.fill(-1, 0, n);
    for (let i = 0; i < n; i++) {
      for (const d of steps[i]!.deps) {
        if (stamp[d] === i) continue;
        stamp[d] = i;
        dependents[fill[d]!++] = i;
      }
    }
    let size = 0;
    for (let i = 0; i < n; i++) if (waiting[i] === 0) size = this.push(size, i);
    const order = new Array<number>(n);
    let placed = 0;
    while (size > 0) {
      const i = this.heap[0]!;
      size = this.pop(size);
      order[placed++] = i;
      for (let k = first[i]!, end = first[i + 1]!; k < end; k++) {
        const j = dependents[k]!;
        if (--waiting[j]! === 0) size = this.push(size, j);
      }
    }
    if (placed !== n) throw new Error("cycle among steps (the resolver should have reported it)");
    return order;
  }

  /** Grows the arrays to hold `n` steps and their inputs. */
  private reserve(n: number, steps: readonly Pick<Step, "deps">[]): void {
    if (this.waiting.length < n) {
      const size = Math.max(n, 2 * this.waiting.length);
      this.offsets = new Float64Array(size);
      this.waiting = new Int32Array(size);
      this.first = new Int32Array(size + 1);
      this.stamp = new Int32Array(size);
      this.fill = new Int32Array(size);
      this.heap = new Int32Array(size);
    }
    let inputs = 0;
    for (let i = 0; i < n; i++) inputs += steps[i]!.deps.length;
    if (this.dependents.length < inputs) this.dependents = new Int32Array(Math.max(inputs, 2 * this.dependents.length));
  }

  /** Whether step x comes before step y among ready steps: by source offset, then creation. */
  private before(x: number, y: number): boolean {
    const ox = this.offsets[x]!;
    const oy = this.offsets[y]!;
    return ox < oy || (ox === oy && x < y);
  }

  /** Adds x to the min-heap of the first `size` entries of `heap`; returns the new size. */
  private push(size: number, x: number): number {
    const a = this.heap;
    let i = size;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(x, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
    return size + 1;
  }

  /** Removes the heap's least entry; returns the new size. */
  private pop(size: number): number {
    const a = this.heap;
    const last = a[--size]!;
    if (size > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && this.before(a[r]!, a[l]!) ? r : l;
        if (!this.before(a[c]!, last)) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return size;
  }
}

const work = new TopoSort();
