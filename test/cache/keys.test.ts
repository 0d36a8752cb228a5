/** Call keys: code and argument values count; comments, layout and ignored arguments do not. */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/api/index.js";
import { callKey } from "../../src/instrument/call-keys.js";
import { EMPTY, Opaque, Seq, Struct, Variety, field, type Field, type Value } from "../../src/value/value.js";

const source = `
Main() { return: Work(1) }
Work(x?) { return: Helper(x) }
Helper(x?) { return: Sum(x, 1) }
Apply(f, x) { return: f(x) }
Loud(x?) { return: Show(x) }
`;

function keyOf(src: string, fn: string, fields: Field[], pure = true): string | undefined {
  const p = compileSource(src);
  return callKey(p.func(fn)!, fields, { pure });
}

const one = [field("", 1)];

describe("callKey", () => {
  it("ignores comments and layout", () => {
    const commented = source.replace("Work(x?) { return: Helper(x) }", "// Work works.\nWork(x?) {\n\treturn: Helper(x) // helps\n}");
    expect(keyOf(commented, "Work", one)).toBe(keyOf(source, "Work", one));
  });

  it("changes when a callee's body changes", () => {
    expect(keyOf(source.replace("Sum(x, 1)", "Sum(x, 2)"), "Work", one)).not.toBe(keyOf(source, "Work", one));
  });

  it("changes with the argument values, even where Equal would not tell them apart", () => {
    const base = keyOf(source, "Work", one);
    expect(keyOf(source, "Work", [field("", 2)])).not.toBe(base);
    const ab = new Struct([field("a", 1), field("b", 2)]);
    const ba = new Struct([field("b", 2), field("a", 1)]);
    expect(keyOf(source, "Work", [field("", ab)])).not.toBe(keyOf(source, "Work", [field("", ba)]));
    expect(keyOf(source, "Work", [field("", new Seq(["b"]))])).not.toBe(keyOf(source, "Work", [field("", "b")]));
  });

  it("is the same for arguments the function ignores, and for x given by name or as the unnamed one", () => {
    const base = keyOf(source, "Work", one);
    expect(keyOf(source, "Work", [field("", 1), field("after_", 7)])).toBe(base);
    expect(keyOf(source, "Work", [field("x", 1)])).toBe(base);
    expect(keyOf(source, "Work", [field("x", EMPTY)])).toBe(keyOf(source, "Work", []));
  });

  it("covers the code of varieties passed as arguments", () => {
    const p = compileSource(source);
    const withHelper = callKey(p.func("Apply")!, [field("f", new Variety(p.func("Helper")!, [])), field("x", 1)], { pure: true });
    const q = compileSource(source.replace("Sum(x, 1)", "Sum(x, 3)"));
    const changed = callKey(q.func("Apply")!, [field("f", new Variety(q.func("Helper")!, [])), field("x", 1)], { pure: true });
    expect(withHelper).toBeDefined();
    expect(changed).not.toBe(withHelper);
  });

  it("has no key for a call holding a host value, nor, when pure, for one passing a variety with effects", () => {
    const p = compileSource(source);
    expect(callKey(p.func("Work")!, [field("", new Opaque("Memory", {}))], { pure: true })).toBeUndefined();
    const loud: Value = new Variety(p.func("Loud")!, []);
    expect(callKey(p.func("Apply")!, [field("f", loud), field("x", 1)], { pure: true })).toBeUndefined();
    expect(callKey(p.func("Apply")!, [field("f", loud), field("x", 1)], { pure: false })).toMatch(/^[0-9a-f]{64}$/);
  });
});
