/**
 * The grid with real components: Debian's redis-server on a loopback port of its own, real
 * `ko worker` processes, and `ko run --grid` as a user runs it. Each test has its own BullMQ
 * prefix on the shared server, so counts start at zero. The numbers a test measures (computations
 * per key, jobs active at once, times) are printed, for the record.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { RedisServer, TestGrid, watchMax } from "../support/grid.js";

const DATA = path.join(import.meta.dirname, "testdata");
const TREE = path.join(DATA, "tree.ko");
const CHAIN = path.join(DATA, "chain.ko");

let server: RedisServer;
const grids: TestGrid[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  for (const g of grids) await g.stop();
  await server.stop();
});

function grid(prefix: string): TestGrid {
  const g = new TestGrid(server, prefix);
  grids.push(g);
  return g;
}

function report(what: string, numbers: Record<string, unknown>): void {
  process.stdout.write(`grid: ${what}: ${JSON.stringify(numbers)}\n`);
}

/** `ko run FILE FUNC --grid ...` with the local cache off. */
function runOnGrid(g: TestGrid, file: string, func: string, remote: string, extra: string[] = []) {
  return ko(["run", file, func, "--no-cache", "--grid", g.server.url, "--grid-prefix", g.prefix, "--remote", remote, ...extra]);
}

describe("a re-entrant fan-out tree", () => {
  test("depth 3 × 5 with distinct arguments on one worker of one slot: the local result, each key computed once, never more jobs active than slots", async () => {
    const local = await ko(["run", TREE, "Main", "--no-cache"]);
    expect(local.status).toBe(0);
    const g = grid("tree1");
    await g.startWorker("w1", { concurrency: 1 });
    const active = watchMax(() => g.activeJobs());
    const t0 = performance.now();
    const r = await runOnGrid(g, TREE, "Main", "Tree");
    const ms = performance.now() - t0;
    const maxActive = await active.stop();
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(local.stdout);
    const counts = await g.computations();
    expect(counts.size).toBe(156);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(maxActive).toBeLessThanOrEqual(1);
    const [w1] = await g.workerRecords();
    expect(w1!.maxBusy).toBe(1);
    expect(w1!.computed).toBe(156);
    report("tree 3×5 distinct, 1 worker × 1", {
      keys: counts.size,
      maxComputationsPerKey: Math.max(...counts.values()),
      maxActive,
      ms: Math.round(ms),
    });
  });

  test("the same tree with shared arguments on three workers of two slots: exactly as many computations as distinct keys", async () => {
    const local = await ko(["run", TREE, "MainShared", "--no-cache"]);
    const g = grid("tree2");
    await Promise.all(["w1", "w2", "w3"].map((w) => g.startWorker(w, { concurrency: 2 })));
    const active = watchMax(() => g.activeJobs());
    const t0 = performance.now();
    const r = await runOnGrid(g, TREE, "MainShared", "Shared");
    const ms = performance.now() - t0;
    const maxActive = await active.stop();
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(local.stdout);
    const counts = await g.computations();
    expect(counts.size).toBe(16);
    expect([...counts.values()]).toEqual(new Array(16).fill(1));
    expect(maxActive).toBeLessThanOrEqual(6);
    const workers = await g.workerRecords();
    expect(workers.every((w) => w.maxBusy <= 2)).toBe(true);
    expect(workers.reduce((n, w) => n + w.computed, 0)).toBe(16);
    report("tree 3×5 shared, 3 workers × 2", {
      calls: 156,
      keys: counts.size,
      computations: [...counts.values()].reduce((a, b) => a + b, 0),
      maxActive,
      byWorker: Object.fromEntries(workers.map((w) => [w.name, w.computed])),
      ms: Math.round(ms),
    });
  });

  test("a second run of the tree is answered from the memo, computing nothing; --events names the worker", async () => {
    const g = grid("tree1");
    const before = await g.computed();
    const r = await runOnGrid(g, TREE, "Main", "Tree", ["--events", "-"]);
    expect(r.status).toBe(0);
    expect(await g.computed()).toBe(before);
    const ends = r.stderr
      .split("\n")
      .filter((l) => l.includes('"status":"cached"'))
      .map((l) => JSON.parse(l) as { step: string; worker?: string });
    expect(ends).toEqual([expect.objectContaining({ step: "return", worker: "w1" })]);
  });
});

describe("--remote auto", () => {
  test("sends a function once three calls in a row proved slow, and from the first call in later runs", async () => {
    const g = grid("auto");
    await g.startWorker("w1");
    const env = { KO_GRID_AUTO_MS: "5" };
    const run = (n: number) =>
      ko(["run", TREE, "MainChain", "--arg", `n=${n}`, "--no-cache", "--grid", g.server.url, "--grid-prefix", g.prefix], { env });
    const local = await ko(["run", TREE, "MainChain", "--arg", "n=20000", "--no-cache"]);
    const first = await run(20000);
    expect(first.stderr).toBe("");
    expect(first.stdout).toBe(local.stdout);
    // The first three Works ran here and proved slow; the fourth went to the grid. The loop's
    // steps (workStep, workDone: microseconds each) stayed here.
    expect([...(await g.computations()).values()]).toEqual([1]);
    // Another run, with other arguments: Work is known to be slow, all four go.
    const second = await run(20001);
    expect(second.status).toBe(0);
    expect(await g.computed()).toBe(5);
  });

  test("a run cancelled while it waits for the grid ends at once (the job goes on)", async () => {
    const { createSession } = await import("../../src/api/session.js");
    const g = grid("auto");
    const session = createSession({ grid: { redis: g.server.url, prefix: "auto", remote: ["Work"] } });
    try {
      const program = session.compileFile(TREE);
      const controller = new AbortController();
      const t0 = performance.now();
      const running = session.run(program, "MainChain", { n: 3_000_000 }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 300);
      await expect(running).rejects.toThrow(/cancelled/);
      expect(performance.now() - t0).toBeLessThan(2000);
    } finally {
      await session.close();
    }
  });
});

describe("reporting and embedding", () => {
  test("ko grid status shows the queue, the workers and the memo", async () => {
    const g = grid("tree1");
    const r = await ko(["grid", "status", "--redis", g.server.url, "--prefix", "tree1"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`grid ${g.server.url} (prefix tree1)`);
    expect(lines[1]).toMatch(/^queue calls: 0 active, 0 waiting, 0 waiting-children, 0 delayed, 0 prioritized, \d+ completed, 0 failed$/);
    expect(lines[2]).toBe("workers: 1 live");
    expect(lines[3]).toMatch(/^ {2}w1: concurrency 1, busy 0 \(at most 1\), computed 156, seen \d+\.\d s ago, pid \d+ on \S+$/);
    expect(lines[4]).toMatch(/^memo: 156 results, [\d.]+ KiB; 156 computations of 156 keys \(none computed twice\)$/);
    const json = await ko(["grid", "status", "--redis", g.server.url, "--prefix", "tree1", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({
      memo: { results: 156, computations: 156, computedTwice: 0 },
      workers: [{ name: "w1", live: true }],
    });
  });

  test("ko grid clear forgets the memo, the counts and the jobs", async () => {
    const g = grid("cleared");
    await g.startWorker("w1");
    expect((await runOnGrid(g, TREE, "Tree", "Tree", ["--arg", "depth=1", "--arg", "i=1"])).status).toBe(0);
    expect(await g.computed()).toBe(6);
    const r = await ko(["grid", "clear", "--redis", g.server.url, "--prefix", "cleared"]);
    expect(r.stdout).toMatch(new RegExp(`^cleared ${g.server.url} \\(prefix cleared\\): 6 results, \\d+ jobs\n$`));
    expect(await g.computed()).toBe(0);
    expect(await g.redis.hlen(g.keys.memo)).toBe(0);
    // Computed afresh, and the worker still serves.
    expect((await runOnGrid(g, TREE, "Tree", "Tree", ["--arg", "depth=1", "--arg", "i=1"])).status).toBe(0);
    expect(await g.computed()).toBe(6);
  });

  test("an embedding application's session takes the same options", async () => {
    const { createSession } = await import("../../src/api/session.js");
    const g = grid("tree1");
    const session = createSession({ grid: { redis: g.server.url, prefix: "tree1", remote: ["Tree"] } });
    try {
      const program = session.compileFile(TREE);
      expect(await session.run(program, "Tree", { depth: 2, i: 3 })).toBe(
        [75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99].reduce((a, i) => a + i * i, 0),
      );
    } finally {
      await session.close();
    }
  });
});

describe("the function a run starts with", () => {
  test("runs on the grid when it is named, as any other call of it", async () => {
    const g = grid("tree1");
    const before = await g.computed();
    const r = await runOnGrid(g, TREE, "Tree", "Tree", ["--arg", "depth=1", "--arg", "i=30"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(`${[150, 151, 152, 153, 154].reduce((a, i) => a + i * i, 0)}\n`);
    expect((await g.computed()) - before).toBe(6);
  });

  test("fails there as it would here: located where it began, with its hop", async () => {
    const g = grid("entry");
    await g.startWorker("w1");
    const r = await runOnGrid(g, CHAIN, "C", "C", ["--arg", "n=2"]);
    expect(r.status).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(/chain\.ko:17:10: unrecovered panic: \(leaf: 2, why: "no leaf here"\)$/);
    expect(lines.slice(3).map((l) => l.replace(/job \S+/, "job J").replace(/\(.*chain\.ko/, "(chain.ko"))).toEqual([
      "  at chain.C:return (chain.ko:17:10)",
      "  in chain.C(n: 2): job J on worker w1",
      "",
    ]);
  });
});

describe("failures carry the request chain", () => {
  test("a panic three hops down: exit 1, the leaf's location and the three hops", async () => {
    const g = grid("chain");
    await g.startWorker("w1", { concurrency: 2 });
    const r = await runOnGrid(g, CHAIN, "Main", "A,B,C");
    expect(r.status).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(/chain\.ko:17:10: unrecovered panic: \(leaf: 1, why: "no leaf here"\)$/);
    const chain = lines.filter((l) => l.startsWith("  at ") || l.startsWith("  in "));
    expect(chain.map((l) => l.replace(/job \S+/, "job J").replace(/\(.*chain\.ko/, "(chain.ko"))).toEqual([
      "  at chain.C:return (chain.ko:17:10)",
      "  in chain.C(n: 1): job J on worker w1",
      "  at chain.B:return (chain.ko:13:14)",
      "  in chain.B(n: 1): job J on worker w1",
      "  at chain.A:return (chain.ko:9:14)",
      "  in chain.A(n: 1): job J on worker w1",
      "  at chain.Main:return (chain.ko:5:10)",
    ]);
    // Panics are not memoized: nothing is in the memo, nothing counted as a result.
    expect(await g.redis.hlen(g.keys.memo)).toBe(0);
    expect([...(await g.computations()).values()]).toEqual([]);
  });

  test("Recover one level up catches the remote panic as a local one", async () => {
    const g = grid("chain");
    const r = await runOnGrid(g, CHAIN, "MainRecovered", "A2,B2,C");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("41\n");
  });
});

describe("bad input", () => {
  test("--remote naming a function with effects, or none, is a usage error before anything runs", async () => {
    const g = grid("usage");
    const file = path.join(DATA, "tree.ko");
    const none = await runOnGrid(g, file, "Main", "Nope");
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/--remote Nope: no such function in package tree/);
    const effects = await runOnGrid(g, path.resolve("examples/hello.ko"), "Main", "Main");
    expect(effects.status).toBe(2);
    expect(effects.stderr).toBe(
      "ko: --remote Main: hello.Main cannot run on the grid: it has effects (it can reach Println, which is io)\n",
    );
    const bad = await ko(["run", TREE, "Main", "--remote", "Tree"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("ko: --remote needs --grid URL: the grid to run the calls on\n");
    const url = await ko(["run", TREE, "Main", "--grid", "http://localhost:1"]);
    expect(url.status).toBe(2);
    expect(url.stderr).toMatch(/not a Redis URL: "http:\/\/localhost:1" \(the scheme must be redis:\/\/ or rediss:\/\/\)/);
  });
});
