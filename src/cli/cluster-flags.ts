/**
 * The command-line flags of `ko run` that choose and guard the cluster, turned into the options
 * of the `k8s` package. Light: nothing here loads the client.
 */
import * as path from "node:path";
import { UsageError } from "../diag/exit.js";
import type { K8sOptions } from "../k8s/options.js";

export interface ClusterFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly cluster?: string;
  readonly clusterState?: string;
  readonly maxInflight?: string;
  readonly plan?: boolean;
  readonly dryRun?: boolean;
  readonly policy?: string;
  readonly yes?: boolean;
}

/** Checks the flags and returns the package's options; `script` is the file or directory run. */
export function clusterOptions(flags: ClusterFlags, script: string | undefined): K8sOptions {
  if (flags.cluster !== undefined && flags.cluster !== "embedded" && flags.cluster !== "kubeconfig") {
    throw new UsageError(`--cluster takes embedded or kubeconfig, not ${JSON.stringify(flags.cluster)}`);
  }
  if (flags.cluster === "embedded" && (flags.kubeconfig || flags.context))
    throw new UsageError("--cluster embedded does not use --kubeconfig or --context");
  // The state file is the embedded cluster's: with it, a kubeconfig is never read.
  if (flags.clusterState !== undefined && (flags.cluster === "kubeconfig" || flags.kubeconfig || flags.context))
    throw new UsageError(
      "--cluster-state keeps the embedded cluster's state: it does not go with --cluster kubeconfig, --kubeconfig or --context",
    );
  const maxInflight = flags.maxInflight === undefined ? undefined : Number(flags.maxInflight);
  if (maxInflight !== undefined && !(Number.isInteger(maxInflight) && maxInflight >= 1)) {
    throw new UsageError(`--max-inflight takes a whole number of at least 1, not ${JSON.stringify(flags.maxInflight)}`);
  }
  const scriptDir = script === undefined ? undefined : path.extname(script) === ".ko" ? path.dirname(script) : script;
  return {
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(flags.cluster !== undefined ? { cluster: flags.cluster } : {}),
    ...(flags.clusterState !== undefined ? { clusterState: flags.clusterState } : {}),
    ...(maxInflight !== undefined ? { maxInflight } : {}),
    ...(flags.policy !== undefined ? { policy: flags.policy } : {}),
    ...(scriptDir !== undefined ? { scriptDir } : {}),
    plan: flags.plan === true,
    dryRun: flags.dryRun === true,
    yes: flags.yes === true,
  };
}
