/**
 * The program of the "type-check a 10,000-line file" row of bench/run.js (its target: under
 * a second) is what the row says: well typed, and every function of it reached by the checker.
 */
import { expect, test } from "vitest";
import { compileSource, defaultEntries, TypeChecker } from "../../src/api/index.js";
import { chainsOfCalls } from "../../bench/programs.js";

// How long checking takes is measured in `npm run bench` (bench/run.js), not asserted here.
test("the benchmark's 10,000-line program is well typed, and the checker reaches all of it", () => {
  const source = chainsOfCalls();
  expect(source.split("\n").length).toBeGreaterThan(10_000);
  const program = compileSource(source, { pkgPath: "big" });
  const entries = defaultEntries(program.compiled.functions.get("big")!);
  const report = new TypeChecker(program.compiled).check(entries);
  expect(report.diagnostics).toEqual([]);
  expect(report.reached.size).toBe(1001);
});
