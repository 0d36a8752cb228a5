import { describe, expect, it } from "vitest";
import { parseTemplate } from "../../src/value/template.js";
import type { Value } from "../../src/value/value.js";
import { EMPTY, Later, Return, builtin, fakeRun, koCall, run, runShown, seq, show, st, vty } from "./fake.js";

const withReturn = { withString: vty(Return), withArg: vty(Return) };

describe("parseTemplate", () => {
  it.each([
    ["{{a}}-{{b}}", [{ path: ["a"] }, { text: "-" }, { path: ["b"] }]],
    ["<{{p.q}}>", [{ text: "<" }, { path: ["p", "q"] }, { text: ">" }]],
    ["{{ v1 }}+{{v_2}}", [{ path: ["v1"] }, { text: "+" }, { path: ["v_2"] }]],
    ["plain", [{ text: "plain" }]],
    ["", []],
    ["a}b{c", [{ text: "a}b{c" }]],
  ])("splits %j", (template, pieces) => {
    expect(parseTemplate(template)).toEqual(pieces);
  });

  it.each([
    ["{{a", /unbalanced braces in "\{\{a": "\{\{" without "\}\}"/],
    ["a}}", /unbalanced braces in "a\}\}": "\}\}" without "\{\{"/],
    ["{{a}}}}", /unbalanced braces/],
    ["{{}}", /selector "" is not a dotted path of names/],
    ["{{a-b}}", /selector "a-b" is not a dotted path/],
    ["{{a..b}}", /selector "a..b"/],
    ["{{{{a}}}}", /selector "\{\{a"/],
    ["{{a b}}", /selector "a b"/],
  ])("rejects %j", (template, pattern) => {
    expect(() => parseTemplate(template)).toThrow(pattern);
  });
});

describe("Template", () => {
  it.each([
    ["{{a}}-{{b}}", st({ a: "x", b: "y" }), '("x", "-", "y")'],
    ["<{{p.q}}>", st({ p: st({ q: "deep" }) }), '("<", "deep", ">")'],
    ["{{v1}}+{{v2}}", st({ v1: "one", v2: "two" }), '("one", "+", "two")'],
    ["[{{ missing }}]", st({}), '("[", "]")'],
    ["{{a.b.c}}", EMPTY, "empty"],
    ["just text", EMPTY, '("just text")'],
  ] as [string, Value, string][])("Template(%j) = %s", async (template, argsV, expected) => {
    expect(await runShown("Template", { template, args: argsV, ...withReturn })).toBe(expected);
  });

  it("continues asynchronously when its varieties do", async () => {
    const fields = { template: "{{a}}!", args: st({ a: "x" }), withString: vty(Return), withArg: vty(Later) };
    const result = builtin("Template").invoke(
      Object.entries(fields).map(([name, value]) => ({ name, value, monadic: false })),
      fakeRun().ctx,
    );
    expect(result).toBeInstanceOf(Promise);
    expect(show(await result)).toBe('("x", "!")');
  });

  it.each(
    (
      [
        [{ args: st({}), ...withReturn }, /Template: argument template: missing/],
        [{ template: 5, ...withReturn }, /Template: argument template: expects String/],
        [{ template: "x", withArg: vty(Return) }, /Template: argument withString: missing/],
        [{ template: "x", withString: vty(Return), withArg: "no" }, /Template: argument withArg: expects Variety/],
        [{ template: "{{a.b}}", args: st({ a: 1 }), ...withReturn }, /Template: cannot select b into a Int64/],
        [{ template: "{{a}}", args: seq(1, 2), ...withReturn }, /Template: cannot select a into a sequence/],
        [{ template: "{{a}}", args: st({ a: 1 }), withString: vty(Return), withArg: vty(Return, { "": 2 }) }, /augmenting duplicate field/],
        [{ template: "{{a}}x", args: st({ a: 1 }), ...withReturn }, /cannot be unified/],
        [{ template: "{{a", ...withReturn }, /unbalanced braces/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Template", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Template", fields)).rejects.toThrow(pattern);
  });
});

describe("Format", () => {
  it.each([
    ["%%=%%", seq("k", "v"), '("", "k", "=", "v", "")'],
    ["no markers", EMPTY, '("no markers")'],
    ["one %%", "x", '("one ", "x", "")'],
  ] as [string, Value, string][])("Format(%j) = %s", async (format, argsV, expected) => {
    expect(await runShown("Format", { format, args: argsV, ...withReturn })).toBe(expected);
  });

  it.each(
    (
      [
        [{ format: "%%", args: seq(1, 2), ...withReturn }, /Format: the format has 1 %% markers but there are 2 arguments/],
        [{ format: "%%%%", args: "x", ...withReturn }, /has 2 %% markers but there are 1/],
        [{ args: "x", ...withReturn }, /Format: argument format: missing/],
        [{ format: "%%", args: "x", withString: vty(Return), withArg: 1 }, /Format: argument withArg: expects Variety/],
        [{ format: "%%", args: 1, ...withReturn }, /cannot be unified/],
        [{ format: "x", withString: vty(Return, { "": 1 }), withArg: vty(Return) }, /augmenting duplicate field/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Format", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Format", fields)).rejects.toThrow(pattern);
  });
});
