/**
 * How `ko run` (or an embedding application) points the `k8s` package at a cluster, and the
 * access of one session to it. This module is light: the choice of the cluster (selection.ts)
 * is made when a run of a program that imports "k8s" starts, and the client is loaded at its
 * first API call, so a script that never uses the API pays for neither; the policy file is read
 * when the session starts, so that a bad one stops the run before anything runs.
 */
import { UsageError } from "../diag/exit.js";
import type { HostContext } from "../host/binding.js";
import { serviceKey } from "../host/services.js";
import { KoError } from "../value/failure.js";
import type { K8sConnection } from "./connection.js";
import type { Selection } from "./selection.js";
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
  /**
   * Keep the embedded cluster's state in this file between runs (`--cluster-state`); implies the
   * embedded cluster. When a `ko cluster serve` keeps the file, the run talks to that server.
   */
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
  /**
   * A policy given as a document instead of a file (a KoRun's spec.policy): its rules, and what
   * messages call it (`KoRun ns/name spec.policy`). It takes the place of `policy`.
   */
  readonly policyDocument?: { readonly source: string; readonly rules: unknown };
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
 * What is wrong with the cluster a session was pointed at — a missing or invalid kubeconfig, an
 * unknown context, a bad policy file, a damaged or busy state file — found before anything runs.
 * A usage error: the `ko` command prints its message and exits with status 2.
 */
export class ClusterConfigError extends UsageError {
  override name = "ClusterConfigError";
}

/**
 * One session's access to a cluster: the choice of cluster is resolved once (`resolve`, which a
 * session calls before running a program that imports "k8s"), the connection opened at the
 * first call that needs it (loading the client then) and shared by every later call, until
 * `close`.
 */
export class ClusterAccess {
  private selected: Promise<Selection> | undefined;
  private opened: Promise<K8sConnection> | undefined;
  /** The connection once `opened` has it: a call made after the first gets it without waiting a turn. */
  private open: K8sConnection | undefined;
  /** The run's policy, read when the access is made (a UsageError if the file is missing or wrong). */
  readonly policy: Policy;

  constructor(readonly options: K8sOptions = {}) {
    this.policy = loadPolicy(options);
  }

  /**
   * Decides the cluster (reading the kubeconfig, starting the embedded cluster if that is the
   * choice); rejects with ClusterConfigError when the choice is wrong.
   */
  resolve(): Promise<Selection> {
    const stderr = this.options.stderr ?? ((t: string) => void process.stderr.write(t));
    return (this.selected ??= import("./selection.js").then((m) => m.select(this.options, stderr)));
  }

  /** The connection, if it is open already. */
  get openConnection(): K8sConnection | undefined {
    return this.open;
  }

  connection(): Promise<K8sConnection> {
    return (this.opened ??= this.resolve().then(
      (selection) =>
        import("./connection.js").then((m) => m.openConnection(this.options, selection, this.policy)).then((c) => (this.open = c)),
      (e: unknown) => {
        // Reached only by a run that did not resolve first (a program called without a session): its first call fails.
        throw e instanceof ClusterConfigError ? new KoError(e.message, "k8s/config") : e;
      },
    ));
  }

  /** Ends the connection if one was opened, and stops the embedded cluster if the selection started one. */
  async close(): Promise<void> {
    const { selected, opened } = this;
    this.selected = this.opened = this.open = undefined;
    await (await opened?.catch(() => undefined))?.close();
    await (await selected?.catch(() => undefined))?.cluster?.close();
  }
}

/** The connection of the run a host function was called in: at once when it is open, else once it is. */
export function connectionOf(ctx: HostContext): K8sConnection | Promise<K8sConnection> {
  const access = ctx.run.service(K8S);
  if (!access) throw new KoError("k8s: this run has no cluster access (run it through a session, src/api/session.ts)", "k8s/config");
  const open = access.openConnection;
  return open ? open.forCall(ctx.signal) : access.connection().then((c) => c.forCall(ctx.signal));
}
