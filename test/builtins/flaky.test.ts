/**
 * Retry and Timeout beyond what the data-driven cases (test/testdata/run/flaky_steps.ko) show:
 * Go's duration texts, the waits between attempts, and a cancellation of the caller, which is
 * no timeout.
 */
import { describe, expect, test } from "vitest";
import { compileSource, KoCancelled, KoPanic } from "../../src/api/index.js";
import { durationArgument, formatDuration, parseDuration } from "../../src/value/duration.js";

const quiet = { stdout: () => {}, stderr: () => {} };

describe("duration texts, read as Go's time.ParseDuration reads them", () => {
  test.each([
    ["0", 0n],
    ["5s", 5_000_000_000n],
    ["+5s", 5_000_000_000n],
    ["-5s", -5_000_000_000n],
    ["1.5s", 1_500_000_000n],
    [".5s", 500_000_000n],
    ["1.s", 1_000_000_000n],
    ["1h30m", 5_400_000_000_000n],
    ["2h45m30.5s", 9_930_500_000_000n],
    ["250ms", 250_000_000n],
    ["10us", 10_000n],
    ["10µs", 10_000n],
    ["10μs", 10_000n],
    ["7ns", 7n],
    ["1.0000000009s", 1_000_000_000n], // finer than a nanosecond: dropped
    ["9223372036854775807ns", 9_223_372_036_854_775_807n],
  ])("%s is %s ns", (text, ns) => {
    expect(parseDuration(text)).toBe(ns);
  });

  test.each([
    ["", "invalid duration"],
    ["s", "invalid duration"],
    ["5", "missing unit"],
    ["1h5", "missing unit"],
    ["5 s", 'unknown unit " s"'],
    ["5sec", 'unknown unit "sec"'],
    ["3d", 'unknown unit "d"'],
    ["9223372036854775808ns", "out of range"],
    ["3000000h", "out of range"],
  ])("%j is refused: %s", (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });

  test("a duration argument may not be negative; a text reads back as Go writes it", () => {
    expect(() => durationArgument(-1n)).toThrow("a duration must not be negative, got -1 (nanoseconds)");
    expect(durationArgument("1m30s")).toBe(90_000_000_000n);
    for (const text of ["1h2m3.5s", "1.5ms", "250µs", "7ns", "0s"]) expect(formatDuration(parseDuration(text))).toBe(text);
  });
});

describe("Retry waits between attempts", () => {
  /** The wall time of a Retry of a variety that always panics. */
  async function exhaust(args: string): Promise<{ ms: number; panic: unknown }> {
    const p = compileSource(`Main() { return: Retry(invoke: Panic[again: true], ${args}) }`);
    const t0 = performance.now();
    const panic = await p.run("Main", {}, quiet).catch((e: unknown) => e);
    return { ms: performance.now() - t0, panic };
  }

  test("exponentially: waits of at least 10 and 20 ms for a backoff of 20ms before the 2nd and 3rd attempts", async () => {
    const { ms, panic } = await exhaust(`attempts: 3, backoff: "20ms"`);
    expect(panic).toBeInstanceOf(KoPanic);
    expect(ms).toBeGreaterThanOrEqual(30 - 2); // each wait is drawn from [d/2, d]; timers may fire a little early
  });

  test("capped by maxBackoff: five waits of at most 10 ms each", async () => {
    const { ms } = await exhaust(`attempts: 6, backoff: "10ms", maxBackoff: "10ms"`);
    expect(ms).toBeGreaterThanOrEqual(25 - 2);
    expect(ms).toBeLessThan(1000);
  });
});

describe("a cancellation of the caller is no timeout", () => {
  test("cancelling the run under a Timeout rejects with the cancellation, not with a timeout panic", async () => {
    const p = compileSource(`Main() { return: Recover(invoke: Timeout[invoke: Hang, after: "1h"], panic: Return) }`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new KoCancelled("stopped by the test")), 20);
    const outcome = await p.run("Main", {}, { ...quiet, signal: controller.signal }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(KoCancelled);
    expect((outcome as KoCancelled).reason).toBe("stopped by the test");
  });

  test("nor does Retry retry a cancellation: the run ends during the wait", async () => {
    const p = compileSource(`Main() { return: Retry(invoke: Panic[again: true], attempts: 100, backoff: "1h") }`);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new KoCancelled("stopped by the test")), 20);
    const t0 = performance.now();
    const outcome = await p.run("Main", {}, { ...quiet, signal: controller.signal }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(KoCancelled);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test("an inner Timeout fires within an outer one; the outer deadline cancels the inner call too", async () => {
    const p = compileSource(`
Main() {
	inner: Recover(invoke: Timeout[invoke: Timeout[invoke: Hang, after: "10ms"], after: "1h"], panic: Return)
	outer: Recover(invoke: Timeout[invoke: Timeout[invoke: Hang, after: "1h"], after: "10ms"], panic: Return)
	return: (inner: inner.timeout, outer: outer.timeout)
}`);
    expect(await p.run("Main", {}, quiet)).toEqual({ inner: "10ms", outer: "10ms" });
  });
});
