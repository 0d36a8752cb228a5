import { describe, expect, it } from "vitest";
import type { Value } from "../../src/value/value.js";
import { EMPTY, koApply, labelled, run, seq } from "./fake.js";

/** [builtin, unnamed argument or undefined for none, result] */
const results: [string, Value | undefined, boolean][] = [
  ["And", seq(true, true, false), false],
  ["And", seq(true, true), true],
  ["And", true, true],
  ["And", undefined, true],
  ["And", EMPTY, true],
  ["Or", seq(false, false, true), true],
  ["Or", false, false],
  ["Or", undefined, false],
  ["Xor", seq(true, true, true), true],
  ["Xor", seq(true, true), false],
  ["Xor", undefined, false],
  ["Not", false, true],
  ["Not", true, false],
  ["Not", undefined, true],
];

describe("boolean builtins", () => {
  it.each(labelled(results, ([fn, arg, expected]) => `${koApply(fn, arg)} = ${expected}`))("%s", async (_, fn, arg, expected) => {
    expect(await run(fn, arg === undefined ? {} : { "": arg })).toBe(expected);
  });

  it("take their Bools by name too", async () => {
    expect(await run("And", { series: seq(true, false) })).toBe(false);
    expect(await run("Not", { bool: true })).toBe(false);
  });

  const nonBools: [string, Value][] = [
    ["And", seq(true, 1)],
    ["Or", "true"],
    ["Xor", seq(false, "x")],
    ["Not", 1],
    ["Not", seq(true, false)],
  ];
  it.each(labelled(nonBools, ([fn, arg]) => `${koApply(fn, arg)} fails`))("%s", async (_, fn, arg) => {
    await expect(run(fn, { "": arg })).rejects.toThrow(/expects/);
  });
});
