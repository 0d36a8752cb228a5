import { describe, expect, it } from "vitest";
import { equal, equalAll } from "../../src/value/equal.js";
import { EMPTY, Struct, Variety, field, type Value } from "../../src/value/value.js";
import { equalityCases } from "./equality-cases.js";
import { callable, int, seq } from "./helpers.js";

describe("equal (4.7, D13)", () => {
  it.each(equalityCases)("%s", (_, a, b, expected) => {
    expect(equal(a, b)).toBe(expected);
    expect(equal(b, a)).toBe(expected); // D13: symmetric
  });

  it("is reflexive", () => {
    for (const [, a, b] of equalityCases) {
      expect(equal(a, a)).toBe(true);
      expect(equal(b, b)).toBe(true);
    }
  });

  it("compares varieties by the identity of their callable, not the object", () => {
    const a = new Variety(callable("idiom.Return", "idiom.Return"), [field("", 1)]);
    const b = new Variety(callable("Return", "idiom.Return"), [field("", 1)]);
    const c = new Variety(callable("idiom.Return", "other.Return"), [field("", 1)]);
    expect(equal(a, b)).toBe(true);
    expect(equal(a, c)).toBe(false);
  });
});

describe("equalAll (the Equal builtin)", () => {
  it.each<[string, Value[], boolean]>([
    ["Equal() is true", [], true],
    ["Equal(5) is true", [5], true],
    ["Equal(3, 3, 3)", [3, 3, 3], true],
    ["Equal(3, 3, 4)", [3, 3, 4], false],
    ["Equal(3, 4, 4)", [3, 4, 4], false],
    ['Equal(r, "b", r) with r = ("b")', [seq("b"), "b", seq("b")], true],
    ["Equal((), ())", [Struct.empty, Struct.empty], true],
    ["Equal(Empty(), ())", [EMPTY, Struct.empty], false],
    ["Equal(Int8(1), Int8(1), 1)", [int("Int8", 1), int("Int8", 1), 1], false],
  ])("%s", (_, values, expected) => {
    expect(equalAll(values)).toBe(expected);
  });
});
