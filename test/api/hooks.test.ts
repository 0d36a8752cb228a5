/** The run seam (src/runtime/hooks.ts): calls and steps pass through it. */
import { expect, test } from "vitest";
import { compileSource, values } from "../../src/api/index.js";
import type { StepEvent } from "../../src/runtime/hooks.js";

const quiet = { stdout: () => {}, stderr: () => {} };

test("host and Ko calls pass through the hooks, which may answer instead", async () => {
  const p = compileSource(`Main() { return: (a: Double(4), b: Sum(1, 2)) }
Double(x?) { return: Prod(x, 2) }`);
  const seen: string[] = [];
  const result = await p.run(
    "Main",
    {},
    {
      ...quiet,
      hooks: {
        koCall: (call, next) => {
          seen.push(`ko ${call.fn.displayName} depth ${call.depth}`);
          return next();
        },
        hostCall: (call, next) => {
          seen.push(`host ${call.fn.displayName}`);
          return call.fn.name === "Sum" ? values.int64(100n) : next();
        },
      },
    },
  );
  expect(result).toEqual({ a: 8, b: 100 });
  expect(seen).toContain("ko main.Double depth 2");
  expect(seen).toContain("host Prod");
  expect(seen).toContain("host Sum");
});

test("labelled steps report their start and end, with failures", async () => {
  const p = compileSource(`Main() {
	slow: Wait()
	fast: Sum(1, 2)
	bad: Recover(invoke: Panic["x"], panic: Return)
	return: (s: slow, f: fast, b: bad)
}
Wait() { return: Spin(Return[7]).Wait() }`);
  const events: string[] = [];
  const activations = new Set<number>();
  await p.run(
    "Main",
    {},
    {
      ...quiet,
      hooks: {
        steps: {
          started: (ev: StepEvent) => {
            events.push(`start ${ev.function}:${ev.step}`);
            activations.add(ev.activation);
          },
          finished: (ev: StepEvent, status) => events.push(`${status} ${ev.function}:${ev.step}`),
        },
      },
    },
  );
  for (const s of ["slow", "fast", "bad", "return"]) {
    expect(events).toContain(`start main.Main:${s}`);
    expect(events).toContain(`done main.Main:${s}`);
  }
  expect(events.indexOf("done main.Main:slow")).toBeGreaterThan(events.indexOf("start main.Main:slow"));
  expect(activations.size).toBe(2);
});
