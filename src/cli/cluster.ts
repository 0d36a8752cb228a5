/**
 * `ko cluster serve [--port N] [--kubeconfig-out FILE] [--state FILE] [--config FILE]
 *                   [--hold-ready SELECTOR[:job=NAME]]... [--delay STEP=MS]...`
 *
 * Runs the embedded Kubernetes-API-compatible server on 127.0.0.1 until SIGINT or SIGTERM.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClusterOptions, Delays, ReadinessHold } from "../cluster/index.js";
import type { ReadinessHoldJson } from "../cluster/start.js";
import { EXIT, UsageError } from "../diag/exit.js";

export interface ClusterServeOptions {
  port?: string | number;
  kubeconfigOut?: string;
  state?: string;
  /** JSON or YAML: { delays: {...}, readinessHolds: [{ selector, namespace?, untilJobComplete?, untilPodsReady? }], bookmarkIntervalMs } */
  config?: string;
  /** "app=web" (held until released) or "app=web:job=migrate" (until Job migrate completed). */
  holdReady?: string[];
  /** "start=200" (milliseconds), one per step: schedule, start, ready, complete, terminate, bind, controller. */
  delay?: string[];
}

const DELAY_STEPS = ["schedule", "start", "ready", "complete", "terminate", "bind", "controller"];

/** Parses `SELECTOR[:job=NAME|:pods=SELECTOR][@NAMESPACE]` into a readiness hold. */
export function parseHold(text: string): ReadinessHold {
  let rest = text;
  let namespace: string | undefined;
  const at = rest.lastIndexOf("@");
  if (at > 0) {
    namespace = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.indexOf(":");
  const selector = colon >= 0 ? rest.slice(0, colon) : rest;
  const cond = colon >= 0 ? rest.slice(colon + 1) : "";
  const hold: ReadinessHold = { selector, ...(namespace ? { namespace } : {}) };
  if (cond.startsWith("job=")) hold.until = { jobComplete: cond.slice(4), ...(namespace ? { namespace } : {}) };
  else if (cond.startsWith("pods=")) hold.until = { podsReady: cond.slice(5), ...(namespace ? { namespace } : {}) };
  else if (cond) throw new UsageError(`--hold-ready ${text}: expected SELECTOR, SELECTOR:job=NAME or SELECTOR:pods=SELECTOR`);
  return hold;
}

/** The config file of the embedded cluster (`--config`), JSON or YAML. */
interface ClusterConfigFile {
  readonly delays?: Partial<Delays>;
  readonly bookmarkIntervalMs?: number;
  readonly readinessHolds?: readonly ReadinessHoldJson[];
}

export async function clusterOptions(o: ClusterServeOptions): Promise<ClusterOptions> {
  const opts: ClusterOptions = {};
  if (o.config) {
    const text = fs.readFileSync(o.config, "utf8");
    let cfg: ClusterConfigFile;
    try {
      cfg = JSON.parse(text) as ClusterConfigFile;
    } catch {
      // A bundler may hand the CommonJS build over as a default export.
      const yaml = (await import("yaml")) as Partial<typeof import("yaml")> & { default?: typeof import("yaml") };
      cfg = (yaml.parse ?? yaml.default!.parse)(text) as ClusterConfigFile;
    }
    if (cfg.delays) opts.delays = cfg.delays;
    if (cfg.bookmarkIntervalMs) opts.bookmarkIntervalMs = cfg.bookmarkIntervalMs;
    if (Array.isArray(cfg.readinessHolds)) {
      const { holdFromJson } = await import("../cluster/start.js");
      opts.readinessHolds = cfg.readinessHolds.map(holdFromJson);
    }
  }
  if (o.port !== undefined) {
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects a port number, got ${o.port}`);
    opts.port = port;
  }
  if (o.kubeconfigOut) opts.kubeconfigPath = path.resolve(o.kubeconfigOut);
  if (o.state) opts.statePath = path.resolve(o.state);
  for (const h of o.holdReady ?? []) (opts.readinessHolds ??= []).push(parseHold(h));
  for (const d of o.delay ?? []) {
    const m = /^(\w+)=(\d+)$/.exec(d);
    if (!m || !DELAY_STEPS.includes(m[1]!))
      throw new UsageError(`--delay expects STEP=MS with STEP one of ${DELAY_STEPS.join(", ")}, got ${d}`);
    opts.delays = { ...(opts.delays ?? {}), [m[1] as keyof Delays]: Number(m[2]) };
  }
  return opts;
}

/** Serves until SIGINT/SIGTERM; resolves with the exit status. */
export async function clusterServeCommand(
  o: ClusterServeOptions,
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  const { startCluster } = await import("../cluster/index.js");
  const options = await clusterOptions(o);
  let cluster;
  try {
    cluster = await startCluster(options);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new UsageError(`--port ${options.port}: address already in use`);
    if (err.code === "EACCES") throw new UsageError(`--port ${options.port}: permission denied`);
    throw e;
  }
  out(`ko cluster: listening on ${cluster.url}\n`);
  if (cluster.kubeconfigPath)
    out(`ko cluster: kubeconfig written to ${cluster.kubeconfigPath} (export KUBECONFIG=${cluster.kubeconfigPath})\n`);
  if (o.state) out(`ko cluster: state persisted in ${path.resolve(o.state)}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      out(`ko cluster: ${signal}, stopping\n`);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await cluster.close();
  return EXIT.ok;
}
