/**
 * Kahn's algorithm, always taking the ready step that appears first in the source (D31): the one
 * with the smallest source offset, then the one created first. This order — dependencies first,
 * ties broken by source order — is what `Sequential` runs and what the evaluator walks.
 */
export function topoOrder(deps: readonly (readonly number[])[], offsets: readonly number[]): number[] {
  const n = deps.length;
  const waiting = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (const d of new Set(deps[i])) {
      waiting[i]!++;
      dependents[d]!.push(i);
    }
  }
  const heap = new MinHeap((a, b) => offsets[a]! - offsets[b]! || a - b);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) heap.push(i);
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (const j of dependents[i]!) if (--waiting[j]! === 0) heap.push(j);
  }
  if (order.length !== n) throw new Error("cycle among steps (the resolver should have reported it)");
  return order;
}

class MinHeap {
  private readonly a: number[] = [];
  constructor(private readonly cmp: (a: number, b: number) => number) {}
  get size(): number {
    return this.a.length;
  }
  push(x: number): void {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[p]!, x) <= 0) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && this.cmp(a[r]!, a[l]!) < 0 ? r : l;
        if (this.cmp(a[c]!, last) >= 0) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
