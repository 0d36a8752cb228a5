/**
 * examples/cockroachdb.ko end to end: `ko run` against the embedded cluster over real HTTP, the
 * cluster's state checked with the real kubectl. The cluster holds the CockroachDB pods'
 * readiness until the init Job completes, as the real readiness probe (/health?ready=1) does.
 */
import * as fs from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { findKubectl, testCluster } from "../cluster/helpers.js";
import { EXAMPLE, failEvery, isComplete, isReady, kget, koRun, namespaceExists, NS, writeFile, type TestCluster } from "./helpers.js";

const haveKubectl = findKubectl() !== null;
let c: TestCluster;

beforeEach(async () => {
  c = await testCluster();
  c.controllers.holdReadiness({ selector: "app=cockroachdb", namespace: NS, until: { jobComplete: "cluster-init", namespace: NS } });
});
afterEach(() => c.close());

async function expectStarted(): Promise<void> {
  const pods = await kget(c, "pods");
  expect(pods.filter((p) => p.metadata.labels?.app === "cockroachdb" && isReady(p))).toHaveLength(3);
  expect((await kget(c, "services")).map((s) => s.metadata.name).sort()).toEqual(["cockroachdb", "cockroachdb-public"]);
  expect((await kget(c, "poddisruptionbudgets")).map((p) => p.metadata.name)).toEqual(["cockroachdb-budget"]);
  const jobs = await kget(c, "jobs");
  expect(jobs.map((j) => j.metadata.name)).toEqual(["cluster-init"]);
  expect(isComplete(jobs[0])).toBe(true);
  const [sts] = await kget(c, "statefulsets");
  expect(sts.spec.volumeClaimTemplates[0].spec.accessModes).toEqual(["ReadWriteOnce"]); // one Ko value, one-element list
}

async function expectStopped(): Promise<void> {
  expect(await namespaceExists(c)).toBe(false);
  for (const kind of ["pods", "services", "poddisruptionbudgets", "jobs", "statefulsets", "persistentvolumeclaims"]) {
    expect(await kget(c, kind, "--all-namespaces").then((xs) => xs.filter((x) => x.metadata.namespace === NS))).toEqual([]);
  }
}

describe.skipIf(!haveKubectl)("ko run examples/cockroachdb.ko", { timeout: 120_000 }, () => {
  test("StartCockroachDB: 3 Ready pods, 2 services, 1 PDB, a Complete Job; StopCockroachDB: none of them", async () => {
    const start = await koRun(c, [EXAMPLE, "StartCockroachDB", "--yes"]);
    expect(start.stderr).toBe("");
    expect(start.status).toBe(0);
    await expectStarted();
    const again = await koRun(c, [EXAMPLE, "StartCockroachDB"]); // the namespace's AlreadyExists is recovered from
    expect(again.status, again.stderr).toBe(0);
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB", "--yes"]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toContain("deleted: 8"); // a Job, a StatefulSet, a PDB, 2 services, 3 volume claims
    await expectStopped();
  });

  test("with every tenth request failing with 500 or 429, both still succeed", async () => {
    const restore = failEvery(c, 10);
    const run = await koRun(c, [EXAMPLE, "StartCockroachDB", "--yes"]);
    const failed = restore();
    expect(run.status, run.stderr).toBe(0);
    expect(failed).toBeGreaterThan(0);
    await expectStarted();
    const restoreAgain = failEvery(c, 10);
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB", "--yes"]);
    expect(restoreAgain()).toBeGreaterThan(0);
    expect(stop.status, stop.stderr).toBe(0);
    await expectStopped();
  });

  test("--dry-run plans: every write a dry run, the plan shown, nothing persisted", async () => {
    const run = await koRun(c, [EXAMPLE, "StartCockroachDB", "--dry-run"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain("ko: dry run: nothing was changed.");
    expect(run.stderr).toContain("6 to create, 0 to change, 0 to delete.");
    expect(run.stderr).toContain("  + create Namespace cockroachdb-tutorial\n");
    expect(run.stderr).toContain(`+ create StatefulSet ${NS}/cockroachdb`);
    expect(run.stderr).toContain(`+ create Job ${NS}/cluster-init`);
    expect(await namespaceExists(c)).toBe(false);

    // Against objects that exist, the writes reach the server as dry runs and change nothing. The
    // plan counts what goes with each deletion: 8 objects named, the namespace, 4 pods, 2 objects in the namespace.
    expect((await koRun(c, [EXAMPLE, "StartCockroachDB"])).status).toBe(0);
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB", "--dry-run"]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stderr).toContain("0 to create, 0 to change, 15 to delete.");
    await expectStarted();
  });

  test("a policy that forbids deletes stops the run before any delete reaches the cluster", async () => {
    expect((await koRun(c, [EXAMPLE, "StartCockroachDB"])).status).toBe(0);
    const policy = writeFile(c.dir, "policy.yaml", "deny:\n  - verbs: [delete, deletecollection]\n");
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB", "--yes", "--policy", policy]);
    expect(stop.status).toBe(1);
    expect(stop.stderr).toContain(`policy ${policy}: deny[0] (verbs: [delete, deletecollection], kinds: [all]) forbids delete`);
    await expectStarted();
  });

  test("allowNamespaces and maxDeletions, from ko.policy.yaml next to the script", async () => {
    const script = writeFile(c.dir, "db.ko", fs.readFileSync(EXAMPLE, "utf8"));
    writeFile(c.dir, "ko.policy.yaml", "allowNamespaces: [elsewhere]\n");
    const start = await koRun(c, [script, "StartCockroachDB"]);
    expect(start.status).toBe(1);
    expect(start.stderr).toContain("ko.policy.yaml: allowNamespaces [elsewhere] forbids create Namespace cockroachdb-tutorial");
    expect(await namespaceExists(c)).toBe(false);

    // A namespace is a cluster-scoped object: a policy must allow creating it (allowClusterScope, or allowNamespaces naming it).
    writeFile(c.dir, "ko.policy.yaml", "maxDeletions: 3\nallowClusterScope: [Namespace]\n");
    expect((await koRun(c, [script, "StartCockroachDB"])).status).toBe(0);
    const stop = await koRun(c, [script, "StopCockroachDB", "--yes"]);
    expect(stop.status).toBe(1);
    expect(stop.stderr).toContain("maxDeletions 3 forbids delete");
  });

  test("a type error in a manifest field stops ko run before the first request", async () => {
    const text = fs.readFileSync(EXAMPLE, "utf8");
    const broken = text.replace("podManagementPolicy:", "podManagmentPolicy:");
    expect(broken).not.toBe(text);
    const script = writeFile(c.dir, "typo.ko", broken);
    const requests: string[] = [];
    const consume = c.faults.consume.bind(c.faults);
    c.faults.consume = (r) => (requests.push(`${r.verb} ${r.resource}`), consume(r));
    const run = await koRun(c, [script, "StartCockroachDB", "--yes"]);
    expect(run.status).toBe(3);
    const line = broken.split("\n").findIndex((l) => l.includes("nodes: k8s.Apply")) + 1;
    expect(run.stderr).toContain(
      `typo.ko:${line}:9: error: k8s.Apply: argument object: field spec: V1StatefulSetSpec has no field podManagmentPolicy (did you mean podManagementPolicy?)`,
    );
    const fieldLine = broken.split("\n").findIndex((l) => l.includes("podManagmentPolicy:")) + 1;
    expect(run.stderr).toContain(`typo.ko:${fieldLine}:4: note: the field is written here\n  \t\t\tpodManagmentPolicy: "Parallel"\n`);
    expect(run.stdout).toBe("");
    expect(requests).toEqual([]);
    expect(await namespaceExists(c)).toBe(false);
  });

  test("without a terminal and without --yes, a plan that deletes on a cluster that is not the embedded one is refused (exit 2)", async () => {
    expect((await koRun(c, [EXAMPLE, "StartCockroachDB"])).status).toBe(0);
    const stop = await koRun(c, [EXAMPLE, "StopCockroachDB"]);
    expect(stop.status).toBe(2);
    expect(stop.stderr).toMatch(
      /ko: this plan deletes 15 objects on https:\/\/127\.0\.0\.1:\d+ \(context ko\): confirm it on a terminal, or pass --yes \(nothing was changed\)/,
    );
    expect(stop.stdout).toBe("");
    await expectStarted();
  });
});
