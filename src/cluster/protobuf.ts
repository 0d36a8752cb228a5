/**
 * Decoding of Kubernetes' protobuf request bodies. kubectl's typed clients (`kubectl create
 * namespace|configmap|secret|deployment|job|cronjob|service|serviceaccount|pdb`) send
 * `application/vnd.kubernetes.protobuf`: the magic "k8s\0", then a runtime.Unknown whose `raw` is
 * the object in the generated.proto encoding. This module knows the messages those commands
 * produce (and the fields commonly present when objects are copied, e.g. a Job from a CronJob);
 * fields it does not know are skipped. Responses are always JSON, which every client accepts.
 */
import { badRequest, unsupportedMediaType } from "./errors.js";
import type { KObject } from "./resources.js";

type FieldType = "string" | "bytes" | "int" | "bool" | "time" | "quantity" | "intorstr" | Msg;
/** field number → [json name, type, repeated | "map"] */
type Msg = { [num: number]: [string, FieldType, ("repeated" | "map" | "mapbytes" | "mapquantity")?] };

/**
 * Go structs are encoded with every non-pointer field, empty or not, while their JSON form omits
 * empty ones: empty strings and zero times are dropped, and so are zero/false values of these
 * non-pointer `omitempty` fields. Pointer fields (replicas, suspend...) are only sent when set.
 */
const OMIT_ZERO = new Set([
  "hostPort",
  "nodePort",
  "generation",
  "stdin",
  "stdinOnce",
  "tty",
  "readOnly",
  "paused",
  "minReadySeconds",
  "controller",
  "blockOwnerDeletion",
]);

const Time = "time" as const;
const TypeMeta: Msg = { 1: ["apiVersion", "string"], 2: ["kind", "string"] };
const OwnerReference: Msg = {
  1: ["kind", "string"],
  3: ["name", "string"],
  4: ["uid", "string"],
  5: ["apiVersion", "string"],
  6: ["controller", "bool"],
  7: ["blockOwnerDeletion", "bool"],
};
const ObjectMeta: Msg = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  5: ["uid", "string"],
  6: ["resourceVersion", "string"],
  7: ["generation", "int"],
  8: ["creationTimestamp", Time],
  11: ["labels", "string", "map"],
  12: ["annotations", "string", "map"],
  13: ["ownerReferences", OwnerReference, "repeated"],
  14: ["finalizers", "string", "repeated"],
};
const LabelSelector: Msg = {
  1: ["matchLabels", "string", "map"],
  2: ["matchExpressions", { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", "repeated"] }, "repeated"],
};
const LocalObjectReference: Msg = { 1: ["name", "string"] };
const ContainerPort: Msg = {
  1: ["name", "string"],
  2: ["hostPort", "int"],
  3: ["containerPort", "int"],
  4: ["protocol", "string"],
  5: ["hostIP", "string"],
};
const KeySelector: Msg = { 1: ["localObjectReference", LocalObjectReference], 2: ["key", "string"], 3: ["optional", "bool"] };
const EnvVar: Msg = {
  1: ["name", "string"],
  2: ["value", "string"],
  3: [
    "valueFrom",
    {
      1: ["fieldRef", { 1: ["apiVersion", "string"], 2: ["fieldPath", "string"] }],
      3: ["configMapKeyRef", KeySelector],
      4: ["secretKeyRef", KeySelector],
    },
  ],
};
const ResourceRequirements: Msg = { 1: ["limits", "quantity", "mapquantity"], 2: ["requests", "quantity", "mapquantity"] };
const VolumeMount: Msg = {
  1: ["name", "string"],
  2: ["readOnly", "bool"],
  3: ["mountPath", "string"],
  4: ["subPath", "string"],
  5: ["mountPropagation", "string"],
  6: ["subPathExpr", "string"],
};
const Container: Msg = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "string", "repeated"],
  4: ["args", "string", "repeated"],
  5: ["workingDir", "string"],
  6: ["ports", ContainerPort, "repeated"],
  7: ["env", EnvVar, "repeated"],
  8: ["resources", ResourceRequirements],
  9: ["volumeMounts", VolumeMount, "repeated"],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  16: ["stdin", "bool"],
  17: ["stdinOnce", "bool"],
  18: ["tty", "bool"],
  20: ["terminationMessagePolicy", "string"],
};
const VolumeSource: Msg = {
  2: ["emptyDir", { 1: ["medium", "string"] }],
  6: ["secret", { 1: ["secretName", "string"], 3: ["defaultMode", "int"], 4: ["optional", "bool"] }],
  10: ["persistentVolumeClaim", { 1: ["claimName", "string"], 2: ["readOnly", "bool"] }],
  19: ["configMap", { 1: ["localObjectReference", LocalObjectReference], 3: ["defaultMode", "int"], 4: ["optional", "bool"] }],
};
// VolumeSource is embedded inline: its fields appear under field 2, flattened in JSON.
const Volume: Msg = { 1: ["name", "string"], 2: ["", VolumeSource] };
const PodSpec: Msg = {
  1: ["volumes", Volume, "repeated"],
  2: ["containers", Container, "repeated"],
  3: ["restartPolicy", "string"],
  4: ["terminationGracePeriodSeconds", "int"],
  5: ["activeDeadlineSeconds", "int"],
  6: ["dnsPolicy", "string"],
  7: ["nodeSelector", "string", "map"],
  8: ["serviceAccountName", "string"],
  9: ["serviceAccount", "string"],
  10: ["nodeName", "string"],
  14: ["securityContext", {}],
  15: ["imagePullSecrets", LocalObjectReference, "repeated"],
  16: ["hostname", "string"],
  17: ["subdomain", "string"],
  19: ["schedulerName", "string"],
  20: ["initContainers", Container, "repeated"],
  21: ["automountServiceAccountToken", "bool"],
  24: ["priorityClassName", "string"],
  25: ["priority", "int"],
  30: ["enableServiceLinks", "bool"],
  31: ["preemptionPolicy", "string"],
};
const PodTemplateSpec: Msg = { 1: ["metadata", ObjectMeta], 2: ["spec", PodSpec] };
const ServicePort: Msg = {
  1: ["name", "string"],
  2: ["protocol", "string"],
  3: ["port", "int"],
  4: ["targetPort", "intorstr"],
  5: ["nodePort", "int"],
  6: ["appProtocol", "string"],
};
const ServiceSpec: Msg = {
  1: ["ports", ServicePort, "repeated"],
  2: ["selector", "string", "map"],
  3: ["clusterIP", "string"],
  4: ["type", "string"],
  5: ["externalIPs", "string", "repeated"],
  7: ["sessionAffinity", "string"],
  10: ["externalName", "string"],
};
const JobSpec: Msg = {
  1: ["parallelism", "int"],
  2: ["completions", "int"],
  3: ["activeDeadlineSeconds", "int"],
  4: ["selector", LabelSelector],
  5: ["manualSelector", "bool"],
  6: ["template", PodTemplateSpec],
  7: ["backoffLimit", "int"],
  8: ["ttlSecondsAfterFinished", "int"],
  9: ["completionMode", "string"],
  10: ["suspend", "bool"],
  14: ["podReplacementPolicy", "string"],
};

function top(spec: Msg): Msg {
  return { 1: ["metadata", ObjectMeta], 2: ["spec", spec] };
}

/** Messages by "apiVersion/kind". */
const KINDS: Record<string, Msg> = {
  "v1/Namespace": top({ 1: ["finalizers", "string", "repeated"] }),
  "v1/ConfigMap": {
    1: ["metadata", ObjectMeta],
    2: ["data", "string", "map"],
    3: ["binaryData", "bytes", "mapbytes"],
    4: ["immutable", "bool"],
  },
  "v1/Secret": {
    1: ["metadata", ObjectMeta],
    2: ["data", "bytes", "mapbytes"],
    3: ["type", "string"],
    4: ["stringData", "string", "map"],
    5: ["immutable", "bool"],
  },
  "v1/ServiceAccount": {
    1: ["metadata", ObjectMeta],
    2: ["secrets", LocalObjectReference, "repeated"],
    3: ["imagePullSecrets", LocalObjectReference, "repeated"],
    4: ["automountServiceAccountToken", "bool"],
  },
  "v1/Service": top(ServiceSpec),
  "v1/Pod": top(PodSpec),
  "apps/v1/Deployment": top({
    1: ["replicas", "int"],
    2: ["selector", LabelSelector],
    3: ["template", PodTemplateSpec],
    4: ["strategy", { 1: ["type", "string"], 2: ["rollingUpdate", { 1: ["maxUnavailable", "intorstr"], 2: ["maxSurge", "intorstr"] }] }],
    5: ["minReadySeconds", "int"],
    6: ["revisionHistoryLimit", "int"],
    7: ["paused", "bool"],
    9: ["progressDeadlineSeconds", "int"],
  }),
  "batch/v1/Job": top(JobSpec),
  "batch/v1/CronJob": top({
    1: ["schedule", "string"],
    2: ["startingDeadlineSeconds", "int"],
    3: ["concurrencyPolicy", "string"],
    4: ["suspend", "bool"],
    5: ["jobTemplate", { 1: ["metadata", ObjectMeta], 2: ["spec", JobSpec] }],
    6: ["successfulJobsHistoryLimit", "int"],
    7: ["failedJobsHistoryLimit", "int"],
    8: ["timeZone", "string"],
  }),
  "policy/v1/PodDisruptionBudget": top({
    1: ["minAvailable", "intorstr"],
    2: ["selector", LabelSelector],
    3: ["maxUnavailable", "intorstr"],
    4: ["unhealthyPodEvictionPolicy", "string"],
  }),
};

// ---------- wire format ----------

interface Field {
  num: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

function* fields(buf: Uint8Array): Generator<Field> {
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (i >= buf.length) throw badRequest("protobuf: truncated varint");
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = Number(varint());
    const num = key >>> 3;
    const wire = key & 7;
    if (wire === 0) yield { num, wire, varint: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (i + len > buf.length) throw badRequest("protobuf: truncated field");
      yield { num, wire, bytes: buf.subarray(i, i + len) };
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw badRequest(`protobuf: unsupported wire type ${wire}`);
  }
}

const utf8 = new TextDecoder();

function scalar(f: Field, type: FieldType): unknown {
  switch (type) {
    case "string": {
      const v = utf8.decode(f.bytes ?? new Uint8Array());
      return v === "" ? undefined : v;
    }
    case "bytes":
      return Buffer.from(f.bytes ?? new Uint8Array()).toString("base64");
    case "int":
      return Number(BigInt.asIntN(64, f.varint ?? 0n));
    case "bool":
      return (f.varint ?? 0n) !== 0n;
    case "time": {
      let seconds = 0;
      for (const g of fields(f.bytes!)) if (g.num === 1) seconds = Number(g.varint);
      return seconds === 0 ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    }
    case "quantity": {
      for (const g of fields(f.bytes!)) if (g.num === 1) return utf8.decode(g.bytes);
      return "0";
    }
    case "intorstr": {
      let kind = 0;
      let intVal = 0;
      let strVal = "";
      for (const g of fields(f.bytes!)) {
        if (g.num === 1) kind = Number(g.varint);
        else if (g.num === 2) intVal = Number(BigInt.asIntN(32, g.varint ?? 0n));
        else if (g.num === 3) strVal = utf8.decode(g.bytes);
      }
      return kind === 1 ? strVal : intVal;
    }
    default:
      return message(f.bytes!, type);
  }
}

function message(buf: Uint8Array, msg: Msg): KObject {
  const out: KObject = {};
  for (const f of fields(buf)) {
    const def = msg[f.num];
    if (!def) continue;
    const [name, type, mode] = def;
    if (mode === "map" || mode === "mapbytes" || mode === "mapquantity") {
      let k = "";
      let v: unknown = mode === "mapbytes" ? "" : "";
      for (const g of fields(f.bytes!)) {
        if (g.num === 1) k = utf8.decode(g.bytes);
        else if (g.num === 2) v = scalar(g, mode === "mapbytes" ? "bytes" : mode === "mapquantity" ? "quantity" : "string");
      }
      (out[name] ??= {})[k] = v;
    } else if (mode === "repeated") (out[name] ??= []).push(scalar(f, type) ?? "");
    else if (name === "") Object.assign(out, scalar(f, type));
    else {
      const v = scalar(f, type);
      if (v === undefined || (OMIT_ZERO.has(name) && (v === 0 || v === false))) continue;
      out[name] = v;
    }
  }
  // Inline wrappers the JSON form flattens (LocalObjectReference in key selectors and config map volumes).
  if (out.localObjectReference) {
    Object.assign(out, out.localObjectReference);
    delete out.localObjectReference;
  }
  return out;
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** Decodes a protobuf request body into the object's JSON form. */
export function decodeProtobuf(body: Buffer): KObject {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) throw badRequest("protobuf: missing the k8s\\0 prefix");
  let apiVersion = "";
  let kind = "";
  let raw: Uint8Array = new Uint8Array();
  for (const f of fields(body.subarray(4))) {
    if (f.num === 1) {
      const tm = message(f.bytes!, TypeMeta);
      apiVersion = tm.apiVersion ?? "";
      kind = tm.kind ?? "";
    } else if (f.num === 2) raw = f.bytes!;
  }
  const msg = KINDS[`${apiVersion}/${kind}`];
  if (!msg) throw unsupportedMediaType(["application/json", "application/yaml"], `no protobuf decoding for ${apiVersion}/${kind}`);
  return { apiVersion, kind, ...message(raw, msg) };
}

export const PROTOBUF_KINDS = Object.keys(KINDS);
