/**
 * The examples run unchanged on a grid (`--grid`): the CockroachDB walkthrough against the
 * embedded cluster, and the make-style build. Their effectful steps (Kubernetes calls, commands,
 * files) stay local; the walkthrough's pure manifest builders run on a worker when named.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { testCluster } from "../cluster/helpers.js";
import { EXAMPLE, koRun, NS, type TestCluster } from "../k8s/helpers.js";
import { ko, REPO } from "../support/cli.js";
import { RedisServer, TestGrid } from "../support/grid.js";
import { tempDir } from "../support/temp.js";

let server: RedisServer;
let grid: TestGrid;

beforeAll(async () => {
  server = await RedisServer.start();
  grid = new TestGrid(server, "examples");
  await grid.startWorker("w1", { concurrency: 2 });
});

afterAll(async () => {
  await grid.stop();
  await server.stop();
});

const onGrid = (...more: string[]) => ["--grid", server.url, "--grid-prefix", "examples", ...more];

describe("examples/cockroachdb.ko", { timeout: 120_000 }, () => {
  let c: TestCluster;
  beforeEach(async () => {
    c = await testCluster();
    c.controllers.holdReadiness({ selector: "app=cockroachdb", namespace: NS, until: { jobComplete: "cluster-init", namespace: NS } });
  });
  afterEach(() => c.close());

  test("starts and stops with --grid, and with its manifests built on the worker", async () => {
    const start = await koRun(c, [EXAMPLE, "StartCockroachDB", "--yes", ...onGrid()]);
    expect(start.stderr).toBe("");
    expect(start.status).toBe(0);
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB", "--yes", ...onGrid()]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toContain("deleted: 8");

    const before = await grid.computed();
    const manifests = "statefulSet,publicService,headlessService,disruptionBudget";
    const again = await koRun(c, [EXAMPLE, "StartCockroachDB", "--yes", ...onGrid("--remote", manifests)]);
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`type: "Complete"`); // the init Job, the walkthrough's last step
    expect((await grid.computed()) - before).toBe(4);
    const stopAgain = await koRun(c, [EXAMPLE, "StopCockroachDB", "--yes", ...onGrid("--remote", manifests)]);
    expect(stopAgain.status, stopAgain.stderr).toBe(0);
  });
});

describe("examples/build", () => {
  test("builds with --grid as without: the same end state; a second run executes nothing", async () => {
    const dir = tempDir("ko-grid-build-");
    for (const f of ["build.ko", "hello.c", "world.c", "inputs"]) fs.copyFileSync(path.join(REPO, "examples/build", f), path.join(dir, f));
    const first = await ko(["run", "build.ko", ...onGrid(), "--events", "-"], { cwd: dir, timeoutMs: 60_000 });
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('"end_state"\n');
    expect(fs.readFileSync(path.join(dir, "end_state"), "utf8")).toBe(`hello\nworld\n${fs.readFileSync(path.join(dir, "inputs"), "utf8")}`);
    const second = await ko(["run", "build.ko", ...onGrid(), "--events", "-"], { cwd: dir, timeoutMs: 60_000 });
    expect(second.status).toBe(0);
    const ran = second.stderr.split("\n").filter((l) => l.includes('"status":"done"'));
    expect(ran).toEqual([]);
  });
});
