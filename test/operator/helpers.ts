/**
 * Operator mode as users run it: `ko cluster serve` in a child process, the CRDs installed with
 * `ko operator crds | kubectl apply -f -`, `ko operator` processes, kubectl and `ko submit`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { expect } from "vitest";
import { KO, ko, REPO, type Outcome } from "../support/cli.js";
import { kubectl, tempDir, waitFor, type KubectlResult } from "../cluster/helpers.js";
import { exited, isServed, serve, type Served } from "../cluster/serve.js";

export { tempDir, waitFor };

export interface OperatorCluster {
  readonly served: Served;
  readonly dir: string;
  readonly kubeconfig: string;
  k(args: string[], input?: string): Promise<KubectlResult>;
  /** `ko ARGS` with the cluster's kubeconfig. */
  ko(args: string[]): Promise<Outcome>;
  /** A KoRun or KoScript as JSON. */
  get(kind: "korun" | "koscript" | "configmap", name: string): Promise<any>;
  stop(): Promise<unknown>;
}

/** A served cluster with both CRDs installed through kubectl, as the README says to. */
export async function operatorCluster(serveArgs: string[] = []): Promise<OperatorCluster> {
  const dir = tempDir("ko-operator-");
  const kubeconfig = path.join(dir, "kubeconfig");
  const s = await serve([...serveArgs, "--kubeconfig-out", kubeconfig]);
  if (!isServed(s)) throw new Error(`the server did not start (${s.status}): ${s.output}`);
  const access = { kubeconfigPath: kubeconfig, dir };
  const k = (args: string[], input?: string) => kubectl(access, args, input !== undefined ? { input } : {});
  const crds = await ko(["operator", "crds"]);
  expect(crds.status, crds.stderr).toBe(0);
  const applied = await k(["apply", "-f", "-"], crds.stdout);
  expect(applied.stdout.trim().split("\n")).toEqual([
    "customresourcedefinition.apiextensions.k8s.io/koscripts.ko.dev created",
    "customresourcedefinition.apiextensions.k8s.io/koruns.ko.dev created",
  ]);
  const established = await k(["wait", "--for=condition=Established", "crd/koscripts.ko.dev", "crd/koruns.ko.dev", "--timeout=10s"]);
  expect(established.code, established.stderr).toBe(0);
  return {
    served: s,
    dir,
    kubeconfig,
    k,
    ko: (args) => ko(args, { env: { KUBECONFIG: kubeconfig } }),
    get: async (kind, name) => {
      const got = await k(["get", kind, name, "-o", "json"]);
      if (got.code !== 0) throw new Error(got.stderr);
      return JSON.parse(got.stdout);
    },
    stop: () => s.stop(),
  };
}

/** A `ko operator` process. */
export interface OperatorProcess {
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM (or another signal), then how it exited. */
  stop(signal?: NodeJS.Signals): Promise<[number | null, NodeJS.Signals | null]>;
}

/** Starts `ko operator` against the cluster; resolves once it watches. */
export async function startOperator(c: OperatorCluster, name: string, args: string[] = []): Promise<OperatorProcess> {
  const child = spawn(process.execPath, [KO, "operator", "--kubeconfig", c.kubeconfig, "--name", name, ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
  const op: OperatorProcess = {
    child,
    output: () => out,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return exited(child);
    },
  };
  await waitFor(
    `operator ${name} watching`,
    () => {
      if (child.exitCode !== null) throw new Error(`ko operator exited with ${child.exitCode}: ${out}`);
      return out.includes("watching koscripts and koruns");
    },
    15_000,
  );
  return op;
}

/** A KoScript manifest with inline files. */
export function scriptYaml(name: string, files: Record<string, string>): string {
  const body = Object.entries(files)
    .map(([f, text]) => `    ${f}: |\n${text.replace(/^/gm, "      ").replace(/^\s+$/gm, "")}`)
    .join("\n");
  return `apiVersion: ko.dev/v1alpha1\nkind: KoScript\nmetadata:\n  name: ${name}\nspec:\n  files:\n${body}\n`;
}

/** A KoRun manifest; `extra` is more of its spec as YAML lines. */
export function runYaml(name: string, script: string, fn: string, args: Record<string, unknown> = {}, extra = ""): string {
  return (
    `apiVersion: ko.dev/v1alpha1\nkind: KoRun\nmetadata:\n  name: ${name}\nspec:\n  scriptRef:\n    name: ${script}\n` +
    `  function: ${fn}\n  arguments: ${JSON.stringify(args)}\n${extra}`
  );
}

/** Splits a kubectl table into rows of columns (split on runs of 2+ spaces). */
export const table = (out: string) =>
  out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s{2,}/));

/** Waits until the run has ended; returns it. */
export async function finished(c: OperatorCluster, name: string, timeoutMs = 30_000): Promise<any> {
  return waitFor(
    `korun ${name} to end`,
    async () => {
      const run = await c.get("korun", name);
      return ["Succeeded", "Failed", "Interrupted"].includes(run.status?.phase) ? run : undefined;
    },
    timeoutMs,
  );
}

/** The reasons of the Events about an object, oldest first. */
export async function eventReasons(c: OperatorCluster, kind: string, name: string): Promise<string[]> {
  const got = await c.k(["get", "events", "--field-selector", `involvedObject.kind=${kind},involvedObject.name=${name}`, "-o", "json"]);
  const items = JSON.parse(got.stdout).items as any[];
  return items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion)).map((e) => e.reason as string);
}
