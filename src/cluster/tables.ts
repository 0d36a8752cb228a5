/**
 * Server-side printing: the `Table` responses `kubectl get` asks for, with the columns and cell
 * formats of kube-apiserver's printers (pkg/printers/internalversion).
 */
import type { KObject, ResourceType } from "./resources.js";
import { formatSelector } from "./selectors.js";
import { humanDuration } from "./util.js";

export interface Column {
  name: string;
  type: "string" | "integer" | "boolean" | "number" | "date";
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean | null;

export interface Printer {
  columns: Column[];
  row(o: KObject, now: number): Cell[];
}

export const col = (name: string, type: Column["type"] = "string", priority = 0, description = "", format = ""): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
export const NAME = col(
  "Name",
  "string",
  0,
  "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  "name",
);
export const AGE = col(
  "Age",
  "string",
  0,
  "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
);
const CONTAINERS = col("Containers", "string", 1, "Names of each container in the template.");
const IMAGES = col("Images", "string", 1, "Images referenced by each container in the template.");
const SELECTOR = col(
  "Selector",
  "string",
  1,
  "A label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
);

export const age = (o: KObject, now: number) =>
  o.metadata.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : "<unknown>";
const containerNames = (t: KObject | undefined) => (t?.spec?.containers ?? []).map((c: KObject) => c.name).join(",");
const containerImages = (t: KObject | undefined) => (t?.spec?.containers ?? []).map((c: KObject) => c.image).join(",");
const none = (s: string | undefined) => (s ? s : "<none>");

function podStatusReason(p: KObject): string {
  let reason: string = p.status?.reason || p.status?.phase || "";
  const statuses: KObject[] = p.status?.containerStatuses ?? [];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const s = statuses[i]!;
    if (s.state?.waiting?.reason) reason = s.state.waiting.reason;
    else if (s.state?.terminated?.reason) reason = s.state.terminated.reason;
    else if (s.state?.terminated)
      reason = s.state.terminated.signal ? `Signal:${s.state.terminated.signal}` : `ExitCode:${s.state.terminated.exitCode}`;
  }
  if (p.metadata.deletionTimestamp) reason = "Terminating";
  return reason;
}

function jobStatus(j: KObject): string {
  const conds: KObject[] = j.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === "True");
  if (has("Complete")) return "Complete";
  if (has("Failed")) return "Failed";
  if (j.metadata.deletionTimestamp) return "Terminating";
  if (has("SuccessCriteriaMet")) return "SuccessCriteriaMet";
  if (has("FailureTarget")) return "FailureTarget";
  if (has("Suspended")) return "Suspended";
  return "Running";
}

function jobDuration(j: KObject, now: number): string {
  const start = j.status?.startTime ? Date.parse(j.status.startTime) : undefined;
  if (start === undefined) return "";
  const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now;
  return humanDuration(end - start);
}

function servicePorts(s: KObject): string {
  const ports: KObject[] = s.spec?.ports ?? [];
  if (!ports.length) return "<none>";
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
}

function externalIP(s: KObject): string {
  const type = s.spec?.type;
  if (type === "ExternalName") return s.spec?.externalName ?? "<none>";
  if (type === "LoadBalancer") {
    const ing: KObject[] = s.status?.loadBalancer?.ingress ?? [];
    const ips = [...ing.map((i) => i.ip || i.hostname), ...(s.spec?.externalIPs ?? [])];
    return ips.length ? ips.join(",") : "<pending>";
  }
  return s.spec?.externalIPs?.length ? s.spec.externalIPs.join(",") : "<none>";
}

const accessModes = (modes: string[] | undefined) =>
  (modes ?? [])
    .map((m) => ({ ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" })[m] ?? m)
    .join(",");

const intOrString = (v: number | string | null | undefined) => (v === undefined || v === null ? "N/A" : String(v));

export const PRINTERS: Record<string, Printer> = {
  Namespace: {
    columns: [NAME, col("Status", "string", 0, "The status of the namespace"), AGE],
    row: (o, now) => [o.metadata.name, o.status?.phase ?? "", age(o, now)],
  },
  Pod: {
    columns: [
      NAME,
      col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
      col("Status", "string", 0, "The aggregate status of the containers in this pod."),
      col(
        "Restarts",
        "string",
        0,
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
      ),
      AGE,
      col("IP", "string", 1, "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
      col("Node", "string", 1, "NodeName indicates in which node this pod is scheduled."),
      col(
        "Nominated Node",
        "string",
        1,
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
      ),
      col("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness."),
    ],
    row(p, now) {
      const statuses: KObject[] = p.status?.containerStatuses ?? [];
      const total = (p.spec?.containers ?? []).length;
      const ready = statuses.filter((s) => s.ready).length;
      const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
      const gates: KObject[] = p.spec?.readinessGates ?? [];
      const gateText = gates.length
        ? `${gates.filter((g) => (p.status?.conditions ?? []).some((c: KObject) => c.type === g.conditionType && c.status === "True")).length}/${gates.length}`
        : "<none>";
      return [
        p.metadata.name,
        `${ready}/${total}`,
        podStatusReason(p),
        String(restarts),
        age(p, now),
        none(p.status?.podIP),
        none(p.spec?.nodeName),
        none(p.status?.nominatedNodeName),
        gateText,
      ];
    },
  },
  Service: {
    columns: [
      NAME,
      col("Type"),
      col("Cluster-IP"),
      col("External-IP"),
      col("Port(s)"),
      AGE,
      col("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."),
    ],
    row: (s, now) => [
      s.metadata.name,
      s.spec?.type ?? "",
      s.spec?.clusterIP || "<none>",
      externalIP(s),
      servicePorts(s),
      age(s, now),
      s.spec?.selector
        ? Object.entries<string>(s.spec.selector)
            .sort()
            .map(([k, v]) => `${k}=${v}`)
            .join(",")
        : "<none>",
    ],
  },
  ConfigMap: {
    columns: [NAME, col("Data", "integer"), AGE],
    row: (c, now) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, age(c, now)],
  },
  Secret: {
    columns: [NAME, col("Type"), col("Data", "integer"), AGE],
    row: (s, now) => [s.metadata.name, s.type ?? "", Object.keys(s.data ?? {}).length, age(s, now)],
  },
  PersistentVolumeClaim: {
    columns: [
      NAME,
      col("Status"),
      col("Volume"),
      col("Capacity"),
      col("Access Modes"),
      col("StorageClass"),
      col("VolumeAttributesClass"),
      AGE,
      col("VolumeMode", "string", 1),
    ],
    row(c, now) {
      const bound = c.status?.phase === "Bound";
      return [
        c.metadata.name,
        c.metadata.deletionTimestamp ? "Terminating" : (c.status?.phase ?? ""),
        c.spec?.volumeName ?? "",
        bound ? (c.status?.capacity?.storage ?? "") : "",
        bound ? accessModes(c.status?.accessModes) : "",
        c.spec?.storageClassName ?? "<unset>",
        c.spec?.volumeAttributesClassName ?? "<unset>",
        age(c, now),
        c.spec?.volumeMode ?? "<unset>",
      ];
    },
  },
  ServiceAccount: {
    columns: [NAME, col("Secrets", "string"), AGE],
    row: (s, now) => [s.metadata.name, String((s.secrets ?? []).length), age(s, now)],
  },
  Deployment: {
    columns: [NAME, col("Ready"), col("Up-to-date", "string"), col("Available", "string"), AGE, CONTAINERS, IMAGES, SELECTOR],
    row: (d, now) => [
      d.metadata.name,
      `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
      d.status?.updatedReplicas ?? 0,
      d.status?.availableReplicas ?? 0,
      age(d, now),
      containerNames(d.spec?.template),
      containerImages(d.spec?.template),
      formatSelector(d.spec?.selector),
    ],
  },
  ReplicaSet: {
    columns: [NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), AGE, CONTAINERS, IMAGES, SELECTOR],
    row: (r, now) => [
      r.metadata.name,
      r.spec?.replicas ?? 0,
      r.status?.replicas ?? 0,
      r.status?.readyReplicas ?? 0,
      age(r, now),
      containerNames(r.spec?.template),
      containerImages(r.spec?.template),
      formatSelector(r.spec?.selector),
    ],
  },
  StatefulSet: {
    columns: [NAME, col("Ready"), AGE, CONTAINERS, IMAGES],
    row: (s, now) => [
      s.metadata.name,
      `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`,
      age(s, now),
      containerNames(s.spec?.template),
      containerImages(s.spec?.template),
    ],
  },
  DaemonSet: {
    columns: [
      NAME,
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Node Selector"),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row: (d, now) => [
      d.metadata.name,
      d.status?.desiredNumberScheduled ?? 0,
      d.status?.currentNumberScheduled ?? 0,
      d.status?.numberReady ?? 0,
      d.status?.updatedNumberScheduled ?? 0,
      d.status?.numberAvailable ?? 0,
      Object.entries<string>(d.spec?.template?.spec?.nodeSelector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "<none>",
      age(d, now),
      containerNames(d.spec?.template),
      containerImages(d.spec?.template),
      formatSelector(d.spec?.selector),
    ],
  },
  Job: {
    columns: [NAME, col("Status"), col("Completions"), col("Duration"), AGE, CONTAINERS, IMAGES, SELECTOR],
    row(j, now) {
      const completions =
        j.spec?.completions !== undefined && j.spec?.completions !== null
          ? `${j.status?.succeeded ?? 0}/${j.spec.completions}`
          : `${j.status?.succeeded ?? 0}/1 of ${j.spec?.parallelism ?? 1}`;
      return [
        j.metadata.name,
        jobStatus(j),
        completions,
        jobDuration(j, now),
        age(j, now),
        containerNames(j.spec?.template),
        containerImages(j.spec?.template),
        formatSelector(j.spec?.selector),
      ];
    },
  },
  CronJob: {
    columns: [
      NAME,
      col("Schedule"),
      col("Timezone"),
      col("Suspend", "boolean"),
      col("Active", "integer"),
      col("Last Schedule"),
      AGE,
      CONTAINERS,
      IMAGES,
      SELECTOR,
    ],
    row: (c, now) => [
      c.metadata.name,
      c.spec?.schedule ?? "",
      c.spec?.timeZone ?? "<none>",
      String(c.spec?.suspend ?? false),
      (c.status?.active ?? []).length,
      c.status?.lastScheduleTime ? humanDuration(now - Date.parse(c.status.lastScheduleTime)) : "<none>",
      age(c, now),
      containerNames(c.spec?.jobTemplate?.spec?.template),
      containerImages(c.spec?.jobTemplate?.spec?.template),
      formatSelector(c.spec?.jobTemplate?.spec?.selector) || "<none>",
    ],
  },
  PodDisruptionBudget: {
    columns: [NAME, col("Min Available"), col("Max Unavailable"), col("Allowed Disruptions", "integer"), AGE],
    row: (p, now) => [
      p.metadata.name,
      intOrString(p.spec?.minAvailable),
      intOrString(p.spec?.maxUnavailable),
      p.status?.disruptionsAllowed ?? 0,
      age(p, now),
    ],
  },
  Lease: {
    columns: [NAME, col("Holder", "string", 0, "holderIdentity contains the identity of the holder of a current lease."), AGE],
    row: (l, now) => [l.metadata.name, l.spec?.holderIdentity ?? "", age(l, now)],
  },
  Node: {
    columns: [
      NAME,
      col("Status"),
      col("Roles"),
      AGE,
      col("Version"),
      col("Internal-IP", "string", 1),
      col("External-IP", "string", 1),
      col("OS-Image", "string", 1),
      col("Kernel-Version", "string", 1),
      col("Container-Runtime", "string", 1),
    ],
    row(n, now) {
      const ready = (n.status?.conditions ?? []).find((c: KObject) => c.type === "Ready");
      const roles = Object.keys(n.metadata.labels ?? {})
        .filter((k) => k.startsWith("node-role.kubernetes.io/"))
        .map((k) => k.slice("node-role.kubernetes.io/".length));
      const addr = (t: string) => (n.status?.addresses ?? []).find((a: KObject) => a.type === t)?.address ?? "<none>";
      const info = n.status?.nodeInfo ?? {};
      return [
        n.metadata.name,
        ready?.status === "True" ? "Ready" : "NotReady",
        roles.length ? roles.join(",") : "<none>",
        age(n, now),
        info.kubeletVersion ?? "",
        addr("InternalIP"),
        addr("ExternalIP"),
        info.osImage ?? "",
        info.kernelVersion ?? "",
        info.containerRuntimeVersion ?? "",
      ];
    },
  },
};

/** What each row carries besides its cells (?includeObject=). */
export type IncludeObject = "None" | "Metadata" | "Object";

export function partialMetadata(o: KObject): KObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

export function toTable(rt: ResourceType, objects: KObject[], listMeta: KObject, include: IncludeObject, withColumns = true): KObject {
  const printer = rt.printer ??
    (rt.custom ? undefined : PRINTERS[rt.kind]) ?? {
      columns: [NAME, AGE],
      row: (o: KObject, now: number) => [o.metadata.name, age(o, now)],
    };
  const now = Date.now();
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: withColumns ? printer.columns : null,
    rows: objects.map((o) => {
      const row: KObject = { cells: printer.row(o, now) };
      if (include === "Object") row.object = o;
      else if (include === "Metadata") row.object = partialMetadata(o);
      return row;
    }),
  };
}
