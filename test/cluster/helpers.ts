/** Shared helpers of the cluster tests: a cluster per test file, kubectl, waiting on conditions. */
import { execFile, execFileSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startCluster, type Cluster, type ClusterOptions } from "../../src/cluster/index.js";
import { tempDir } from "../support/temp.js";

export const HERE = path.dirname(fileURLToPath(import.meta.url));

/** A cluster on an ephemeral port with its kubeconfig in a fresh directory. */
export async function testCluster(opts: ClusterOptions = {}): Promise<Cluster & { dir: string }> {
  const dir = tempDir("ko-cluster-");
  const cluster = await startCluster({ kubeconfigPath: path.join(dir, "kubeconfig"), ...opts });
  return Object.assign(cluster, { dir });
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 5000,
): Promise<Exclude<NonNullable<T>, false | 0 | "">> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as Exclude<NonNullable<T>, false | 0 | "">;
    } catch (e) {
      last = e;
    }
    // The last failure of the check is the cause (vitest prints it under the message).
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: last });
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** JSON over HTTP against the cluster, returning status, body and headers. */
export async function http(
  cluster: Cluster,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(cluster.url + p, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

let kubectlPath: string | undefined | null;

/** The kubectl binary (PATH, else unpacked by kubectl.sh), or null when none can be had. */
export function findKubectl(): string | null {
  if (kubectlPath !== undefined) return kubectlPath;
  try {
    kubectlPath = execFileSync("bash", [path.join(HERE, "kubectl.sh")], { encoding: "utf8", timeout: 120_000 }).trim() || null;
  } catch {
    kubectlPath = null;
  }
  return kubectlPath;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs kubectl against the cluster with its own kubeconfig and cache directory. */
export function kubectl(
  cluster: Cluster & { dir: string },
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const bin = findKubectl();
  if (!bin) throw new Error("kubectl not available (test/cluster/kubectl.sh failed)");
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      ["--cache-dir", path.join(cluster.dir, "kube-cache"), ...args],
      {
        env: { ...process.env, KUBECONFIG: cluster.kubeconfigPath!, HOME: cluster.dir },
        timeout: opts.timeoutMs ?? 20_000,
        encoding: "utf8",
      },
      (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0 }),
    );
    child.stdin?.end(opts.input ?? "");
  });
}

let minor: number | undefined;

/** The kubectl client's minor version (20 for Debian's 1.20 fallback, 32 on this image). */
export function kubectlMinor(): number {
  if (minor !== undefined) return minor;
  const bin = findKubectl();
  if (!bin) return (minor = 0);
  const out = execFileSync(bin, ["version", "--client", "-o", "json"], { encoding: "utf8" });
  return (minor = Number(JSON.parse(out).clientVersion.minor.replace(/\D.*$/, "")));
}
