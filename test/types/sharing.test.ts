/**
 * Types are shared, not copied (static-type.ts): `s0: 1` then `sI: (a: sI-1, b: sI-1)` holds s0
 * once, and so does its type, however deep. The checker's work on such a program is bounded by
 * the number of distinct parts of its types, not by their size unfolded (2^40 here): these tests
 * count the types made and the specialisations, and bound what is printed. How long it takes
 * is measured in bench/checker.js.
 */
import { describe, expect, test } from "vitest";
import { compileSource } from "../../src/api/index.js";
import { boundedDistance, closest, editDistance } from "../../src/diag/suggest.js";
import { showTy } from "../../src/types/index.js";
import { treeSize } from "../../src/types/show.js";
import {
  INT64,
  basic,
  join,
  sameType,
  sequence,
  structure,
  typeTableSweeps,
  typesMade,
  type StaticType,
} from "../../src/types/static-type.js";
import { checkUnifiable } from "../../src/types/unify.js";
import { koInProcess } from "../support/cli.js";
import { tempFile } from "../support/temp.js";
import { showTypeBriefly, structureType, unify, basicType, type ValueType } from "../../src/value/value-type.js";

/** `s0: LEAF` then `sI: (a: sI-1, b: sI-1)` for I = 1..levels, in one function, returning RETURN. */
function doubling(levels: number, ret = `s${levels}`, leaf = "1"): string {
  const lines = ["Main() {", `\ts0: ${leaf}`];
  for (let i = 1; i <= levels; i++) lines.push(`\ts${i}: (a: s${i - 1}, b: s${i - 1})`);
  lines.push(`\treturn: ${ret}`, "}", "");
  return lines.join("\n");
}

/** The type `(a: t, b: t)` nested `levels` times over `leaf`. */
function doubled(levels: number, leaf: StaticType): StaticType {
  let t = leaf;
  for (let i = 0; i < levels; i++)
    t = structure([
      { name: "a", type: t },
      { name: "b", type: t },
    ]);
  return t;
}

describe("the 40-level program", () => {
  test("is checked with a few types and one specialisation per function", () => {
    const before = typesMade();
    const program = compileSource(doubling(40), { pkgPath: "deep" });
    const report = program.types.checkPackage(program.compiled.functions.get("deep")!);
    expect(report.errors).toEqual([]);
    expect(report.reached.size).toBe(1);
    // About one type per level: 2^40 parts, held once each.
    expect(typesMade() - before).toBeLessThan(500);
  });

  test("its type prints bounded, deep and repeated parts elided", () => {
    const program = compileSource(doubling(40), { pkgPath: "deep" });
    const report = program.types.check([{ fn: program.func("Main")!, fields: [] }]);
    const t = report.entries[0]!.result;
    expect(treeSize(t)).toBe(1 << 20); // saturated: "large"
    const text = showTy(t, Infinity);
    expect(text.length).toBeLessThan(5000);
    expect(text).toMatch(/^\(a: \(a: \(a: /);
    expect(text).toContain("b: ...");
  });

  test("ko check --types prints every step's type, each bounded", async () => {
    const out = await koInProcess(["check", "--types", tempFile("deep.ko", doubling(40), "ko-types-")]);
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split("\n");
    expect(lines.length).toBe(42); // the function, and its steps s0..s40
    for (const l of lines) expect(l.length).toBeLessThan(5000);
  });

  test("a failure's message about such a value is bounded too", async () => {
    const out = await koInProcess(["check", tempFile("deep.ko", doubling(40, "Equal(s40, 1)"), "ko-types-")]);
    expect(out.status).toBe(3);
    expect(out.stderr).toContain("cannot be unified");
    expect(out.stderr.length).toBeLessThan(20_000);
  });

  test("a function given such a value, and the sequence of two of them, are checked per distinct part", () => {
    const before = typesMade();
    const program = compileSource(doubling(40, "Pair(x: s40, y: Take(s40, s40).first)") + "Pair(x, y) { return: (x, y) }\n", {
      pkgPath: "deep",
    });
    const report = program.types.checkPackage(program.compiled.functions.get("deep")!);
    expect(report.errors).toEqual([]);
    expect(typesMade() - before).toBeLessThan(2000);
  });
});

describe("hash-consed types", () => {
  test("equal types are one object; a union's members in another order are the same type", () => {
    const a = structure([{ name: "x", type: basic("Int64", 1) }]);
    const b = structure([{ name: "x", type: basic("Int64", 1) }]);
    expect(a).toBe(b);
    expect(sequence(a)).toBe(sequence(b));
    const u = join(INT64, basic("String"));
    const v = join(basic("String"), INT64);
    expect(sameType(u, v)).toBe(true);
    expect(sameType(u, INT64)).toBe(false);
  });

  test("joining two 60-level graphs that differ at their leaves joins each pair of parts once", () => {
    const before = typesMade();
    const x = doubled(60, basic("Int64", 1));
    const y = doubled(60, basic("Int64", 2));
    const j = join(x, y);
    expect(j).toBe(doubled(60, INT64));
    expect(typesMade() - before).toBeLessThan(400);
  });

  test("unifying the values of such types, statically and at run time, is linear in their parts", () => {
    const x = doubled(60, basic("Int64", 1));
    expect(checkUnifiable([x, x, x])).toEqual({});
    let small: ValueType = basicType("Int32");
    let wide: ValueType = basicType("Int64");
    for (let i = 0; i < 60; i++) {
      small = structureType([
        { name: "a", type: small },
        { name: "b", type: small },
      ]);
      wide = structureType([
        { name: "a", type: wide },
        { name: "b", type: wide },
      ]);
    }
    expect(showTypeBriefly(unify(small, wide)).length).toBeLessThan(5000);
    expect(() => unify(small, structureType([{ name: "a", type: basicType("String") }]))).toThrow(/cannot unify field a/);
  });
});

describe("did you mean", () => {
  test("the banded distance is the edit distance, up to its bound", () => {
    const words = [
      "",
      "a",
      "ab",
      "ba",
      "abc",
      "acb",
      "kitten",
      "sitting",
      "Sum",
      "sum",
      "value",
      "valeu",
      "vaule",
      "delimiter",
      "delimeter",
    ];
    const reference = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) =>
        Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
      );
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++) {
          let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
          d[i]![j] = v;
        }
      return d[a.length]![b.length]!;
    };
    for (const a of words)
      for (const b of words) {
        const want = reference(a, b);
        expect(editDistance(a, b)).toBe(want);
        for (const max of [0, 1, 2, 3]) expect(boundedDistance(a, b, max)).toBe(want <= max ? want : max + 1);
      }
    expect(closest("valeu", ["value", "values", "other"])).toBe("value");
  });

  test("an unknown name of a megabyte is reported, without a suggestion, by ko check", async () => {
    const name = "x".repeat(1 << 20);
    const near = `${name.slice(1)}y`;
    const out = await koInProcess(["check", tempFile("big.ko", `Main() { return: ${name} }\nF() { return: 1 }\n`, "ko-types-")]);
    expect(out.status).toBe(3);
    expect(out.stderr).toContain(" not known: ");
    expect(out.stderr).not.toContain("did you mean");
    // A candidate as long, two edits away, is still found.
    expect(closest(name, ["Sum", near, "F"])).toBe(near);
  });
});

test("literal types held alive are swept a few times, not once per new literal", () => {
  // The types of a 10,000-element literal are all alive while it is checked: a sweep frees none of
  // them, so each sweep must wait for the table to double again (once per new literal was quadratic).
  const before = typeTableSweeps();
  const held = Array.from({ length: 20_000 }, (_, i) => basic("Int64", 1_000_000_000 + i));
  expect(held.every((t, i) => t.literal === 1_000_000_000 + i)).toBe(true);
  expect(typeTableSweeps() - before).toBeLessThanOrEqual(6);
});
