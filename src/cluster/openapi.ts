/**
 * OpenAPI documents. v3: an index (/openapi/v3) and one document per group version with a path
 * item for every operation and a component schema for every kind, generated from the shapes.
 * v2: a minimal document (kubectl still fetches it, as protobuf, to build its validator).
 *
 * The PATCH operations deliberately list JSON patch, merge patch and apply patch but not
 * strategic merge patch as request bodies: kubectl then computes the patches of its client-side
 * `apply` from its compiled-in types (exactly right for built-in kinds) instead of from these
 * schemas, which describe list merge keys faithfully but not every field of every kind. The
 * server itself accepts strategic merge patches. The `fieldValidation` parameter is declared, so
 * kubectl leaves unknown-field checks to the server (400 in Strict mode, a warning in Warn mode).
 */
import { createHash } from "node:crypto";
import type { KObject, Registry, ResourceType } from "./resources.js";
import { publishedSchema, schemaV2 } from "./schema.js";
import { objectMeta, shapeOf, type Shape } from "./shapes.js";

export const SERVER_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-ko" };

const groupPackage: Record<string, string> = {
  "": "core",
  apps: "apps",
  batch: "batch",
  policy: "policy",
  autoscaling: "autoscaling",
  "events.k8s.io": "events",
  "coordination.k8s.io": "coordination",
};

/** The definition name of a kind: io.k8s.api.apps.v1.Deployment; a custom resource's is its group reversed (com.example.v1.Widget). */
export function schemaName(rt: Pick<ResourceType, "group" | "version" | "kind" | "custom">): string {
  if (rt.custom) return `${rt.group.split(".").reverse().join(".")}.${rt.version}.${rt.kind}`;
  if (rt.group === "apiextensions.k8s.io") return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${rt.version}.${rt.kind}`;
  return `io.k8s.api.${groupPackage[rt.group] ?? rt.group}.${rt.version}.${rt.kind}`;
}

const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const DESCRIPTIONS = {
  apiVersion:
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources",
  kind: "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds",
  metadata:
    "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
};

/**
 * A custom resource's schema as kube-apiserver publishes it: the CRD's schema, apiVersion and kind
 * described, metadata a reference to ObjectMeta, and the group-version-kind extension.
 */
function customSchema(rt: ResourceType, ref: (name: string) => KObject, v2: boolean): KObject {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const own = rt.custom?.schema;
  if (!own || (v2 && own["x-kubernetes-preserve-unknown-fields"])) return { type: "object", "x-kubernetes-group-version-kind": [gvk] };
  const s: KObject = v2 ? schemaV2(own) : publishedSchema(own);
  s.properties = {
    ...(s.properties ?? {}),
    apiVersion: { type: "string", description: DESCRIPTIONS.apiVersion },
    kind: { type: "string", description: DESCRIPTIONS.kind },
    metadata: { ...ref(OBJECT_META), description: DESCRIPTIONS.metadata },
  };
  s.type ??= "object";
  s["x-kubernetes-group-version-kind"] = [gvk];
  return s;
}

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

function shapeToSchema(s: Shape | undefined, components: Record<string, KObject>, top = false): KObject {
  if (!s) return {};
  if (s.ref && !top) {
    if (!components[s.ref]) {
      components[s.ref] = {}; // reserve: shapes may be recursive
      components[s.ref] = shapeToSchema(s, components, true);
    }
    return { allOf: [{ $ref: `#/components/schemas/${s.ref}` }] };
  }
  if (s.list) {
    const out: KObject = {
      type: "array",
      items: s.list.item ? shapeToSchema(s.list.item, components) : { type: s.list.type === "set" ? "string" : "object" },
    };
    out["x-kubernetes-list-type"] = s.list.type;
    if (s.list.type === "map" && s.list.keys) {
      out["x-kubernetes-list-map-keys"] = s.list.keys;
      out["x-kubernetes-patch-merge-key"] = s.list.keys[0];
      out["x-kubernetes-patch-strategy"] = "merge";
    }
    if (s.list.type === "set") out["x-kubernetes-patch-strategy"] = "merge";
    return out;
  }
  if (s.fields || s.values || s.type === "object") {
    const out: KObject = { type: "object" };
    if (s.fields) {
      out.properties = {};
      for (const [k, v] of Object.entries(s.fields)) out.properties[k] = shapeToSchema(v, components);
    }
    if (s.values) out.additionalProperties = shapeToSchema(s.values, components);
    if (s.retainKeys) out["x-kubernetes-patch-strategy"] = "retainKeys";
    return out;
  }
  if (s.type) return { type: s.type, ...(s.type === "integer" ? { format: "int64" } : {}) };
  return { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] };
}

const queryParam = (name: string, type = "string", description = "") => ({
  name,
  in: "query",
  description,
  schema: { type, uniqueItems: true },
});
const WRITE_PARAMS = [
  queryParam(
    "dryRun",
    "string",
    "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed",
  ),
  queryParam("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes."),
  queryParam(
    "fieldValidation",
    "string",
    "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
  ),
];
const LIST_PARAMS = [
  "allowWatchBookmarks:boolean",
  "continue",
  "fieldSelector",
  "labelSelector",
  "limit:integer",
  "resourceVersion",
  "resourceVersionMatch",
  "sendInitialEvents:boolean",
  "timeoutSeconds:integer",
  "watch:boolean",
].map((p) => {
  const [n, t] = p.split(":");
  return queryParam(n!, t ?? "string");
});

function op(action: string, gvk: KObject, operationId: string, responseRef: string, params: KObject[], body?: string[]): KObject {
  const o: KObject = {
    operationId,
    parameters: params,
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: { $ref: `#/components/schemas/${responseRef}` } } } },
      "401": { description: "Unauthorized" },
    },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": gvk,
  };
  if (body)
    o.requestBody = {
      content: Object.fromEntries(
        body.map((ct) => [
          ct,
          { schema: { $ref: `#/components/schemas/${action === "patch" ? "io.k8s.apimachinery.pkg.apis.meta.v1.Patch" : responseRef}` } },
        ]),
      ),
      required: true,
    };
  return o;
}

const PATCH_TYPES = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

export function groupVersionDocument(registry: Registry, group: string, version: string): KObject | undefined {
  const types = registry.all.filter((rt) => rt.group === group && rt.version === version);
  if (!types.length) return undefined;
  const components: Record<string, KObject> = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": {
      type: "object",
      description: "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status": {
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        code: { type: "integer" },
        message: { type: "string" },
        reason: { type: "string" },
        status: { type: "string" },
        details: { type: "object" },
        metadata: { type: "object" },
      },
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions": {
      type: "object",
      properties: {
        propagationPolicy: { type: "string" },
        gracePeriodSeconds: { type: "integer" },
        dryRun: { type: "array", items: { type: "string" } },
        preconditions: { type: "object" },
      },
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta": {
      type: "object",
      properties: { continue: { type: "string" }, remainingItemCount: { type: "integer" }, resourceVersion: { type: "string" } },
    },
  };
  const paths: Record<string, KObject> = {};
  for (const rt of types) addPaths(rt, paths, components);
  const scaleName = "io.k8s.api.autoscaling.v1.Scale";
  if (types.some((rt) => rt.scale))
    components[scaleName] = {
      type: "object",
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }] },
        spec: { type: "object", properties: { replicas: { type: "integer", format: "int32" } } },
        status: { type: "object", properties: { replicas: { type: "integer", format: "int32" }, selector: { type: "string" } } },
      },
      "x-kubernetes-group-version-kind": [{ group: "autoscaling", kind: "Scale", version: "v1" }],
    };
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion },
    paths,
    components: { schemas: components },
  };
}

function addPaths(rt: ResourceType, paths: Record<string, KObject>, components: Record<string, KObject>): void {
  const name = schemaName(rt);
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  let schema: KObject;
  if (rt.custom) {
    shapeToSchema(objectMeta, components);
    schema = customSchema(rt, (n) => ({ allOf: [{ $ref: `#/components/schemas/${n}` }] }), false);
  } else {
    schema = shapeToSchema(rt.shape ?? shapeOf(rt.kind), components, true);
    schema["x-kubernetes-group-version-kind"] = [gvk];
  }
  components[name] = schema;
  components[`${name}List`] = {
    type: "object",
    required: ["items"],
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      items: { type: "array", items: { allOf: [{ $ref: `#/components/schemas/${name}` }] } },
      metadata: { allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta" }] },
    },
    "x-kubernetes-group-version-kind": [{ ...gvk, kind: rt.listKind }],
  };
  const base = `/${gvPath(rt.group, rt.version)}`;
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
  const nsParam = rt.namespaced ? [{ name: "namespace", in: "path", required: true, schema: { type: "string", uniqueItems: true } }] : [];
  const nameParam = [{ name: "name", in: "path", required: true, schema: { type: "string", uniqueItems: true } }];
  const Kind = rt.kind;
  const suffix = rt.namespaced ? `Namespaced${Kind}` : Kind;
  const opPrefix = `${rt.group ? rt.group : "core"}${rt.version[0]!.toUpperCase()}${rt.version.slice(1)}`;
  paths[collection] = {
    get: op("list", gvk, `list${opPrefix}${suffix}`, `${name}List`, LIST_PARAMS),
    post: op("post", gvk, `create${opPrefix}${suffix}`, name, WRITE_PARAMS, ["*/*"]),
    ...(rt.verbs.includes("deletecollection")
      ? {
          delete: op(
            "deletecollection",
            gvk,
            `deletecollection${opPrefix}${suffix}`,
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            LIST_PARAMS,
          ),
        }
      : {}),
    parameters: [...nsParam, queryParam("pretty")],
  };
  paths[`${collection}/{name}`] = {
    get: op("get", gvk, `read${opPrefix}${suffix}`, name, []),
    put: op("put", gvk, `replace${opPrefix}${suffix}`, name, WRITE_PARAMS, ["*/*"]),
    patch: op("patch", gvk, `patch${opPrefix}${suffix}`, name, [...WRITE_PARAMS, queryParam("force", "boolean")], PATCH_TYPES),
    delete: op("delete", gvk, `delete${opPrefix}${suffix}`, "io.k8s.apimachinery.pkg.apis.meta.v1.Status", [
      queryParam("dryRun"),
      queryParam("gracePeriodSeconds", "integer"),
      queryParam("propagationPolicy"),
    ]),
    parameters: [...nameParam, ...nsParam, queryParam("pretty")],
  };
  if (rt.status)
    paths[`${collection}/{name}/status`] = {
      get: op("get", gvk, `read${opPrefix}${suffix}Status`, name, []),
      put: op("put", gvk, `replace${opPrefix}${suffix}Status`, name, WRITE_PARAMS, ["*/*"]),
      patch: op("patch", gvk, `patch${opPrefix}${suffix}Status`, name, [...WRITE_PARAMS, queryParam("force", "boolean")], PATCH_TYPES),
      parameters: [...nameParam, ...nsParam, queryParam("pretty")],
    };
  if (rt.scale) {
    const sgvk = { group: "autoscaling", version: "v1", kind: "Scale" };
    paths[`${collection}/{name}/scale`] = {
      get: op("get", sgvk, `read${opPrefix}${suffix}Scale`, "io.k8s.api.autoscaling.v1.Scale", []),
      put: op("put", sgvk, `replace${opPrefix}${suffix}Scale`, "io.k8s.api.autoscaling.v1.Scale", WRITE_PARAMS, ["*/*"]),
      patch: op(
        "patch",
        sgvk,
        `patch${opPrefix}${suffix}Scale`,
        "io.k8s.api.autoscaling.v1.Scale",
        [...WRITE_PARAMS, queryParam("force", "boolean")],
        PATCH_TYPES,
      ),
      parameters: [...nameParam, ...nsParam, queryParam("pretty")],
    };
  }
  if (rt.namespaced)
    paths[`${base}/${rt.plural}`] = {
      get: op("list", gvk, `list${opPrefix}${Kind}ForAllNamespaces`, `${name}List`, LIST_PARAMS),
      parameters: LIST_PARAMS,
    };
}

/**
 * The v3 documents with their hashes, computed again whenever what the registry serves changes
 * (a CRD created, changed or deleted): the index then names new hashes, so clients caching by
 * hash (kubectl) fetch the new documents.
 */
export class OpenApiV3 {
  private docs = new Map<string, { body: string; hash: string }>();
  private generation = -1;

  constructor(private readonly registry: Registry) {}

  private current(): Map<string, { body: string; hash: string }> {
    if (this.generation === this.registry.generation) return this.docs;
    const docs = new Map<string, { body: string; hash: string }>();
    const gvs = new Set(this.registry.all.map((rt) => `${rt.group}|${rt.version}`));
    for (const gv of gvs) {
      const [group, version] = gv.split("|") as [string, string];
      const previous = this.docs.get(gvPath(group, version));
      const body = JSON.stringify(groupVersionDocument(this.registry, group, version));
      docs.set(
        gvPath(group, version),
        previous?.body === body ? previous : { body, hash: createHash("sha512").update(body).digest("hex").toUpperCase() },
      );
    }
    this.docs = docs;
    this.generation = this.registry.generation;
    return docs;
  }

  index(): KObject {
    const paths: Record<string, KObject> = {};
    for (const [p, d] of this.current()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
    return { paths };
  }

  document(path: string): { body: string; hash: string } | undefined {
    return this.current().get(path);
  }
}

// ---------- v2 ----------

/**
 * The v2 document: custom resources only (their definitions, ObjectMeta's, and PATCH operations
 * naming the patch types they take, without strategic merge). Built-in kinds are left out on
 * purpose, as in v3's PATCH bodies: kubectl then computes their patches from its compiled-in
 * types. kubectl reads this document as protobuf (gnostic's openapi_v2.Document).
 */
export function openApiV2Json(registry?: Registry): KObject {
  const definitions: Record<string, KObject> = {};
  const paths: Record<string, KObject> = {};
  for (const rt of registry?.all ?? []) {
    if (!rt.custom) continue;
    if (!definitions[OBJECT_META]) {
      const components: Record<string, KObject> = {};
      shapeToSchema(objectMeta, components);
      for (const [k, v] of Object.entries(components)) definitions[k] = toV2Refs(v);
    }
    const name = schemaName(rt);
    definitions[name] = customSchema(rt, (n) => ({ $ref: `#/definitions/${n}` }), true);
    const base = `/apis/${rt.group}/${rt.version}`;
    const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
    paths[`${collection}/{name}`] = {
      patch: {
        operationId: `patch${rt.namespaced ? "Namespaced" : ""}${rt.kind}`,
        consumes: PATCH_TYPES_V2,
        produces: ["application/json", "application/yaml"],
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": { group: rt.group, version: rt.version, kind: rt.kind },
      },
    };
  }
  return { swagger: "2.0", info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion }, paths, definitions };
}

const PATCH_TYPES_V2 = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

/** v3's `allOf: [{$ref: #/components/schemas/X}]` as v2's `$ref: #/definitions/X`. */
function toV2Refs(v: unknown): any {
  if (Array.isArray(v)) return v.map(toV2Refs);
  if (!v || typeof v !== "object") return v;
  const o = v as KObject;
  if (Array.isArray(o.allOf) && o.allOf.length === 1 && typeof o.allOf[0]?.$ref === "string") {
    const { allOf: _a, ...rest } = o;
    return { ...toV2Refs(rest), $ref: o.allOf[0].$ref.replace("#/components/schemas/", "#/definitions/") };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, toV2Refs(x)]));
}

// gnostic's protobuf encoding of the parts of openapi_v2.Document used here.

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

class Message {
  private readonly parts: Buffer[] = [];
  bytes(field: number, b: Buffer): this {
    this.parts.push(Buffer.from([...varint((field << 3) | 2), ...varint(b.length)]), b);
    return this;
  }
  string(field: number, s: string | undefined): this {
    return s === undefined ? this : this.bytes(field, Buffer.from(s, "utf8"));
  }
  message(field: number, m: Message | undefined): this {
    return m === undefined ? this : this.bytes(field, m.encode());
  }
  int(field: number, n: number | undefined): this {
    if (n !== undefined) this.parts.push(Buffer.from([...varint(field << 3), ...varint(n)]));
    return this;
  }
  bool(field: number, b: boolean | undefined): this {
    return b ? this.int(field, 1) : this;
  }
  double(field: number, n: number | undefined): this {
    if (n === undefined) return this;
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    this.parts.push(Buffer.from(varint((field << 3) | 1)), b);
    return this;
  }
  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** openapi_v2.Any: values are carried as YAML (JSON is YAML). */
const any = (v: unknown) => new Message().string(2, JSON.stringify(v));
const namedAny = (name: string, v: unknown) => new Message().string(1, name).message(2, any(v));

function schemaMessage(s: KObject): Message {
  const m = new Message().string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) m.message(5, any(s.default));
  m.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int(11, s.maxLength)
    .int(12, s.minLength)
    .string(13, s.pattern)
    .int(14, s.maxItems)
    .int(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int(17, s.maxProperties)
    .int(18, s.minProperties);
  for (const r of s.required ?? []) m.string(19, r);
  for (const e of s.enum ?? []) m.message(20, any(e));
  if (s.additionalProperties !== undefined)
    m.message(
      21,
      typeof s.additionalProperties === "boolean"
        ? new Message().bool(2, s.additionalProperties)
        : new Message().message(1, schemaMessage(s.additionalProperties)),
    );
  if (s.type) m.message(22, new Message().string(1, s.type));
  if (s.items) m.message(23, new Message().message(1, schemaMessage(s.items)));
  if (s.properties) {
    const props = new Message();
    for (const [k, v] of Object.entries(s.properties as Record<string, KObject>))
      props.message(1, new Message().string(1, k).message(2, schemaMessage(v)));
    m.message(25, props);
  }
  for (const [k, v] of Object.entries(s)) if (k.startsWith("x-")) m.message(31, namedAny(k, v));
  return m;
}

/** The v2 document in protobuf, as kubectl asks for it. */
export function openApiV2Protobuf(registry?: Registry): Buffer {
  const doc = openApiV2Json(registry);
  const info = new Message().string(1, doc.info.title).string(2, doc.info.version);
  const paths = new Message();
  for (const [p, item] of Object.entries(doc.paths as Record<string, KObject>)) {
    const op = item.patch;
    const operation = new Message().string(5, op.operationId);
    for (const c of op.produces) operation.string(6, c);
    for (const c of op.consumes) operation.string(7, c);
    for (const [k, v] of Object.entries(op as KObject)) if (k.startsWith("x-")) operation.message(13, namedAny(k, v));
    paths.message(2, new Message().string(1, p).message(2, new Message().message(8, operation)));
  }
  const definitions = new Message();
  for (const [name, s] of Object.entries(doc.definitions as Record<string, KObject>))
    definitions.message(1, new Message().string(1, name).message(2, schemaMessage(s)));
  return new Message().string(1, doc.swagger).message(2, info).message(8, paths).message(9, definitions).encode();
}
