/**
 * `ko cluster serve [--port N] [--kubeconfig-out FILE] [--state FILE [--repair]] [--config FILE]
 *                   [--hold-ready SELECTOR[:job=NAME]]... [--delay STEP=MS]...`
 *
 * Runs the embedded Kubernetes-API-compatible server on 127.0.0.1 until SIGINT or SIGTERM. Its
 * kubeconfig carries the token every request needs: written to --kubeconfig-out, or else to a
 * private temporary directory removed when the server stops.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ClusterOptions, Delays, ReadinessHold } from "../cluster/index.js";
import type { ReadinessHoldJson } from "../cluster/start.js";
import { EXIT, UsageError } from "../diag/exit.js";

export interface ClusterServeOptions {
  port?: string | number;
  kubeconfigOut?: string;
  state?: string;
  /** Cut a damaged --state file back to its last good record. */
  repair?: boolean;
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
    let text: string;
    try {
      text = fs.readFileSync(o.config, "utf8");
    } catch (e) {
      throw new UsageError(`--config ${o.config}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    let cfg: ClusterConfigFile;
    try {
      cfg = JSON.parse(text) as ClusterConfigFile;
    } catch {
      const yaml = await import("yaml");
      try {
        // A bundler may hand the CommonJS build over as a default export.
        const parse =
          (yaml as Partial<typeof import("yaml")> & { default?: typeof import("yaml") }).parse ??
          (yaml as { default: typeof import("yaml") }).default.parse;
        cfg = (parse(text) ?? {}) as ClusterConfigFile;
      } catch (e) {
        throw new UsageError(
          `--config ${o.config} is neither JSON nor valid YAML: ${(e as Error).message.split("\n")[0]!.replace(/:$/, "")}`,
        );
      }
    }
    if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) throw new UsageError(`--config ${o.config}: expected a mapping`);
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
  const { startCluster, ClusterSetupError } = await import("../cluster/index.js");
  if (o.repair && !o.state) throw new UsageError("--repair repairs the --state file: give --state FILE");
  const options = await clusterOptions(o);
  // Without --kubeconfig-out the token still has to reach someone: a directory only this user can read.
  const privateDir = options.kubeconfigPath ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "ko-cluster-"));
  let cluster;
  try {
    cluster = await startCluster({
      ...options,
      ...(privateDir ? { kubeconfigPath: path.join(privateDir, "kubeconfig") } : {}),
      ...(o.repair ? { repair: true } : {}),
      holder: "ko cluster serve",
      notify: (message) => void process.stderr.write(`ko cluster: ${message}\n`),
    });
  } catch (e) {
    if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EADDRINUSE") throw new UsageError(`--port ${options.port}: address already in use`);
    if (err.code === "EACCES") throw new UsageError(`--port ${options.port}: permission denied`);
    if (e instanceof ClusterSetupError) throw new UsageError(e.message);
    throw e;
  }
  out(`ko cluster: listening on ${cluster.url}\n`);
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
  if (privateDir) fs.rmSync(privateDir, { recursive: true, force: true });
  return EXIT.ok;
}
