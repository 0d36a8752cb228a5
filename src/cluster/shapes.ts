/**
 * The structure of the built-in kinds, as much of it as the server's algorithms need: which lists
 * merge by key (strategic merge patch and server-side apply), which are sets or atomic, which maps
 * follow `retainKeys`, and which objects are "closed" (every field is known, so strict field
 * validation may reject unknown ones). Everything not described here is treated as an open object
 * or an atomic list, which is what apimachinery does for a field without metadata.
 *
 * The same shapes produce the OpenAPI v3 component schemas.
 */

export interface Shape {
  /** Known fields of an object. */
  fields?: Record<string, Shape>;
  /** All of the object's fields are in `fields`: unknown ones are rejected by strict validation. */
  closed?: boolean;
  /** For a map with arbitrary keys (labels, data): the shape of its values. */
  values?: Shape;
  /** For a list: how its elements are identified. */
  list?: ListShape;
  /** `retainKeys` patch strategy on an object (Deployment strategy, volume sources). */
  retainKeys?: boolean;
  /** OpenAPI type for leaves. */
  type?: "string" | "integer" | "boolean" | "number" | "object" | "array";
  /** Name of the OpenAPI component this shape is published as. */
  ref?: string;
}

export interface ListShape {
  /** "map": elements are objects identified by `keys`; "set": scalars merged by value; "atomic": replaced whole. */
  type: "map" | "set" | "atomic";
  /** For "map": the key fields (server-side apply uses all of them, strategic merge the first). */
  keys?: string[];
  /** For "map" lists: the shape of an element. */
  item?: Shape;
}

const str: Shape = { type: "string" };
const int: Shape = { type: "integer" };
const bool: Shape = { type: "boolean" };
const strMap: Shape = { type: "object", values: str };
const atomic = (item?: Shape): Shape => ({ type: "array", list: { type: "atomic", ...(item ? { item } : {}) } });
const keyed = (keys: string[], item: Shape): Shape => ({ type: "array", list: { type: "map", keys, item } });
const set: Shape = { type: "array", list: { type: "set" } };
const obj = (fields: Record<string, Shape>, extra: Partial<Shape> = {}): Shape => ({ type: "object", fields, ...extra });

export const ownerReference: Shape = obj(
  { apiVersion: str, kind: str, name: str, uid: str, controller: bool, blockOwnerDeletion: bool },
  { ref: "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference" },
);

export const objectMeta: Shape = obj(
  {
    name: str,
    generateName: str,
    namespace: str,
    selfLink: str,
    uid: str,
    resourceVersion: str,
    generation: int,
    creationTimestamp: str,
    deletionTimestamp: str,
    deletionGracePeriodSeconds: int,
    labels: strMap,
    annotations: strMap,
    ownerReferences: keyed(["uid"], ownerReference),
    finalizers: set,
    managedFields: atomic(),
  },
  { closed: true, ref: "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
);

const condition: Shape = obj({
  type: str,
  status: str,
  reason: str,
  message: str,
  lastTransitionTime: str,
  lastUpdateTime: str,
  lastProbeTime: str,
  lastHeartbeatTime: str,
  observedGeneration: int,
});
const conditions = keyed(["type"], condition);

const labelSelector: Shape = obj(
  { matchLabels: strMap, matchExpressions: atomic(obj({ key: str, operator: str, values: atomic(str) })) },
  { ref: "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector" },
);

const containerPort: Shape = obj({ name: str, containerPort: int, hostPort: int, hostIP: str, protocol: str });
const envVar: Shape = obj({ name: str, value: str, valueFrom: obj({}) });
const volumeMount: Shape = obj({
  name: str,
  mountPath: str,
  subPath: str,
  subPathExpr: str,
  readOnly: bool,
  recursiveReadOnly: str,
  mountPropagation: str,
});

export const container: Shape = obj(
  {
    name: str,
    image: str,
    command: atomic(str),
    args: atomic(str),
    workingDir: str,
    ports: keyed(["containerPort", "protocol"], containerPort),
    envFrom: atomic(),
    env: keyed(["name"], envVar),
    resources: obj({ limits: strMap, requests: strMap, claims: keyed(["name"], obj({ name: str })) }),
    resizePolicy: atomic(),
    restartPolicy: str,
    volumeMounts: keyed(["mountPath"], volumeMount),
    volumeDevices: keyed(["devicePath"], obj({ name: str, devicePath: str })),
    livenessProbe: obj({}),
    readinessProbe: obj({}),
    startupProbe: obj({}),
    lifecycle: obj({}),
    terminationMessagePath: str,
    terminationMessagePolicy: str,
    imagePullPolicy: str,
    securityContext: obj({}),
    stdin: bool,
    stdinOnce: bool,
    tty: bool,
    targetContainerName: str,
  },
  { closed: true, ref: "io.k8s.api.core.v1.Container" },
);

const volume: Shape = obj({ name: str }, { retainKeys: true, ref: "io.k8s.api.core.v1.Volume" });

export const podSpec: Shape = obj(
  {
    volumes: keyed(["name"], volume),
    initContainers: keyed(["name"], container),
    containers: keyed(["name"], container),
    ephemeralContainers: keyed(["name"], container),
    restartPolicy: str,
    terminationGracePeriodSeconds: int,
    activeDeadlineSeconds: int,
    dnsPolicy: str,
    nodeSelector: strMap,
    serviceAccountName: str,
    serviceAccount: str,
    automountServiceAccountToken: bool,
    nodeName: str,
    hostNetwork: bool,
    hostPID: bool,
    hostIPC: bool,
    shareProcessNamespace: bool,
    securityContext: obj({}),
    imagePullSecrets: keyed(["name"], obj({ name: str })),
    hostname: str,
    subdomain: str,
    affinity: obj({}),
    schedulerName: str,
    tolerations: atomic(),
    hostAliases: keyed(["ip"], obj({ ip: str, hostnames: atomic(str) })),
    priorityClassName: str,
    priority: int,
    dnsConfig: obj({}),
    readinessGates: atomic(obj({ conditionType: str })),
    runtimeClassName: str,
    enableServiceLinks: bool,
    preemptionPolicy: str,
    overhead: strMap,
    topologySpreadConstraints: keyed(["topologyKey", "whenUnsatisfiable"], obj({})),
    setHostnameAsFQDN: bool,
    os: obj({ name: str }),
    hostUsers: bool,
    schedulingGates: keyed(["name"], obj({ name: str })),
    resourceClaims: keyed(["name"], obj({ name: str })),
    resources: obj({}),
  },
  { closed: true, ref: "io.k8s.api.core.v1.PodSpec" },
);

const podStatus: Shape = obj({
  phase: str,
  conditions,
  message: str,
  reason: str,
  nominatedNodeName: str,
  hostIP: str,
  hostIPs: keyed(["ip"], obj({ ip: str })),
  podIP: str,
  podIPs: keyed(["ip"], obj({ ip: str })),
  startTime: str,
  initContainerStatuses: atomic(),
  containerStatuses: atomic(),
  ephemeralContainerStatuses: atomic(),
  qosClass: str,
  resize: str,
  resourceClaimStatuses: atomic(),
});

export const podTemplateSpec: Shape = obj({ metadata: objectMeta, spec: podSpec }, { ref: "io.k8s.api.core.v1.PodTemplateSpec" });

const pvcSpec: Shape = obj({
  accessModes: atomic(str),
  selector: labelSelector,
  resources: obj({ limits: strMap, requests: strMap }),
  volumeName: str,
  storageClassName: str,
  volumeMode: str,
  dataSource: obj({}),
  dataSourceRef: obj({}),
  volumeAttributesClassName: str,
});
const pvcStatus: Shape = obj({
  phase: str,
  accessModes: atomic(str),
  capacity: strMap,
  conditions,
  allocatedResources: strMap,
  allocatedResourceStatuses: strMap,
});

const servicePort: Shape = obj({ name: str, protocol: str, appProtocol: str, port: int, targetPort: {}, nodePort: int });

/** Top-level shapes by kind. */
export const kindShapes: Record<string, Shape> = {
  Namespace: obj({ spec: obj({ finalizers: atomic(str) }), status: obj({ phase: str, conditions }) }),
  Pod: obj({ spec: podSpec, status: podStatus }),
  Service: obj({
    spec: obj(
      {
        ports: keyed(["port", "protocol"], servicePort),
        selector: strMap,
        clusterIP: str,
        clusterIPs: atomic(str),
        type: str,
        externalIPs: atomic(str),
        sessionAffinity: str,
        loadBalancerIP: str,
        loadBalancerSourceRanges: atomic(str),
        externalName: str,
        externalTrafficPolicy: str,
        healthCheckNodePort: int,
        publishNotReadyAddresses: bool,
        sessionAffinityConfig: obj({}),
        ipFamilies: atomic(str),
        ipFamilyPolicy: str,
        allocateLoadBalancerNodePorts: bool,
        loadBalancerClass: str,
        internalTrafficPolicy: str,
        trafficDistribution: str,
      },
      { closed: true },
    ),
    status: obj({ loadBalancer: obj({}), conditions }),
  }),
  ConfigMap: obj({ data: strMap, binaryData: strMap, immutable: bool }),
  Secret: obj({ data: strMap, stringData: strMap, type: str, immutable: bool }),
  PersistentVolumeClaim: obj({ spec: pvcSpec, status: pvcStatus }),
  ServiceAccount: obj({ secrets: keyed(["name"], obj({ name: str })), imagePullSecrets: atomic(), automountServiceAccountToken: bool }),
  Deployment: obj({
    spec: obj(
      {
        replicas: int,
        selector: labelSelector,
        template: podTemplateSpec,
        strategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: {}, maxSurge: {} }) }, { retainKeys: true }),
        minReadySeconds: int,
        revisionHistoryLimit: int,
        paused: bool,
        progressDeadlineSeconds: int,
      },
      { closed: true },
    ),
    status: obj({
      observedGeneration: int,
      replicas: int,
      updatedReplicas: int,
      readyReplicas: int,
      availableReplicas: int,
      unavailableReplicas: int,
      conditions,
      collisionCount: int,
    }),
  }),
  ReplicaSet: obj({
    spec: obj({ replicas: int, minReadySeconds: int, selector: labelSelector, template: podTemplateSpec }, { closed: true }),
    status: obj({
      replicas: int,
      fullyLabeledReplicas: int,
      readyReplicas: int,
      availableReplicas: int,
      observedGeneration: int,
      conditions,
    }),
  }),
  StatefulSet: obj({
    spec: obj(
      {
        replicas: int,
        selector: labelSelector,
        template: podTemplateSpec,
        volumeClaimTemplates: atomic(),
        serviceName: str,
        podManagementPolicy: str,
        updateStrategy: obj({ type: str, rollingUpdate: obj({ partition: int, maxUnavailable: {} }) }),
        revisionHistoryLimit: int,
        minReadySeconds: int,
        persistentVolumeClaimRetentionPolicy: obj({ whenDeleted: str, whenScaled: str }),
        ordinals: obj({ start: int }),
      },
      { closed: true },
    ),
    status: obj({
      observedGeneration: int,
      replicas: int,
      readyReplicas: int,
      currentReplicas: int,
      updatedReplicas: int,
      currentRevision: str,
      updateRevision: str,
      collisionCount: int,
      conditions,
      availableReplicas: int,
    }),
  }),
  DaemonSet: obj({
    spec: obj(
      {
        selector: labelSelector,
        template: podTemplateSpec,
        updateStrategy: obj({ type: str, rollingUpdate: obj({ maxUnavailable: {}, maxSurge: {} }) }),
        minReadySeconds: int,
        revisionHistoryLimit: int,
      },
      { closed: true },
    ),
    status: obj({
      currentNumberScheduled: int,
      numberMisscheduled: int,
      desiredNumberScheduled: int,
      numberReady: int,
      observedGeneration: int,
      updatedNumberScheduled: int,
      numberAvailable: int,
      numberUnavailable: int,
      collisionCount: int,
      conditions,
    }),
  }),
  Job: obj({
    spec: obj(
      {
        parallelism: int,
        completions: int,
        activeDeadlineSeconds: int,
        podFailurePolicy: obj({}),
        successPolicy: obj({}),
        backoffLimit: int,
        backoffLimitPerIndex: int,
        maxFailedIndexes: int,
        selector: labelSelector,
        manualSelector: bool,
        template: podTemplateSpec,
        ttlSecondsAfterFinished: int,
        completionMode: str,
        suspend: bool,
        podReplacementPolicy: str,
        managedBy: str,
      },
      { closed: true },
    ),
    status: obj({
      conditions,
      startTime: str,
      completionTime: str,
      active: int,
      succeeded: int,
      failed: int,
      terminating: int,
      completedIndexes: str,
      failedIndexes: str,
      uncountedTerminatedPods: obj({}),
      ready: int,
    }),
  }),
  CronJob: obj({
    spec: obj(
      {
        schedule: str,
        timeZone: str,
        startingDeadlineSeconds: int,
        concurrencyPolicy: str,
        suspend: bool,
        jobTemplate: obj({ metadata: objectMeta, spec: obj({ template: podTemplateSpec }) }),
        successfulJobsHistoryLimit: int,
        failedJobsHistoryLimit: int,
      },
      { closed: true },
    ),
    status: obj({ active: atomic(), lastScheduleTime: str, lastSuccessfulTime: str }),
  }),
  PodDisruptionBudget: obj({
    spec: obj({ minAvailable: {}, selector: labelSelector, maxUnavailable: {}, unhealthyPodEvictionPolicy: str }, { closed: true }),
    status: obj({
      observedGeneration: int,
      disruptedPods: strMap,
      disruptionsAllowed: int,
      currentHealthy: int,
      desiredHealthy: int,
      expectedPods: int,
      conditions,
    }),
  }),
  Node: obj({ spec: obj({}), status: obj({ conditions, addresses: keyed(["type"], obj({ type: str, address: str })) }) }),
  Lease: obj({
    spec: obj(
      {
        holderIdentity: str,
        leaseDurationSeconds: int,
        acquireTime: str,
        renewTime: str,
        leaseTransitions: int,
        strategy: str,
        preferredHolder: str,
      },
      { closed: true, ref: "io.k8s.api.coordination.v1.LeaseSpec" },
    ),
  }),
  CustomResourceDefinition: obj({
    spec: obj(
      {
        group: str,
        names: obj(
          { plural: str, singular: str, kind: str, listKind: str, shortNames: atomic(str), categories: atomic(str) },
          { closed: true },
        ),
        scope: str,
        versions: atomic(
          obj(
            {
              name: str,
              served: bool,
              storage: bool,
              deprecated: bool,
              deprecationWarning: str,
              schema: obj({ openAPIV3Schema: obj({}) }, { closed: true }),
              subresources: obj(
                {
                  status: obj({}),
                  scale: obj({ specReplicasPath: str, statusReplicasPath: str, labelSelectorPath: str }, { closed: true }),
                },
                { closed: true },
              ),
              additionalPrinterColumns: atomic(
                obj({ name: str, type: str, format: str, description: str, priority: int, jsonPath: str }, { closed: true }),
              ),
              selectableFields: atomic(obj({ jsonPath: str }, { closed: true })),
            },
            { closed: true },
          ),
        ),
        conversion: obj({ strategy: str, webhook: obj({}) }, { closed: true }),
        preserveUnknownFields: bool,
      },
      { closed: true },
    ),
    status: obj({ conditions, acceptedNames: obj({}), storedVersions: atomic(str) }),
  }),
};

/** The shape of a whole object of `kind`: apiVersion, kind and metadata plus the kind's own fields. */
export function shapeOf(kind: string): Shape {
  const own = kindShapes[kind] ?? obj({});
  return { type: "object", closed: true, fields: { apiVersion: str, kind: str, metadata: objectMeta, ...own.fields } };
}

/** Child shape of a field, or undefined when the structure is unknown there. */
export function fieldShape(shape: Shape | undefined, key: string): Shape | undefined {
  if (!shape) return undefined;
  if (shape.fields && key in shape.fields) return shape.fields[key];
  return shape.values;
}
