import { describe, expect, it } from "vitest";
import { KoCancelled, KoError } from "../../src/value/failure.js";
import { FloatVal, IntVal, type Value } from "../../src/value/value.js";
import { formatDuration } from "../../src/stdlib/time.js";
import { call, fakeContext, fn, registry } from "./host.js";

const t = (name: string, args: Record<string, Value> = {}, ctx = fakeContext()) => call("time", name, args, ctx);
const MS = 1_000_000;

describe("duration units", () => {
  it("return nanoseconds, scale 1 by default", () => {
    expect(t("Millisecond")).toBe(MS);
    expect(t("Millisecond", { "": 2 })).toBe(2 * MS);
    expect(t("GoSecond", { "": 2 })).toBe(2_000_000_000);
    expect(t("GoMinute", { scale: 1 })).toBe(60_000_000_000);
    expect(t("GoHour")).toBe(3_600_000_000_000);
    expect(t("GoSecond", { "": 3 })).toBe(3_000_000_000);
    expect(t("GoMinute")).toBe(60_000_000_000);
    expect(t("GoHour", { "": -1 })).toBe(-3_600_000_000_000);
  });
  it("stay exact beyond 2^53 and wrap at 64 bits", () => {
    expect(t("GoHour", { "": 2_000_000 })).toBe(7_200_000_000_000_000_000n);
    expect(t("GoHour", { "": 3_000_000 })).toBe(BigInt.asIntN(64, 3_000_000n * 3_600_000_000_000n));
  });
  it("reject non-Int64 scales", () => {
    expect(() => t("GoSecond", { "": new FloatVal("Float64", 1.5) })).toThrow(KoError);
    expect(() => t("GoSecond", { "": new IntVal("Int32", 1n) })).toThrow(KoError);
    expect(() => t("GoSecond", { "": "1" })).toThrow(KoError);
  });
});

describe("formatting durations", () => {
  it.each([
    [0n, "0s"],
    [1n, "1ns"],
    [1500n, "1.5µs"],
    [1_500_000n, "1.5ms"],
    [1_000_000_000n, "1s"],
    [90_500_000_000n, "1m30.5s"],
    [3_600_000_000_000n, "1h0m0s"],
    [-3_723_000_000_000n, "-1h2m3s"],
    [9223372036854775807n, "2562047h47m16.854775807s"],
    [-9223372036854775808n, "-2562047h47m16.854775808s"],
  ])("formatDuration(%s) is %j", (d, text) => {
    expect(formatDuration(d)).toBe(text);
  });
  it("FormatDuration, GoFormatDurationSeconds and GoFormatDurationMilliseconds", () => {
    expect(t("FormatDuration", { "": 1_500_000 })).toBe("1.5ms");
    expect(t("GoFormatDurationSeconds", { "": 1_500_000_000 })).toBe("1.500s");
    expect(t("GoFormatDurationSeconds", { duration: 1234 })).toBe("0.000s");
    expect(t("GoFormatDurationMilliseconds", { "": 1_500_000 })).toBe("1.500ms");
    expect(t("GoFormatDurationMilliseconds", { "": -2_000_000_000 })).toBe("-2000.000ms");
    // A missing duration is 0, as Go's zero value in the original's gates.
    expect(t("FormatDuration", {})).toBe("0s");
    expect(t("GoFormatDurationSeconds", {})).toBe("0.000s");
    expect(() => t("GoFormatDurationSeconds", { "": "1s" })).toThrow(KoError);
  });
});

describe("the clock", () => {
  it("Now is nanoseconds since the Unix epoch", () => {
    const now = t("Now") as bigint;
    expect(typeof now).toBe("bigint");
    const ms = Number(now / 1_000_000n);
    expect(Math.abs(ms - Date.now())).toBeLessThan(1000);
  });
  it("Since measures from a time", async () => {
    const start = t("Now");
    await t("GoSleep", { "": 20 * MS });
    const elapsed = t("Since", { "": start }) as number;
    expect(elapsed).toBeGreaterThanOrEqual(15 * MS);
    expect(elapsed).toBeLessThan(5000 * MS);
    expect(() => t("Since", {})).toThrow(/missing/);
  });
});

describe("time.GoSleep, beneath the Ko function time.Sleep", () => {
  it("is declared async with time effects", () => {
    expect(fn("time", "GoSleep").async).toBe(true);
    expect(fn("time", "GoSleep").effects).toBe("time");
  });
  it("waits for the duration and returns it", async () => {
    const before = Date.now();
    expect(await t("GoSleep", { "": 30 * MS })).toBe(30 * MS);
    expect(Date.now() - before).toBeGreaterThanOrEqual(25);
    expect(await t("GoSleep", { duration: 1 })).toBe(1);
  });
  it("does not wait for zero or negative durations", async () => {
    expect(await t("GoSleep", { "": 0 })).toBe(0);
    expect(await t("GoSleep", { "": -5 })).toBe(-5);
  });
  it("stops with KoCancelled when the run is cancelled", async () => {
    const controller = new AbortController();
    const before = Date.now();
    const sleeping = t("GoSleep", { "": 60_000 * MS }, fakeContext(controller.signal));
    setTimeout(() => controller.abort(), 10);
    await expect(sleeping).rejects.toBeInstanceOf(KoCancelled);
    expect(Date.now() - before).toBeLessThan(5000);
  });
  it("fails at once when already cancelled", async () => {
    const controller = new AbortController();
    controller.abort(new KoCancelled("interrupted"));
    await expect(t("GoSleep", { "": 0 }, fakeContext(controller.signal))).rejects.toMatchObject({ reason: "interrupted" });
  });
  it("takes an Int64 duration, 0 when none is given (Go's zero value, as in the original)", async () => {
    expect(await t("GoSleep", {})).toBe(0);
    expect(() => t("GoSleep", { "": "1s" })).toThrow(KoError);
  });
  it("leaves Sleep, Second, Minute and Hour to Ko (D20): no name is bound twice", () => {
    for (const name of ["Sleep", "Second", "Minute", "Hour"]) expect(registry.lookup("time", name)).toBeUndefined();
  });
});
