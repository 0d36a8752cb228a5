/**
 * The operator's client of the cluster: @kubernetes/client-node, as an operator written in
 * TypeScript would use it (this module is loaded only by `ko operator` and `ko submit`). The
 * cluster is chosen as kubectl chooses it: --kubeconfig, else KUBECONFIG, else ~/.kube/config,
 * else the service account of a pod; --context; --namespace, else the context's, else "default".
 */
import * as k8s from "@kubernetes/client-node";
import { UsageError } from "../diag/exit.js";
import { COMPONENT, RUNS, SCRIPTS, type KoRun, type KoRunStatus, type KoScript, type KoScriptStatus } from "./kinds.js";

export interface KubeFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
}

const MERGE = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);

export class Kube {
  readonly custom: k8s.CustomObjectsApi;
  readonly core: k8s.CoreV1Api;
  readonly coordination: k8s.CoordinationV1Api;
  readonly namespace: string;

  constructor(
    readonly kc: k8s.KubeConfig,
    flags: KubeFlags,
  ) {
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    this.namespace = flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
  }

  getRun(namespace: string, name: string): Promise<KoRun> {
    return this.custom.getNamespacedCustomObject({ ...RUNS, namespace, name }) as Promise<KoRun>;
  }

  getScript(namespace: string, name: string): Promise<KoScript> {
    return this.custom.getNamespacedCustomObject({ ...SCRIPTS, namespace, name }) as Promise<KoScript>;
  }

  /**
   * A merge patch of the run's status subresource. With `resourceVersion`, the patch applies only
   * to that version of the run (409 otherwise): how an operator takes a run nobody else has taken.
   */
  patchRunStatus(run: KoRun, status: KoRunStatus, resourceVersion?: string): Promise<KoRun> {
    const { name, namespace } = run.metadata;
    const body = { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status };
    return this.custom.patchNamespacedCustomObjectStatus({ ...RUNS, namespace: namespace!, name, body }, MERGE) as Promise<KoRun>;
  }

  patchScriptStatus(script: KoScript, status: KoScriptStatus): Promise<KoScript> {
    const { name, namespace } = script.metadata;
    return this.custom.patchNamespacedCustomObjectStatus(
      { ...SCRIPTS, namespace: namespace!, name, body: { status } },
      MERGE,
    ) as Promise<KoScript>;
  }

  /** An Event about a KoScript or KoRun, as `kubectl describe` shows them. */
  async event(object: KoRun | KoScript, type: "Normal" | "Warning", reason: string, message: string, instance: string): Promise<void> {
    const { name, namespace, uid } = object.metadata;
    const at = new Date();
    await this.core.createNamespacedEvent({
      namespace: namespace!,
      body: {
        metadata: { generateName: `${name}.` },
        involvedObject: { apiVersion: object.apiVersion ?? "ko.dev/v1alpha1", kind: object.kind, name, namespace, ...(uid ? { uid } : {}) },
        type,
        reason,
        message,
        source: { component: COMPONENT },
        reportingComponent: COMPONENT,
        reportingInstance: instance,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    });
  }
}

/** The kubeconfig, as kubectl would read it; a wrong file or context is a usage error. */
export function openKube(flags: KubeFlags): Kube {
  const kc = new k8s.KubeConfig();
  try {
    if (flags.kubeconfig !== undefined) kc.loadFromFile(flags.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new UsageError(
      `cannot read the kubeconfig ${flags.kubeconfig ?? ""}: ${e instanceof Error ? e.message : String(e)}`.replace("  ", " "),
    );
  }
  if (flags.context !== undefined) {
    if (!kc.getContextObject(flags.context)) throw new UsageError(`the kubeconfig has no context ${flags.context}`);
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) throw new UsageError("no cluster to talk to: give --kubeconfig, set KUBECONFIG, or write ~/.kube/config");
  return new Kube(kc, flags);
}

/** The HTTP status of a failed request, if it was one. */
export function statusOf(e: unknown): number | undefined {
  return e instanceof k8s.ApiException ? e.code : undefined;
}

/** What a failed request said, in a line. */
export function describeApiError(e: unknown): string {
  if (e instanceof k8s.ApiException) {
    try {
      const body = JSON.parse(String(e.body)) as { message?: string };
      if (body.message) return `${e.code}: ${body.message}`;
    } catch {
      // not a Status: fall through
    }
    return `${e.code}: ${String(e.body).slice(0, 300)}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export { k8s };
