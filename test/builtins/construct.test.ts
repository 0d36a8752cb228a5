import { describe, expect, it } from "vitest";
import { construction } from "../../src/builtins/index.js";
import { Struct, type Field } from "../../src/value/value.js";
import { EMPTY, args, run, seq, show } from "./fake.js";

/** [description, argument fields, printed result] */
const constructions: [string, Field[], string][] = [
  ["(x) is x", args({ "": 7 }), "7"],
  ["(1, 2) is the sequence", args({ "": seq(1, 2) }), "(1, 2)"],
  ["(: 1, a: 2) is 1", args({ "": 1, a: 2 }), "1"],
  ["(a: 2, : 1) is 1", args({ a: 2, "": 1 }), "1"],
  ["() is the empty structure", [], "()"],
  ["(a: 1, b: 2)", args({ a: 1, b: 2 }), "(a: 1, b: 2)"],
  ["Empty fields are dropped", args({ p: EMPTY, q: 2 }), "(q: 2)"],
  ["all Empty is the empty structure", args({ x: EMPTY, y: EMPTY }), "()"],
  ["(Empty(), Empty()) is Empty", args({ "": EMPTY }), "empty"],
  ["after_ is kept", args({ x: 1, after_: 2 }), "(x: 1, after_: 2)"],
];

describe("construction", () => {
  it("is registered under the empty name", async () => {
    const { builtin } = await import("./fake.js");
    expect(builtin("")).toBe(construction);
  });

  it.each(constructions)("%s", async (_what, fields, expected) => {
    expect(show(await run(construction, fields))).toBe(expected);
  });

  it("returns the empty structure singleton for ()", async () => {
    expect(await run(construction, [])).toBe(Struct.empty);
  });
});

/** [description, argument fields, printed result] */
const alls: [string, Field[], string][] = [
  ["all fields present", args({ a: 1, b: 2 }), "(a: 1, b: 2)"],
  ["one field Empty", args({ a: 1, b: EMPTY }), "empty"],
  ["no fields", [], "empty"],
  ["the monadic field is kept", args({ "": 1, y: 2 }), "(?: 1, y: 2)"],
  ["after_ is kept", args({ x: 1, after_: 2 }), "(x: 1, after_: 2)"],
];

describe("All", () => {
  it.each(alls)("%s", async (_what, fields, expected) => {
    expect(show(await run("All", fields))).toBe(expected);
  });
});
