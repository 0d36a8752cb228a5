import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import { groupValues, listToValue } from "../../src/value/sequence.js";
import { showType, typeOf } from "../../src/value/value-type.js";
import { EMPTY, Seq, Struct, type Value } from "../../src/value/value.js";
import { f64, int, seq, st, variety } from "./helpers.js";

describe("groupValues: grouping of bracket terms (4.4 a)", () => {
  it.each<[string, Value[], string]>([
    ["(1, 2, 3)", [1, 2, 3], "(1, 2, 3)"],
    ["(7) is 7 itself", [7], "7"],
    ["((1, 2), 3)", [seq(1, 2), 3], "((1, 2), 3)"],
    ["(3, (4, 5))", [3, seq(4, 5)], "(3, (4, 5))"],
    ["(x, y) with y empty is x", ["x", EMPTY], '"x"'],
    ["(Empty(), Empty())", [EMPTY, EMPTY], "empty"],
    ["no values", [], "empty"],
    ["empties are dropped", [EMPTY, 1, EMPTY, 2, EMPTY], "(1, 2)"],
    ["Int64s, small and big", [1, 9223372036854775807n], "(1, 9223372036854775807)"],
    ["strings", ["a", "b"], '("a", "b")'],
    ["Bools", [true, false], "(true, false)"],
    ["widening integers", [int("Int8", 1), 2], "(1, 2)"],
    ["structures", [st(["a", 1]), st(["b", "x"])], '((a: 1), (b: "x"))'],
    ["varieties", [variety("Sum"), variety("Prod")], "(Sum, Prod)"],
    ["() is kept", [Struct.empty, EMPTY], "()"],
  ])("%s", (_, values, text) => {
    expect(printValue(groupValues(values))).toBe(text);
  });

  it("returns a single value itself, even a sequence: ((1, 2)) is (1, 2)", () => {
    const inner = seq(1, 2);
    expect(groupValues([inner])).toBe(inner);
    expect(groupValues([EMPTY, inner, EMPTY])).toBe(inner);
  });

  it.each<[string, Value[], string]>([
    ["(Int8(-1), Uint8(255))", [int("Int8", -1), int("Uint8", 255)], "basic types Int8 and Uint8 cannot be unified"],
    ['(1, "a")', [1, "a"], "basic types Int64 and String cannot be unified"],
    ["(1, 2.5)", [1, f64(2.5)], "basic types Int64 and Float64 cannot be unified"],
    ['("a", 1) after the fast path fails', ["a", "b", 1], "basic types String and Int64 cannot be unified"],
    ["(1, (b: 1))", [1, st(["b", 1])], "Int64 and (b: Int64) cannot be unified"],
  ])("%s cannot be unified", (_, values, message) => {
    expect(() => groupValues(values)).toThrow(KoError);
    expect(() => groupValues(values)).toThrow(message);
  });

  it("remembers the unified type of the sequence it makes", () => {
    const s = groupValues([st(["a", 1]), st(["b", "x"])]);
    expect(s).toBeInstanceOf(Seq);
    expect(showType(typeOf(s))).toBe("((a: *Int64, b: *String))");
    expect(typeOf(s)).toBe(typeOf(s));
  });
});

describe("listToValue: lists assembled by builtins (4.4 b)", () => {
  it.each<[string, Value[], string]>([
    ["no values", [], "empty"],
    ["only empties", [EMPTY, EMPTY], "empty"],
    ["one value makes a one-element sequence", ["b"], '("b")'],
    ["empties are dropped", [EMPTY, "b", EMPTY], '("b")'],
    ["several values", ["x", "y", "z"], '("x", "y", "z")'],
    ["a one-element sequence of a sequence", [seq(1, 2)], "((1, 2))"],
  ])("%s", (_, values, text) => {
    expect(printValue(listToValue(values))).toBe(text);
  });

  it("checks that the elements unify", () => {
    expect(() => listToValue([1, EMPTY, "a"])).toThrow("basic types Int64 and String cannot be unified");
  });

  it("builds long lists quickly", () => {
    const values = Array.from({ length: 100_000 }, (_, i) => i);
    const started = performance.now();
    const s = listToValue(values) as Seq;
    expect(performance.now() - started).toBeLessThan(100);
    expect(s.items).toHaveLength(100_000);
    expect(showType(typeOf(s))).toBe("(Int64)");
  });
});
