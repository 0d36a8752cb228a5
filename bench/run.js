// Benchmarks of Ko for Node, each beside a hand-written JavaScript baseline doing the same work in
// the same process (a process of its own for each benchmark). Prints
// a table of times and the Ko/JS ratio, and records them in bench/results.json (the figures of
// benchmarks not run this time stay as they were).
//
//   npm run bench            (builds first)
//   node bench/run.js fib    (only the benchmarks whose name contains "fib")
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { compileSource, defaultEntries, TypeChecker } from "../dist/api/index.js";
import { chainsOfCalls, tenThousandLines } from "./programs.js";
import { recordResults } from "./results.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "..");
const quiet = { stdout: () => {}, stderr: () => {} };

/**
 * The median wall time in milliseconds of `fn` over `runs` runs, after a warm-up of at least
 * `warmup` runs and `warmupMs` in all. The warm-up is long enough for V8 to have optimised the code
 * (a Ko body compiled to JavaScript is optimised like the baseline, after some calls; in a process
 * of its own, ten runs left `Range` in slower tiers, 1.3–1.6 ms a run against 0.8 once warm):
 * these are steady-state figures.
 */
async function time(fn, { runs = 9, warmup = 10, warmupMs = 500 } = {}) {
  const warmingSince = performance.now();
  for (let i = 0; i < warmup || performance.now() - warmingSince < warmupMs; i++) await fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/**
 * Ko's side, then the baseline's, each timed as `time` does. One side after the other, not in
 * turn: taken in turn, the baseline's runs paid for the collection of the garbage Ko's runs had
 * left (summing 10,000 numbers in JavaScript took 0.14 ms instead of 0.01).
 */
async function timeBoth(ko, js) {
  const koMs = await time(ko);
  const baselineMs = await time(js);
  return { koMs, baselineMs, ratio: koMs / baselineMs };
}

function check(actual, expected, name) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${name}: Ko gave ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  }
}

const benchmarks = [];
const bench = (name, target, setup) => benchmarks.push({ name, target, setup });

bench("fib(20) recursive with Yield", "<= 1 ms", () => {
  const program = compileSource(`
Fib(n?) {
	return: Yield(
		if: Less(n, 2)
		then: Return[n]
		else: fibRec[n]
	)()
}
fibRec(n?) {
	return: Sum(Fib(Sum(n, -1)), Fib(Sum(n, -2)))
}
`);
  const fib = (n) => (n < 2 ? n : fib(n - 1) + fib(n - 2));
  return {
    ko: async () => check(await program.run("Fib", { "?": 20 }, quiet), 6765, "fib"),
    js: () => check(fib(20), 6765, "fib"),
  };
});

bench("Loop of 100,000 steps", "<= 15 ms", () => {
  const program = compileSource(`
Count(n) {
	return: Loop(
		start: (i: 0, acc: 0)
		step: step(s?) {
			return: (i: Sum(s.i, 1), acc: Sum(s.acc, s.i))
		}
		stop: done[limit: n]
	)
}
done(limit, s?) {
	return: Equal(s.i, limit)
}
`);
  const loop = (n) => {
    let s = { i: 0, acc: 0 };
    for (;;) {
      s = { i: s.i + 1, acc: s.acc + s.i };
      if (s.i === n) return s;
    }
  };
  const expected = { i: 100000, acc: 4999950000 };
  return {
    ko: async () => check(await program.run("Count", { n: 100000 }, quiet), expected, "loop"),
    js: () => check(loop(100000), expected, "loop"),
  };
});

bench("Range summing 10,000 elements", "<= 1.5 ms", () => {
  const program = compileSource(`
Total(xs) {
	return: Range(over: xs, start: 0, with: add(carry, elem) {
		return: (carry: Sum(carry, elem))
	}).residue
}
`);
  const xs = Array.from({ length: 10000 }, (_, i) => i);
  const expected = 49995000;
  const range = (over) => {
    let carry = 0;
    for (const elem of over) carry = { carry: carry + elem }.carry;
    return carry;
  };
  return {
    ko: async () => check(await program.run("Total", { xs }, quiet), expected, "range"),
    js: () => check(range(xs), expected, "range"),
  };
});

bench("one function with 10,000 independent steps", "<= 0.6 ms", () => {
  const n = 10000;
  const steps = Array.from({ length: n }, (_, i) => `\ts${i}: Sum(${i}, 1)`).join("\n");
  const program = compileSource(`Wide() {\n${steps}\n\treturn: (first: s0, last: s${n - 1})\n}\n`);
  const wide = () => {
    const fns = Array.from({ length: n }, (_, i) => () => i + 1);
    const vals = fns.map((f) => f());
    return { first: vals[0], last: vals[n - 1] };
  };
  return {
    ko: async () => check(await program.run("Wide", {}, quiet), { first: 1, last: n }, "wide"),
    js: () => check(wide(), { first: 1, last: n }, "wide"),
  };
});

bench("parse + compile a 10,000-line file", "", () => {
  const { ko: source, js: jsSource } = tenThousandLines();
  let jsRuns = 0;
  return {
    // Every circuit built: a program builds a function's circuit when it is first checked or called.
    ko: () => {
      for (const fn of compileSource(source, { pkgPath: "big" }).compiled.functions.get("big").values()) void fn.circuit;
    },
    // A fresh comment each run defeats V8's compilation cache for identical source.
    js: () => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the baseline is V8 compiling JavaScript source
      new Function(`// run ${++jsRuns}\n${jsSource}\nreturn F0;`)();
    },
    lines: source.split("\n").length,
  };
});

bench("type-check a 10,000-line file", "< 1000 ms", () => {
  const n = 1000;
  const source = chainsOfCalls(n);
  const program = compileSource(source, { pkgPath: "big" });
  const entries = defaultEntries(program.compiled.functions.get("big"));
  // The baseline, as for parsing: V8 parsing JavaScript of the same shape.
  const jsSource = Array.from({ length: n }, (_, f) => {
    const body = Array.from({ length: 7 }, (_, s) => `  const s${s} = x + ${s} + [{ a: y, b: "t${s}" }].length;`).join("\n");
    return `function F${f}(x, y) {\n${body}\n  const n = ${f % 10 === 9 ? "{ last: s6 }" : `F${f + 1}(s6, y)`};\n  return { f: F${(f + 1) % n}, v: s6, n };\n}`;
  }).join("\n");
  return {
    // A fresh checker each time: nothing memoised from the run before.
    ko: () => {
      const report = new TypeChecker(program.compiled).check(entries);
      if (report.errors.length > 0 || report.reached.size !== n + 1) throw new Error("type-check: unexpected result");
    },
    js: () => {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the baseline is V8 compiling JavaScript source
      new Function(`${jsSource}\nreturn F0;`)();
    },
    lines: source.split("\n").length,
  };
});

/**
 * Median wall times of `ko run FILE` and of `node -e 0`, the two run by turns so that both
 * medians see the same load on a shared machine (one after the other, a busy spell during either
 * skewed the ratio by half a point or more), and the median of the ratios of each pair: a busy
 * spell stretches both runs of a pair, so their ratio holds where the two medians, taken apart,
 * can fall in different spells (on a loaded machine, half a point again).
 */
function processBench(file, runs = 31, flags = []) {
  const ko = path.join(repo, "dist/cli/ko.cjs");
  const once = (args) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
    return performance.now() - t0;
  };
  const koArgs = [ko, "run", ...flags, file];
  const nodeArgs = ["-e", "0"];
  once(koArgs);
  once(nodeArgs);
  const koTimes = [];
  const nodeTimes = [];
  for (let i = 0; i < runs; i++) {
    koTimes.push(once(koArgs));
    nodeTimes.push(once(nodeArgs));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { koMs: median(koTimes), baselineMs: median(nodeTimes), ratio: median(koTimes.map((t, i) => t / nodeTimes[i])) };
}

// `node bench/run.js --row N` times the in-process benchmark N alone and prints its figures as JSON.
if (process.argv[2] === "--row") {
  const b = benchmarks[Number(process.argv[3])];
  const { ko, js } = b.setup();
  console.log(JSON.stringify(await timeBoth(ko, js)));
  process.exit(0);
}

/**
 * An in-process benchmark, timed in a process of its own: what a benchmark leaves in the heap
 * (programs, circuits, the collector's state) would otherwise slow the ones after it — parsing
 * 10,000 lines took a sixth longer after the rows before it than alone — so a row's figures would
 * depend on which rows ran first.
 */
function inProcessRow(index) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--row", String(index)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${benchmarks[index].name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const filter = process.argv[2];
const results = [];
for (const [index, b] of benchmarks.entries()) {
  if (filter && !b.name.includes(filter)) continue;
  results.push({ name: b.name, ...inProcessRow(index), target: b.target });
}
if (!filter || "startup".includes(filter)) {
  const warm = processBench(path.join(repo, "examples/hello.ko"));
  results.push({ name: "startup: ko run examples/hello.ko vs node -e 0", ...warm, target: "ratio < 1.5" });
  // Without the cache, so parsing every time: a script's first run.
  const cold = processBench(path.join(repo, "examples/hello.ko"), 31, ["--no-cache"]);
  results.push({ name: "startup: ko run --no-cache examples/hello.ko vs node -e 0", ...cold, target: "" });
}
if (!filter || "literal".includes(filter)) {
  // A whole process that loads a file of 10,000 lines, one element of a literal a line, and runs it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-bench-literal-"));
  const file = path.join(dir, "literal.ko");
  const elements = Array.from({ length: 10000 }, (_, i) => `\t\t${i}`).join("\n");
  fs.writeFileSync(file, `Main() {\n\txs: (\n${elements}\n\t)\n\treturn: Len(xs)\n}\n`);
  try {
    // Run again, the file's parse is read from the cache (src/resolve/parse-cache.ts); --no-cache parses it each time.
    const warm = processBench(file, 9);
    results.push({ name: "ko run of a 10,000-element literal vs node -e 0", ...warm, target: "" });
    const cold = processBench(file, 9, ["--no-cache"]);
    results.push({
      name: "ko run --no-cache of a 10,000-element literal vs node -e 0",
      ...cold,
      target: "",
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!filter || "memory".includes(filter)) {
  // In a process of its own, which can collect garbage when it needs to (bench/memory.js).
  const r = spawnSync(process.execPath, ["--expose-gc", path.join(here, "memory.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bench/memory.js failed: ${r.stderr}`);
  const { bytesPerLine } = JSON.parse(r.stdout);
  results.push({
    name: "memory of a compiled 10,000-line program, bytes per source line",
    koMs: null,
    baselineMs: null,
    ratio: null,
    bytesPerLine,
    target: "<= 1024 bytes",
  });
}

if (!filter || "cluster".includes(filter)) {
  // The embedded Kubernetes API server: rows of bench/cluster.js.
  const { runClusterBench } = await import("./cluster.js");
  for (const r of await runClusterBench()) results.push({ ...r, target: r.target ?? "" });
}

const fmt = (x) => (typeof x !== "number" || !Number.isFinite(x) ? "-" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const rows = [
  ["benchmark", "Ko ms", "JS ms", "Ko/JS", "target"],
  ...results.map((r) => [
    r.bytesPerLine !== undefined ? `${r.name}: ${r.bytesPerLine}` : r.name,
    fmt(r.koMs),
    fmt(r.baselineMs),
    fmt(r.ratio),
    r.target,
  ]),
];
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
recordResults(
  results.map(({ name, koMs, baselineMs, ratio, bytesPerLine }) => ({
    name,
    koMs,
    baselineMs,
    ratio,
    ...(bytesPerLine !== undefined ? { bytesPerLine } : {}),
  })),
);
