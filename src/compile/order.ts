/**
 * Kahn's algorithm, always taking the ready step that appears first in the source (D31): the one
 * with the smallest source offset, then the one created first. This order — dependencies first,
 * ties broken by source order — is what `Sequential` runs and what the evaluator walks.
 *
 * It runs once per function of every program loaded, so it works on typed arrays: a step's
 * dependents in one flat array (each step's run of it from `first[i]`), a repeated input counted
 * once by stamping it with the step that saw it, and a binary heap of step indices ordered by
 * (offset, index) without a comparator closure.
 */
export function topoOrder(deps: readonly (readonly number[])[], offsets: readonly number[]): number[] {
  const n = deps.length;
  const waiting = new Int32Array(n);
  const counts = new Int32Array(n + 1);
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const d of deps[i]!) {
      if (stamp[d] === i) continue;
      stamp[d] = i;
      waiting[i]!++;
      counts[d + 1]!++;
    }
  }
  const first = counts;
  for (let i = 0; i < n; i++) first[i + 1]! += first[i]!;
  const fill = first.slice(0, n);
  const dependents = new Int32Array(first[n]!);
  stamp.fill(-1);
  for (let i = 0; i < n; i++) {
    for (const d of deps[i]!) {
      if (stamp[d] === i) continue;
      stamp[d] = i;
      dependents[fill[d]!++] = i;
    }
  }
  const heap = new StepHeap(n, offsets);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (let k = first[i]!, end = first[i + 1]!; k < end; k++) {
      const j = dependents[k]!;
      if (--waiting[j]! === 0) heap.push(j);
    }
  }
  if (order.length !== n) throw new Error("cycle among steps (the resolver should have reported it)");
  return order;
}

/** A min-heap of step indices by (source offset, index). */
class StepHeap {
  private readonly a: Int32Array;
  size = 0;

  constructor(
    capacity: number,
    private readonly offsets: readonly number[],
  ) {
    this.a = new Int32Array(capacity);
  }

  private before(x: number, y: number): boolean {
    const ox = this.offsets[x]!;
    const oy = this.offsets[y]!;
    return ox < oy || (ox === oy && x < y);
  }

  push(x: number): void {
    const a = this.a;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(x, a[p]!)) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }

  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a[--this.size]!;
    const size = this.size;
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
    return top;
  }
}
