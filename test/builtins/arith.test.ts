import { describe, expect, it } from "vitest";
import { IntVal, type Value } from "../../src/value/value.js";
import { EMPTY, float, int, koApply, labelled, run, runShown, seq } from "./fake.js";

const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;
const U64_MAX = 18446744073709551615n;

/** [builtin, unnamed argument, printed result] */
const results: [string, Value, string][] = [
  ["Sum", seq(1, 2, 3, 4), "10"],
  ["Sum", 5, "5"],
  ["Sum", seq(MAX, 1), "-9223372036854775808"],
  ["Sum", seq(9007199254740991, 2), "9007199254740993"],
  ["Sum", seq(9007199254740993n, 0), "9007199254740993"],
  ["Sum", seq(9007199254740993n, -2), "9007199254740991"],
  ["Sum", seq(int("Int8", 100), 100), "-56"],
  ["Sum", seq(100, int("Int8", 100)), "200"],
  ["Sum", seq(int("Uint8", 200), int("Uint8", 100)), "44"],
  ["Sum", seq(int("Int32", 2147483647), 1), "-2147483648"],
  ["Sum", seq(int("Uint64", U64_MAX), int("Uint64", 1)), "0"],
  ["Sum", int("Int16", -3), "-3"],
  ["Prod", seq(2, 3, 4), "24"],
  ["Prod", seq(0, -5), "0"],
  ["Prod", seq(3037000500, 3037000500), "-9223372036709301616"],
  ["Prod", seq(int("Uint64", 4294967296), int("Uint64", 4294967296)), "0"],
  ["Prod", seq(94906267, 94906267), "9007199515875289"], // just beyond 2^53: exact via bigint
  ["Ratio", seq(17, 5), "3"],
  ["Ratio", seq(-7, 2), "-3"],
  ["Ratio", seq(7, -2), "-3"],
  ["Ratio", seq(0, -2), "0"],
  ["Ratio", seq(100, 2, 5), "10"],
  ["Ratio", seq(9007199254740991, 3), "3002399751580330"],
  ["Ratio", seq(MIN, -1), "-9223372036854775808"],
  ["Ratio", seq(int("Uint64", U64_MAX), int("Uint64", 2)), "9223372036854775807"],
  ["Ratio", seq(int("Int8", -128), -1), "-128"],
  ["Moduli", seq(17, 5), "2"],
  ["Moduli", seq(-7, 3), "-1"],
  ["Moduli", seq(-7, 2), "-1"],
  ["Moduli", seq(-4, 2), "0"],
  ["Moduli", seq(int("Uint64", U64_MAX), int("Uint64", 10)), "5"],
  ["Moduli", seq(MAX, 10), "7"],
  ["Negative", 5, "-5"],
  ["Negative", 0, "0"],
  ["Negative", MIN, "-9223372036854775808"],
  ["Negative", int("Uint8", 1), "255"],
  ["Negative", int("Int8", -128), "-128"],
  ["Less", seq(1, 2, 3), "true"],
  ["Less", seq(1, 1), "false"],
  ["Less", 5, "true"],
  ["Less", seq(-1, MAX), "true"],
  ["Less", seq(MAX, MIN), "false"],
  ["Less", seq(int("Uint64", 1), int("Uint64", U64_MAX)), "true"],
  ["Less", seq(int("Int8", -1), 5), "true"],
  ["Less", seq(int("Uint8", 255), int("Uint16", 256)), "true"],
];

/** [builtin, unnamed argument or undefined for none, error pattern] */
const errors: [string, Value | undefined, RegExp][] = [
  ["Sum", undefined, /Sum: argument value: missing/],
  ["Sum", EMPTY, /missing/],
  ["Sum", "a", /Sum: argument value: expects \(Integer\), got String/],
  ["Sum", seq(float(1.5), float(2.5)), /expects \(Integer\)/],
  ["Sum", seq(1, int("Uint8", 1)), /Sum: cannot mix signed and unsigned integers \(Int64 and Uint8\)/],
  ["Sum", seq(int("Uint8", 1), 1), /cannot mix signed and unsigned/],
  ["Prod", seq(int("Int8", 1), int("Uint8", 1)), /Prod: cannot mix/],
  ["Ratio", seq(1, 0), /integer division by zero/],
  ["Ratio", seq(MAX, 0), /integer division by zero/],
  ["Ratio", seq(int("Uint8", 1), int("Uint8", 0)), /integer division by zero/],
  ["Moduli", seq(7, 0), /integer division by zero/],
  ["Moduli", seq(int("Int32", 7), 0), /integer division by zero/],
  ["Negative", seq(1, 2), /Negative: expects exactly one integer, got 2/],
  ["Negative", undefined, /missing/],
  ["Negative", true, /expects \(Integer\), got Bool/],
  ["Less", undefined, /Less: argument value: missing/],
  ["Less", seq(1, int("Uint8", 2)), /Less: cannot mix/],
  ["Less", seq("a", "b"), /expects \(Integer\)/],
];

describe("integer arithmetic", () => {
  it.each(labelled(results, ([fn, arg, expected]) => `${koApply(fn, arg)} = ${expected}`))("%s", async (_, fn, arg, expected) => {
    expect(await runShown(fn, { "": arg })).toBe(expected);
  });

  it.each(labelled(errors, ([fn, arg]) => `${koApply(fn, arg)} fails`))("%s", async (_, fn, arg, pattern) => {
    await expect(run(fn, arg === undefined ? {} : { "": arg })).rejects.toThrow(pattern);
  });

  it("takes its list by the name value too", async () => {
    expect(await runShown("Sum", { value: seq(1, 2) })).toBe("3");
  });

  it("keeps the Int64 representation invariant (number iff safe)", async () => {
    expect(await run("Sum", { "": seq(9007199254740993n, -2) })).toBe(9007199254740991);
    expect(await run("Prod", { "": seq(-3, 0) })).toBe(0);
    expect(Object.is(await run("Prod", { "": seq(-3, 0) }), -0)).toBe(false);
    expect(Object.is(await run("Moduli", { "": seq(-4, 2) }), -0)).toBe(false);
    expect(Object.is(await run("Ratio", { "": seq(-1, 2) }), -0)).toBe(false);
    expect(typeof (await run("Sum", { "": seq(MAX, 0) }))).toBe("bigint");
  });

  it("returns a sized integer in the type of the first element", async () => {
    const r = await run("Sum", { "": seq(int("Uint16", 65535), int("Uint8", 1)) });
    expect(r).toEqual(new IntVal("Uint16", 0n));
  });
});

describe("package integer", () => {
  const rows: [string, Value, string][] = [
    ["integer.Sum", seq(1, 2, 3), "6"],
    ["integer.Prod", seq(2, 5), "10"],
    ["integer.Ratio", seq(9, 2), "4"],
    ["integer.Moduli", seq(9, 2), "1"],
    ["integer.Negative", 4, "-4"],
    ["integer.Less", seq(1, 5), "true"],
    ["integer.Equal", seq(3, 3), "true"],
    ["integer.Equal", seq(3, 4), "false"],
    ["integer.Equal", 3, "true"],
    ["integer.Equal", seq(int("Int8", 3), 3), "false"],
  ];
  it.each(labelled(rows, ([fn, arg, expected]) => `${koApply(fn, arg)} = ${expected}`))("%s", async (_, fn, arg, expected) => {
    expect(await runShown(fn, { "": arg })).toBe(expected);
  });

  const failures: [string, Value | undefined, RegExp][] = [
    ["integer.Equal", undefined, /integer.Equal: argument value: missing/],
    ["integer.Equal", seq("a", "a"), /expects \(Integer\)/],
    ["integer.Equal", seq(1, int("Uint8", 1)), /integer.Equal: cannot mix/],
    ["integer.Sum", seq(1, int("Uint8", 1)), /integer.Sum: cannot mix/],
    ["integer.Ratio", seq(1, 0), /integer division by zero/],
  ];
  it.each(labelled(failures, ([fn, arg]) => `${koApply(fn, arg)} fails`))("%s", async (_, fn, arg, pattern) => {
    await expect(run(fn, arg === undefined ? {} : { "": arg })).rejects.toThrow(pattern);
  });

  it("prints its functions with the package", async () => {
    const { builtin } = await import("./fake.js");
    expect(builtin("integer.Sum").displayName).toBe("integer.Sum");
    expect(builtin("Sum").displayName).toBe("Sum");
  });
});

describe("package circuit", () => {
  it("PkgPath is the caller's package", async () => {
    expect(await run("circuit.PkgPath")).toBe("test/pkg");
  });
});
