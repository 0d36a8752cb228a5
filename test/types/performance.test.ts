/**
 * Issue 3's target: checking a generated 10,000-line program takes well under a second (the
 * same program as the "type-check a 10,000-line file" row of bench/run.js).
 */
import { expect, test } from "vitest";
import { compileSource, defaultEntries, TypeChecker } from "../../src/api/index.js";

/** 1000 functions of ten lines; each calls the next in chains of ten; Main calls every chain. */
function generated(n = 1000): string {
  const funcs: string[] = [];
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

test("checking a 10,000-line program takes well under a second", () => {
  const source = generated();
  expect(source.split("\n").length).toBeGreaterThan(10_000);
  const compiling = performance.now();
  const program = compileSource(source, { pkgPath: "big" });
  const compileMs = performance.now() - compiling;
  const entries = defaultEntries(program.compiled.functions.get("big")!);
  const started = performance.now();
  const report = new TypeChecker(program.compiled).check(entries);
  const elapsed = performance.now() - started;
  expect(report.diagnostics).toEqual([]);
  expect(report.reached.size).toBe(1001);
  // On a machine busy with the rest of the suite, a second is not a second: checking must
  // then at least stay well below what compiling the same program took.
  expect(elapsed).toBeLessThan(Math.max(1000, compileMs / 2));
});
