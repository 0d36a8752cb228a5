/** Assembles a cluster: store (optionally persistent, under its lock), API, controllers, HTTP server, kubeconfig. */
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { Api } from "./api.js";
import { CRD_TYPE, CustomResources } from "./crd.js";
import { CustomResourceDefinitionController } from "./controllers/crds.js";
import { CORE_EVENT, EVENTS_V1_EVENT } from "./events.js";
import { CronJobController, JobController } from "./controllers/jobs.js";
import { Kubelet, type ReadinessHold } from "./controllers/kubelet.js";
import { DisruptionController, GarbageCollector, NamespaceController } from "./controllers/lifecycle.js";
import { ControllerManager, ZERO_DELAYS, type Delays } from "./controllers/manager.js";
import { DaemonSetController, DeploymentController, ReplicaSetController } from "./controllers/replicas.js";
import { StatefulSetController } from "./controllers/statefulset.js";
import { newTlsIdentity } from "./certificates.js";
import { badRequest } from "./errors.js";
import { ClusterSetupError } from "./setup-error.js";
import { Faults } from "./faults.js";
import { Guard, newToken } from "./guard.js";
import { allocateServiceValues } from "./ips.js";
import { Journal } from "./journal.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { Registry, RESOURCES } from "./resources.js";
import { HttpFront } from "./http.js";
import { Store } from "./object-store.js";
import { StateLock } from "./state-lock.js";
import type { Cluster, ClusterOptions } from "./index.js";

export async function start(opts: ClusterOptions = {}): Promise<Cluster> {
  const lock = opts.statePath ? lockState(opts.statePath, opts.holder ?? "a ko cluster") : undefined;
  try {
    return await startUnder(lock, opts);
  } catch (e) {
    lock?.release();
    throw e;
  }
}

function lockState(statePath: string, holder: string): StateLock {
  return onFile(`cluster state ${statePath}`, () => {
    fs.mkdirSync(path.dirname(path.resolve(statePath)), { recursive: true });
    return StateLock.acquire(statePath, holder);
  });
}

/**
 * A file the caller named that cannot be used (a directory, a read-only place) is the caller's to
 * fix, not a bug: its error becomes a ClusterSetupError naming the file.
 */
function onFile<T>(what: string, use: () => T): T {
  try {
    return use();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) throw new ClusterSetupError(`${what}: ${(e as Error).message}`);
    throw e;
  }
}

async function startUnder(lock: StateLock | undefined, opts: ClusterOptions): Promise<Cluster> {
  const host = opts.host ?? "127.0.0.1";
  let store: Store;
  if (opts.statePath) {
    const opened = onFile(`cluster state ${opts.statePath}`, () =>
      Journal.open(opts.statePath!, {
        fsync: opts.fsync !== false,
        ...(opts.repair ? { repair: true } : {}),
        ...(opts.notify ? { notify: opts.notify } : {}),
      }),
    );
    store = new Store(opened.journal, opened.state, opts.watchCacheSize);
  } else store = new Store(undefined, undefined, opts.watchCacheSize);

  const registry = new Registry([...RESOURCES, CORE_EVENT, EVENTS_V1_EVENT, CRD_TYPE]);
  // The stored CRDs are served before anything else runs (a restart from --state serves them again).
  const customResources = new CustomResources(store, registry);
  const api = new Api(store, registry, (rt, o) => allocateServiceValues(store, rt, o));
  const delays: Delays = { ...ZERO_DELAYS, ...(opts.delays ?? {}) };
  const manager = new ControllerManager(api, delays);
  const kubelet = new Kubelet(manager);
  const cronjobs = new CronJobController(manager);
  // The namespace controller first: it creates the default namespaces the others rely on.
  manager.add(new NamespaceController(manager));
  manager.add(new CustomResourceDefinitionController(manager));
  manager.add(kubelet);
  manager.add(new GarbageCollector(manager));
  if (opts.controllers !== false) {
    manager.add(new ReplicaSetController(manager));
    manager.add(new DeploymentController(manager));
    manager.add(new StatefulSetController(manager));
    manager.add(new DaemonSetController(manager));
    manager.add(new JobController(manager));
    manager.add(cronjobs);
    manager.add(new DisruptionController(manager));
  }
  for (const h of opts.readinessHolds ?? []) kubelet.addHold(h);
  manager.start();

  const faults = new Faults();
  const token = newToken();
  let port = 0;
  const front = new HttpFront({
    api,
    faults,
    guard: new Guard(token, host),
    hostPort: () => `${host}:${port}`,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    admin: (method, p, body) => {
      if (p === "readiness" && method === "GET") return { holds: kubelet.listHolds() };
      if (p === "readiness" && method === "POST") {
        const b = (body ?? {}) as ReadinessHold & { untilJobComplete?: string; untilPodsReady?: string };
        if (typeof b.selector !== "string") throw badRequest("a readiness hold needs a label selector");
        return { id: kubelet.addHold(holdFromJson(b)) };
      }
      if (p.startsWith("readiness/") && method === "DELETE") {
        kubelet.releaseHold(Number(p.slice("readiness/".length)));
        return { released: Number(p.slice("readiness/".length)) };
      }
      if (p.startsWith("cronjobs/") && method === "POST") {
        const [, ns, name] = p.split("/");
        const job = cronjobs.trigger(ns!, name!);
        return job ? { job: job.metadata.name } : undefined;
      }
      return undefined;
    },
  });
  const tls = newTlsIdentity(host);
  const server = https.createServer({ keepAlive: true, key: tls.key, cert: tls.cert }, front.handle);
  server.keepAliveTimeout = 65_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    manager.stop();
    cronjobs.stop();
    customResources.close();
    store.close();
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  const url = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const kubeconfig = kubeconfigYaml(url, tls.ca, token, opts.contextName ?? "ko");
  if (opts.kubeconfigPath) {
    const file = opts.kubeconfigPath;
    try {
      onFile(`kubeconfig ${file}`, () => {
        fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
        // Written anew (not over an existing file, whose mode might let others read the token).
        fs.rmSync(file, { force: true });
        fs.writeFileSync(file, kubeconfig, { mode: 0o600 });
      });
    } catch (e) {
      manager.stop();
      cronjobs.stop();
      server.close();
      customResources.close();
      store.close();
      throw e;
    }
  }
  lock?.update({ url, ...(opts.kubeconfigPath ? { kubeconfig: path.resolve(opts.kubeconfigPath) } : {}) });

  let closed: Promise<void> | undefined;
  return {
    url,
    token,
    ca: tls.ca,
    host,
    port,
    ...(opts.kubeconfigPath ? { kubeconfigPath: opts.kubeconfigPath } : {}),
    kubeconfig,
    api,
    store,
    registry,
    faults,
    controllers: {
      manager,
      kubelet,
      cronjobs,
      idle: () => manager.idle(),
      holdReadiness: (h) => kubelet.addHold(h),
      releaseReadiness: (id) => kubelet.releaseHold(id),
      triggerCronJob: (ns, name) => cronjobs.trigger(ns, name),
    },
    close() {
      closed ??= (async () => {
        manager.stop();
        cronjobs.stop();
        faults.dropWatches({}, "close");
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        customResources.close();
        store.close();
        lock?.release();
      })();
      return closed;
    },
  };
}

/** A readiness hold as JSON (CLI config files and the admin endpoint). */
export type ReadinessHoldJson = ReadinessHold & { untilJobComplete?: string; untilPodsReady?: string };

/** Readiness holds from their JSON. */
export function holdFromJson(b: ReadinessHoldJson): ReadinessHold {
  const h: ReadinessHold = { selector: b.selector };
  if (b.namespace) h.namespace = b.namespace;
  if (b.untilJobComplete) h.until = { jobComplete: b.untilJobComplete, ...(b.namespace ? { namespace: b.namespace } : {}) };
  else if (b.untilPodsReady) h.until = { podsReady: b.untilPodsReady, ...(b.namespace ? { namespace: b.namespace } : {}) };
  else if (b.until && typeof b.until === "object") h.until = b.until;
  return h;
}
