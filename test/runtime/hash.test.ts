import { describe, expect, it } from "vitest";
import { canonicalEncode, hashValue } from "../../src/value/hash.js";
import { EMPTY, Opaque, Struct, type Value } from "../../src/value/value.js";
import { equalityCases } from "./equality-cases.js";
import { f32, f64, int, seq, st, variety } from "./helpers.js";

/** Values that are not equal to themselves by content, so the encoding cannot mirror `equal`. */
const hostPair = (a: Value, b: Value) => a instanceof Opaque || b instanceof Opaque;

describe("canonicalEncode agrees with equal (D4)", () => {
  it.each(equalityCases.filter(([, a, b]) => !hostPair(a, b)))("%s", (_, a, b, expected) => {
    expect(canonicalEncode(a) === canonicalEncode(b)).toBe(expected);
    expect(hashValue(a) === hashValue(b)).toBe(expected);
  });

  it("encodes the same host object alike and different ones apart", () => {
    const handle = {};
    expect(canonicalEncode(new Opaque("Memory", handle))).toBe(canonicalEncode(new Opaque("Memory", handle)));
    expect(canonicalEncode(new Opaque("Memory", {}))).not.toBe(canonicalEncode(new Opaque("Memory", {})));
  });
});

describe("canonicalEncode: the documented format", () => {
  it.each<[string, Value, string]>([
    ["Empty", EMPTY, "E"],
    ["Bools", seq(true, false), "[2:TF]"],
    ["Int64", -42, "i-42;"],
    ["big Int64", -9223372036854775808n, "i-9223372036854775808;"],
    ["sized integer", int("Uint64", 18446744073709551615n), "IUint64:18446744073709551615;"],
    ["Float64", f64(0.1), "fFloat64:0.1;"],
    ["negative zero", f64(-0), "fFloat64:0;"],
    ["Float32, widened", f32(0.1), "fFloat32:0.10000000149011612;"],
    ["string: length in UTF-8 bytes", "é:x", "s4:é:x"],
    ["empty string", "", "s0:"],
    ["empty structure", Struct.empty, "(0:)"],
    ["structure: sorted, Empty dropped", st(["b", 2], ["a", "x"], ["c", EMPTY]), "(2:1:as1:x1:bi2;)"],
    ["monadic field", st(["", 1]), "(1:0:i1;)"],
    ["sequence", seq(1, seq(2, 3)), "[2:i1;[2:i2;i3;]]"],
    ["one-element sequence", seq("b"), "s1:b"],
    ["variety", variety("idiom.Return", ["", 5]), "V12:idiom.Return(1:0:i5;)"],
    ["variety without fields", variety("Sum"), "V3:Sum(0:)"],
    ["host primitive", new Opaque("Id", 7), "O2:Id=6:number1:7"],
  ])("%s", (_, v, encoded) => {
    expect(canonicalEncode(v)).toBe(encoded);
  });

  it("keeps strings that look like encodings apart", () => {
    const tricky: Value[] = [
      seq("a", "b"),
      'a","b',
      seq("s1:a", "b"),
      seq("s1:as1:b"),
      st(["a", "1:b"]),
      st(["a", "1"], ["b", ""]),
      st(["a:1", "b"]),
      "(1:1:as1:b)",
    ];
    const encodings = new Set(tricky.map(canonicalEncode));
    expect(encodings.size).toBe(tricky.length);
  });
});

describe("hashValue (4.8, D4, D30)", () => {
  it("is seven lower-case base-36 digits", () => {
    for (const v of [EMPTY, 1, "x", st(["a", 1]), seq(1, 2), variety("Sum"), f64(1e300)]) {
      expect(hashValue(v)).toMatch(/^[0-9a-z]{7}$/);
    }
  });

  it("is deterministic", () => {
    const v = () => st(["k", seq("a", "b")], ["n", int("Int16", -3)]);
    expect(hashValue(v())).toBe(hashValue(v()));
  });

  it.each<[string, Value, Value, boolean]>([
    // conformance hash_values
    ["Hash(1) and Hash(1)", 1, 1, true],
    ["Hash(1) and Hash(2)", 1, 2, false],
    ["Hash(true) and Hash(false)", true, false, false],
    ['Hash("abc") and Hash("abc")', "abc", "abc", true],
    ['Hash("abc") and Hash("abd")', "abc", "abd", false],
    ["field order", st(["a", 1], ["b", 2]), st(["b", 2], ["a", 1]), true],
    ["empty field", st(["a", 1], ["b", EMPTY]), st(["a", 1]), true],
    ["sequence order", seq(1, 2), seq(2, 1), false],
    ["Hash(1) and Hash(Int32(1))", 1, int("Int32", 1), false],
    ["a one-element sequence and its element", seq(2), 2, true],
    // D30
    ["Hash(()) and Hash(Empty())", Struct.empty, EMPTY, false],
  ])("%s", (_, a, b, same) => {
    expect(hashValue(a) === hashValue(b)).toBe(same);
  });

  it("spreads small integers without collisions", () => {
    const hashes = new Set(Array.from({ length: 10_000 }, (_, i) => hashValue(i)));
    expect(hashes.size).toBe(10_000);
  });
});
