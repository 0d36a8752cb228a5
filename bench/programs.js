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

/**
 * The 10,000-line file of the parse and compile benchmark: 1000 functions of ten lines, each
 * referring to the next, and the same in JavaScript for V8 to parse.
 */
export function tenThousandLines() {
  const funcs = [];
  for (let f = 0; f < 1000; f++) {
    const lines = [`F${f}(x?, y) {`];
    for (let s = 0; s < 7; s++) lines.push(`\ts${s}: Sum(x, ${s}, Len((a: y, b: "t${s}")))`);
    lines.push(`\treturn: (f: F${(f + 1) % 1000}[y: s0], v: s6)`, "}");
    funcs.push(lines.join("\n"));
  }
  const js = Array.from({ length: 1000 }, (_, f) => {
    const body = Array.from({ length: 7 }, (_, s) => `  const s${s} = x + ${s} + [{ a: y, b: "t${s}" }].length;`).join("\n");
    // Parenthesised, so V8 parses and compiles every function eagerly, as Ko compiles every function.
    return `var F${f} = (function F${f}(x, y) {\n${body}\n  return { f: F${(f + 1) % 1000}, v: s6 };\n});`;
  }).join("\n");
  return { ko: funcs.join("\n"), js };
}
