import { describe, expect, it } from "vitest";
import { defineHost } from "../../src/host/binding.js";
import { T } from "../../src/host/host-type.js";
import type { Field, Value } from "../../src/value/value.js";
import {
  ByKey,
  EMPTY,
  Lt,
  NotABool,
  Return,
  args,
  builtin,
  fakeRun,
  int,
  koApply,
  labelled,
  run,
  runShown,
  seq,
  show,
  st,
  vty,
} from "./fake.js";

const remainderB = seq("b"); // Take("a", "b").remainder

/** [builtin, unnamed argument or undefined for none, printed result] */
const results: [string, Value | undefined, string][] = [
  ["Equal", seq(3, 3, 3), "true"],
  ["Equal", seq(3, 4), "false"],
  ["Equal", seq(st({ a: 1, b: 2 }), st({ b: 2, a: 1 })), "true"],
  ["Equal", seq(seq(1, 2), seq(2, 1)), "false"],
  ["Equal", seq(int("Int8", 1), 1), "false"],
  ["Equal", seq(remainderB, "b"), "true"],
  ["Equal", seq("b", remainderB), "true"],
  ["Equal", seq(vty(Return, { "": 1 }), vty(Return, { "": 1 })), "true"],
  ["Equal", seq(vty("Sum"), vty("Prod")), "false"],
  ["Equal", undefined, "true"],
  ["Equal", 5, "true"],
  ["Len", seq(1, 2, 3), "3"],
  ["Len", 42, "1"],
  ["Len", "hello", "1"],
  ["Len", undefined, "0"],
  ["Len", st({ a: 1, b: 2 }), "1"],
  ["Len", st({}), "1"],
  ["Len", seq(seq(1, 2), seq(3, 4, 5)), "2"],
  ["Merge", seq(seq(1, 2), 3, 4), "(1, 2, 3, 4)"],
  ["Merge", seq(seq(seq(1, 2), seq(3, 4)), seq(5, 6)), "((1, 2), (3, 4), 5, 6)"],
  ["Merge", seq("x", seq("y", "z")), '("x", "y", "z")'],
  ["Merge", 5, "(5)"],
  ["Merge", undefined, "empty"],
  ["Take", seq("a", "b", "c"), '(first: "a", remainder: ("b", "c"))'],
  ["Take", seq("a", "b"), '(first: "a", remainder: ("b"))'],
  ["Take", "a", '(first: "a", remainder: empty)'],
  ["Take", undefined, "empty"],
];

describe("list builtins", () => {
  it.each(labelled(results, ([fn, arg, expected]) => `${koApply(fn, arg)} = ${expected}`))("%s", async (_, fn, arg, expected) => {
    expect(await runShown(fn, arg === undefined ? {} : { "": arg })).toBe(expected);
  });

  it("Take takes its list by the name from too", async () => {
    expect(await runShown("Take", { from: seq(1, 2, 3) })).toBe("(first: 1, remainder: (2, 3))");
  });

  it("Merge fails when the parts do not unify", async () => {
    await expect(run("Merge", { "": seq(seq(1, 2), seq("a")) })).rejects.toThrow(/cannot be unified/);
  });
});

describe("Hash", () => {
  const hash = (fields: Field[]) => run("Hash", fields) as Promise<string>;

  it("is a short base-36 string", async () => {
    expect(await hash(args({ "": "x" }))).toMatch(/^[0-9a-z]{1,13}$/);
  });

  it.each([
    ["field order", args({ a: 1, b: 2 }), args({ b: 2, a: 1 })],
    ["Empty fields", args({ a: 1, b: EMPTY }), args({ a: 1 })],
    ["a singleton and its element", args({ "": seq(2) }), args({ "": 2 })],
  ])("ignores %s", async (_what, x, y) => {
    expect(await hash(x)).toBe(await hash(y));
  });

  it.each([
    ["1 and 2", args({ "": 1 }), args({ "": 2 })],
    ["true and false", args({ "": true }), args({ "": false })],
    ["sequence order", args({ "": seq(1, 2) }), args({ "": seq(2, 1) })],
    ["Int64 and Int32", args({ "": 1 }), args({ "": int("Int32", 1) })],
    ["() and Empty", [], args({ "": EMPTY })],
  ])("tells apart %s", async (_what, x, y) => {
    expect(await hash(x)).not.toBe(await hash(y));
  });
});

describe("Sort", () => {
  const keyed = (k: number, v: string) => st({ k, v });

  it.each([
    ["ascending", seq(3, 1, 2), vty(Lt), "(1, 2, 3)"],
    ["a single value", 5, vty(Lt), "(5)"],
    ["nothing", EMPTY, vty(Lt), "empty"],
    ["longer lists", seq(9, 3, 7, 1, 8, 2, 6, 4, 5, 0), vty(Lt), "(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)"],
    [
      "stably",
      seq(keyed(2, "a"), keyed(1, "b"), keyed(2, "c"), keyed(1, "d"), keyed(0, "e"), keyed(2, "f")),
      vty(ByKey),
      '(\n\t(k: 0, v: "e")\n\t(k: 1, v: "b")\n\t(k: 1, v: "d")\n\t(k: 2, v: "a")\n\t(k: 2, v: "c")\n\t(k: 2, v: "f")\n)',
    ],
  ] as [string, Value, Value, string][])("sorts %s", async (_what, over, less, expected) => {
    expect(show(await run("Sort", { over, less }))).toBe(expected);
  });

  it("continues asynchronously when the comparator does", async () => {
    const asyncLt = defineHost({
      pkg: "test",
      name: "asyncLt",
      doc: "Less, later",
      params: [
        { name: "left", type: T.any },
        { name: "right", type: T.any },
      ],
      result: T.bool,
      effects: "pure",
      impl: ([l, r]) => new Promise((resolve) => setImmediate(() => resolve((l as number) < (r as number)))),
    });
    const result = run("Sort", { over: seq(3, 1, 2, 5, 4), less: vty(asyncLt) });
    expect(result).toBeInstanceOf(Promise);
    expect(show(await result)).toBe("(1, 2, 3, 4, 5)");
  });

  it("stays synchronous when the comparator is", () => {
    const r = fakeRun();
    const result = builtin("Sort").invoke(args({ over: seq(2, 1), less: vty(Lt) }), r.ctx);
    expect(show(result)).toBe("(1, 2)");
  });

  it.each([
    ["less is missing", { over: seq(1, 2) }, /Sort: argument less: missing/],
    ["less is not a variety", { over: seq(1, 2), less: 5 }, /Sort: argument less: expects Variety/],
    ["less returns a non-Bool", { over: seq(1, 2), less: vty(NotABool) }, /Sort: less must return a Bool, got Int64/],
    ["less is Less itself (no unnamed argument)", { over: seq(3, 1, 2), less: vty("Less") }, /Less: argument value: missing/],
    ["less fails on the elements", { over: seq("a", "b"), less: vty(Lt) }, /Less: argument value: expects \(Integer\)/],
    ["less has its slots filled", { over: seq(1, 2), less: vty(Lt, { left: 1 }) }, /augmenting duplicate field left/],
  ] as [string, Record<string, Value>, RegExp][])("fails when %s", async (_what, fields, pattern) => {
    await expect(run("Sort", fields)).rejects.toThrow(pattern);
  });

  it("does not call less for fewer than two elements", async () => {
    expect(show(await run("Sort", { over: 1, less: vty(NotABool) }))).toBe("(1)");
  });
});
