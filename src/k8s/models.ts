/**
 * Kubernetes objects as closed record types, so that a misspelled field in a script is a
 * compile error rather than a rejected request. stdlib/k8s/models.json, which
 * src/k8s/generate-models.mjs generates from the client's own model metadata, lists every field
 * of every model with its JSON name, type and first line of documentation; here each model
 * becomes a RecordSchema, built at its first use, so that a script that never names a model
 * costs nothing and one that does reads the file once.
 */
import * as fs from "node:fs";
import { T, recordSchema, type HostType, type RecordSchema } from "../host/host-type.js";
import { once } from "../syntax/once.js";
import { REDACTED } from "./objects.js";
import { stdlibFile } from "./data-files.js";

/** One field of a model: JSON name, the client's type (`Array<V1Container>`), format, doc. */
type ModelField = readonly [name: string, type: string, format: string, doc?: string];

/** The fields of every model, by model name: read from models.json at the first use. */
const models = once(
  (): Readonly<Record<string, readonly ModelField[]>> =>
    (JSON.parse(fs.readFileSync(stdlibFile("models.json"), "utf8")) as { models: Record<string, ModelField[]> }).models,
);

/** Whether the client has a model of this name (V1StatefulSet). */
export function hasModel(name: string): boolean {
  return Object.hasOwn(models(), name);
}

/**
 * A Kubernetes object type named as people name it: `V1Pod`, or by its kind alone, `Pod` (the
 * newest stable version: V2 before V1, V1 before V1beta1 and V1alpha1), then a path of fields
 * into it, `Pod.spec.containers`. Undefined when no model has that name; `field` names the first
 * field the path does not have.
 */
export interface ModelPath {
  /** The model the path starts from (V1Pod). */
  readonly model: string;
  /** The fields followed, and the type each has. */
  readonly fields: readonly { readonly name: string; readonly type: HostType }[];
  /** The path's last field is not a field of the model it should be in. */
  readonly missing?: { readonly name: string; readonly of: string };
}

export function findModel(query: string): ModelPath | undefined {
  const [head, ...path] = query.split(".");
  const model = hasModel(head!) ? head! : byKind(head!);
  if (model === undefined) return undefined;
  const fields: { name: string; type: HostType }[] = [];
  let schema: RecordSchema | undefined = modelSchema(model);
  for (const name of path) {
    const type = schema?.field(name);
    if (schema === undefined || type === undefined) return { model, fields, missing: { name, of: schema?.name ?? "?" } };
    fields.push({ name, type });
    schema = recordOf(type);
  }
  return { model, fields };
}

/** The record inside a type: of a record, or of a sequence of records. */
export function recordOf(type: HostType): RecordSchema | undefined {
  if (type.k === "record") return type.schema;
  if (type.k === "list") return recordOf(type.of);
  return undefined;
}

/** The model of a kind (`Pod`, `Deployment`), its most stable version first. */
function byKind(kind: string): string | undefined {
  const versioned = /^V(\d+)(?:(alpha|beta)(\d+))?(.+)$/;
  const candidates = Object.keys(models()).flatMap((name) => {
    const m = versioned.exec(name);
    return m && m[4] === kind
      ? [{ name, major: Number(m[1]), stage: m[2] === undefined ? 2 : m[2] === "beta" ? 1 : 0, minor: Number(m[3] ?? 0) }]
      : [];
  });
  candidates.sort((a, b) => b.stage - a.stage || b.major - a.major || b.minor - a.minor);
  return candidates[0]?.name;
}

const schemas = new Map<string, RecordSchema>();

/** The record schema of a model, one per name. */
export function modelSchema(name: string): RecordSchema {
  let s = schemas.get(name);
  if (!s) {
    s = recordSchema(
      name,
      () => Object.fromEntries((models()[name] ?? []).map(([field, type, format]) => [field, fieldType(name, field, type, format)])),
      () => Object.fromEntries((models()[name] ?? []).flatMap(([field, , , doc]) => (doc ? [[field, doc]] : []))),
    );
    schemas.set(name, s);
  }
  return s;
}

/** The host type of a model: its record, or Any for a name the client does not have. */
export function modelType(name: string): HostType {
  return hasModel(name) ? T.record(modelSchema(name)) : T.any;
}

/**
 * The record of a model every client has (V1Namespace), without looking: declarations on the
 * start-up path must not read models.json.
 */
export function knownModel(name: string): HostType {
  return T.record(modelSchema(name));
}

/** What a Secret's data holds: strings going in, redacted values coming out (convert.ts). */
const secretValue = T.oneOf(T.string, T.opaque(REDACTED));

/**
 * The host type of a field of the client's type `type`. Quantities and the like are strings;
 * a timestamp is an RFC 3339 string in Ko; an integer field (int32, int64) takes any integer;
 * a `number` without a format takes integers and floats alike.
 */
export function clientType(type: string, format = ""): HostType {
  switch (type) {
    case "string":
    case "Date":
      return T.string;
    case "boolean":
      return T.bool;
    case "number":
      return format === "int32" || format === "int64" ? T.integer : T.oneOf(T.integer, T.float64);
    case "IntOrString":
      return T.oneOf(T.integer, T.string);
    case "any":
    case "object":
      return T.any;
  }
  const array = /^Array<(.*)>$/.exec(type);
  if (array) return T.list(clientType(array[1]!));
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) return T.map(clientType(map[1]!));
  return modelType(type);
}

/**
 * A resource quantity ("500m", "1Gi", or a plain number): Kubernetes reads one from a JSON
 * string or number, so a manifest may say `cpu: 1`. The client's declarations have lost the
 * distinction (a quantity is a `string` there), so the fields that hold quantities are named here.
 */
const quantity = T.oneOf(T.string, T.integer, T.float64);

const QUANTITY_MAPS = new Set([
  "V1ResourceRequirements.limits",
  "V1ResourceRequirements.requests",
  "V1VolumeResourceRequirements.limits",
  "V1VolumeResourceRequirements.requests",
  "V1ResourceQuotaSpec.hard",
  "V1ResourceQuotaStatus.hard",
  "V1ResourceQuotaStatus.used",
  "V1NodeStatus.capacity",
  "V1NodeStatus.allocatable",
  "V1PersistentVolumeSpec.capacity",
  "V1PersistentVolumeClaimStatus.capacity",
  "V1PersistentVolumeClaimStatus.allocatedResources",
  "V1ContainerStatus.allocatedResources",
  "V1LimitRangeItem.default",
  "V1LimitRangeItem.defaultRequest",
  "V1LimitRangeItem.max",
  "V1LimitRangeItem.min",
  "V1LimitRangeItem.maxLimitRequestRatio",
]);

const QUANTITIES = new Set([
  "V1EmptyDirVolumeSource.sizeLimit",
  "V1CSIStorageCapacity.capacity",
  "V1CSIStorageCapacity.maximumVolumeSize",
  "V2MetricTarget.value",
  "V2MetricTarget.averageValue",
  "V2MetricValueStatus.value",
  "V2MetricValueStatus.averageValue",
]);

function fieldType(model: string, field: string, type: string, format: string): HostType {
  if (model === "V1Secret" && (field === "data" || field === "stringData")) return T.map(secretValue);
  const key = `${model}.${field}`;
  if (QUANTITY_MAPS.has(key)) return T.map(quantity);
  if (QUANTITIES.has(key)) return quantity;
  return clientType(type, format);
}
