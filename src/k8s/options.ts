/**
 * How `ko run` (or an embedding application) points the `k8s` package at a cluster, and the
 * one session of a run. This module is light: the client, the cluster and the policy are loaded
 * by `k8sSession()` at the first API call, so a script that never calls the API pays nothing.
 */
import type { K8sSession } from "./session.js";

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
  /** Send every write with dryRun=All and report it (`--dry-run`). */
  readonly dryRun?: boolean;
  /** A policy file (`--policy`); otherwise ko.policy.yaml in `scriptDir`, when there is one. */
  readonly policy?: string;
  /** The directory of the script, where ko.policy.yaml is looked for. */
  readonly scriptDir?: string;
  /** Destructive calls against a cluster that is not the embedded one go ahead without asking (`--yes`). */
  readonly yes?: boolean;
  /** Where notices, confirmations and the dry-run summary go (default: process.stderr). */
  readonly stderr?: (text: string) => void;
  /** Asks a yes/no question; defaults to the terminal, and to refusing without one. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Backoff of retried requests, in milliseconds (default 100 doubling to at most 5,000; 8 attempts). */
  readonly retry?: { readonly baseMs?: number; readonly maxMs?: number; readonly attempts?: number };
}

let options: K8sOptions = {};
let session: Promise<K8sSession> | undefined;

/** Sets the options of the next session (closing none: call `closeK8s` first to switch clusters). */
export function configureK8s(opts: K8sOptions): void {
  options = opts;
}

/** The run's session, opened at the first call that needs the cluster. */
export function k8sSession(): Promise<K8sSession> {
  return (session ??= import("./session.js").then((m) => m.openSession(options)));
}

/** Ends the session if one was opened: prints the dry-run summary and stops an embedded cluster. */
export async function closeK8s(): Promise<void> {
  const s = session;
  session = undefined;
  if (s) await (await s.catch(() => undefined))?.close();
}
