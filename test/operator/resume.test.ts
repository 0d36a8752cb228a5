/**
 * An operator killed in the middle of a run: the run stays Running with a lease nobody renews; a
 * second operator, with a work directory of its own, takes the run once the lease has expired
 * and finishes it as attempt 2, the steps that had finished replayed from the journal's copy in
 * the cluster — no Apply is sent again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { afterAll, describe, expect, test } from "vitest";
import { findKubectl } from "../cluster/helpers.js";
import { REPO } from "../support/cli.js";
import { eventReasons, finished, operatorCluster, runYaml, scriptYaml, startOperator, waitFor, type OperatorCluster } from "./helpers.js";

const EXAMPLE = path.join(REPO, "examples", "cockroachdb.ko");
const NS = "cockroachdb-tutorial";
/** The functions whose labelled steps write to the cluster (Apply, CreateNamespace). */
const WRITERS = ["cockroachdb.startCockroachDBNodes", "cockroachdb.initCockroachDB", "cockroachdb.CreateNamespace"];

const clusters: OperatorCluster[] = [];
afterAll(async () => {
  for (const c of clusters) await c.stop();
});

describe.skipIf(!findKubectl())("ko operator killed during a WaitFor step", { timeout: 90_000 }, () => {
  test("a second operator resumes the run once its lease expires: attempt 2, finished steps replayed, no Apply sent again", async () => {
    // The init Job takes 3 s to complete, so the run spends that long in its WaitFor.
    const c = await operatorCluster(["--hold-ready", `app=cockroachdb:job=cluster-init@${NS}`, "--delay", "complete=3000"]);
    clusters.push(c);
    const a = await startOperator(c, "op-a", ["--work-dir", path.join(c.dir, "work-a"), "--lease-seconds", "2"]);
    const sub = await c.ko(["submit", EXAMPLE, "StartCockroachDB", "--no-follow"]);
    expect(sub.status, sub.stderr).toBe(0);
    const name = sub.stdout.trim();

    const waiting = await waitFor(
      "the run in its WaitFor of the init Job",
      async () => {
        const run = await c.get("korun", name);
        const step = run.status?.steps?.find((s: any) => s.id === "cockroachdb.waitForCockroachDBInitDone.job");
        return step?.phase === "Running" ? run : undefined;
      },
      30_000,
    );
    expect(await a.stop("SIGKILL")).toEqual([null, "SIGKILL"]);
    expect(waiting.status).toMatchObject({ phase: "Running", attempt: 1, operator: "op-a" });
    const applied = JSON.parse((await c.k(["get", "statefulset,job", "-n", NS, "-o", "json"])).stdout).items;

    const work = path.join(c.dir, "work-b");
    const b = await startOperator(c, "op-b", ["--work-dir", work, "--lease-seconds", "2"]);
    try {
      const run = await finished(c, name, 40_000);
      expect(run.status).toMatchObject({ phase: "Succeeded", attempt: 2, operator: "op-b" });
      expect(await eventReasons(c, "KoRun", name)).toEqual(["Started", "Resumed", "Succeeded"]);
      const steps = new Map<string, any>(run.status.steps.map((s: any) => [s.id, s]));
      // The steps of attempt 1 keep their entries; the finished steps around them were replayed by attempt 2.
      for (const id of ["public", "headless", "budget", "nodes"])
        expect(steps.get(`cockroachdb.startCockroachDBNodes.${id}`)).toMatchObject({ phase: "Succeeded", attempt: 1 });
      for (const id of ["ns", "deploy", "podsReady", "initStarted"])
        expect(steps.get(`cockroachdb.StartCockroachDB.${id}`)).toMatchObject({ phase: "Replayed", attempt: 2 });
      expect(steps.get("cockroachdb.waitForCockroachDBInitDone.job")).toMatchObject({ phase: "Succeeded", attempt: 2 });
      expect(steps.get("cockroachdb.StartCockroachDB.initDone")).toMatchObject({ phase: "Succeeded", attempt: 2 });

      // The journal's copy belongs to the run; attempt 2 started from it, and it holds both attempts.
      const copy = await c.get("configmap", `${name}-journal`);
      expect(copy.metadata.ownerReferences).toEqual([
        expect.objectContaining({ kind: "KoRun", name, uid: run.metadata.uid, controller: true }),
      ]);
      const copied = zlib.gunzipSync(Buffer.from(copy.binaryData["journal.jsonl.gz"], "base64")).toString("utf8");
      // The journal: attempt 2 started no step that applies. The namespace's creation is an unlabelled
      // argument of the replayed step deploy, which the journal does not replay (a resumed `ko run`
      // runs it again too): it meets AlreadyExists, which the example recovers from.
      const runs = fs.readdirSync(path.join(work, "runs"));
      expect(runs).toEqual([`default.${name}.${run.metadata.uid.slice(0, 8)}`]);
      const records = fs
        .readFileSync(path.join(work, "runs", runs[0]!, "journal.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const second = records.findIndex((r) => r.t === "attempt" && r.n === 2);
      expect(second).toBeGreaterThan(0);
      const startedBy = (from: number, to: number) =>
        records
          .slice(from, to)
          .filter((r) => r.t === "start")
          .map((r) => r.fn as string);
      expect(startedBy(0, second).filter((fn) => WRITERS.includes(fn)).length).toBeGreaterThanOrEqual(5);
      expect(startedBy(second, records.length).filter((fn) => WRITERS.includes(fn))).toEqual(["cockroachdb.CreateNamespace"]);
      expect(records.at(-1)).toMatchObject({ t: "end", status: "done" });
      expect(records[second - 1]).toMatchObject({
        t: "end",
        status: "interrupted",
        error: "its operator stopped renewing the run's lease",
      });
      expect(copied).toBe(fs.readFileSync(path.join(work, "runs", runs[0]!, "journal.jsonl"), "utf8"));
      // And the objects the first attempt applied are the very same, unchanged.
      const now = JSON.parse((await c.k(["get", "statefulset,job", "-n", NS, "-o", "json"])).stdout).items;
      expect(now.map((o: any) => [o.metadata.uid, o.metadata.generation])).toEqual(
        applied.map((o: any) => [o.metadata.uid, o.metadata.generation]),
      );
    } finally {
      await b.stop();
    }
  });

  test("SIGTERM hands a run over at once: the lease is given up, the run left Running, and another operator resumes it (unless --max-attempts says no more)", async () => {
    const c = await operatorCluster();
    clusters.push(c);
    const slow =
      'import "time"\n\nMain(n) {\n\tsteps: chain(n: n)\n\treturn: steps\n}\n\nchain(n) {\n\treturn: Branch(if: Equal(n, 0), then: Return[0], else: next[n: n])\n}\n\nnext(n) {\n\tslept: time.Sleep(200000000)\n\trest: chain(n: Sum(n, -1), _after: slept)\n\treturn: Sum(rest, 1)\n}\n';
    expect((await c.k(["apply", "-f", "-"], scriptYaml("slow", { "slow.ko": slow }))).code).toBe(0);
    // A lease of 60 s: only a lease given up lets another operator take the run within this test.
    const a = await startOperator(c, "op-a", ["--work-dir", path.join(c.dir, "work-a"), "--lease-seconds", "60"]);
    expect((await c.k(["apply", "-f", "-"], runYaml("handed", "slow", "Main", { n: 12 }))).code).toBe(0);
    await waitFor(
      "a few steps done",
      async () => {
        const run = await c.get("korun", "handed");
        return run.status?.steps?.filter((s: any) => s.id.startsWith("slow.next.slept") && s.phase === "Succeeded").length >= 3;
      },
      20_000,
    );
    const t0 = Date.now();
    expect(await a.stop("SIGTERM")).toEqual([0, null]);
    expect(Date.now() - t0).toBeLessThan(5000);
    const left = await c.get("korun", "handed");
    expect(left.status).toMatchObject({ phase: "Running", attempt: 1, operator: "op-a" });
    expect((await c.k(["get", "lease", "korun-handed"])).stderr).toContain("NotFound");

    const b = await startOperator(c, "op-b", ["--work-dir", path.join(c.dir, "work-b"), "--lease-seconds", "60"]);
    try {
      const run = await finished(c, "handed", 20_000);
      expect(run.status).toMatchObject({ phase: "Succeeded", attempt: 2, operator: "op-b", result: 12 });
      expect(run.status.steps.find((s: any) => s.id === "slow.Main.steps")).toMatchObject({ phase: "Succeeded", attempt: 2 });
      // The sleeps attempt 1 finished were replayed, not slept again.
      const replayed = run.status.steps.filter((s: any) => s.id.startsWith("slow.next.slept") && s.phase === "Replayed");
      expect(replayed.length).toBeGreaterThanOrEqual(3);
      expect(replayed.every((s: any) => s.attempt === 2)).toBe(true);
      expect(await eventReasons(c, "KoRun", "handed")).toEqual(["Started", "Resumed", "Succeeded"]);
    } finally {
      await b.stop();
    }
    // Once more, cut short again: an operator allowing one attempt does not resume it, but fails it.
    expect((await c.k(["apply", "-f", "-"], runYaml("cut", "slow", "Main", { n: 12 }))).code).toBe(0);
    const a2 = await startOperator(c, "op-a2", ["--work-dir", path.join(c.dir, "work-a"), "--lease-seconds", "60"]);
    await waitFor(
      "a step done",
      async () => (await c.get("korun", "cut")).status?.steps?.some((s: any) => s.phase === "Succeeded"),
      20_000,
    );
    expect(await a2.stop("SIGTERM")).toEqual([0, null]);
    const c1 = await startOperator(c, "op-c", ["--work-dir", path.join(c.dir, "work-c"), "--max-attempts", "1"]);
    try {
      const cut = await finished(c, "cut", 20_000);
      expect(cut.status).toMatchObject({ phase: "Failed", attempt: 1, operator: "op-a2" });
      expect(cut.status.conditions).toEqual([
        expect.objectContaining({
          type: "Succeeded",
          status: "False",
          reason: "AttemptsExhausted",
          message: "1 attempt was cut short (--max-attempts 1): the run is not resumed again",
        }),
      ]);
      expect(await eventReasons(c, "KoRun", "cut")).toEqual(["Started", "Failed"]);
    } finally {
      await c1.stop();
    }
  });
});
