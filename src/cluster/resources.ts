/**
 * The registry of served resources: names, scope, discovery metadata, and the per-kind strategy
 * hooks (defaulting, validation, what a create resets) that the generic store calls.
 */
import type { CustomResource } from "./crd.js";
import { type FieldError, forbiddenField, invalidField, requiredField, unsupportedValue, duplicateField } from "./errors.js";
import { matchesLabelSelector, labelSelectorIsValid } from "./selectors.js";
import type { Shape } from "./shapes.js";
import type { Printer } from "./tables.js";
import { type NameRule, validateName, isDns1123Label } from "./validation.js";
import { deepEqual } from "./util.js";

/** A Kubernetes object as JSON. Objects held by the store are never mutated; writers clone first. */
export type KObject = Record<string, any>;

export interface ResourceType {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Has a /status subresource (status is ignored by writes to the main resource). */
  status: boolean;
  /** Has a /scale subresource (autoscaling/v1 Scale). */
  scale: boolean;
  /** metadata.generation is maintained (bumped when anything outside metadata and status changes). */
  generation: boolean;
  nameRule: NameRule;
  /** Delete propagation when the client names none. */
  defaultPropagation: "Background" | "Orphan";
  /** Field selector paths accepted besides metadata.name and metadata.namespace. */
  fieldSelectors: Record<string, (o: KObject) => string>;
  verbs: string[];
  /** Fill in server defaults, in place (called on create and on update). */
  defaults?(o: KObject): void;
  /** What create resets (status, mostly), in place. */
  prepareCreate?(o: KObject): void;
  /** Carry server-owned values over on update (cluster IPs), in place on `o`. */
  prepareUpdate?(o: KObject, old: KObject): void;
  /** Finalizers the first delete adds (a CRD's cleanup finalizer: its objects go first). */
  deleteFinalizers?: string[];
  /** What the first delete changes besides deletionTimestamp (a CRD's Terminating condition), in place. */
  prepareDelete?(o: KObject): void;
  validate?(o: KObject, old: KObject | undefined): FieldError[];
  /** Validation of a write to /status (custom resources: against the status schema only). */
  validateStatus?(o: KObject, old: KObject): FieldError[];
  /**
   * The store table of another resource this one shares (events.k8s.io Events are core Events;
   * every served version of a custom resource is one table).
   */
  storage?: string;
  /** A stored object as this resource serves it: its version, defaults applied on read. Identity when absent. */
  fromStorage?(o: KObject): KObject;
  /** An object of this resource as the store keeps it. Identity when absent. */
  toStorage?(o: KObject): KObject;
  /** The kind's structure when it is not a built-in's (custom resources, events.k8s.io). */
  shape?: Shape;
  /** How `kubectl get` prints it when not by the built-in printers of tables.ts. */
  printer?: Printer;
  /** Strategic merge patches are read (custom resources take JSON, merge and apply patches only). */
  strategicMerge: boolean;
  /** A custom resource: its definition's schema, subresources and paths. */
  custom?: CustomResource;
}

export const apiVersionOf = (rt: Pick<ResourceType, "group" | "version">) => (rt.group ? `${rt.group}/${rt.version}` : rt.version);

const ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function define(p: Partial<ResourceType> & Pick<ResourceType, "kind" | "plural">): ResourceType {
  return {
    group: "",
    version: "v1",
    listKind: `${p.kind}List`,
    singular: p.kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    status: false,
    scale: false,
    generation: false,
    nameRule: "subdomain",
    defaultPropagation: "Background",
    fieldSelectors: {},
    verbs: ALL_VERBS,
    strategicMerge: true,
    ...p,
  };
}

// ---------- defaulting ----------

function defaultContainer(c: KObject): void {
  if (!c || typeof c !== "object") return;
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  if (c.imagePullPolicy === undefined && typeof c.image === "string") {
    const afterSlash = c.image.slice(c.image.lastIndexOf("/") + 1);
    const tag = afterSlash.includes("@") ? "digest" : afterSlash.includes(":") ? afterSlash.slice(afterSlash.indexOf(":") + 1) : "";
    c.imagePullPolicy = tag === "" || tag === "latest" ? "Always" : "IfNotPresent";
  }
  c.resources ??= {};
  if (Array.isArray(c.ports)) for (const p of c.ports) if (p && typeof p === "object") p.protocol ??= "TCP";
}

export function defaultPodSpec(s: KObject | undefined): void {
  if (!s || typeof s !== "object") return;
  s.restartPolicy ??= "Always";
  s.terminationGracePeriodSeconds ??= 30;
  s.dnsPolicy ??= "ClusterFirst";
  s.securityContext ??= {};
  s.schedulerName ??= "default-scheduler";
  for (const list of [s.containers, s.initContainers]) if (Array.isArray(list)) list.forEach(defaultContainer);
  if (Array.isArray(s.volumes))
    for (const v of s.volumes) {
      if (v?.configMap) v.configMap.defaultMode ??= 420;
      if (v?.secret) v.secret.defaultMode ??= 420;
      if (v && Object.keys(v).length === 1 && v.name) v.emptyDir = {};
    }
}

function defaultTemplate(t: KObject | undefined): void {
  if (!t || typeof t !== "object") return;
  defaultPodSpec(t.spec);
}

const ensureSpec = (o: KObject) => (o.spec && typeof o.spec === "object" ? o.spec : (o.spec = {}));

// ---------- validation helpers ----------

function validatePodSpec(s: KObject | undefined, path: string, allowedRestart?: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (!s || typeof s !== "object") return [requiredField(path)];
  if (!Array.isArray(s.containers) || s.containers.length === 0) errs.push(requiredField(`${path}.containers`));
  const seen = new Set<string>();
  for (const [list, field] of [
    [s.initContainers, "initContainers"],
    [s.containers, "containers"],
  ] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((c: KObject, i: number) => {
      const p = `${path}.${field}[${i}]`;
      if (!c?.name) errs.push(requiredField(`${p}.name`));
      else if (!isDns1123Label(c.name)) errs.push(...validateName("label", c.name, `${p}.name`));
      else if (seen.has(c.name)) errs.push(duplicateField(`${p}.name`, c.name));
      else seen.add(c.name);
      if (!c?.image) errs.push(requiredField(`${p}.image`));
    });
  }
  const restart = allowedRestart ?? ["Always", "OnFailure", "Never"];
  if (s.restartPolicy !== undefined && !restart.includes(s.restartPolicy))
    errs.push(unsupportedValue(`${path}.restartPolicy`, s.restartPolicy, restart));
  if (s.nodeSelector !== undefined && (typeof s.nodeSelector !== "object" || Array.isArray(s.nodeSelector)))
    errs.push(invalidField(`${path}.nodeSelector`, s.nodeSelector, "must be a map"));
  return errs;
}

function goMap(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {}).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `map[string]string{${entries.join(", ")}}`;
}

/** Workload checks shared by Deployment, ReplicaSet, StatefulSet, DaemonSet and Job. */
function validateWorkload(
  o: KObject,
  old: KObject | undefined,
  opts: { replicas?: boolean; restart?: string[]; selectorOptional?: boolean },
): FieldError[] {
  const errs: FieldError[] = [];
  const spec = o.spec ?? {};
  if (opts.replicas && spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0))
    errs.push(invalidField("spec.replicas", spec.replicas, "must be greater than or equal to 0"));
  if (!spec.selector && !opts.selectorOptional) errs.push(requiredField("spec.selector"));
  else if (spec.selector) {
    if (!labelSelectorIsValid(spec.selector)) errs.push(invalidField("spec.selector", spec.selector, "invalid label selector"));
    else if (Object.keys(spec.selector.matchLabels ?? {}).length === 0 && (spec.selector.matchExpressions ?? []).length === 0)
      errs.push(invalidField("spec.selector", spec.selector, "empty selector is invalid for deployment"));
    else if (!matchesLabelSelector(spec.selector, spec.template?.metadata?.labels ?? {}))
      errs.push(
        invalidField(
          "spec.template.metadata.labels",
          goMap(spec.template?.metadata?.labels),
          "`selector` does not match template `labels`",
        ),
      );
  }
  errs.push(...validatePodSpec(spec.template?.spec, "spec.template.spec", opts.restart));
  if (old && spec.selector && !deepEqual(spec.selector, old.spec?.selector))
    errs.push(invalidField("spec.selector", spec.selector, "field is immutable"));
  return errs;
}

function validateImmutableData(o: KObject, old: KObject | undefined): FieldError[] {
  if (!old || old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (o.immutable !== true) errs.push(forbiddenField("immutable", "field is immutable when `immutable` is set"));
  for (const f of ["data", "binaryData"])
    if (!deepEqual(o[f] ?? {}, old[f] ?? {})) errs.push(forbiddenField(f, "field is immutable when `immutable` is set"));
  return errs;
}

const phaseSelector = (o: KObject) => String(o.status?.phase ?? "");

// ---------- the registry ----------

export const RESOURCES: ResourceType[] = [
  define({
    kind: "Namespace",
    plural: "namespaces",
    namespaced: false,
    shortNames: ["ns"],
    status: true,
    nameRule: "label",
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    fieldSelectors: { "status.phase": phaseSelector },
    defaults(o) {
      o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name };
      const spec = ensureSpec(o);
      spec.finalizers ??= ["kubernetes"];
    },
    prepareCreate(o) {
      o.status = { phase: "Active" };
    },
  }),
  define({
    kind: "Pod",
    plural: "pods",
    shortNames: ["po"],
    categories: ["all"],
    status: true,
    fieldSelectors: {
      "status.phase": phaseSelector,
      "spec.nodeName": (o) => String(o.spec?.nodeName ?? ""),
      "spec.restartPolicy": (o) => String(o.spec?.restartPolicy ?? ""),
      "spec.schedulerName": (o) => String(o.spec?.schedulerName ?? ""),
      "spec.serviceAccountName": (o) => String(o.spec?.serviceAccountName ?? ""),
      "status.podIP": (o) => String(o.status?.podIP ?? ""),
      "status.nominatedNodeName": (o) => String(o.status?.nominatedNodeName ?? ""),
    },
    defaults(o) {
      const spec = ensureSpec(o);
      defaultPodSpec(spec);
      spec.serviceAccountName ??= spec.serviceAccount ?? "default";
      spec.serviceAccount ??= spec.serviceAccountName;
      spec.enableServiceLinks ??= true;
      spec.priority ??= 0;
      spec.preemptionPolicy ??= "PreemptLowerPriority";
      spec.tolerations ??= [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ];
    },
    prepareCreate(o) {
      const qos = (o.spec?.containers ?? []).some((c: KObject) => c?.resources?.requests || c?.resources?.limits)
        ? "Burstable"
        : "BestEffort";
      o.status = { phase: "Pending", qosClass: qos };
    },
    validate(o, old) {
      const errs = validatePodSpec(o.spec, "spec");
      if (old) {
        // Only images (and a few scheduling fields) of a pod may change after creation.
        const strip = (s: KObject) => ({
          ...s,
          containers: (s?.containers ?? []).map((c: KObject) => ({ ...c, image: "" })),
          activeDeadlineSeconds: 0,
          tolerations: [],
          nodeName: "",
          schedulingGates: [],
        });
        if (!deepEqual(strip(o.spec), strip(old.spec)))
          errs.push(
            forbiddenField(
              "spec",
              "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
            ),
          );
        if (old.spec?.nodeName && o.spec?.nodeName !== old.spec.nodeName) errs.push(forbiddenField("spec.nodeName", "field is immutable"));
      }
      return errs;
    },
  }),
  define({
    kind: "Service",
    plural: "services",
    shortNames: ["svc"],
    categories: ["all"],
    status: true,
    nameRule: "dns1035",
    defaults(o) {
      const spec = ensureSpec(o);
      spec.type ??= "ClusterIP";
      spec.sessionAffinity ??= "None";
      if (spec.type !== "ExternalName") {
        spec.ipFamilies ??= ["IPv4"];
        spec.ipFamilyPolicy ??= "SingleStack";
        spec.internalTrafficPolicy ??= "Cluster";
      }
      if (Array.isArray(spec.ports))
        for (const p of spec.ports) {
          if (!p || typeof p !== "object") continue;
          p.protocol ??= "TCP";
          p.targetPort ??= p.port;
        }
    },
    prepareCreate(o) {
      o.status = { loadBalancer: {} };
    },
    prepareUpdate(o, old) {
      // A replace that omits the allocated IPs keeps them, as the real server does.
      if (o.spec && old.spec) {
        if (o.spec.clusterIP === undefined || o.spec.clusterIP === "") o.spec.clusterIP = old.spec.clusterIP;
        if (o.spec.clusterIPs === undefined) o.spec.clusterIPs = old.spec.clusterIPs;
      }
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      const spec = o.spec ?? {};
      const types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
      if (!types.includes(spec.type)) errs.push(unsupportedValue("spec.type", spec.type, types));
      if (spec.type !== "ExternalName" && spec.clusterIP !== "None" && (!Array.isArray(spec.ports) || spec.ports.length === 0))
        errs.push(requiredField("spec.ports"));
      const names = new Set<string>();
      (spec.ports ?? []).forEach((p: KObject, i: number) => {
        if (!Number.isInteger(p?.port) || p.port < 1 || p.port > 65535)
          errs.push(invalidField(`spec.ports[${i}].port`, p?.port, "must be between 1 and 65535, inclusive"));
        if ((spec.ports.length > 1 || p?.name) && !p?.name && spec.ports.length > 1) errs.push(requiredField(`spec.ports[${i}].name`));
        if (p?.name) {
          if (names.has(p.name)) errs.push(duplicateField(`spec.ports[${i}].name`, p.name));
          names.add(p.name);
        }
      });
      if (old && old.spec?.clusterIP && spec.clusterIP !== old.spec.clusterIP)
        errs.push(invalidField("spec.clusterIPs[0]", spec.clusterIP, "may not change once set"));
      return errs;
    },
  }),
  define({
    kind: "ConfigMap",
    plural: "configmaps",
    shortNames: ["cm"],
    validate: (o, old) => validateImmutableData(o, old),
  }),
  define({
    kind: "Secret",
    plural: "secrets",
    fieldSelectors: { type: (o) => String(o.type ?? "") },
    defaults(o) {
      o.type ??= "Opaque";
      // stringData is write-only: merged into data, base64-encoded.
      if (o.stringData && typeof o.stringData === "object") {
        o.data = { ...(o.data ?? {}) };
        for (const [k, v] of Object.entries(o.stringData)) o.data[k] = Buffer.from(String(v), "utf8").toString("base64");
        delete o.stringData;
      }
    },
    validate(o, old) {
      const errs = validateImmutableData(o, old);
      for (const [k, v] of Object.entries(o.data ?? {}))
        if (typeof v !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(v))
          errs.push(invalidField(`data[${k}]`, "<secret contents redacted>", "a valid base64 string is required"));
      if (old && old.type !== o.type) errs.push(invalidField("type", o.type, "field is immutable"));
      return errs;
    },
  }),
  define({
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    shortNames: ["pvc"],
    status: true,
    defaults(o) {
      const spec = ensureSpec(o);
      spec.volumeMode ??= "Filesystem";
    },
    prepareCreate(o) {
      o.status = { phase: "Pending" };
    },
    validate(o, old) {
      const errs: FieldError[] = [];
      const spec = o.spec ?? {};
      if (!Array.isArray(spec.accessModes) || spec.accessModes.length === 0)
        errs.push(requiredField("spec.accessModes", "at least 1 access mode is required"));
      if (!spec.resources?.requests?.storage) errs.push(requiredField("spec.resources[storage]"));
      // The binder may fill in volumeName and storageClassName; requests may grow.
      const strip = (x: KObject, o: KObject) => ({
        ...x,
        resources: null,
        volumeName: x.volumeName ?? o.volumeName,
        storageClassName: x.storageClassName ?? o.storageClassName,
        volumeAttributesClassName: null,
      });
      if (old && !deepEqual(strip(old.spec ?? {}, spec), strip(spec, old.spec ?? {})))
        errs.push(
          forbiddenField(
            "spec",
            "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
          ),
        );
      return errs;
    },
  }),
  define({ kind: "ServiceAccount", plural: "serviceaccounts", shortNames: ["sa"] }),
  define({
    group: "apps",
    kind: "Deployment",
    plural: "deployments",
    shortNames: ["deploy"],
    categories: ["all"],
    status: true,
    scale: true,
    generation: true,
    defaults(o) {
      const spec = ensureSpec(o);
      spec.replicas ??= 1;
      spec.strategy ??= {};
      spec.strategy.type ??= "RollingUpdate";
      if (spec.strategy.type === "RollingUpdate") {
        const ru = (spec.strategy.rollingUpdate ??= {});
        ru.maxUnavailable ??= "25%";
        ru.maxSurge ??= "25%";
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      defaultTemplate(spec.template);
    },
    prepareCreate(o) {
      o.status = {};
    },
    validate: (o, old) => validateWorkload(o, old, { replicas: true, restart: ["Always"] }),
  }),
  define({
    group: "apps",
    kind: "ReplicaSet",
    plural: "replicasets",
    shortNames: ["rs"],
    categories: ["all"],
    status: true,
    scale: true,
    generation: true,
    defaults(o) {
      const spec = ensureSpec(o);
      spec.replicas ??= 1;
      defaultTemplate(spec.template);
    },
    prepareCreate(o) {
      o.status = { replicas: 0 };
    },
    validate: (o, old) => validateWorkload(o, old, { replicas: true, restart: ["Always"] }),
  }),
  define({
    group: "apps",
    kind: "StatefulSet",
    plural: "statefulsets",
    shortNames: ["sts"],
    categories: ["all"],
    status: true,
    scale: true,
    generation: true,
    defaults(o) {
      const spec = ensureSpec(o);
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= "OrderedReady";
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= "RollingUpdate";
      if (spec.updateStrategy.type === "RollingUpdate") (spec.updateStrategy.rollingUpdate ??= {}).partition ??= 0;
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= {};
      spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= "Retain";
      spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= "Retain";
      defaultTemplate(spec.template);
      if (Array.isArray(spec.volumeClaimTemplates))
        for (const t of spec.volumeClaimTemplates) {
          if (!t || typeof t !== "object") continue;
          t.apiVersion ??= "v1";
          t.kind ??= "PersistentVolumeClaim";
          t.spec ??= {};
          t.spec.volumeMode ??= "Filesystem";
          t.status ??= { phase: "Pending" };
        }
    },
    prepareCreate(o) {
      o.status = { replicas: 0, availableReplicas: 0 };
    },
    validate(o, old) {
      const errs = validateWorkload(o, old, { replicas: true, restart: ["Always"] });
      const policies = ["OrderedReady", "Parallel"];
      if (!policies.includes(o.spec?.podManagementPolicy))
        errs.push(unsupportedValue("spec.podManagementPolicy", o.spec?.podManagementPolicy, policies));
      if (old) {
        const mutable = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];
        const rest = (s: KObject) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !mutable.includes(k)));
        if (!deepEqual(rest(o.spec), rest(old.spec)))
          errs.push(
            forbiddenField(
              "spec",
              "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            ),
          );
      }
      return errs;
    },
  }),
  define({
    group: "apps",
    kind: "DaemonSet",
    plural: "daemonsets",
    shortNames: ["ds"],
    categories: ["all"],
    status: true,
    generation: true,
    defaults(o) {
      const spec = ensureSpec(o);
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ??= "RollingUpdate";
      if (spec.updateStrategy.type === "RollingUpdate") {
        const ru = (spec.updateStrategy.rollingUpdate ??= {});
        ru.maxUnavailable ??= 1;
        ru.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      defaultTemplate(spec.template);
    },
    prepareCreate(o) {
      o.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    },
    validate: (o, old) => validateWorkload(o, old, { restart: ["Always"] }),
  }),
  define({
    group: "batch",
    kind: "Job",
    plural: "jobs",
    categories: ["all"],
    status: true,
    generation: true,
    defaultPropagation: "Orphan",
    fieldSelectors: { "status.successful": (o) => String(o.status?.succeeded ?? 0) },
    defaults(o) {
      const spec = ensureSpec(o);
      spec.parallelism ??= 1;
      spec.completions ??= spec.completions === null ? null : 1;
      spec.backoffLimit ??= 6;
      spec.completionMode ??= "NonIndexed";
      spec.suspend ??= false;
      spec.podReplacementPolicy ??= "TerminatingOrFailed";
      defaultTemplate(spec.template);
    },
    prepareCreate(o) {
      // The job controller's selector and labels (manualSelector unset): tie pods to this job's uid.
      const spec = o.spec;
      if (!spec.manualSelector) {
        const uid = o.metadata.uid;
        const ids = {
          "batch.kubernetes.io/controller-uid": uid,
          "batch.kubernetes.io/job-name": o.metadata.name,
          "controller-uid": uid,
          "job-name": o.metadata.name,
        };
        spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
        spec.template ??= {};
        spec.template.metadata ??= {};
        spec.template.metadata.labels = { ...(spec.template.metadata.labels ?? {}), ...ids };
      }
      o.status = {};
    },
    validate(o, old) {
      const errs = validateWorkload(o, undefined, { restart: ["OnFailure", "Never"], selectorOptional: true });
      const spec = o.spec ?? {};
      if (spec.template?.spec && spec.template.spec.restartPolicy === "Always")
        errs.push(unsupportedValue("spec.template.spec.restartPolicy", "Always", ["OnFailure", "Never"]));
      for (const f of ["parallelism", "completions", "backoffLimit"])
        if (spec[f] !== undefined && spec[f] !== null && (!Number.isInteger(spec[f]) || spec[f] < 0))
          errs.push(invalidField(`spec.${f}`, spec[f], "must be greater than or equal to 0"));
      if (old) {
        if (!deepEqual(spec.template, old.spec?.template)) errs.push(invalidField("spec.template", spec.template, "field is immutable"));
        if (!deepEqual(spec.selector, old.spec?.selector)) errs.push(invalidField("spec.selector", spec.selector, "field is immutable"));
        if (spec.completions !== old.spec?.completions && spec.completionMode !== "Indexed")
          errs.push(invalidField("spec.completions", spec.completions, "field is immutable"));
      }
      return errs;
    },
  }),
  define({
    group: "batch",
    kind: "CronJob",
    plural: "cronjobs",
    shortNames: ["cj"],
    categories: ["all"],
    status: true,
    generation: true,
    nameRule: "subdomain",
    defaults(o) {
      const spec = ensureSpec(o);
      spec.concurrencyPolicy ??= "Allow";
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      spec.jobTemplate ??= {};
      spec.jobTemplate.spec ??= {};
      const js = spec.jobTemplate.spec;
      js.parallelism ??= 1;
      js.completions ??= 1;
      js.backoffLimit ??= 6;
      js.completionMode ??= "NonIndexed";
      js.suspend ??= false;
      js.podReplacementPolicy ??= "TerminatingOrFailed";
      defaultTemplate(js.template);
    },
    prepareCreate(o) {
      o.status = {};
    },
    validate(o) {
      const errs: FieldError[] = [];
      if (!o.spec?.schedule) errs.push(requiredField("spec.schedule"));
      else if (String(o.spec.schedule).trim().split(/\s+/).length !== 5 && !String(o.spec.schedule).startsWith("@"))
        errs.push(
          invalidField(
            "spec.schedule",
            o.spec.schedule,
            `expected exactly 5 fields, found ${String(o.spec.schedule).trim().split(/\s+/).length}: ${o.spec.schedule}`,
          ),
        );
      errs.push(
        ...validatePodSpec(o.spec?.jobTemplate?.spec?.template?.spec, "spec.jobTemplate.spec.template.spec", ["OnFailure", "Never"]),
      );
      if (o.metadata.name.length > 52) errs.push(invalidField("metadata.name", o.metadata.name, "must be no more than 52 characters"));
      return errs;
    },
  }),
  define({
    group: "policy",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    shortNames: ["pdb"],
    status: true,
    generation: true,
    prepareCreate(o) {
      o.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    },
    validate(o) {
      const spec = o.spec ?? {};
      if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined)
        return [invalidField("spec", spec, "minAvailable and maxUnavailable cannot be both set")];
      return [];
    },
  }),
  define({
    kind: "Node",
    plural: "nodes",
    namespaced: false,
    shortNames: ["no"],
    status: true,
  }),
  define({
    group: "coordination.k8s.io",
    kind: "Lease",
    plural: "leases",
    defaults(o) {
      // MicroTime fields are written back with microseconds, as the server re-encodes them.
      const spec = o.spec;
      if (spec && typeof spec === "object")
        for (const f of ["acquireTime", "renewTime"]) if (typeof spec[f] === "string") spec[f] = microTime(spec[f]);
    },
    validate(o) {
      const errs: FieldError[] = [];
      const spec = o.spec ?? {};
      if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds !== null && !(spec.leaseDurationSeconds > 0))
        errs.push(invalidField("spec.leaseDurationSeconds", spec.leaseDurationSeconds, "must be greater than 0"));
      if (spec.leaseTransitions !== undefined && spec.leaseTransitions !== null && spec.leaseTransitions < 0)
        errs.push(invalidField("spec.leaseTransitions", spec.leaseTransitions, "must be greater than or equal to 0"));
      if (spec.preferredHolder && !spec.strategy)
        errs.push(forbiddenField("spec.preferredHolder", "may only be specified if `strategy` is defined"));
      return errs;
    },
  }),
];

/** metav1.MicroTime as the server writes it: RFC 3339 with six fractional digits, in UTC. */
export function microTime(text: string): string {
  const t = Date.parse(text);
  if (Number.isNaN(t)) return text;
  const frac = /\.(\d+)/.exec(text)?.[1] ?? "";
  const micros = (frac + "000000").slice(0, 6);
  return `${new Date(t).toISOString().slice(0, 19)}.${micros}Z`;
}

/**
 * The order of versions in a group, as discovery lists them (CompareKubeAwareVersionStrings):
 * GA before beta before alpha, higher majors and then higher minors first, anything else last.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    return m ? { stage: m[2] === "beta" ? 1 : m[2] === "alpha" ? 0 : 2, major: Number(m[1]), minor: Number(m[3] ?? 0) } : undefined;
  };
  const x = parse(a);
  const y = parse(b);
  if (x && y) return y.stage - x.stage || y.major - x.major || y.minor - x.minor;
  if (x) return -1;
  if (y) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every served resource: the built-in ones, and those of CustomResourceDefinitions, which come and
 * go at run time. Lookup by every name a client may use (plural, singular, short name, kind).
 */
export class Registry {
  private readonly builtin: readonly ResourceType[];
  private readonly custom = new Map<string, ResourceType[]>();
  private byPath = new Map<string, ResourceType>();
  private everything: readonly ResourceType[] = [];
  private readonly listeners = new Set<() => void>();
  /** Bumped whenever what is served changes: documents derived from the registry are rebuilt. */
  generation = 0;

  constructor(types: ResourceType[] = RESOURCES) {
    this.builtin = types;
    this.rebuild();
  }

  get all(): readonly ResourceType[] {
    return this.everything;
  }

  /** Serves `types` for the CustomResourceDefinition `crd` (none: stops serving it). */
  setCustom(crd: string, types: ResourceType[]): void {
    if (types.length) this.custom.set(crd, types);
    else if (!this.custom.delete(crd)) return;
    this.rebuild();
    for (const fn of this.listeners) fn();
  }

  /** The types served for a CustomResourceDefinition. */
  customTypes(crd: string): readonly ResourceType[] {
    return this.custom.get(crd) ?? [];
  }

  /** Told after every change of what is served (open watches of a type no longer served end). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private rebuild(): void {
    const custom = [...this.custom.values()].flat();
    this.everything = [...this.builtin, ...custom];
    this.byPath = new Map();
    for (const rt of this.everything) this.byPath.set(`${rt.group}/${rt.version}/${rt.plural}`, rt);
    this.generation++;
  }

  /** The resource served at /api[s]/{group}/{version}/{plural}. */
  at(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Still served as it is (a watch's type after its CustomResourceDefinition changed). */
  serves(rt: ResourceType): boolean {
    return this.at(rt.group, rt.version, rt.plural) === rt;
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.all.find((rt) => rt.kind === kind && apiVersionOf(rt) === apiVersion);
  }

  /** The resource whose objects a store table holds (its first served version). */
  byStorage(gr: string): ResourceType | undefined {
    return this.all.find((rt) => grKey(rt) === gr);
  }

  /** Resolves "po", "pods", "pod", "Deployment", "deployments.apps". */
  resolve(name: string): ResourceType | undefined {
    const n = name.toLowerCase();
    const [base, ...groupParts] = n.split(".");
    const group = groupParts.join(".");
    return this.all.find(
      (rt) =>
        (!group || rt.group === group) &&
        (rt.plural === base || rt.singular === base || rt.kind.toLowerCase() === base || rt.shortNames.includes(base!)),
    );
  }

  /** Named groups: the built-in ones in their order, then those of custom resources by name. */
  groups(): string[] {
    const out: string[] = [];
    for (const rt of this.builtin) if (rt.group && !out.includes(rt.group)) out.push(rt.group);
    const custom = [...new Set([...this.custom.values()].flat().map((rt) => rt.group))].filter((g) => !out.includes(g)).sort();
    return [...out, ...custom];
  }

  /** The versions a group serves, preferred first. */
  versions(group: string): string[] {
    return [...new Set(this.all.filter((rt) => rt.group === group).map((rt) => rt.version))].sort(compareVersions);
  }
}

/** Key of a resource type in maps: "apps/deployments", "/pods". */
export const grKey = (rt: Pick<ResourceType, "group" | "plural" | "storage">) => rt.storage ?? `${rt.group}/${rt.plural}`;
