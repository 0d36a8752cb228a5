import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { groupValues } from "../../src/value/sequence.js";
import {
  BOOL_TYPE,
  EMPTY_TYPE,
  INT64_TYPE,
  STRING_TYPE,
  VARIETY_TYPE,
  basicType,
  opaqueType,
  optionalType,
  sequenceType,
  showType,
  structureType,
  typeOf,
  unify,
  type ValueType,
} from "../../src/value/value-type.js";
import { EMPTY, Struct, type Value } from "../../src/value/value.js";
import { f32, f64, int, opaque, seq, st, variety } from "./helpers.js";

const T = "\t";
const INT8 = basicType("Int8");
const UINT8 = basicType("Uint8");
const FLOAT64 = basicType("Float64");
const opt = optionalType;
const sq = sequenceType;
const rec = (...fields: [string, ValueType][]) => structureType(fields.map(([name, type]) => ({ name, type })));

describe("typeOf and showType (4.2, 7.4)", () => {
  it.each<[string, Value, string]>([
    // 7.4 and conformance showtype_unify / showtype_values / int_types
    ["ShowType(1, Int8(2))", groupValues([1, int("Int8", 2)]), "(Int64)"],
    ["ShowType(((1,2), 3))", groupValues([seq(1, 2), 3]), "((Int64))"],
    ["ShowType()", Struct.empty, "()"],
    ["optional fields", groupValues([st(["a", 1]), st(["b", "x"])]), "((a: *Int64, b: *String))"],
    ["unsigned widening", groupValues([int("Uint8", 1), int("Uint32", 2)]), "(Uint32)"],
    ["float widening", groupValues([f32(1.5), f64(2.5)]), "(Float64)"],
    ["Int64", 1, "Int64"],
    ["big Int64", 9223372036854775807n, "Int64"],
    ["Float64", f64(1.5), "Float64"],
    ["String", "s", "String"],
    ["Bool", true, "Bool"],
    ["sequence", seq(1, 2), "(Int64)"],
    ["nested: ((1, 2), (3))", groupValues([seq(1, 2), groupValues([3])]), "((Int64))"],
    ["structure", st(["a", 1], ["b", "x"]), "(a: Int64, b: String)"],
    ["variety", variety("showtype_values.Helper"), "Variety"],
    ["(Empty(), 1) is 1", groupValues([EMPTY, 1]), "Int64"],
    ["sized types", st(["a", int("Int8", 1)], ["b", int("Uint64", 2)], ["c", f32(1.5)]), "(a: Int8, b: Uint64, c: Float32)"],
    ["Empty", EMPTY, "Empty"],
    ["an Empty field keeps its type", st(["a", EMPTY]), "(a: Empty)"],
    ["monadic field", st(["", 1]), "(?: Int64)"],
    ["host value", opaque("Memory"), "Memory"],
    ["sequence of varieties", seq(variety("Sum"), variety("idiom.Return", ["", 1])), "(Variety)"],
    ["sequence of sequences", seq(seq(int("Int8", 1)), seq(int("Int32", 1), int("Int16", 2))), "((Int32))"],
    ["three structures", seq(st(["a", 1]), st(["a", 2], ["b", true]), st(["c", seq("x", "y")])), "((a: *Int64, b: *Bool, c: (String)))"],
  ])("%s", (_, v, text) => {
    expect(showType(typeOf(v))).toBe(text);
  });

  it("lays out wide types like values", () => {
    const wide = st(
      ["a".repeat(40), "x"],
      ["b".repeat(40), 1],
      // the structure's estimate is 97 (fits in 98), the sequence's 101 (does not fit in 99)
      ["c", seq(st(["d".repeat(37), true]), st(["e".repeat(37), f64(1)]))],
    );
    expect(showType(typeOf(wide))).toBe(
      [
        "(",
        `${T}${"a".repeat(40)}: String`,
        `${T}${"b".repeat(40)}: Int64`,
        `${T}c: (`,
        `${T}${T}(${"d".repeat(37)}: *Bool, ${"e".repeat(37)}: *Float64)`,
        `${T})`,
        ")",
      ].join("\n"),
    );
  });

  it("remembers the type of a sequence", () => {
    const s = seq(st(["a", 1]), st(["b", 2]));
    expect(typeOf(s)).toBe(typeOf(s));
  });
});

describe("unify (4.3)", () => {
  // [case, x, y, unify(x, y), unify(y, x) when it differs: structure fields keep first appearance]
  it.each<[string, ValueType, ValueType, string, string?]>([
    ["Empty with Empty", EMPTY_TYPE, EMPTY_TYPE, "Empty"],
    ["Empty with T", EMPTY_TYPE, INT64_TYPE, "*Int64"],
    ["T with Empty", STRING_TYPE, EMPTY_TYPE, "*String"],
    ["Empty with a sequence", EMPTY_TYPE, sq(INT64_TYPE), "(Int64)"],
    ["Empty with an optional", opt(BOOL_TYPE), EMPTY_TYPE, "*Bool"],
    ["Empty with a structure", EMPTY_TYPE, rec(["a", INT64_TYPE]), "*(a: Int64)"],
    ["optional with T", opt(INT8), INT64_TYPE, "*Int64"],
    ["T with optional", INT64_TYPE, opt(INT8), "*Int64"],
    ["optional with optional", opt(INT8), opt(INT64_TYPE), "*Int64"],
    ["optional with a sequence", opt(INT8), sq(INT64_TYPE), "(Int64)"],
    ["Bool", BOOL_TYPE, BOOL_TYPE, "Bool"],
    ["Int8 with Int64", INT8, INT64_TYPE, "Int64"],
    ["Int64 with Int8", INT64_TYPE, INT8, "Int64"],
    ["Int16 with Int32", basicType("Int16"), basicType("Int32"), "Int32"],
    ["Uint8 with Uint64", UINT8, basicType("Uint64"), "Uint64"],
    ["Float32 with Float64", basicType("Float32"), FLOAT64, "Float64"],
    ["sequences", sq(INT8), sq(INT64_TYPE), "(Int64)"],
    ["sequence with a value", sq(INT64_TYPE), INT64_TYPE, "(Int64)"],
    ["value with a sequence", INT8, sq(INT64_TYPE), "(Int64)"],
    ["nested sequence with a value", sq(sq(INT64_TYPE)), INT64_TYPE, "((Int64))"],
    [
      "sequence with a structure",
      sq(rec(["a", INT64_TYPE])),
      rec(["b", INT64_TYPE]),
      "((a: *Int64, b: *Int64))",
      "((b: *Int64, a: *Int64))",
    ],
    ["structures", rec(["a", INT64_TYPE]), rec(["b", STRING_TYPE]), "(a: *Int64, b: *String)", "(b: *String, a: *Int64)"],
    ["structures sharing a field", rec(["a", INT8], ["b", BOOL_TYPE]), rec(["a", INT64_TYPE]), "(a: Int64, b: *Bool)"],
    [
      "field order of first appearance",
      rec(["b", BOOL_TYPE]),
      rec(["a", BOOL_TYPE], ["b", BOOL_TYPE]),
      "(b: Bool, a: *Bool)",
      "(a: *Bool, b: Bool)",
    ],
    ["empty structures", rec(), rec(), "()"],
    ["varieties", VARIETY_TYPE, VARIETY_TYPE, "Variety"],
    ["the same host type", opaqueType("Memory"), opaqueType("Memory"), "Memory"],
  ])("%s", (_, x, y, text, reversed = text) => {
    expect(showType(unify(x, y))).toBe(text);
    expect(showType(unify(y, x))).toBe(reversed);
  });

  it.each<[string, ValueType, ValueType, string]>([
    ["signed and unsigned", INT8, UINT8, "basic types Int8 and Uint8 cannot be unified"],
    ["integer and float", INT64_TYPE, FLOAT64, "basic types Int64 and Float64 cannot be unified"],
    ["integer and string", INT64_TYPE, STRING_TYPE, "basic types Int64 and String cannot be unified"],
    ["Bool and String", BOOL_TYPE, STRING_TYPE, "basic types Bool and String cannot be unified"],
    ["basic and structure", INT64_TYPE, rec(["b", INT64_TYPE]), "Int64 and (b: Int64) cannot be unified"],
    ["structure and basic", rec(["b", INT64_TYPE]), INT64_TYPE, "Int64 and (b: Int64) cannot be unified"],
    ["variety and basic", VARIETY_TYPE, INT64_TYPE, "Int64 and Variety cannot be unified"],
    ["variety and structure", rec(), VARIETY_TYPE, "() and Variety cannot be unified"],
    ["host and basic", opaqueType("Memory"), BOOL_TYPE, "Bool and Memory cannot be unified"],
    ["different host types", opaqueType("Memory"), opaqueType("Handle"), "opaque types Memory and Handle cannot be unified"],
    [
      "sequences of incompatible elements",
      sq(INT64_TYPE),
      sq(STRING_TYPE),
      "cannot unify sequences (Int64) and (String): basic types Int64 and String cannot be unified",
    ],
    [
      "a common field",
      rec(["a", INT64_TYPE]),
      rec(["a", STRING_TYPE]),
      "cannot unify field a types Int64 and String: basic types Int64 and String cannot be unified",
    ],
    ["a sequence with an incompatible value", sq(INT64_TYPE), STRING_TYPE, "basic types Int64 and String cannot be unified"],
    ["an optional with an incompatible value", opt(BOOL_TYPE), FLOAT64, "basic types Bool and Float64 cannot be unified"],
  ])("%s cannot be unified", (_, x, y, message) => {
    expect(() => unify(x, y)).toThrow(KoError);
    expect(() => unify(x, y)).toThrow(message);
  });

  it("is associative on a three-way unification", () => {
    const a = rec(["a", INT8]);
    const b = rec(["b", STRING_TYPE]);
    const c = rec(["a", INT64_TYPE]);
    expect(showType(unify(unify(a, b), c))).toBe(showType(unify(a, unify(b, c))));
  });
});
