/**
 * How `ko run` (or an embedding application) points the `k8s` package at a cluster, and the
 * access of one session to it. This module is light: the client and the cluster are loaded at the
 * first API call, so a script that never calls the API pays nothing; the policy file is read when
 * the session starts, so that a bad one stops the run before anything runs.
 */
import type { HostContext } from "../host/binding.js";
import { serviceKey } from "../host/services.js";
import { KoError } from "../value/failure.js";
import type { K8sConnection } from "./connection.js";
import type { Plan } from "./plan.js";
import { loadPolicy, type Policy } from "./policy.js";

export interface K8sOptions {
  /** A kubeconfig file (`--kubeconfig`); otherwise KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig?: string;
  /** The kubeconfig context to use (`--context`). */
  readonly context?: string;
  /** The namespace of calls that give none (`--namespace`); otherwise the context's, else "default". */
  readonly namespace?: string;
  /** "embedded": start the embedded cluster in-process; "kubeconfig": never do (default: when there is no kubeconfig). */
  readonly cluster?: "embedded" | "kubeconfig";
  /** Keep the embedded cluster's state in this file between runs (`--cluster-state`). */
  readonly clusterState?: string;
  /** At most this many API requests in flight at once (`--max-inflight`, default 16). */
  readonly maxInflight?: number;
  /**
   * Only plan (`--plan`, `--dry-run`): run once with every write sent as a server-side dry run,
   * effects outside the cluster skipped, show the plan, and change nothing.
   */
  readonly plan?: boolean;
  /** The same as `plan` (`--dry-run`). */
  readonly dryRun?: boolean;
  /** Sees the plan of every planned run, before it is applied (or instead, with `plan`). */
  readonly onPlan?: (plan: Plan) => void;
  /** A policy file (`--policy`); otherwise ko.policy.yaml in `scriptDir`, when there is one. */
  readonly policy?: string;
  /** The directory of the script, where ko.policy.yaml is looked for. */
  readonly scriptDir?: string;
  /** A plan that deletes, against a cluster that is not the embedded one, is applied without asking (`--yes`). */
  readonly yes?: boolean;
  /** Where notices, plans and confirmations go (default: process.stderr). */
  readonly stderr?: (text: string) => void;
  /**
   * Asks a yes/no question (the plan is in it); defaults to the terminal. Without either, a plan
   * that needs confirmation is refused before anything is written.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Backoff of retried requests, in milliseconds (default 100 doubling to at most 5,000; 8 attempts). */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number; readonly attempts?: number };
}

/** The run's way to the cluster, offered to the package's functions as a service of the run. */
export const K8S = serviceKey<ClusterAccess>("k8s");

/**
 * One session's access to a cluster: the connection is opened at the first call that needs it
 * (loading the client then) and shared by every later call, until `close`.
 */
export class ClusterAccess {
  private opened: Promise<K8sConnection> | undefined;
  /** The run's policy, read when the access is made (a UsageError if the file is missing or wrong). */
  readonly policy: Policy;

  constructor(readonly options: K8sOptions = {}) {
    this.policy = loadPolicy(options);
  }

  connection(): Promise<K8sConnection> {
    return (this.opened ??= import("./connection.js").then((m) => m.openConnection(this.options, this.policy)));
  }

  /** Ends the connection if one was opened: stops an embedded cluster. */
  async close(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    if (opened) await (await opened.catch(() => undefined))?.close();
  }
}

/** The connection of the run a host function was called in. */
export function connectionOf(ctx: HostContext): Promise<K8sConnection> {
  const access = ctx.run.service(K8S);
  if (!access) throw new KoError("k8s: this run has no cluster access (run it through a session, src/api/session.ts)", "k8s/config");
  return access.connection();
}
