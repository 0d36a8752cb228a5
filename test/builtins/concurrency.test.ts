import { describe, expect, it } from "vitest";
import { MemoryStore } from "../../src/builtins/concurrency.js";
import { equal } from "../../src/value/equal.js";
import { KoError, KoPanic } from "../../src/value/failure.js";
import { Struct, Variety, type Value } from "../../src/value/value.js";
import { EMPTY, Return, Twice, fakeRun, koCall, run, seq, show, st, vty } from "./fake.js";

/** Invokes a method variety (`Wait`, `Remember`, ...) as the evaluator would. */
function method(handle: Value, name: string, fields: Record<string, Value> = {}, r = fakeRun()) {
  return r.ctx.call(
    (handle as Struct).get(name),
    Object.entries(fields).map(([k, v]) => ({ name: k, value: v, monadic: k === "" })),
  );
}

describe("Spin", () => {
  it("returns (Wait: ...) whose Wait gives the result, any number of times", async () => {
    const h = await run("Spin", { "": vty(Twice, { n: 21 }) });
    expect((h as Struct).fields.map((f) => f.name)).toEqual(["Wait"]);
    expect(await method(h, "Wait")).toBe(42);
    expect(await method(h, "Wait")).toBe(42);
  });

  it("makes a Wait that prints as Wait and equals only itself", async () => {
    const a = (await run("Spin", { "": vty(Return, { "": 1 }) })) as Struct;
    const b = (await run("Spin", { "": vty(Return, { "": 1 }) })) as Struct;
    expect(show(a)).toBe("(Wait: Wait)");
    expect(equal(a.get("Wait"), a.get("Wait"))).toBe(true);
    expect(equal(a.get("Wait"), b.get("Wait"))).toBe(false);
  });

  it("re-raises the spun call's panic at each Wait, keeping the original as its cause", async () => {
    const h = await run("Spin", { "": vty("Panic", { why: "inside spin" }) });
    const first = await Promise.resolve(method(h, "Wait")).catch((e: unknown) => e);
    const second = await Promise.resolve(method(h, "Wait")).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KoPanic);
    expect(show((first as KoPanic).value)).toBe('(why: "inside spin")');
    expect(second).not.toBe(first);
    expect((first as KoPanic).cause).toBeInstanceOf(KoPanic);
  });

  it("can be recovered through Wait", async () => {
    const h = await run("Spin", { "": vty("Panic", { why: "x" }) });
    expect(show(await run("Recover", { invoke: (h as Struct).get("Wait"), panic: vty(Return) }))).toBe('(why: "x")');
  });

  it("fails at Wait with the spun call's error, which Recover does not catch", async () => {
    const h = await run("Spin", { "": vty("Sum", { "": "a" }) });
    await expect(run("Recover", { invoke: (h as Struct).get("Wait"), panic: vty(Return) })).rejects.toBeInstanceOf(KoError);
  });

  it("does not leave an unhandled rejection when nobody waits", async () => {
    const unhandled: unknown[] = [];
    const listener = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", listener);
    try {
      await run("Spin", { "": vty("Panic", { why: "ignored" }) });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", listener);
    }
  });

  it.each(
    (
      [
        [{}, /Spin: argument value: missing/],
        [{ "": 5 }, /Spin: argument value: expects Variety/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Spin", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Spin", fields)).rejects.toThrow(pattern);
  });
});

describe("Memory", () => {
  it("remembers, recalls, forgets and flushes in insertion order (D30)", async () => {
    const m = await run("Memory");
    expect(show(await method(m, "Remember", { key: "x", value: 10 }))).toBe("empty");
    await method(m, "Remember", { key: "y", value: 20 });
    await method(m, "Remember", { key: "z", value: 30 });
    expect(show(await method(m, "Flush"))).toBe('((key: "x", value: 10), (key: "y", value: 20), (key: "z", value: 30))');
    expect(await method(m, "Remember", { key: "y", value: 21 })).toBe(20); // keeps its place
    expect(await method(m, "Remember", { key: "x", value: EMPTY })).toBe(10); // forgets
    expect(await method(m, "Remember", { key: "x", value: 11 })).toBe(EMPTY); // appended again
    expect(show(await method(m, "Flush"))).toBe('((key: "y", value: 21), (key: "z", value: 30), (key: "x", value: 11))');
    expect(await method(m, "Recall", { key: "y", otherwise: 0 })).toBe(21);
    expect(await method(m, "Recall", { key: "w", otherwise: -1 })).toBe(-1);
    expect(await method(m, "Recall", { key: "w" })).toBe(EMPTY);
  });

  it("compares keys with Equal", async () => {
    const m = await run("Memory");
    await method(m, "Remember", { key: st({ a: 1, b: 2 }), value: "ab" });
    expect(await method(m, "Recall", { key: st({ b: 2, a: 1 }), otherwise: "none" })).toBe("ab");
    expect(await method(m, "Recall", { key: seq("k"), otherwise: "none" })).toBe("none");
    await method(m, "Remember", { key: "k", value: 1 });
    expect(await method(m, "Recall", { key: seq("k") })).toBe(1); // ("k") equals "k" (D13)
  });

  it("flushes nothing as Empty", async () => {
    expect(await method(await run("Memory"), "Flush")).toBe(EMPTY);
  });

  it("fails to flush keys whose types do not unify", async () => {
    const m = await run("Memory");
    await method(m, "Remember", { key: "x", value: 1 });
    await method(m, "Remember", { key: 2, value: 1 });
    expect(() => method(m, "Flush")).toThrow(/cannot be unified/);
  });

  it("makes separate stores with distinct names and methods printing by name (D28)", async () => {
    const a = (await run("Memory")) as Struct;
    const b = (await run("Memory")) as Struct;
    expect(a.fields.map((f) => f.name)).toEqual(["name", "Remember", "Recall", "Flush"]);
    expect(typeof a.get("name")).toBe("string");
    expect(a.get("name")).not.toBe(b.get("name"));
    expect(show(a.get("Remember") as Variety)).toBe("Remember");
    expect(equal(a.get("Recall"), b.get("Recall"))).toBe(false);
    await method(a, "Remember", { key: 1, value: 1 });
    expect(await method(b, "Recall", { key: 1 })).toBe(EMPTY);
  });

  it("MemoryStore works on its own", () => {
    const s = new MemoryStore();
    expect(s.remember(EMPTY, 1)).toBe(EMPTY);
    expect(s.recall(EMPTY)).toBe(1);
    expect(s.remember(EMPTY, EMPTY)).toBe(1);
    expect(s.flush()).toBe(EMPTY);
  });
});
