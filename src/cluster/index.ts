/**
 * `ko cluster`: an embedded Kubernetes-API-compatible server with simulated controllers, for
 * tests and dry runs. The real kubectl and @kubernetes/client-node talk to it over HTTP.
 *
 *   const cluster = await startCluster({ kubeconfigPath: "/tmp/kc" });
 *   // KUBECONFIG=/tmp/kc kubectl get pods
 *   await cluster.close();
 *
 * It serves https with a certificate of its own authority (certificates.ts), and every request
 * needs its bearer token and a loopback Host (guard.ts); the kubeconfig it writes holds both the
 * authority and the token (also `cluster.ca` and `cluster.token`).
 *
 * This module loads only types (and the small ClusterSetupError) at import time; the server
 * itself is loaded by startCluster, so importing it costs the CLI nothing.
 */
import type { Api } from "./api.js";
import type { CronJobController } from "./controllers/jobs.js";
import type { Kubelet, ReadinessHold } from "./controllers/kubelet.js";
import type { ControllerManager, Delays } from "./controllers/manager.js";
import type { Faults } from "./faults.js";
import type { KObject, Registry } from "./resources.js";
import type { Store } from "./object-store.js";

export type { Delays } from "./controllers/manager.js";
export type { ReadinessHold, HoldCondition } from "./controllers/kubelet.js";
export type { FailRule, LatencyRule, FaultMatch, Verb } from "./faults.js";
export type { KObject } from "./resources.js";
export type { LockHolder } from "./state-lock.js";
export { ClusterSetupError } from "./setup-error.js";

export interface ClusterOptions {
  /** TCP port on 127.0.0.1 (default 0: an ephemeral port); the server speaks https. */
  port?: number;
  host?: string;
  /** Write a kubeconfig pointing at the server here. */
  kubeconfigPath?: string;
  /**
   * Persist every acknowledged write to this file and reload it on start (format: state-file.ts).
   * The cluster holds STATE.lock while it runs: a second cluster on the same file is refused.
   */
  statePath?: string;
  /** fsync each write before acknowledging it (default true; only with statePath). */
  fsync?: boolean;
  /** Cut a damaged state file back to its last good record instead of refusing it (a copy is kept). */
  repair?: boolean;
  /** What holds the state file, as its lock names it to others (default "a ko cluster"). */
  holder?: string;
  /** Told what opening the state file did besides reading it: a dropped unfinished write, a repair, a migration. */
  notify?: (message: string) => void;
  /** Simulated controller delays in milliseconds (default: all zero). */
  delays?: Partial<Delays>;
  /** Pods whose readiness is held back (e.g. until a Job completed). */
  readinessHolds?: ReadinessHold[];
  /** Run the workload controllers (default true). The namespace controller, garbage collector and kubelet always run. */
  controllers?: boolean;
  /** How often watches with allowWatchBookmarks=true get a BOOKMARK (default 60 s, as kube-apiserver). */
  bookmarkIntervalMs?: number;
  /** Events kept for resuming watches (default 50,000); older resourceVersions get 410 Expired. */
  watchCacheSize?: number;
  /** Name of the kubeconfig's cluster, context and user (default "ko"). */
  contextName?: string;
}

export interface ClusterControllers {
  manager: ControllerManager;
  kubelet: Kubelet;
  cronjobs: CronJobController;
  /** Resolves when no controller work is queued (tests; prefer waiting on real conditions). */
  idle(): Promise<void>;
  /** Holds back readiness of matching pods; returns an id for releaseReadiness. */
  holdReadiness(h: ReadinessHold): number;
  releaseReadiness(id: number): void;
  /** Runs a CronJob now, as a schedule tick would. */
  triggerCronJob(namespace: string, name: string): KObject | undefined;
}

export interface Cluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The bearer token every request must carry (it is in the kubeconfig). */
  token: string;
  /** The certificate (PEM) of the authority that signed the server's: what clients trust (it is in the kubeconfig). */
  ca: string;
  host: string;
  port: number;
  kubeconfigPath?: string;
  /** The kubeconfig text (also written to kubeconfigPath when given). */
  kubeconfig: string;
  api: Api;
  store: Store;
  registry: Registry;
  faults: Faults;
  controllers: ClusterControllers;
  close(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const { start } = await import("./start.js");
  return start(opts);
}
