/** Shared helpers of the cluster tests: a cluster per test file, kubectl, waiting on conditions. */
import { execFile, execFileSync } from "node:child_process";
import type { IncomingMessage } from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { startCluster, type Cluster, type ClusterOptions, type KObject } from "../../src/cluster/index.js";
import { tempDir } from "../support/temp.js";

export { tempDir };

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

/** The header every request to the cluster needs: its bearer token. */
export const auth = (cluster: Pick<Cluster, "token">): Record<string, string> => ({ authorization: `Bearer ${cluster.token}` });

/**
 * Sends a request to the cluster over https, trusting its authority and carrying its token
 * (unless `headers` says otherwise); resolves with the response as it starts (a watch streams).
 */
export function send(
  cluster: Pick<Cluster, "url" | "token" | "ca">,
  method: string,
  p: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    // Content-Length said outright: Node sends a DELETE's body with neither it nor chunked encoding.
    const length = body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) };
    const req = https.request(cluster.url + p, {
      method,
      ca: cluster.ca,
      headers: { ...auth(cluster), ...length, ...headers },
      ...(signal ? { signal } : {}),
    });
    req.on("response", resolve).on("error", reject);
    req.end(body);
  });
}

/** Reads a response to its end. */
export async function readAll(res: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of res) text += chunk;
  return text;
}

/** Reads a watch's stream, one JSON event a line, into `events`, until it ends or is aborted. */
async function collectLines(res: IncomingMessage, events: any[]): Promise<void> {
  res.setEncoding("utf8");
  let buf = "";
  try {
    for await (const chunk of res) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        events.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
    }
  } catch {
    // aborted
  }
}

/** The events of a watch at `p`, read until `until` holds (after `act`, if given); then the watch is closed. */
export async function watchEvents(
  cluster: Pick<Cluster, "url" | "token" | "ca">,
  p: string,
  until: (events: any[]) => boolean,
  act?: () => Promise<unknown>,
): Promise<any[]> {
  const ctrl = new AbortController();
  const res = await send(cluster, "GET", p, undefined, {}, ctrl.signal);
  const events: any[] = [];
  const pump = collectLines(res, events);
  if (act) await act();
  await waitFor("watch events", () => until(events));
  ctrl.abort();
  res.destroy();
  await pump;
  return events;
}

/**
 * A watch at `p` whose events are collected until `until` holds (or `timeoutMs` passes: then the
 * events so far); `ended` resolves when the server ends the stream.
 */
export function waitEvents(
  cluster: Pick<Cluster, "url" | "token" | "ca">,
  p: string,
  until: (events: any[]) => boolean,
  timeoutMs = 5000,
): Promise<any[]> & { ended: Promise<void> } {
  const ctrl = new AbortController();
  const events: any[] = [];
  let ended!: () => void;
  const endedP = new Promise<void>((r) => (ended = r));
  const done = (async () => {
    const res = await send(cluster, "GET", p, undefined, {}, ctrl.signal);
    const pump = collectLines(res, events).then(ended);
    const deadline = Date.now() + timeoutMs;
    while (!until(events) && Date.now() < deadline && !ctrl.signal.aborted) await new Promise((r) => setTimeout(r, 10));
    if (until(events)) {
      ctrl.abort();
      res.destroy();
      await pump;
    }
    return events;
  })();
  return Object.assign(done, { ended: endedP });
}

/** Creates a CustomResourceDefinition over HTTP and waits until it is Established (served). */
export async function establish(cluster: Pick<Cluster, "url" | "token" | "ca">, crd: KObject): Promise<void> {
  const created = await http(cluster, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await waitFor(`${crd.metadata.name} established`, async () => {
    const got = await http(cluster, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    return got.body.status?.conditions?.some((x: KObject) => x.type === "Established" && x.status === "True");
  });
}

/** JSON over HTTPS against the cluster (with its token), returning status, body and headers. */
export async function http(
  cluster: Pick<Cluster, "url" | "token" | "ca">,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  const res = await send(cluster, method, p, text, { "content-type": "application/json", ...headers });
  const received = await readAll(res);
  let parsed: unknown = received;
  try {
    parsed = JSON.parse(received);
  } catch {
    /* plain text */
  }
  const h = new Headers();
  for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) h.append(k, one);
  return { status: res.statusCode!, body: parsed, headers: h };
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

/** Runs kubectl against the cluster with its own kubeconfig and cache directory (a `ko cluster serve`'s too). */
export function kubectl(
  cluster: { kubeconfigPath?: string | undefined; dir: string },
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
