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
import { shapeOf, type Shape } from "./shapes.js";

export const SERVER_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-ko" };

const groupPackage: Record<string, string> = { "": "core", apps: "apps", batch: "batch", policy: "policy", autoscaling: "autoscaling" };
export const schemaName = (group: string, version: string, kind: string) => `io.k8s.api.${groupPackage[group] ?? group}.${version}.${kind}`;

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
  const name = schemaName(rt.group, rt.version, rt.kind);
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const schema = shapeToSchema(shapeOf(rt.kind), components, true);
  schema["x-kubernetes-group-version-kind"] = [gvk];
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

/** The v3 documents with their hashes, computed once per registry. */
export class OpenApiV3 {
  private readonly docs = new Map<string, { body: string; hash: string }>();

  constructor(private readonly registry: Registry) {
    const gvs = new Set(registry.all.map((rt) => `${rt.group}|${rt.version}`));
    for (const gv of gvs) {
      const [group, version] = gv.split("|") as [string, string];
      const body = JSON.stringify(groupVersionDocument(registry, group, version));
      this.docs.set(gvPath(group, version), { body, hash: createHash("sha512").update(body).digest("hex").toUpperCase() });
    }
  }

  index(): KObject {
    const paths: Record<string, KObject> = {};
    for (const [p, d] of this.docs) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
    return { paths };
  }

  document(path: string): { body: string; hash: string } | undefined {
    return this.docs.get(path);
  }
}

// ---------- v2 ----------

function pbString(field: number, s: string): Buffer {
  const bytes = Buffer.from(s, "utf8");
  return Buffer.concat([Buffer.from([(field << 3) | 2, bytes.length]), bytes]);
}

/** gnostic openapi_v2.Document { swagger: "2.0", info: { title, version } } in protobuf wire format. */
export function openApiV2Protobuf(): Buffer {
  const info = Buffer.concat([pbString(1, "Kubernetes"), pbString(2, SERVER_VERSION.gitVersion)]);
  return Buffer.concat([pbString(1, "2.0"), Buffer.from([(2 << 3) | 2, info.length]), info]);
}

export function openApiV2Json(): KObject {
  return { swagger: "2.0", info: { title: "Kubernetes", version: SERVER_VERSION.gitVersion }, paths: {}, definitions: {} };
}
