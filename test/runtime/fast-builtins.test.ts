// The evaluator's fast forms of the hottest builtins (host/binding.ts FastForms) against the
// general call: every builtin that has one is called both ways on every pair of a spread of
// terms — numbers at the edges of the safe range, other integer types, strings, Bools,
// structures, sequences — and the two runs must end alike: the same printed value, or the same
// error at the same place. `Sum[](a, b)` invokes a variety made by a step, which the fast forms
// never take; `Sum(a, b)` names the builtin by a constant, which they do.
import { describe, expect, it } from "vitest";
import { compileSource, printValue, KoFailure } from "../../src/api/index.js";
import { KoFunction } from "../../src/compile/circuit.js";

const terms = [
  "0",
  "1",
  "-1",
  "7",
  "9007199254740991",
  "-9007199254740991",
  "9223372036854775807",
  "Int8(100)",
  "Uint8(3)",
  '"a"',
  '"b"',
  "true",
  "false",
  "()",
  "(x: 1)",
  "(1, 2)",
  "Sum",
];

const quiet = { stdout: () => {}, stderr: () => {}, check: false };

type Outcome = { value: string } | { error: string; line: number; col: number };

/** How `Main` of `source` ends: its printed value, or its error's message and place. */
async function outcome(source: string): Promise<Outcome> {
  const program = compileSource(source);
  const fn = program.compiled.functions.get(program.packagePath)!.get("Main") as KoFunction;
  try {
    return { value: printValue(await program.call(fn, [], quiet)) };
  } catch (e) {
    if (!(e instanceof KoFailure)) throw e;
    const at = e.site?.span.start;
    return { error: e.message, line: at?.line ?? 0, col: at?.col ?? 0 };
  }
}

/** The outcomes of `call` with its callee named directly and through a variety made by a step. */
async function bothWays(callee: string, args: string): Promise<[Outcome, Outcome]> {
  const fast = await outcome(`Main() {\n\treturn: ${callee}(${args})\n}\n`);
  const general = await outcome(`Main() {\n\treturn: ${callee}[](${args})\n}\n`);
  return [fast, general];
}

const pairs = terms.flatMap((a) => terms.map((b) => `${a}, ${b}`));

describe("fast forms of builtins give what the general call gives", () => {
  it.each(["Sum", "Prod", "Ratio", "Moduli", "Less", "Equal"])("%s on every pair of terms", async (builtin) => {
    let fastValues = 0;
    for (const args of pairs) {
      const [fast, general] = await bothWays(builtin, args);
      expect(fast, `${builtin}(${args})`).toEqual(general);
      if ("value" in fast) fastValues++;
    }
    // The spread reaches both the values and the errors.
    expect(fastValues).toBeGreaterThan(10);
    expect(fastValues).toBeLessThan(pairs.length);
  });

  const conditions = ["true", "false", "1", '"yes"', "()"];
  const branches = ["then: 1, else: 2", "then: 1", "else: 2", "", 'then: "a", else: (x: 1)', "then: Sum, else: 2"];
  it.each(conditions.flatMap((c) => branches.map((b) => [c, b] as const)))("Yield(if: %s, %s)", async (condition, rest) => {
    const args = rest === "" ? `if: ${condition}` : `if: ${condition}, ${rest}`;
    const [fast, general] = await bothWays("Yield", args);
    expect(fast).toEqual(general);
  });

  it.each(["else: 2, then: 1, if: false", "then: 1", "if: true, then: 1, other: 3", "if: (true, false), then: 1"])(
    "Yield(%s)",
    async (args) => {
      const [fast, general] = await bothWays("Yield", args);
      expect(fast).toEqual(general);
    },
  );

  it.each(["a: 1, b: 2", "a: 1, b: Sum[Less(1)]", "", "a: 1, : 2", "a: (1, 2), b: ()"])("All(%s)", async (args) => {
    const [fast, general] = await bothWays("All", args);
    expect(fast).toEqual(general);
  });
});
