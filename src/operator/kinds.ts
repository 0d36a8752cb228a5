/**
 * The two kinds of group ko.dev, version v1alpha1 (crds/): what their specs hold and what the
 * operator writes in their statuses.
 */
export const GROUP = "ko.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export const SCRIPTS = { group: GROUP, version: VERSION, plural: "koscripts" } as const;
export const RUNS = { group: GROUP, version: VERSION, plural: "koruns" } as const;

/** Who writes status and events: the `reportingComponent` of events, the field manager. */
export const COMPONENT = "ko-operator";

export interface Metadata {
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly creationTimestamp?: string | Date;
  readonly deletionTimestamp?: string | Date;
  readonly labels?: Record<string, string>;
}

export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration?: number;
  readonly lastTransitionTime: string;
}

export interface KoScriptSpec {
  readonly package?: string;
  readonly files?: Record<string, string>;
  readonly configMapRef?: { readonly name: string };
}

export interface KoScriptStatus {
  readonly observedGeneration?: number;
  readonly package?: string;
  readonly programHash?: string;
  readonly functions?: readonly { readonly name: string; readonly params: readonly string[]; readonly doc?: string }[];
  readonly diagnostics?: readonly {
    readonly severity: string;
    readonly code: string;
    readonly message: string;
    readonly location: string;
  }[];
  readonly conditions?: readonly Condition[];
}

export interface KoScript {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: Metadata;
  readonly spec: KoScriptSpec;
  readonly status?: KoScriptStatus;
}

export type RunPhase = "Pending" | "Running" | "Succeeded" | "Failed" | "Interrupted";
export type StepPhase = "Running" | "Succeeded" | "Cached" | "Replayed" | "Failed" | "Interrupted";

export interface KoRunSpec {
  readonly scriptRef: { readonly name: string };
  readonly function?: string;
  readonly arguments?: Record<string, unknown>;
  readonly dryRun?: boolean;
  readonly policy?: Record<string, unknown>;
  readonly suspend?: boolean;
  readonly ttlSecondsAfterFinished?: number;
}

export interface StepEntry {
  readonly id: string;
  readonly function: string;
  readonly step: string;
  readonly phase: StepPhase;
  readonly attempt: number;
  readonly startTime?: string;
  readonly finishTime?: string;
  readonly message?: string;
}

export interface RunError {
  readonly message: string;
  readonly code?: string;
  readonly location?: string;
  readonly callChain?: readonly string[];
}

export interface KoRunStatus {
  readonly phase?: RunPhase;
  readonly observedGeneration?: number;
  readonly attempt?: number;
  readonly operator?: string;
  readonly startTime?: string;
  readonly finishTime?: string;
  readonly progress?: string;
  readonly steps?: readonly StepEntry[];
  readonly stepsOffloaded?: number;
  readonly stepsConfigMaps?: readonly string[];
  readonly result?: unknown;
  /** The ConfigMaps holding a result too large for the status (status-offload.ts). */
  readonly resultConfigMaps?: readonly string[];
  readonly resultTruncated?: boolean;
  readonly error?: RunError;
  readonly output?: string;
  readonly conditions?: readonly Condition[];
}

export interface KoRun {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: Metadata;
  readonly spec: KoRunSpec;
  readonly status?: KoRunStatus;
}

export const FINISHED: ReadonlySet<RunPhase | undefined> = new Set<RunPhase | undefined>(["Succeeded", "Failed", "Interrupted"]);

/** A condition as of now; its transition time is kept when its status did not change. */
export function condition(
  previous: readonly Condition[] | undefined,
  type: string,
  status: Condition["status"],
  reason: string,
  message: string,
  observedGeneration?: number,
): Condition[] {
  const old = previous?.find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now();
  const next: Condition = {
    type,
    status,
    reason,
    message,
    lastTransitionTime,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  return [...(previous ?? []).filter((c) => c.type !== type), next];
}

/** RFC 3339 to the second, as Kubernetes writes times. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}
