/**
 * The bypass battery: every case of test/k8s/bypass/ (its README says what a case holds) is an
 * attempt to get a request past the policy. Each runs through `ko run` against a cluster served
 * over HTTP and reached with --kubeconfig — not the run's own, so the run is planned first — and
 * the real kubectl applies its setup and proves, before and after, that nothing changed but what
 * the case allows. Cases marked `own` run again against the run's own embedded cluster (kept in a
 * state file), where there is no plan and each request is checked as it comes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findKubectl, HERE as CLUSTER_TESTS, kubectl, tempDir, testCluster, waitFor } from "../cluster/helpers.js";
import { ko } from "../support/cli.js";
import type { TestCluster } from "./helpers.js";

interface Case {
  readonly file: string;
  readonly what: string;
  readonly namespace: string;
  readonly setup?: string;
  readonly pods?: number;
  readonly policy?: string;
  readonly script: string;
  readonly args?: string[];
  readonly exit?: number;
  readonly refusal?: string;
  readonly deleted?: string[];
  readonly own?: boolean;
}

const DIR = path.join(CLUSTER_TESTS, "../k8s/bypass");
const cases: Case[] = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((file) => ({ file, ...(parse(fs.readFileSync(path.join(DIR, file), "utf8")) as Omit<Case, "file">) }));

const haveKubectl = findKubectl() !== null;
const KINDS =
  "pods,services,configmaps,secrets,serviceaccounts,persistentvolumeclaims,deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,poddisruptionbudgets";

/** What a case may not change: each object of its namespace, the namespace itself and the nodes, with their generation, replicas and whether they are being deleted. */
async function snapshot(c: TestCluster, ns: string): Promise<Map<string, string>> {
  const inside = await kubectl(c, ["get", KINDS, "-n", ns, "-o", "json"]);
  const around = await kubectl(c, ["get", "namespaces,nodes", "-o", "json"]);
  if (inside.code !== 0 || around.code !== 0) throw new Error(`kubectl get: ${inside.stderr}${around.stderr}`);
  const items = [
    ...JSON.parse(inside.stdout).items,
    ...JSON.parse(around.stdout).items.filter((o: any) => o.kind !== "Namespace" || o.metadata.name === ns),
  ];
  return new Map(
    items.map((o: any) => [
      `${o.kind}/${o.metadata.name}`,
      JSON.stringify([o.metadata.generation ?? null, o.spec?.replicas ?? null, o.metadata.deletionTimestamp !== undefined]),
    ]),
  );
}

async function prepare(c: TestCluster, k: Case): Promise<void> {
  if (k.setup) {
    const applied = await kubectl(c, ["apply", "-f", "-"], { input: k.setup });
    if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.stderr}`);
  }
  if (k.pods)
    await waitFor(
      `${k.pods} running pods in ${k.namespace}`,
      async () => {
        const r = await kubectl(c, ["get", "pods", "-n", k.namespace, "-o", "json"]);
        return JSON.parse(r.stdout).items.filter((p: any) => p.status?.phase === "Running").length >= k.pods!;
      },
      20_000,
    );
}

function files(k: Case): { script: string; policy: string[] } {
  const dir = tempDir("ko-bypass-");
  const script = path.join(dir, "attempt.ko");
  fs.writeFileSync(script, `import "k8s"\n${k.script}`);
  if (k.policy === undefined) return { script, policy: [] };
  const policy = path.join(dir, "policy.yaml");
  fs.writeFileSync(policy, k.policy);
  return { script, policy: ["--policy", policy] };
}

function expectOutcome(
  k: Case,
  run: { status: number | null; stdout: string; stderr: string },
  before: Map<string, string>,
  after: Map<string, string>,
) {
  expect(run.status, run.stderr).toBe(k.exit ?? 1);
  if (k.refusal) expect(run.stderr).toContain(k.refusal);
  if ((k.exit ?? 1) !== 0) expect(run.stdout).toBe("");
  const expected = new Map(before);
  for (const d of k.deleted ?? []) {
    expect(before.has(d), `${d} was there before`).toBe(true);
    expected.delete(d);
  }
  // Pods left behind by an orphaning deletion, or still terminating after a permitted one, are compared as they are.
  expect(Object.fromEntries(after)).toEqual(Object.fromEntries(expected));
}

describe.skipIf(!haveKubectl)("bypass attempts against a cluster reached by kubeconfig (planned first)", { timeout: 90_000 }, () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await testCluster();
  });
  afterAll(() => c.close());

  test("the battery has every case the issue measured and more", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  describe.concurrent.each(cases)("$file", (k) => {
    test(k.what, async () => {
      await prepare(c, k);
      const before = await snapshot(c, k.namespace);
      const { script, policy } = files(k);
      const run = await ko(
        ["run", "--no-cache", "--no-progress", "--kubeconfig", c.kubeconfigPath!, script, "Main", ...policy, ...(k.args ?? ["--yes"])],
        {
          env: { HOME: c.dir, KUBECONFIG: "" },
          timeoutMs: 60_000,
        },
      );
      expectOutcome(k, run, before, await snapshot(c, k.namespace));
    });
  });
});

describe.skipIf(!haveKubectl)(
  "bypass attempts against the run's own embedded cluster (checked request by request)",
  { timeout: 90_000 },
  () => {
    describe.concurrent.each(cases.filter((k) => k.own))("$file", (k) => {
      test(k.what, async () => {
        const state = path.join(tempDir("ko-bypass-state-"), "cluster.journal");
        const first = await testCluster({ statePath: state });
        let before: Map<string, string>;
        try {
          await prepare(first, k);
          before = await snapshot(first, k.namespace);
        } finally {
          await first.close();
        }
        const { script, policy } = files(k);
        const run = await ko(
          ["run", "--no-cache", "--no-progress", "--cluster", "embedded", "--cluster-state", state, script, "Main", ...policy],
          {
            env: { HOME: path.dirname(state), KUBECONFIG: "" },
            timeoutMs: 60_000,
          },
        );
        const again = await testCluster({ statePath: state });
        try {
          // The embedded cluster says which it is on stderr; the rest is the run's.
          expectOutcome(
            k,
            { ...run, stderr: run.stderr.replace(/^ko: using the embedded cluster at .*\n/, "") },
            before,
            await snapshot(again, k.namespace),
          );
        } finally {
          await again.close();
        }
      });
    });
  },
);
