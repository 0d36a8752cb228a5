/** Helpers of the `k8s` tests: a cluster, `ko run` against it, and its state as kubectl sees it. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Cluster } from "../../src/cluster/index.js";
import type { FailRule, RequestInfo } from "../../src/cluster/faults.js";
import { kubectl } from "../cluster/helpers.js";
import { ko, REPO, type Outcome } from "../support/cli.js";

export const NS = "cockroachdb-tutorial";
export const EXAMPLE = path.join(REPO, "examples/cockroachdb.ko");

export type TestCluster = Cluster & { dir: string };

/** `ko run` against the cluster's kubeconfig, without a cache, a live view or a home kubeconfig. */
export function koRun(c: TestCluster, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return ko(["run", "--no-cache", "--no-progress", "--kubeconfig", c.kubeconfigPath!, ...args], {
    env: { HOME: c.dir, KUBECONFIG: "", ...env },
    timeoutMs: 90_000,
  });
}

/** The objects of a kind in the tutorial namespace, as `kubectl get -o json` lists them. */
export async function kget(c: TestCluster, kind: string, ns = NS): Promise<any[]> {
  const r = await kubectl(c, ["get", kind, "-n", ns, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl get ${kind}: ${r.stderr}`);
  return JSON.parse(r.stdout).items;
}

export const isReady = (p: any) => p.status?.conditions?.some((x: any) => x.type === "Ready" && x.status === "True");
export const isComplete = (j: any) => j.status?.conditions?.some((x: any) => x.type === "Complete" && x.status === "True");

/** Whether a namespace exists (kubectl). */
export async function namespaceExists(c: TestCluster, ns = NS): Promise<boolean> {
  const r = await kubectl(c, ["get", "namespace", ns, "-o", "name"]);
  return r.code === 0;
}

/**
 * Fails every `every`-th API request with 500 or 429 (alternately), watches included, from the
 * `every/2`-th on, until the returned function is called (which returns how many failed).
 * Deterministic, so a failing run can be replayed.
 */
export function failEvery(c: TestCluster, every: number): () => number {
  const faults = c.faults;
  const original = faults.consume.bind(faults);
  let n = Math.floor(every / 2); // the first failure comes early, even in a run of few requests
  let failed = 0;
  faults.consume = (r: RequestInfo) => {
    const answer = original(r);
    if (++n % every !== 0) return answer;
    failed++;
    const fail: FailRule = failed % 2 ? { status: 500 } : { status: 429, retryAfterSeconds: 0 };
    return { ...answer, fail };
  };
  return () => {
    faults.consume = original;
    return failed;
  };
}

export function writeFile(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
