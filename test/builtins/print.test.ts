import { describe, expect, it } from "vitest";
import type { Field, Value } from "../../src/value/value.js";
import { EMPTY, args, fakeRun, float, int, run, seq, show, st, vty } from "./fake.js";

describe("Show and ShowType", () => {
  it.each([
    ["Show", args({ "": 1 }), "1\n", "1"],
    ["Show", args({ x: "two", y: seq(3, 4) }), '(x: "two", y: (3, 4))\n', '(x: "two", y: (3, 4))'],
    ["Show", [], "()\n", "()"],
    ["Show", args({ "": EMPTY }), "empty\n", "empty"],
    [
      "ShowType",
      args({ a: int("Int8", 1), b: int("Uint64", 2), c: float(1.5, "Float32") }),
      "(a: Int8, b: Uint64, c: Float32)\n",
      "(a: 1, b: 2, c: 1.5)",
    ],
    ["ShowType", args({ "": seq(seq(1, 2), 3) }), "((Int64))\n", "((1, 2), 3)"],
    ["ShowType", args({ "": "x" }), "String\n", '"x"'],
    ["ShowType", [], "()\n", "()"],
  ] as [string, Field[], string, string][])("%s(%o) prints %j to stdout", async (fn, fields, printed, result) => {
    const r = fakeRun();
    expect(show(await run(fn, fields, r))).toBe(result);
    expect(r.stdout.join("")).toBe(printed);
    expect(r.stderr).toEqual([]);
  });
});

describe("Peek and PeekType", () => {
  it.each([
    ["Peek", args({ a: 1 }), "(a: 1)\n", "(a: 1)"],
    ["PeekType", args({ "": "s" }), "String\n", '"s"'],
  ] as [string, Field[], string, string][])("%s writes the call chain and %j to stderr", async (fn, fields, printed, result) => {
    const r = fakeRun();
    expect(show(await run(fn, fields, r))).toBe(result);
    expect(r.stdout).toEqual([]);
    expect(r.stderr.join("")).toBe(`  at test.Main:step (test.ko:1:1)\n${printed}`);
  });

  it("adds the line break a call chain without one lacks", async () => {
    const r = fakeRun();
    const ctx = { ...r.ctx, callChain: () => "  at f:g (x.ko:1:1)" };
    const { builtin } = await import("./fake.js");
    await builtin("Peek").invoke(args({ "": 1 }), ctx);
    expect(r.stderr.join("")).toBe("  at f:g (x.ko:1:1)\n1\n");
  });
});

describe("Print and Println", () => {
  it.each([
    ["Print", { "": "no newline" }, "no newline"],
    ["Print", { string: seq("hello", "world") }, "helloworld"],
    ["Print", {}, ""],
    ["Print", { "": seq("x", 65, int("Uint8", 33)) }, "xA!"],
    ["Println", { string: seq("hello", "world") }, "helloworld\n"],
    ["Println", {}, "\n"],
  ] as [string, Record<string, Value>, string][])("%s(%o) writes and returns %j (D10)", async (fn, fields, text) => {
    const r = fakeRun();
    expect(await run(fn, fields, r)).toBe(text);
    expect(r.stdout.join("")).toBe(text);
  });

  it.each([
    ["Print", true, /Print: cannot print Bool; expects strings/],
    ["Print", seq(float(1.5), float(2)), /Print: cannot print Float64/],
    ["Println", st({ a: 1 }), /Println: cannot print structure/],
    ["Println", vty("Sum"), /Println: cannot print variety/],
  ] as [string, Value, RegExp][])("%s(%o) fails", async (fn, arg, pattern) => {
    const r = fakeRun();
    await expect(run(fn, { "": arg }, r)).rejects.toThrow(pattern);
    expect(r.stdout).toEqual([]);
  });
});
