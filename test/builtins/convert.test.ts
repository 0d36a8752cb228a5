import { describe, expect, it } from "vitest";
import { FloatVal, IntVal, type Value } from "../../src/value/value.js";
import { EMPTY, Return, float, int, koApply, labelled, run, runShown, seq, st, vty } from "./fake.js";

const U64_MAX = 18446744073709551615n;

/** [conversion, argument, printed result] */
const results: [string, Value, string][] = [
  ["String", "x", '"x"'],
  ["String", 65, '"A"'],
  ["String", int("Uint8", 233), '"é"'],
  ["String", 128512, '"😀"'],
  ["String", -1, '"\uFFFD"'],
  ["String", 0xd800, '"\uFFFD"'],
  ["String", 0x110000, '"\uFFFD"'],
  ["Bool", true, "true"],
  ["Int64", float(3.9), "3"],
  ["Int64", float(-3.9), "-3"],
  ["Int64", float(-0.5), "0"],
  ["Int64", float(2.9), "2"],
  ["Int64", float(1e19), "-8446744073709551616"],
  ["Int64", int("Uint64", U64_MAX), "-1"],
  ["Int64", 7, "7"],
  ["Float64", 7, "7"],
  ["Float64", 9007199254740993n, "9.007199254740992e+15"],
  ["Float64", float(0.1, "Float32"), "0.10000000149011612"],
  ["Float32", float(0.1), "0.10000000149011612"],
  ["Float32", 1, "1"],
  ["Int8", 300, "44"],
  ["Int8", 255, "-1"],
  ["Int8", float(-128.7), "-128"],
  ["Int16", 40000, "-25536"],
  ["Int32", 5, "5"],
  ["Uint8", -1, "255"],
  ["Uint8", 256, "0"],
  ["Uint32", -1, "4294967295"],
  ["Uint64", -1, "18446744073709551615"],
  ["Uint16", int("Int8", -1), "65535"],
];

describe("conversions", () => {
  it.each(labelled(results, ([fn, arg, expected]) => `${koApply(fn, arg)} = ${expected}`))("%s", async (_, fn, arg, expected) => {
    expect(await runShown(fn, { "": arg })).toBe(expected);
  });

  it("produces values of the target type", async () => {
    expect(await run("Int8", { "": 300 })).toEqual(new IntVal("Int8", 44n));
    expect(await run("Float64", { "": 2 })).toEqual(new FloatVal("Float64", 2));
    expect(await run("Int64", { value: int("Int8", -5) })).toBe(-5);
    expect(await run("Int64", { "": 2n ** 62n })).toBe(2n ** 62n);
  });

  const errors: [string, Value | undefined, RegExp][] = [
    ["String", undefined, /String: argument value: missing/],
    ["String", EMPTY, /String: argument value: missing/],
    ["Bool", "true", /Bool: cannot convert String "true" to Bool/],
    ["Bool", 1, /Bool: cannot convert Int64 1 to Bool/],
    ["Int64", "3", /Int64: cannot convert String "3" to Int64/],
    ["Int64", true, /cannot convert Bool true to Int64/],
    ["String", float(1.5), /String: cannot convert Float64 1.5 to String/],
    ["String", true, /cannot convert Bool/],
    ["Float64", "1.5", /Float64: cannot convert String/],
    ["Int64", float(Infinity), /cannot convert Float64/],
    ["Int64", float(NaN), /cannot convert Float64/],
    ["Int64", seq(1, 2), /Int64: cannot convert a sequence to Int64/],
    ["String", st({ a: 1 }), /cannot convert a structure to String/],
    ["Bool", vty(Return), /cannot convert a variety to Bool/],
  ];
  it.each(labelled(errors, ([fn, arg]) => `${koApply(fn, arg)} fails`))("%s", async (_, fn, arg, pattern) => {
    await expect(run(fn, arg === undefined ? {} : { "": arg })).rejects.toThrow(pattern);
  });
});
