import { describe, expect, it } from "vitest";
import { formatFloat, printValue, quoteString } from "../../src/value/print.js";
import { EMPTY, Struct, type Value } from "../../src/value/value.js";
import { f32, f64, int, opaque, seq, st, variety } from "./helpers.js";

const T = "\t";
const lines = (...ls: string[]): string => ls.join("\n");

describe("formatFloat (7.1, D9)", () => {
  it.each<[number, string]>([
    // the verified table of 7.1
    [1.5, "1.5"],
    [2.0, "2"],
    [100000.0, "100000"],
    [123456.0, "123456"],
    [1234567.0, "1.234567e+06"],
    [1e6, "1e+06"],
    [1e20, "1e+20"],
    [0.001, "0.001"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-3.14e11, "-3.14e+11"],
    [5e-324, "5e-324"],
    // conformance float_print and float_literals
    [1.0, "1"],
    [3.14, "3.14"],
    [-2.5, "-2.5"],
    [123456789.0, "1.23456789e+08"],
    [1e21, "1e+21"],
    [1.5e-7, "1.5e-07"],
    [2.0e3, "2000"],
    [0.1, "0.1"],
    [0.5, "0.5"],
    [0.5e-3, "0.0005"],
    [-0.0, "-0"],
    [0, "0"],
    [0.3333333333333333, "0.3333333333333333"],
    // widened Float32 values
    [Math.fround(3.14), "3.140000104904175"],
    [Math.fround(0.1), "0.10000000149011612"],
    // edges of the exponent rule and of the range
    [999999, "999999"],
    [-1e-5, "-1e-05"],
    [123.456, "123.456"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [1e100, "1e+100"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ])("%s prints %s", (x, text) => {
    expect(formatFloat(x)).toBe(text);
  });
});

describe("quoteString (Go strconv.Quote)", () => {
  it.each<[string, string]>([
    ['Hello\tthere\n"x" é', '"Hello\\tthere\\n\\"x\\" é"'],
    // conformance string_escapes
    ["a\tb", '"a\\tb"'],
    ["line1\nline2", '"line1\\nline2"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["c:\\dir", '"c:\\\\dir"'],
    ["héllo ünïcode", '"héllo ünïcode"'],
    ["\u00e9\u4e16", '"é世"'],
    ["\x01\x7f", '"\\x01\\x7f"'],
    ["", '""'],
    ["\x07\b\f\v\r", '"\\a\\b\\f\\v\\r"'],
    ["AB", '"AB"'],
    ["\u{1F600}", '"😀"'],
    ["\u00a0\u200b\u2028", '"\\u00a0\\u200b\\u2028"'],
    ["\u007f", '"\\x7f"'],
    // more of Go's notion of printable
    ["\x00\x1b", '"\\x00\\x1b"'],
    [" ~", '" ~"'],
    ["\u3000", '"\\u3000"'], // a space other than ASCII space is not printable
    ["\u00ad", '"\\u00ad"'], // format character
    ["\ue000", '"\\ue000"'], // private use
    ["\u{e0001}", '"\\U000e0001"'],
    ["\u{10ffff}", '"\\U0010ffff"'],
    ["€½∑", '"€½∑"'], // symbols, numbers
    ["e\u0301", '"e\u0301"'], // combining mark
    ["x\u2028y\u00a0z", '"x\\u2028y\\u00a0z"'],
  ])("%j quotes as %s", (s, quoted) => {
    expect(quoteString(s)).toBe(quoted);
  });
});

describe("printValue: atoms and composites (7.1, 7.2)", () => {
  const helper = variety("variety_print.Helper");
  it.each<[string, Value, string]>([
    ["empty", EMPTY, "empty"],
    ["true", true, "true"],
    ["false", false, "false"],
    ["negative Int64", -56, "-56"],
    ["Uint8", int("Uint8", 255), "255"],
    ["Int8", int("Int8", -1), "-1"],
    ["string", "x", '"x"'],
    ["Float32 widened", f32(3.14), "3.140000104904175"],
    ["Float64", f64(2), "2"],
    ["empty structure", Struct.empty, "()"],
    ["structure", st(["a", 1], ["b", 2]), "(a: 1, b: 2)"],
    ["monadic field", st(["", 1], ["y", 2]), "(?: 1, y: 2)"],
    ["empty field", st(["first", 1], ["remainder", EMPTY]), "(first: 1, remainder: empty)"],
    ["sequence", seq(1, 2, 3), "(1, 2, 3)"],
    ["one-element sequence", seq("b"), '("b")'],
    ["nested sequences", seq(seq("b"), "b"), '(("b"), "b")'],
    ["variety without fields", helper, "variety_print.Helper"],
    ["variety with monadic field", variety("variety_print.Helper", ["", 7]), "variety_print.Helper[?: 7]"],
    ["variety with fields", variety("t.F", ["x", 1], ["y", "a"]), 't.F[x: 1, y: "a"]'],
    ["builtin variety", variety("Sum", ["", seq(1, 2)]), "Sum[?: (1, 2)]"],
    ["idiom variety", variety("idiom.Return", ["", 5]), "idiom.Return[?: 5]"],
    ["host value", opaque("Memory"), "<Memory>"],
    [
      "sized integers and floats",
      st(["a", int("Int8", -1)], ["b", int("Uint8", 255)], ["c", f32(0.5)], ["d", f64(2)], ["e", 2]),
      "(a: -1, b: 255, c: 0.5, d: 2, e: 2)",
    ],
    ["nested structure", st(["l", Struct.empty], ["r", int("Int16", 3)]), "(l: (), r: 3)"],
  ])("%s", (_, v, text) => {
    expect(printValue(v)).toBe(text);
  });
});

describe("printValue: exact 64-bit integers (D21, int_wrap_64)", () => {
  it.each<[Value, string]>([
    [int("Uint64", 18446744073709551615n), "18446744073709551615"],
    [int("Uint64", 0), "0"],
    [9223372036854775807n, "9223372036854775807"],
    [-9223372036854775808n, "-9223372036854775808"],
    [-9223372036709301616n, "-9223372036709301616"],
    [9007199254740993n, "9007199254740993"],
    [9007199254740991, "9007199254740991"],
    [-9007199254740991, "-9007199254740991"],
    [int("Int16", -25536), "-25536"],
    [int("Uint32", 4294967295), "4294967295"],
    [int("Int32", -2147483648), "-2147483648"],
  ])("%s", (v, text) => {
    expect(printValue(v)).toBe(text);
  });
});

describe("printValue: layout (7.3)", () => {
  const A45 = "A".repeat(45);
  const B45 = "B".repeat(45);

  it("prints the verified example of 7.3", () => {
    const v = st(
      ["a".repeat(20), "a".repeat(25)],
      ["b".repeat(24), "b".repeat(31)],
      ["c", st(["d", "d".repeat(33)], ["e", "e".repeat(50)])],
    );
    expect(printValue(v)).toBe(
      lines(
        "(",
        `${T}${"a".repeat(20)}: "${"a".repeat(25)}"`,
        `${T}${"b".repeat(24)}: "${"b".repeat(31)}"`,
        `${T}c: (d: "${"d".repeat(33)}", e: "${"e".repeat(50)}")`,
        ")",
      ),
    );
  });

  it.each<[string, Value, string]>([
    ["width_fold_100: estimate 100 stays flat", seq(A45, B45), `("${A45}", "${B45}")`],
    ["width_unfold_101: estimate 101 unfolds", seq(A45, B45 + "B"), lines("(", `${T}"${A45}"`, `${T}"${B45}B"`, ")")],
    [
      "width_unicode_bytes: width counts UTF-8 bytes",
      seq("é".repeat(23), "é".repeat(23)),
      lines("(", `${T}"${"é".repeat(23)}"`, `${T}"${"é".repeat(23)}"`, ")"),
    ],
    [
      "width_nested_fold: the inner group fits in 99",
      st(["inner", seq(A45.slice(1), B45)], ["pad", "x"]),
      lines("(", `${T}inner: ("${A45.slice(1)}", "${B45}")`, `${T}pad: "x"`, ")"),
    ],
    [
      "width_nested_unfold: the inner group does not fit in 99",
      st(["inner", seq(A45, B45)], ["pad", "x"]),
      lines("(", `${T}inner: (`, `${T}${T}"${A45}"`, `${T}${T}"${B45}"`, `${T})`, `${T}pad: "x"`, ")"),
    ],
    [
      "print_wide_struct",
      st(
        ["short", st(["a", 1], ["b", 2])],
        ["long", st(["field_one", "a".repeat(16)], ["field_two", "b".repeat(16)], ["field_three", "c".repeat(16)], ["field_four", 4])],
        ["seq", seq(...Array<Value>(8).fill("0123456789"))],
      ),
      lines(
        "(",
        `${T}short: (a: 1, b: 2)`,
        `${T}long: (`,
        `${T}${T}field_one: "aaaaaaaaaaaaaaaa"`,
        `${T}${T}field_two: "bbbbbbbbbbbbbbbb"`,
        `${T}${T}field_three: "cccccccccccccccc"`,
        `${T}${T}field_four: 4`,
        `${T})`,
        `${T}seq: (`,
        ...Array<string>(8).fill(`${T}${T}"0123456789"`),
        `${T})`,
        ")",
      ),
    ],
    [
      "variety_wrap: a wide variety unfolds after its name and bracket",
      variety("variety_wrap.Describe", ["first", "a".repeat(30)], ["second", "b".repeat(30)], ["third", "c".repeat(24)]),
      lines(
        "variety_wrap.Describe[",
        `${T}first: "${"a".repeat(30)}"`,
        `${T}second: "${"b".repeat(30)}"`,
        `${T}third: "${"c".repeat(24)}"`,
        "]",
      ),
    ],
    [
      "float_print: each float as Go prints it",
      st(
        ["a", f64(1.0)],
        ["e", f64(1e6)],
        ["f", f64(123456789)],
        ["h", f64(0.00001)],
        ["i", f64(1e21)],
        ["k", f64(1.5e-7)],
        ["l", f64(2e3)],
        ["m", f64(0.1)],
      ),
      "(a: 1, e: 1e+06, f: 1.23456789e+08, h: 1e-05, i: 1e+21, k: 1.5e-07, l: 2000, m: 0.1)",
    ],
    [
      "a field's value keeps the field's prefix and budget (the name is not subtracted)",
      st(["x".repeat(60), seq("y".repeat(40))]),
      // inner width 2+2+42 = 46 <= 99, although the line is 1 + 60 + 2 + 44 characters long
      lines("(", `${T}${"x".repeat(60)}: ("${"y".repeat(40)}")`, ")"),
    ],
    [
      "an unfolded group inside an unfolded one indents by one more tab each level",
      seq(seq(seq(A45, B45))),
      lines("(", `${T}(`, `${T}${T}(`, `${T}${T}${T}"${A45}"`, `${T}${T}${T}"${B45}"`, `${T}${T})`, `${T})`, ")"),
    ],
  ])("%s", (_, v, text) => {
    expect(printValue(v)).toBe(text);
  });

  it("prints a 10,000-element sequence quickly and with one element per line", () => {
    const big = seq(...Array.from({ length: 10_000 }, (_, i) => i));
    const started = performance.now();
    const text = printValue(big);
    const elapsed = performance.now() - started;
    const ls = text.split("\n");
    expect(ls).toHaveLength(10_002);
    expect(ls[1]).toBe(`${T}0`);
    expect(ls[10_000]).toBe(`${T}9999`);
    expect(elapsed).toBeLessThan(500);
  });

  it("prints a wide and deep value in linear time", () => {
    const row = (i: number): Value => st(["name", `item-${i}`], ["tags", seq("a", "b", "c")], ["n", i]);
    const table = seq(...Array.from({ length: 10_000 }, (_, i) => row(i)));
    const started = performance.now();
    const text = printValue(st(["rows", table]));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(text.split("\n")[2]).toBe(`${T}${T}(name: "item-0", tags: ("a", "b", "c"), n: 0)`);
  });
});
