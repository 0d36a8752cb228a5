import { describe, expect, it } from "vitest";
import { defineHost, type HostFunction } from "../../src/host/binding.js";
import { T } from "../../src/host/host-type.js";
import { KoCancelled, KoError, KoPanic } from "../../src/value/failure.js";
import { Struct, type Value } from "../../src/value/value.js";
import {
  Above,
  Acc,
  EMPTY,
  Give,
  Inc,
  Later,
  NotABool,
  Return,
  Twice,
  args,
  builtin,
  fakeRun,
  koCall,
  run,
  runShown,
  seq,
  show,
  st,
  vty,
} from "./fake.js";

describe("Yield", () => {
  it.each(
    (
      [
        [{ if: true, then: "T", else: "F" }, '"T"'],
        [{ if: false, then: "T", else: "F" }, '"F"'],
        [{ if: false, then: "T" }, "empty"],
        [{ if: true, then: vty("Hang") }, "Hang"],
      ] as [Record<string, Value>, string][]
    ).map(([f, e]) => [`${koCall("Yield", f)} = ${e}`, f, e] as const),
  )("%s", async (_, fields, expected) => {
    expect(await runShown("Yield", fields)).toBe(expected);
  });

  it.each(
    (
      [
        [{ then: "T" }, /Yield: argument if: missing/],
        [{ if: 1, then: "T", else: "F" }, /Yield: argument if: expects Bool, got Int64/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Yield", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Yield", fields)).rejects.toThrow(pattern);
  });
});

describe("When", () => {
  it.each(
    (
      [
        [{ have: 1, then: vty(Return), else: vty(Return, { "": "none" }) }, "1"],
        [{ "": 21, then: vty(Twice) }, "42"],
        [{ have: EMPTY, then: vty(Twice), else: vty(Return, { "": 0 }) }, "0"],
        [{ then: vty(Return) }, "empty"],
        [{ have: 1, else: vty(Return) }, "empty"],
      ] as [Record<string, Value>, string][]
    ).map(([f, e]) => [`${koCall("When", f)} = ${e}`, f, e] as const),
  )("%s", async (_, fields, expected) => {
    expect(await runShown("When", fields)).toBe(expected);
  });

  it.each(
    (
      [
        [{ have: 1, then: 5 }, /When: argument then: expects Variety/],
        [{ have: 1, then: vty(Return), else: "x" }, /When: argument else: expects Variety/],
        [{ have: 1, then: vty(Return, { "": 2 }) }, /augmenting duplicate field \?/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("When", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("When", fields)).rejects.toThrow(pattern);
  });
});

describe("Loop", () => {
  it("runs step until stop holds (reference 10: 128)", async () => {
    expect(await run("Loop", { start: 1, step: vty(Twice), stop: vty(Above, { limit: 100 }) })).toBe(128);
  });

  it("stays synchronous when its calls are", () => {
    const r = fakeRun();
    const result = builtin("Loop").invoke(args({ start: 0, step: vty(Inc), stop: vty(Above, { limit: 9 }) }), r.ctx);
    expect(result).toBe(10);
  });

  it("continues asynchronously when a call returns a promise", async () => {
    const r = fakeRun();
    const result = builtin("Loop").invoke(args({ start: 0, step: vty(Later), stop: vty(Return) }), r.ctx);
    expect(result).toBeInstanceOf(Promise);
    // Return(0) is not a Bool: the asynchronous path checks the predicate too.
    await expect(result).rejects.toThrow(/Loop: stop must return a Bool, got Int64/);
  });

  it("mixes synchronous and asynchronous steps", async () => {
    let n = 0;
    const sometimesLater = defineHost({
      pkg: "test",
      name: "sometimesLater",
      doc: "adds one, every third time later",
      params: [{ name: "n", monadic: true, type: T.int64 }],
      result: T.int64,
      effects: "pure",
      impl: ([x]) => (++n % 3 === 0 ? Promise.resolve((x as number) + 1) : (x as number) + 1),
    });
    expect(await run("Loop", { start: 0, step: vty(sometimesLater), stop: vty(Above, { limit: 99 }) })).toBe(100);
  });

  it("runs for many iterations without growing the stack", async () => {
    expect(await run("Loop", { start: 0, step: vty(Inc), stop: vty(Above, { limit: 199_999 }) })).toBe(200_000);
  });

  it.each([2, 3, 5])("mixes synchronous and asynchronous calls of step and stop (one in %i later)", async (k) => {
    expect(await run("Loop", { start: 0, step: vty(sometimesLater(Inc, k)), stop: vty(sometimesLater(Above, k + 1), { limit: 99 }) })).toBe(
      100,
    );
  });

  it("gives way to the event loop and stops when the run is cancelled", async () => {
    const r = fakeRun();
    let ticks = 0;
    const timer = setInterval(() => {
      if (++ticks === 3) r.controller.abort(new KoCancelled("interrupted"));
    }, 5);
    try {
      const endless = builtin("Loop").invoke(args({ start: 0, step: vty(Inc) }), r.ctx);
      await expect(endless).rejects.toThrow(/interrupted/);
      await expect(endless).rejects.toBeInstanceOf(KoCancelled);
    } finally {
      clearInterval(timer);
    }
  });

  it("reports a cancellation that is not a Ko failure as KoCancelled", async () => {
    const r = fakeRun();
    r.controller.abort(new Error("stop now"));
    // Synchronous steps: the cancellation is thrown within the first few thousand of them.
    expect(() => builtin("Loop").invoke(args({ start: 0, step: vty(Inc) }), r.ctx)).toThrow(KoCancelled);
  });

  it.each(
    (
      [
        [{ start: 1 }, /Loop: argument step: missing/],
        [{ start: 1, step: 3 }, /Loop: argument step: expects Variety/],
        [{ start: 1, step: vty(Twice), stop: "no" }, /Loop: argument stop: expects Variety/],
        [{ start: 1, step: vty(Twice), stop: vty(NotABool) }, /Loop: stop must return a Bool, got Int64/],
        [{ start: 1, step: vty(Twice), stop: vty(Above, { "": 100 }) }, /augmenting duplicate field \?/],
        [{ start: "a", step: vty(Twice) }, /Sum: argument value: expects \(Integer\)/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Loop", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Loop", fields)).rejects.toThrow(pattern);
  });
});

describe("Range", () => {
  it.each([
    ["accumulates (reference 10)", { over: seq(1, 2, 3), start: 0, with: vty(Acc) }, "(image: (10, 20, 30), residue: 6)"],
    ["over nothing", { over: EMPTY, start: 5, with: vty(Acc) }, "(image: empty, residue: 5)"],
    ["over a single value", { over: 4, start: 1, with: vty(Acc) }, "(image: (40), residue: 5)"],
    [
      "until stop holds",
      { over: seq(5, 6, 7, 8), start: 0, with: vty(Acc), stop: vty(Above, { limit: 10 }) },
      "(image: (50, 60), residue: 11)",
    ],
    ["an iterator returning Empty", { over: seq(1, 2), start: 0, with: vty(Give) }, "(image: empty, residue: empty)"],
    [
      "an iterator returning no emit and no carry",
      { over: seq(1, 2), start: 0, with: vty(Give, { r: st({}) }) },
      "(image: empty, residue: empty)",
    ],
  ] as [string, Record<string, Value>, string][])("%s", async (_what, fields, expected) => {
    expect(await runShown("Range", fields)).toBe(expected);
  });

  it.each([2, 3, 5])("mixes synchronous and asynchronous calls of with and stop (one in %i later)", async (k) => {
    const over = seq(...Array.from({ length: 20 }, (_, i) => i + 1));
    const fields = { over, start: 0, with: vty(sometimesLater(Acc, k)), stop: vty(sometimesLater(Above, k + 1), { limit: 100 }) };
    expect(await runShown("Range", fields)).toBe("(image: (10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140), residue: 105)");
    expect(await runShown("Range", { over, start: 0, with: vty(sometimesLater(Acc, k)) })).toContain("residue: 210");
  });

  it("returns a structure whose fields are present even when Empty", async () => {
    const r = (await run("Range", { over: EMPTY, with: vty(Acc) })) as Struct;
    expect(r.fields.map((f) => f.name)).toEqual(["image", "residue"]);
  });

  it.each(
    (
      [
        [{ over: seq(1) }, /Range: argument with: missing/],
        [{ over: seq(1), with: 1 }, /Range: argument with: expects Variety/],
        [{ over: seq(1), with: vty(Acc), stop: 1 }, /Range: argument stop: expects Variety/],
        [{ over: seq(1), with: vty(Give, { r: 3 }) }, /Range: with must return a structure or empty, got Int64/],
        [{ over: seq(1), start: 0, with: vty(Acc), stop: vty(NotABool) }, /Range: stop must return a Bool/],
        [
          { over: seq(1, 2), with: vty(Give, { r: st({ emit: 1 }) }), stop: vty(Return) },
          /Range: stop must return a Bool, got empty value/,
        ],
        [{ over: seq(1), with: vty(Acc, { elem: 2 }) }, /augmenting duplicate field elem/],
      ] as [Record<string, Value>, RegExp][]
    ).map(([f, p]) => [`${koCall("Range", f)} fails`, f, p] as const),
  )("%s", async (_, fields, pattern) => {
    await expect(run("Range", fields)).rejects.toThrow(pattern);
  });

  it("fails when the image does not unify", async () => {
    let i = 0;
    const mixed = defineHost({
      pkg: "test",
      name: "mixed",
      doc: "emits an Int64, then a String",
      params: [],
      result: T.any,
      effects: "pure",
      impl: () => st({ emit: i++ === 0 ? 1 : "x" }),
    });
    await expect(run("Range", { over: seq(1, 2), with: vty(mixed) })).rejects.toThrow(/cannot be unified/);
  });
});

describe("Panic and Recover", () => {
  it.each([
    ["a named value", args({ why: "no" }), '(why: "no")'],
    ["an unnamed value", args({ "": "plain string" }), '"plain string"'],
    ["nothing", [], "()"],
  ] as [string, ReturnType<typeof args>, string][])("Panic carries %s", async (_what, fields, expected) => {
    const failure = await run("Panic", fields).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KoPanic);
    expect(show((failure as KoPanic).value)).toBe(expected);
  });

  it.each([
    ["returns invoke() when it does not panic", { invoke: vty(Return, { "": 5 }), panic: vty(Return) }, "5"],
    ["recovers a panic (reference 10)", { invoke: vty("Panic", { why: "no" }), panic: vty(Return) }, '(why: "no")'],
    ["recovers the empty panic", { invoke: vty("Panic"), panic: vty(Return) }, "()"],
    ["recovers an asynchronous panic", { invoke: vty(Later, { pass: 1 }), panic: vty(Return) }, "1"],
  ] as [string, Record<string, Value>, string][])("%s", async (_what, fields, expected) => {
    expect(await runShown("Recover", fields)).toBe(expected);
  });

  it("recovers a rejected promise", async () => {
    const rejecting = defineHost({
      pkg: "test",
      name: "rejecting",
      doc: "panics later",
      params: [],
      result: T.any,
      effects: "pure",
      impl: () => Promise.reject(new KoPanic("later")),
    });
    expect(await runShown("Recover", { invoke: vty(rejecting), panic: vty(Return) })).toBe('"later"');
  });

  it("lets a panic of the handler through", async () => {
    const failure = await run("Recover", { invoke: vty("Panic", { "": 1 }), panic: vty("Panic", { again: true }) }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(KoPanic);
    expect(show((failure as KoPanic).value)).toBe("1"); // Panic(again: true, : 1) carries its unnamed argument
  });

  it.each([
    ["an error", { invoke: vty("Sum", { "": "a" }), panic: vty(Return) }, /Sum: argument value/],
    ["division by zero", { invoke: vty("Ratio", { "": seq(1, 0) }), panic: vty(Return) }, /integer division by zero/],
    ["a missing invoke", { panic: vty(Return) }, /Recover: argument invoke: missing/],
    ["a non-variety handler", { invoke: vty(Return, { "": 1 }), panic: 5 }, /Recover: argument panic: expects Variety/],
    ["a handler with its slot filled", { invoke: vty("Panic"), panic: vty(Return, { "": 1 }) }, /augmenting duplicate field/],
  ] as [string, Record<string, Value>, RegExp][])("does not catch %s", async (_what, fields, pattern) => {
    const failure = await run("Recover", fields).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KoError);
    expect((failure as Error).message).toMatch(pattern);
  });

  it("does not catch a cancellation", async () => {
    const cancelled = defineHost({
      pkg: "test",
      name: "cancelled",
      doc: "is cancelled",
      params: [],
      result: T.any,
      effects: "pure",
      impl: () => Promise.reject(new KoCancelled()),
    });
    await expect(run("Recover", { invoke: vty(cancelled), panic: vty(Return) })).rejects.toBeInstanceOf(KoCancelled);
  });
});

describe("Hang", () => {
  it("settles only when the run is cancelled", async () => {
    const r = fakeRun();
    let settled = false;
    const hanging = (builtin("Hang").invoke([], r.ctx) as Promise<Value>).finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    r.controller.abort();
    await expect(hanging).rejects.toBeInstanceOf(KoCancelled);
  });

  it("fails at once on a cancelled run", async () => {
    const r = fakeRun();
    r.controller.abort(new KoCancelled("gone"));
    await expect(builtin("Hang").invoke([], r.ctx)).rejects.toThrow(/gone/);
  });
});

describe("Parallel, Sequential and Profile", () => {
  it("Parallel invokes the variety", async () => {
    const r = fakeRun();
    expect(await run("Parallel", { "": vty(Twice, { n: 4 }) }, r)).toBe(8);
    expect(r.calls[0]).toEqual({ callee: "test.Twice", mode: undefined });
  });

  it("Sequential invokes the variety in sequential mode", async () => {
    const r = fakeRun();
    expect(await run("Sequential", { "": vty(Twice, { n: 4 }) }, r)).toBe(8);
    expect(r.calls[0]).toEqual({ callee: "test.Twice", mode: "sequential" });
  });

  it("Profile returns the result and an Int64 duration", async () => {
    const p = (await run("Profile", { "": vty(Later, { pass: 81 }) })) as Struct;
    expect(p.get("returns")).toBe(81);
    expect(typeof p.get("duration")).toBe("number");
    expect(p.get("duration") as number).toBeGreaterThan(0);
  });

  it.each(["Parallel", "Sequential", "Profile"])("%s needs a variety", async (fn) => {
    await expect(run(fn, {})).rejects.toThrow(new RegExp(`${fn}: argument value: missing`));
    await expect(run(fn, { "": 3 })).rejects.toThrow(/expects Variety/);
  });
});

/** `fn`, answering one call in `k` with a promise. */
function sometimesLater(fn: HostFunction, k: number): HostFunction {
  let n = 0;
  return defineHost({
    pkg: "test",
    name: `${fn.name}Later`,
    doc: `${fn.name}, one call in ${k} later`,
    params: [],
    result: T.any,
    effects: "pure",
    raw: (fields, ctx) => {
      const v = fn.invoke(fields, ctx);
      return ++n % k === 0 ? Promise.resolve(v) : v;
    },
  });
}
