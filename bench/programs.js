// @ts-check
// Programs the benchmarks generate, shared with the tests that check the benchmarks measure what
// they say (test/types/performance.test.ts).

/**
 * A well-typed program of 1000 functions of ten lines (n functions in general): each calls the
 * next in chains of ten, and Main calls every chain.
 */
export function chainsOfCalls(n = 1000) {
  const funcs = [];
  for (let f = 0; f < n; f++) {
    const lines = [`F${f}(x?, y) {`];
    for (let s = 0; s < 7; s++) lines.push(`\ts${s}: Sum(x, ${s}, Len((a: y, b: "t${s}")))`);
    lines.push(f % 10 === 9 ? "\tn: (last: s6)" : `\tn: F${f + 1}(: s6, y: y)`);
    lines.push(`\treturn: (f: F${(f + 1) % n}[y: s0], v: s6, n: n)`, "}");
    funcs.push(lines.join("\n"));
  }
  const heads = Array.from({ length: n / 10 }, (_, k) => `F${k * 10}(: ${k}, y: "a")`).join(", ");
  funcs.push(`Main() {\n\treturn: (${heads})\n}`);
  return funcs.join("\n");
}
