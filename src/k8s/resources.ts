/**
 * The resources of Kubernetes itself, as the request classifier (requests.ts) places them without
 * asking the server: for each API group, each resource's kind and scope. Resources not listed
 * here (custom resources, aggregated APIs, resources newer than this table) are looked up in the
 * server's discovery (discovery.ts); a request the classifier cannot place either way is denied.
 *
 * Versions do not matter here: a resource keeps its kind and scope across the versions of its
 * group (autoscaling/v1 and v2 HorizontalPodAutoscalers).
 */

export interface ResourceType {
  /** The API group: "" for the core group, "apps", "rbac.authorization.k8s.io"... */
  readonly group: string;
  /** The plural name in URLs: "statefulsets". */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /**
   * Creating one asks a question and stores nothing (TokenReview, SubjectAccessReview...): a
   * create of it is a read.
   */
  readonly question?: boolean;
}

/** `resource Kind` for namespaced resources, `resource Kind cluster` for cluster-scoped ones, `? ` marks a question. */
const TABLE: Readonly<Record<string, string>> = {
  "": `bindings Binding; configmaps ConfigMap; endpoints Endpoints; events Event; limitranges LimitRange;
    persistentvolumeclaims PersistentVolumeClaim; pods Pod; podtemplates PodTemplate;
    replicationcontrollers ReplicationController; resourcequotas ResourceQuota; secrets Secret;
    serviceaccounts ServiceAccount; services Service; componentstatuses ComponentStatus cluster;
    namespaces Namespace cluster; nodes Node cluster; persistentvolumes PersistentVolume cluster`,
  "admissionregistration.k8s.io": `mutatingwebhookconfigurations MutatingWebhookConfiguration cluster;
    validatingwebhookconfigurations ValidatingWebhookConfiguration cluster;
    validatingadmissionpolicies ValidatingAdmissionPolicy cluster;
    validatingadmissionpolicybindings ValidatingAdmissionPolicyBinding cluster;
    mutatingadmissionpolicies MutatingAdmissionPolicy cluster;
    mutatingadmissionpolicybindings MutatingAdmissionPolicyBinding cluster`,
  "apiextensions.k8s.io": "customresourcedefinitions CustomResourceDefinition cluster",
  "apiregistration.k8s.io": "apiservices APIService cluster",
  apps: `controllerrevisions ControllerRevision; daemonsets DaemonSet; deployments Deployment; replicasets ReplicaSet;
    statefulsets StatefulSet`,
  "authentication.k8s.io": "tokenreviews TokenReview cluster ?; selfsubjectreviews SelfSubjectReview cluster ?",
  "authorization.k8s.io": `localsubjectaccessreviews LocalSubjectAccessReview ?;
    selfsubjectaccessreviews SelfSubjectAccessReview cluster ?; selfsubjectrulesreviews SelfSubjectRulesReview cluster ?;
    subjectaccessreviews SubjectAccessReview cluster ?`,
  autoscaling: "horizontalpodautoscalers HorizontalPodAutoscaler",
  batch: "cronjobs CronJob; jobs Job",
  "certificates.k8s.io": `certificatesigningrequests CertificateSigningRequest cluster;
    clustertrustbundles ClusterTrustBundle cluster; podcertificaterequests PodCertificateRequest`,
  "coordination.k8s.io": "leases Lease; leasecandidates LeaseCandidate",
  "discovery.k8s.io": "endpointslices EndpointSlice",
  "events.k8s.io": "events Event",
  "flowcontrol.apiserver.k8s.io": "flowschemas FlowSchema cluster; prioritylevelconfigurations PriorityLevelConfiguration cluster",
  "internal.apiserver.k8s.io": "storageversions StorageVersion cluster",
  "networking.k8s.io": `ingresses Ingress; networkpolicies NetworkPolicy; ingressclasses IngressClass cluster;
    ipaddresses IPAddress cluster; servicecidrs ServiceCIDR cluster`,
  "node.k8s.io": "runtimeclasses RuntimeClass cluster",
  policy: "poddisruptionbudgets PodDisruptionBudget",
  "rbac.authorization.k8s.io":
    "roles Role; rolebindings RoleBinding; clusterroles ClusterRole cluster; clusterrolebindings ClusterRoleBinding cluster",
  "resource.k8s.io": `deviceclasses DeviceClass cluster; resourceclaims ResourceClaim; resourceclaimtemplates ResourceClaimTemplate;
    resourceslices ResourceSlice cluster; devicetaintrules DeviceTaintRule cluster`,
  "scheduling.k8s.io": "priorityclasses PriorityClass cluster",
  "storage.k8s.io": `csidrivers CSIDriver cluster; csinodes CSINode cluster; storageclasses StorageClass cluster;
    volumeattachments VolumeAttachment cluster; volumeattributesclasses VolumeAttributesClass cluster;
    csistoragecapacities CSIStorageCapacity`,
  "storagemigration.k8s.io": "storageversionmigrations StorageVersionMigration cluster",
};

const builtIn = new Map<string, ResourceType>();
for (const [group, entries] of Object.entries(TABLE)) {
  for (const entry of entries.split(";")) {
    const [resource, kind, ...flags] = entry.trim().split(/\s+/);
    builtIn.set(`${group}/${resource}`, {
      group,
      resource: resource!,
      kind: kind!,
      namespaced: !flags.includes("cluster"),
      ...(flags.includes("?") ? { question: true } : {}),
    });
  }
}

/** A built-in resource by group and plural, or undefined. */
export function builtInResource(group: string, resource: string): ResourceType | undefined {
  return builtIn.get(`${group}/${resource}`);
}

/**
 * What a subresource request does, for the subresources Kubernetes defines:
 * - `read`: only reads (a pod's log);
 * - `write`: writes the object itself (status, scale, a namespace's finalizers);
 * - `evict`: deletes the pod (an eviction is a polite delete);
 * - `token`: creates a credential for a service account;
 * - `connect`: opens a stream into a container, a port or a proxy — Ko never sends these, since
 *   nothing in the request says what will be done through it.
 */
export type SubresourceUse = "read" | "write" | "evict" | "token" | "connect";

const SUBRESOURCES: Readonly<Record<string, SubresourceUse>> = {
  status: "write",
  scale: "write",
  finalize: "write",
  approval: "write",
  ephemeralcontainers: "write",
  resize: "write",
  binding: "write",
  eviction: "evict",
  token: "token",
  log: "read",
  exec: "connect",
  attach: "connect",
  portforward: "connect",
  proxy: "connect",
};

/** What a subresource is for, or undefined if it is not one Kubernetes defines. */
export function subresourceUse(name: string): SubresourceUse | undefined {
  return Object.hasOwn(SUBRESOURCES, name) ? SUBRESOURCES[name] : undefined;
}

/** The workload kinds whose `replicas` decide how many pods run (and whose `/scale` sets it). */
export const SCALABLE_KINDS: ReadonlySet<string> = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

/** `apps/v1` for group apps, `v1` for the core group. */
export function apiVersionOf(group: string, version: string): string {
  return group === "" ? version : `${group}/${version}`;
}
