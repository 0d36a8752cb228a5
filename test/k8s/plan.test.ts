/**
 * Plan, then apply (src/api/planning.ts, src/k8s/plan.ts): the plans of examples/cockroachdb.ko
 * as `ko run --plan` shows them — creates with their fields, changes with the fields that differ,
 * deletions with what goes with them — and what a plan holds back: files, commands, waits. Run
 * against a cluster served over HTTP and reached with --kubeconfig; kubectl proves the state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession } from "../../src/api/session.js";
import type { Plan } from "../../src/k8s/plan.js";
import { findKubectl, kubectl, tempDir, testCluster } from "../cluster/helpers.js";
import { ko } from "../support/cli.js";
import { EXAMPLE, kget, koRun, namespaceExists, NS, writeFile, type TestCluster } from "./helpers.js";

const haveKubectl = findKubectl() !== null;
let c: TestCluster;

beforeAll(async () => {
  c = await testCluster();
  c.controllers.holdReadiness({ selector: "app=cockroachdb", namespace: NS, until: { jobComplete: "cluster-init", namespace: NS } });
});
afterAll(() => c.close());

/** The example with its StatefulSet changed. */
function variant(name: string, edit: (text: string) => string): string {
  const text = fs.readFileSync(EXAMPLE, "utf8");
  const changed = edit(text);
  expect(changed).not.toBe(text);
  return writeFile(tempDir("ko-plan-"), name, changed);
}

describe.skipIf(!haveKubectl)("the plans of examples/cockroachdb.ko", { timeout: 120_000 }, () => {
  test("StartCockroachDB: six creates, each with its fields; what the controllers would do is assumed", async () => {
    const run = await koRun(c, [EXAMPLE, "StartCockroachDB", "--plan"]);
    expect(run.status, run.stderr).toBe(0);
    const plan = run.stderr;
    expect(plan).toMatch(/^ko: plan of cockroachdb\.StartCockroachDB on https:\/\/127\.0\.0\.1:\d+ \(context ko\):\n/);
    expect(plan).toContain("  + create Namespace cockroachdb-tutorial\n");
    // Into a namespace the plan creates, nothing can be sent as a dry run: the plan says so.
    const sts = `  + create StatefulSet ${NS}/cockroachdb (not sent: its namespace is created by this plan)\n`;
    expect(plan).toContain(sts);
    const fields = plan.slice(plan.indexOf(sts) + sts.length).split("\n  + ")[0]!;
    expect(fields).toContain('      + metadata.labels.app: "cockroachdb"\n');
    expect(fields).toContain("      + spec.replicas: 3\n");
    expect(fields).toContain('      + spec.podManagementPolicy: "Parallel"\n');
    expect(fields).toContain('      + spec.template.spec.containers[0].image: "cockroachdb/cockroach:v23.1.11"\n');
    expect(fields).toContain('      + spec.volumeClaimTemplates[0].spec.accessModes[0]: "ReadWriteOnce"\n');
    for (const o of [
      "Service cockroachdb-tutorial/cockroachdb-public",
      "Service cockroachdb-tutorial/cockroachdb",
      "PodDisruptionBudget cockroachdb-tutorial/cockroachdb-budget",
      "Job cockroachdb-tutorial/cluster-init",
    ])
      expect(plan).toContain(`  + create ${o} `);
    expect(plan).toContain(
      [
        "  assumed met, since a dry run cannot get there:",
        `    Pod (app=cockroachdb) in ${NS}: Running, 3 of them`,
        `    Job cluster-init in ${NS}: Complete`,
        `    Pod (app=cockroachdb) in ${NS}: Ready, 3 of them`,
      ].join("\n"),
    );
    expect(plan).toContain("  6 to create, 0 to change, 0 to delete.\nko: dry run: nothing was changed.\n");
    expect(plan).not.toMatch(/resourceVersion|managedFields|creationTimestamp|uid:/);
    expect(await namespaceExists(c)).toBe(false);
  });

  test("a changed StatefulSet: only the fields that differ; a scale-down: the pods it removes", async () => {
    expect((await koRun(c, [EXAMPLE, "StartCockroachDB"])).status).toBe(0);
    const bigger = variant("bigger.ko", (t) =>
      t
        .replace("replicas: 3", "replicas: 5")
        .replace('cockroach:v23.1.11"\n\t\t\t\t\t\timagePullPolicy', 'cockroach:v23.2.0"\n\t\t\t\t\t\timagePullPolicy'),
    );
    const grow = await koRun(c, [bigger, "StartCockroachDB", "--plan"]);
    expect(grow.status, grow.stderr).toBe(0);
    expect(grow.stderr).toContain(
      [
        `  ~ change StatefulSet ${NS}/cockroachdb`,
        "      ~ spec.replicas: 3 → 5",
        '      ~ spec.template.spec.containers[0].image: "cockroachdb/cockroach:v23.1.11" → "cockroachdb/cockroach:v23.2.0"',
        "",
      ].join("\n"),
    );
    // The namespace exists (CreateNamespace's AlreadyExists is recovered from); the rest is applied unchanged.
    expect(grow.stderr).toContain("  0 to create, 1 to change, 0 to delete, 4 unchanged.\n");
    expect(grow.stderr).not.toContain("assumed met");

    const smaller = variant("smaller.ko", (t) => t.replace("replicas: 3", "replicas: 1"));
    const shrink = await koRun(c, [smaller, "StartCockroachDB", "--plan"]);
    expect(shrink.status, shrink.stderr).toBe(0);
    expect(shrink.stderr).toContain(`  ~ change StatefulSet ${NS}/cockroachdb\n      ~ spec.replicas: 3 → 1\n`);
    for (const pod of ["cockroachdb-2", "cockroachdb-1"])
      expect(shrink.stderr).toContain(
        `  - delete Pod ${NS}/${pod} (2 of its pods removed by scaling StatefulSet ${NS}/cockroachdb from 3 to 1)\n`,
      );
    expect(shrink.stderr).toContain("  0 to create, 1 to change, 2 to delete, 4 unchanged.\n");
    expect((await kget(c, "statefulsets"))[0].spec.replicas).toBe(3);
  });

  test("StopCockroachDB: every deletion, with what goes with it", async () => {
    const run = await koRun(c, [EXAMPLE, "StopCockroachDB", "--plan"]);
    expect(run.status, run.stderr).toBe(0);
    const deletions = run.stderr.split("\n").filter((l) => l.startsWith("  - delete "));
    const job = (await kget(c, "pods")).find(
      (p) => p.metadata.labels?.["job-name"] === "cluster-init" || p.metadata.name.startsWith("cluster-init"),
    );
    expect(deletions).toEqual([
      `  - delete Job ${NS}/cluster-init`,
      `  - delete Pod ${NS}/${job.metadata.name} (owned by Job ${NS}/cluster-init)`,
      `  - delete StatefulSet ${NS}/cockroachdb`,
      `  - delete Pod ${NS}/cockroachdb-0 (owned by StatefulSet ${NS}/cockroachdb)`,
      `  - delete Pod ${NS}/cockroachdb-1 (owned by StatefulSet ${NS}/cockroachdb)`,
      `  - delete Pod ${NS}/cockroachdb-2 (owned by StatefulSet ${NS}/cockroachdb)`,
      `  - delete PodDisruptionBudget ${NS}/cockroachdb-budget`,
      `  - delete Service ${NS}/cockroachdb`,
      `  - delete Service ${NS}/cockroachdb-public`,
      `  - delete PersistentVolumeClaim ${NS}/datadir-cockroachdb-0`,
      `  - delete PersistentVolumeClaim ${NS}/datadir-cockroachdb-1`,
      `  - delete PersistentVolumeClaim ${NS}/datadir-cockroachdb-2`,
      `  - delete Namespace ${NS}`,
      `  - delete ConfigMap ${NS}/kube-root-ca.crt (deleted with Namespace ${NS})`,
      `  - delete ServiceAccount ${NS}/default (deleted with Namespace ${NS})`,
    ]);
    // The waits for the pods and the namespace to go are met in the plan's view of the cluster.
    expect(run.stderr).not.toContain("assumed met");
    expect(run.stderr).toContain("  0 to create, 0 to change, 15 to delete.\nko: dry run: nothing was changed.\n");
    expect(await namespaceExists(c)).toBe(true);
  });

  test("a deletecollection names every object it would delete", async () => {
    const script = writeFile(
      tempDir("ko-plan-dc-"),
      "dc.ko",
      `import "k8s"\nMain() {\n\treturn: k8s.DeleteCollectionNamespacedPersistentVolumeClaim(namespace: "${NS}", labelSelector: "app=cockroachdb").kind\n}\n`,
    );
    const run = await koRun(c, [script, "Main", "--dry-run"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("undefined");
    for (const n of [0, 1, 2]) expect(run.stderr).toContain(`  - delete PersistentVolumeClaim ${NS}/datadir-cockroachdb-${n}\n`);
    expect(run.stderr).toContain("0 to create, 0 to change, 3 to delete.");
    expect(await kget(c, "persistentvolumeclaims")).toHaveLength(3);
  });
});

describe.skipIf(!haveKubectl)("what a plan holds back", { timeout: 60_000 }, () => {
  test("--dry-run: build.Exec and file writes are skipped and listed with what they would have done", async () => {
    const dir = tempDir("ko-plan-exec-");
    const script = writeFile(
      dir,
      "made.ko",
      `import "build"
import "os"
import "k8s"
Main() {
	made: build.Exec(command: "kubectl", args: ("create", "configmap", "from-exec", "--namespace", "default"))
	written: build.WriteFile(path: "${dir}/out.txt", content: "hello")
	dir: os.Mkdir("${dir}/sub")
	cm: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "from-ko", namespace: "default")), _after: made)
	return: (stdout: made.stdout, written: written, cm: cm.metadata.name)
}
`,
    );
    const run = await koRun(c, [script, "Main", "--dry-run"], { KUBECONFIG: c.kubeconfigPath! });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      [
        "  skipped, with effects outside the cluster:",
        "    build.Exec: run kubectl create configmap from-exec --namespace default",
        `    build.WriteFile: write 5 bytes to ${dir}/out.txt`,
        `    os.Mkdir: create the directory ${dir}/sub`,
      ].join("\n"),
    );
    expect(run.stderr).toContain("  + create ConfigMap default/from-ko\n");
    expect(run.stderr).toContain("ko: dry run: nothing was changed.\n");
    expect(run.stdout).toContain('stdout: ""');
    expect(fs.existsSync(path.join(dir, "out.txt"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "sub"))).toBe(false);
    const r = await kubectl(c, ["get", "configmaps", "-n", "default", "-o", "name"]);
    expect(r.stdout).not.toContain("from-exec");
    expect(r.stdout).not.toContain("from-ko");
  });

  test("without a cluster at all, --plan still holds back commands and files", async () => {
    const dir = tempDir("ko-plan-nok8s-");
    const script = writeFile(
      dir,
      "files.ko",
      `import "build"\nMain() {\n\treturn: build.WriteFile(path: "${dir}/x.txt", content: "x")\n}\n`,
    );
    const run = await ko(["run", script, "--no-cache", "--no-progress", "--plan"], { env: { HOME: dir, KUBECONFIG: "" } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe(
      `ko: plan of files.Main:\n  skipped, with effects outside the cluster:\n    build.WriteFile: write 1 bytes to ${dir}/x.txt\n  0 to create, 0 to change, 0 to delete.\nko: dry run: nothing was changed.\n`,
    );
    expect(fs.existsSync(path.join(dir, "x.txt"))).toBe(false);
  });

  test("a host function of the embedding application with effects it does not describe runs, and the plan says so", async () => {
    const { defineHost } = await import("../../src/host/binding.js");
    const { T } = await import("../../src/host/host-type.js");
    let called = 0;
    const notify = defineHost({
      pkg: "app",
      name: "Notify",
      doc: "tells someone",
      params: [],
      result: T.string,
      effects: "io",
      impl: () => (called++, "sent"),
    });
    let err = "";
    let seen: Plan | undefined;
    const session = createSession({
      bind: [notify],
      kubernetes: { kubeconfig: c.kubeconfigPath!, plan: true, onPlan: (p) => (seen = p) },
      stderr: (t) => void (err += t),
      stdout: () => {},
    });
    try {
      const program = session.compileSource(
        `import "app"\nimport "k8s"\nMain() {\n\treturn: (n: app.Notify(), cm: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "embedded-plan", namespace: "default"))).metadata.name)\n}\n`,
      );
      expect(await session.run(program, "Main")).toEqual({ n: "sent", cm: "embedded-plan" });
    } finally {
      await session.close();
    }
    expect(called).toBe(1);
    expect(err).toContain("  ran, with effects a plan cannot hold back: app.Notify\n");
    expect(err).toContain("ko: dry run: the cluster was not changed.\n");
    expect(seen?.entries.map((e) => `${e.op} ${e.kind} ${e.namespace}/${e.name}`)).toEqual(["create ConfigMap default/embedded-plan"]);
  });
});

describe("the policy file is read before anything runs", { timeout: 60_000 }, () => {
  const requests: string[] = [];
  beforeAll(() => {
    const consume = c.faults.consume.bind(c.faults);
    c.faults.consume = (r) => (requests.push(`${r.verb} ${r.resource}`), consume(r));
  });

  test.each([
    ["missing", undefined, ": no such file"],
    ["not YAML", "deny: [unclosed\n", "is not valid YAML"],
    [
      "an unknown key",
      "allowNamespace: [typo]\n",
      "unknown key allowNamespace (the keys are allowNamespaces, denyNamespaces, allowClusterScope, deny, maxDeletions)",
    ],
    ["an unknown verb", "deny:\n  - verbs: [remove]\n", "deny[0]: unknown verb remove"],
    [
      "a bad allowClusterScope",
      "allowClusterScope: yes please\n",
      "allowClusterScope (true, false or a list of kinds) must be a list of strings",
    ],
  ])("a policy file %s: exit 2, nothing printed by the script, no request sent", async (_what, text, message) => {
    const dir = tempDir("ko-policy-bad-");
    const policy = path.join(dir, "policy.yaml");
    if (text !== undefined) fs.writeFileSync(policy, text);
    const script = writeFile(
      dir,
      "p.ko",
      `import "k8s"\nMain() {\n\tsaid: Println("running")\n\treturn: k8s.Get(kind: "Namespace", name: "default", _after: said).metadata.name\n}\n`,
    );
    requests.length = 0;
    const run = await koRun(c, [script, "Main", "--policy", policy]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at .*\.(js|ts):\d+/); // no JavaScript stack
    expect(run.stdout).toBe("");
    expect(requests).toEqual([]);
  });
});

describe.skipIf(!haveKubectl)("the applying run is held to its plan", { timeout: 60_000 }, () => {
  test("an object that appears between the plan and the run is not deleted with the others", async () => {
    const ns = "plan-drift";
    await kubectl(c, ["create", "namespace", ns]);
    for (const n of ["a", "b"]) await kubectl(c, ["create", "configmap", n, "-n", ns]);
    await kubectl(c, ["label", "configmap", "a", "b", "-n", ns, "app=x"]);
    const session = createSession({
      kubernetes: {
        kubeconfig: c.kubeconfigPath!,
        // Asked once the plan is made, before the real run: the cluster changes meanwhile.
        confirm: async () => {
          await kubectl(c, ["create", "configmap", "late", "-n", ns]);
          await kubectl(c, ["label", "configmap", "late", "-n", ns, "app=x"]);
          return true;
        },
      },
      stdout: () => {},
      stderr: () => {},
    });
    try {
      const program = session.compileSource(
        `import "k8s"\nMain() {\n\treturn: k8s.DeleteCollectionNamespacedConfigMap(namespace: "${ns}", labelSelector: "app=x").kind\n}\n`,
      );
      await expect(session.run(program, "Main")).rejects.toMatchObject({
        message: expect.stringContaining(
          `it would delete ConfigMap ${ns}/late, which the confirmed plan does not delete (the cluster changed since it was planned); plan again`,
        ),
      });
    } finally {
      await session.close();
    }
    const left = await kubectl(c, ["get", "configmaps", "-n", ns, "-o", "name"]);
    expect(left.stdout).toContain("configmap/a");
    expect(left.stdout).toContain("configmap/late");
  });
});
