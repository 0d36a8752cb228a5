/** The caching layer through the embedding API: sharing of concurrent identical calls, thresholds. */
import { expect, test } from "vitest";
import { compileSource } from "../../src/api/index.js";
import { programCallables } from "../../src/instrument/callables.js";
import { CacheLayer } from "../../src/cache/layer.js";
import { CacheStore } from "../../src/cache/store.js";
import { stackLayers, type Layer } from "../../src/instrument/layers.js";
import { printValue } from "../../src/value/print.js";
import { arithmeticBuiltins } from "../../src/builtins/arith.js";
import { buildFunctions } from "../../src/stdlib/build.js";
import { cachePolicyOf } from "../../src/host/cache-policy.js";
import { tempDir } from "../support/temp.js";

const quiet = { stdout: () => {}, stderr: () => {}, check: false };

/** Deep(n) recurses n calls deep, so it goes asynchronous (the evaluator hops stacks) and stays in flight. */
const source = `
Main() {
	a: Deep(300)
	b: Deep(300)
	return: (a: a, b: b)
}
Deep(n?) {
	return: Yield(if: Less(n, 1), then: Return[0], else: deeper[n])()
}
deeper(n?) {
	return: Sum(Deep(Sum(n, -1)), 1)
}
`;

function cacheFor(program: ReturnType<typeof compileSource>, minMs: number): CacheLayer {
  return new CacheLayer({ store: new CacheStore(tempDir("ko-layer-")), lookup: programCallables(program.compiled), minMs });
}

/** A layer under the cache that counts the calls the cache let through, by function and argument. */
function spy(): Layer & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    koCall: (call, next) => {
      const key = `${call.fn.name}(${call.fields.map((f) => printValue(f.value)).join(",")})`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      return next();
    },
  };
}

test("concurrent identical calls are computed once and shared", async () => {
  const program = compileSource(source);
  const cache = cacheFor(program, 1e9);
  const calls = spy();
  const result = await program.call(program.func("Main")!, [], { ...quiet, hooks: stackLayers([cache, calls]) });
  expect(printValue(result)).toBe("(a: 300, b: 300)");
  expect(calls.counts.get("Deep(300)")).toBe(1);
  expect(cache.counts.shared).toBeGreaterThanOrEqual(1);
});

test("quick calls are not stored; a later identical call in the same run reuses a stored one", async () => {
  const program = compileSource(
    `Main() { a: Work(5), b: Again(a), return: b }\nAgain(x?) { return: Work(5) }\nWork(n?) { return: Prod(n, n) }`,
  );
  const never = cacheFor(program, 1e9);
  await program.call(program.func("Main")!, [], { ...quiet, hooks: stackLayers([never]) });
  expect(never.counts.stored).toBe(0);

  const always = cacheFor(program, 0);
  const calls = spy();
  await program.call(program.func("Main")!, [], { ...quiet, hooks: stackLayers([always, calls]) });
  expect(calls.counts.get("Work(5)")).toBe(1);
  expect(always.counts.hits).toBe(1);
});

test("the cache's hooks let builtins and other host functions through untouched; only make-style ones pass the cache", () => {
  const program = compileSource(`Main() { return: Sum(1, 2) }`);
  const hooks = stackLayers([cacheFor(program, 0)]);
  const sum = arithmeticBuiltins("").find((f) => f.name === "Sum")!;
  const [readFile, , exec] = buildFunctions;
  expect(hooks.hostCall).toBeDefined();
  expect(hooks.wantsHostCall?.(sum)).toBe(false);
  expect(hooks.wantsHostCall?.(exec!)).toBe(true);
  expect(hooks.wantsHostCall?.(readFile!)).toBe(cachePolicyOf(readFile!) !== undefined);
});

test("the hooks know once that the cache will never want a cheap or effectful function, unless another layer wraps Ko calls", () => {
  const program = compileSource(
    `Main() { return: Slow(3) }\nCheap(n?) { return: Sum(n, 1) }\nSlow(n?) { return: Loop(start: n, step: Cheap, stop: Done) }\nDone(n?) { return: Less(100, n) }`,
  );
  const hooks = stackLayers([cacheFor(program, 1)]);
  expect(hooks.unwantedKoCalls?.(program.func("Cheap")!)).toBe(Infinity);
  expect(hooks.unwantedKoCalls?.(program.func("Slow")!)).toBe(0);
  expect(hooks.wantsKoCall?.(program.func("Slow")!)).toBe(true);
  // A layer that cannot say leaves every function to be asked about at each call.
  expect(stackLayers([cacheFor(program, 1), spy()]).unwantedKoCalls).toBeUndefined();
});

test("a function whose calls have proved quick reaches the layers once per sample, however the evaluator counts them", async () => {
  const program = compileSource(
    `Main() { return: Loop(start: 0, step: Work, stop: Done) }\nWork(n?) { return: inc(n) }\ninc(n?) { return: Sum(n, 1) }\nDone(n?) { return: Less(999, n) }`,
  );
  const calls = spy();
  // A layer that wants no call of its own, and says so, so that the cache alone decides.
  const quietSpy: Layer = { ...calls, wantsKoCall: () => false, unwantedKoCalls: () => Infinity };
  const result = await program.call(program.func("Main")!, [], { ...quiet, hooks: stackLayers([cacheFor(program, 1e9), quietSpy]) });
  expect(printValue(result)).toBe("1000");
  const seen = [...calls.counts].filter(([key]) => key.startsWith("Work(")).length;
  // Timed until quick (18 calls: the slowness falls below 0.1), then one call in 64.
  expect(seen).toBeGreaterThanOrEqual(18 + 15);
  expect(seen).toBeLessThanOrEqual(18 + 16);
});
