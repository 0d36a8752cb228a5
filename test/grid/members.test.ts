/**
 * Any member of a grid may die: a worker killed mid-job, a client killed mid-run, Redis gone or
 * restarted. Real components (test/support/grid.ts); the leaves compute for about 100 ms each, so
 * that a kill finds work in flight. Each test prints the numbers it measured.
 */
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { freePort, koProcess, RedisServer, TestGrid, until } from "../support/grid.js";

const TREE = path.join(import.meta.dirname, "testdata", "tree.ko");
/** Steps of a leaf's loop: about 100 ms of work. */
const N = 60_000;

/** What `Work(i, n)` of tree.ko computes. */
function work(i: number, n: number): number {
  let acc = i;
  for (let k = 0; k < n; k++) acc = (acc * 31 + 7) % 1_000_003;
  return acc;
}

function sum(from: number, to: number): number {
  let total = 0;
  for (let i = from; i <= to; i++) total += work(i, N);
  return total;
}

/** MainWork: the leaves of WorkTree(depth: 2, i: 1) are Work(36) ... Work(71). */
const MAIN_WORK = `${sum(36, 71)}\n`;
/** MainFan: Work(1) ... Work(24). */
const MAIN_FAN = `${sum(1, 24)}\n`;

let server: RedisServer;
const grids: TestGrid[] = [];
const servers: RedisServer[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});

afterEach(async () => {
  for (const g of grids.splice(0)) await g.stop({ kill: true });
  for (const s of servers.splice(0)) await s.stop();
});

afterAll(async () => {
  await server.stop();
});

function grid(prefix: string, on: RedisServer = server): TestGrid {
  const g = new TestGrid(on, prefix);
  grids.push(g);
  return g;
}

function report(what: string, numbers: Record<string, unknown>): void {
  process.stdout.write(`grid: ${what}: ${JSON.stringify(numbers)}\n`);
}

function runArgs(g: TestGrid, func: string, remote: string): string[] {
  return ["run", TREE, func, "--arg", `n=${N}`, "--no-cache", "--grid", g.server.url, "--grid-prefix", g.prefix, "--remote", remote];
}

describe("a worker killed mid-job", () => {
  test("three workers, 100 ms leaves; a busy one SIGKILLed after 20 completions, a replacement started: the right result, no key completed twice", async () => {
    const g = grid("killed");
    const lockMs = 3000;
    await Promise.all(["w1", "w2", "w3"].map((w) => g.startWorker(w, { lockMs })));
    const t0 = performance.now();
    const client = koProcess(runArgs(g, "MainWork", "WorkTree"));
    await until(async () => (await g.computed()) >= 20, "20 completions");
    const busy = (await g.workerRecords()).find((w) => w.busy > 0);
    expect(busy).toBeDefined();
    const atKill = await g.computed();
    await g.killWorker(busy!.name);
    const killedAt = performance.now() - t0;
    await g.startWorker("w4", { lockMs });
    const r = await client.done;
    const ms = performance.now() - t0;
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(MAIN_WORK);
    const counts = await g.computations();
    expect(counts.size).toBe(43);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    const leaves = (await g.computeTimes()).sort((a, b) => a - b);
    report("SIGKILL of a busy worker", {
      killed: busy!.name,
      completionsAtKill: atKill,
      killedAtMs: Math.round(killedAt),
      keys: counts.size,
      maxComputationsPerKey: Math.max(...counts.values()),
      medianLeafMs: leaves[Math.floor(leaves.length / 2)],
      ms: Math.round(ms),
    });
  });
});

describe("a client killed mid-run", () => {
  test("run again, it computes only the keys that are missing", async () => {
    const g = grid("client");
    await Promise.all(["w1", "w2"].map((w) => g.startWorker(w)));
    const first = koProcess(runArgs(g, "MainFan", "Work"));
    await until(async () => (await g.computed()) >= 6, "6 completions");
    first.process.kill("SIGKILL");
    await first.done;
    const atKill = await g.computed();
    const t0 = performance.now();
    const second = await ko(runArgs(g, "MainFan", "Work"));
    const ms = performance.now() - t0;
    expect(second.stderr).toBe("");
    expect(second.stdout).toBe(MAIN_FAN);
    const counts = await g.computations();
    expect(counts.size).toBe(24);
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    report("client SIGKILLed and run again", {
      computedBeforeKill: atKill,
      keys: counts.size,
      computations: await g.computed(),
      rerunMs: Math.round(ms),
    });
  });
});

describe("Redis", () => {
  test("unreachable at the start: exit 2 with the reason, before the run starts", async () => {
    const port = await freePort();
    const r = await ko(["run", path.resolve("examples/hello.ko"), "--no-cache", "--grid", `redis://127.0.0.1:${port}`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`ko: cannot reach the grid's Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}\n`);
  });

  test("killed mid-run: retries with backoff, then a clear error naming what was in flight, and no hang", async () => {
    const own = await RedisServer.start();
    servers.push(own);
    const g = grid("lost", own);
    await Promise.all(["w1", "w2"].map((w) => g.startWorker(w)));
    const client = koProcess(runArgs(g, "MainFan", "Work"), { KO_GRID_RETRY_MS: "2000" });
    await until(async () => (await g.computed()) >= 4, "4 completions");
    await own.kill();
    const t0 = performance.now();
    const r = await client.done;
    const ms = performance.now() - t0;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^\\S*tree\\.ko:\\d+:\\d+: error: lost the grid: Redis at redis://127\\.0\\.0\\.1:${own.port} did not answer for [23] s \\([^)]*\\); in flight: tree\\.Work\\(i: \\d+, n: ${N}\\) \\(job \\S+\\)`,
        "m",
      ),
    );
    expect(ms).toBeLessThan(15_000);
    report("Redis killed mid-run", { exitAfterMs: Math.round(ms) });
  });

  test("gone while workers run jobs: SIGTERM ends each worker within a second or two, saying its jobs go back to the queue", async () => {
    const own = await RedisServer.start();
    servers.push(own);
    const g = grid("gone", own);
    const workers = await Promise.all(["w1", "w2"].map((w) => g.startWorker(w)));
    const client = koProcess(runArgs(g, "MainFan", "Work"), { KO_GRID_RETRY_MS: "60000" });
    await until(async () => (await g.computed()) >= 2, "2 completions");
    await own.kill();
    const t0 = performance.now();
    const ends = workers.map(
      (w) => new Promise<number | null>((resolve) => w.process.once("exit", (code) => resolve(code)).kill("SIGTERM")),
    );
    const codes = await Promise.all(ends);
    const ms = performance.now() - t0;
    client.process.kill("SIGKILL");
    expect(codes).toEqual([0, 0]);
    for (const w of workers) {
      expect(w.log()).toContain(`ko worker ${w.name}: SIGTERM: finishing the jobs it runs (SIGTERM again to leave them at once)`);
      expect(w.log()).toContain(
        `ko worker ${w.name}: stopped without finishing its jobs: they go back to the queue when their locks lapse`,
      );
    }
    expect(ms).toBeLessThan(5_000);
    report("workers stopped with Redis gone", { exitAfterMs: Math.round(ms) });
  });

  test("restarted with AOF on: the run resumes and ends with the right result", async () => {
    const own = await RedisServer.start({ aof: true });
    servers.push(own);
    const g = grid("aof", own);
    await Promise.all(["w1", "w2"].map((w) => g.startWorker(w)));
    const t0 = performance.now();
    const client = koProcess(runArgs(g, "MainFan", "Work"));
    await until(async () => (await g.computed()) >= 6, "6 completions");
    const before = await g.computed();
    await own.restart();
    const r = await client.done;
    const ms = performance.now() - t0;
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(MAIN_FAN);
    const counts = await g.computations();
    expect(counts.size).toBe(24);
    report("Redis restarted with AOF", {
      computedBeforeRestart: before,
      keys: counts.size,
      maxComputationsPerKey: Math.max(...counts.values()),
      ms: Math.round(ms),
    });
  });
});
