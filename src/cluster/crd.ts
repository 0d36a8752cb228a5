/**
 * CustomResourceDefinitions (apiextensions.k8s.io/v1): the CRD resource itself — its defaults,
 * its validation with apiextensions-apiserver's wording, its status on create — and the resource
 * types a CRD serves once its names are accepted and it is Established: one per served version,
 * sharing one store table, with the storage version's apiVersion in storage (conversion "None"),
 * structural pruning and defaulting on write and on read, schema validation, the status and scale
 * subresources, printer columns and selectable fields.
 *
 * `CustomResources` keeps the registry in step with the stored CRDs: it serves what a CRD says as
 * soon as the CRD changes (and, on start, what the state file holds). The naming, establishing and
 * finalizing controllers are in controllers/crds.ts.
 */
import { type FieldError, forbiddenField, invalidField, requiredField } from "./errors.js";
import { isPlainObject } from "./fields.js";
import { evaluate, JsonPathError, parseJsonPath, printValue, simplePath } from "./jsonpath.js";
import type { Store, StoreEvent } from "./object-store.js";
import { define, type KObject, type Registry, type ResourceType } from "./resources.js";
import {
  defaultObject,
  type JSONSchemaProps,
  prune,
  ratchet,
  shapeOfSchema,
  validateCrdSchema,
  validateEmbedded,
  validateListTypes,
  validateValue,
} from "./schema.js";
import { objectMeta, type Shape } from "./shapes.js";
import { AGE, type Cell, NAME, type Column, type Printer } from "./tables.js";
import { clone, deepEqual, humanDuration } from "./util.js";
import { validateName } from "./validation.js";

export const CRD_GROUP = "apiextensions.k8s.io";
export const CRD_STORAGE = `${CRD_GROUP}/customresourcedefinitions`;
export const CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io";

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScalePaths {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** What a custom resource type carries besides what every ResourceType has. */
export interface CustomResource {
  /** The CustomResourceDefinition's name (plural.group). */
  crd: string;
  storageVersion: string;
  schema?: JSONSchemaProps;
  scale?: ScalePaths;
  /** Being deleted: objects are listed and deleted, no new one is created. */
  terminating: boolean;
  /** A deprecated version's warning, sent with every response about it. */
  deprecationWarning?: string;
}

// ---------- the CustomResourceDefinition resource ----------

/** SetDefaults_CustomResourceDefinitionSpec. */
function defaultCrd(o: KObject): void {
  const spec = o.spec;
  if (!isPlainObject(spec)) return;
  const names = isPlainObject(spec.names) ? spec.names : undefined;
  if (names) {
    if (!names.singular && typeof names.kind === "string") names.singular = names.kind.toLowerCase();
    if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: "None" };
}

const storageVersionOf = (spec: KObject | undefined): string | undefined =>
  (Array.isArray(spec?.versions) ? spec.versions : []).find((v: KObject) => v?.storage === true)?.name;

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
function dns1035(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push("must be no more than 63 characters");
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(v)) out.push(DNS1035);
  return out;
}

function validateNames(names: KObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (f: string, lower = false) => {
    const v = names[f];
    if (typeof v !== "string" || !v) return;
    const msgs = dns1035(lower ? v.toLowerCase() : v);
    if (msgs.length)
      errs.push(invalidField(`${path}.${f}`, v, `${lower ? "may have mixed case, but should otherwise match: " : ""}${msgs.join(",")}`));
  };
  label("plural");
  label("singular");
  label("kind", true);
  label("listKind", true);
  (Array.isArray(names.shortNames) ? names.shortNames : []).forEach((s: string, i: number) => {
    const msgs = dns1035(String(s));
    if (msgs.length) errs.push(invalidField(`${path}.shortNames[${i}]`, s, msgs.join(",")));
  });
  if (names.kind && names.kind === names.listKind)
    errs.push(invalidField(`${path}.listKind`, names.listKind, "kind and listKind may not be the same"));
  (Array.isArray(names.categories) ? names.categories : []).forEach((c: string, i: number) => {
    const msgs = dns1035(String(c));
    if (msgs.length) errs.push(invalidField(`${path}.categories[${i}]`, c, msgs.join(",")));
  });
  return errs;
}

function simpleJsonPath(s: unknown, path: string): FieldError[] {
  if (typeof s !== "string" || s.length === 0) return [invalidField(path, s ?? "", "must not be empty")];
  if (s[0] !== ".") return [invalidField(path, s, "must be a simple json path starting with .")];
  return [];
}

const COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"];
const COLUMN_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"];

function validateColumn(c: KObject, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!c?.name) errs.push(requiredField(`${path}.name`));
  if (!c?.type) errs.push(requiredField(`${path}.type`, `must be one of ${COLUMN_TYPES.join(",")}`));
  else if (!COLUMN_TYPES.includes(c.type)) errs.push(invalidField(`${path}.type`, c.type, `must be one of ${COLUMN_TYPES.join(",")}`));
  if (c?.format && !COLUMN_FORMATS.includes(c.format))
    errs.push(invalidField(`${path}.format`, c.format, `must be one of ${COLUMN_FORMATS.join(",")}`));
  if (!c?.jsonPath) errs.push(requiredField(`${path}.JSONPath`));
  else {
    const simple = simpleJsonPath(c.jsonPath, `${path}.JSONPath`);
    if (simple.length) errs.push(...simple);
    else
      try {
        parseJsonPath(c.jsonPath);
      } catch (e) {
        errs.push(invalidField(`${path}.JSONPath`, c.jsonPath, (e as JsonPathError).message));
      }
  }
  return errs;
}

function validateSubresources(sub: KObject | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const scale = sub?.scale;
  if (!isPlainObject(scale)) return errs;
  const under = (f: string, prefixes: string[], what: string, required: boolean) => {
    const v = scale[f];
    if (v === undefined || v === "") {
      if (required) errs.push(requiredField(`${path}.scale.${f}`));
      return;
    }
    const simple = simpleJsonPath(v, `${path}.scale.${f}`);
    if (simple.length) errs.push(...simple);
    else if (!prefixes.some((p) => String(v).startsWith(p)))
      errs.push(invalidField(`${path}.scale.${f}`, v, `should be a json path under ${what}`));
  };
  under("specReplicasPath", [".spec."], ".spec", true);
  under("statusReplicasPath", [".status."], ".status", true);
  under("labelSelectorPath", [".spec.", ".status."], "either .spec or .status", false);
  return errs;
}

/** Per-version values that are all equal are validated as the top-level field they convert to. */
function hoisted(versions: KObject[], get: (v: KObject) => unknown): boolean {
  if (!versions.length) return false;
  const first = get(versions[0]!);
  return versions.every((v) => get(v) !== undefined && deepEqual(get(v), first));
}

/** ValidateCustomResourceDefinition (and ...Update), on the v1 object. */
export function validateCrd(o: KObject, old: KObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const spec: KObject = isPlainObject(o.spec) ? o.spec : {};
  const names: KObject = isPlainObject(spec.names) ? spec.names : {};
  const required = `${names.plural ?? ""}.${spec.group ?? ""}`;
  if (o.metadata.name !== required) errs.push(invalidField("metadata.name", o.metadata.name, `must be spec.names.plural+"."+spec.group`));
  if (!spec.group) errs.push(requiredField("spec.group"));
  else {
    const sub = validateName("subdomain", String(spec.group), "spec.group");
    if (sub.length) errs.push(invalidField("spec.group", spec.group, sub.map((e) => e.detail).join(",")));
    else if (String(spec.group).split(".").length < 2)
      errs.push(invalidField("spec.group", spec.group, "should be a domain with at least one dot"));
    else if (/(^|\.)(k8s\.io|kubernetes\.io)$/.test(spec.group) && !o.metadata.annotations?.["api-approved.kubernetes.io"])
      errs.push(
        requiredField(
          "metadata.annotations[api-approved.kubernetes.io]",
          'protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
        ),
      );
  }
  if (!spec.scope) errs.push(requiredField("spec.scope"));
  else if (spec.scope !== "Cluster" && spec.scope !== "Namespaced")
    errs.push({
      type: "FieldValueNotSupported",
      field: "spec.scope",
      value: spec.scope,
      detail: 'supported values: "Cluster", "Namespaced"',
    });

  const versions: KObject[] = Array.isArray(spec.versions) ? spec.versions : [];
  const schemaTop = hoisted(versions, (v) => v.schema);
  const subTop = hoisted(versions, (v) => v.subresources);
  const colsTop = hoisted(versions, (v) => (v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : undefined));
  for (const [i, v] of versions.entries())
    if (!isPlainObject(v.schema) || !isPlainObject(v.schema.openAPIV3Schema))
      errs.push(requiredField(`spec.versions[${i}].schema.openAPIV3Schema`, "schemas are required"));
  let storage = 0;
  const seen = new Set<string>();
  let unique = true;
  versions.forEach((v, i) => {
    if (v.storage === true) storage++;
    if (seen.has(v.name)) unique = false;
    seen.add(v.name);
    const msgs = dns1035(String(v.name ?? ""));
    if (msgs.length) errs.push(invalidField(`spec.versions[${i}].name`, v.name ?? "", msgs.join(",")));
    if (v.deprecationWarning !== undefined && !v.deprecated)
      errs.push(invalidField(`spec.versions[${i}].deprecationWarning`, v.deprecationWarning, "can only be set for deprecated versions"));
    const schema = v.schema?.openAPIV3Schema;
    if (isPlainObject(schema) && !(schemaTop && i > 0))
      errs.push(...validateCrdSchema(schema, schemaTop ? "spec.validation.openAPIV3Schema" : `spec.versions[${i}].schema.openAPIV3Schema`));
    if (!(subTop && i > 0))
      errs.push(...validateSubresources(v.subresources, subTop ? "spec.subresources" : `spec.versions[${i}].subresources`));
    if (!(colsTop && i > 0))
      (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []).forEach((c: KObject, j: number) =>
        errs.push(
          ...validateColumn(c, colsTop ? `spec.additionalPrinterColumns[${j}]` : `spec.versions[${i}].additionalPrinterColumns[${j}]`),
        ),
      );
    (Array.isArray(v.selectableFields) ? v.selectableFields : []).forEach((f: KObject, j: number) => {
      const p = `spec.versions[${i}].selectableFields[${j}].jsonPath`;
      const simple = simpleJsonPath(f?.jsonPath, p);
      errs.push(...simple);
      if (!simple.length && schema && !schemaAt(schema, simplePath(f.jsonPath)))
        errs.push(invalidField(p, f.jsonPath, "is an invalid path: does not refer to a valid field"));
    });
  });
  if (!unique) errs.push(invalidField("spec.versions", "", "must contain unique version names"));
  if (storage !== 1) errs.push(invalidField("spec.versions", "", "must have exactly one version marked as storage version"));
  for (const f of ["plural", "singular", "kind", "listKind"]) if (!names[f]) errs.push(requiredField(`spec.names.${f}`));
  errs.push(...validateNames(names, "spec.names"));
  const conversion = spec.conversion;
  if (isPlainObject(conversion)) {
    if (!conversion.strategy) errs.push(requiredField("spec.conversion.strategy"));
    else if (conversion.strategy !== "None" && conversion.strategy !== "Webhook")
      errs.push({
        type: "FieldValueNotSupported",
        field: "spec.conversion.strategy",
        value: conversion.strategy,
        detail: 'supported values: "None", "Webhook"',
      });
    else if (conversion.strategy === "Webhook" && !conversion.webhook?.clientConfig)
      errs.push(requiredField("spec.conversion.webhookClientConfig", "required when strategy is set to Webhook"));
    else if (conversion.strategy === "None" && conversion.webhook)
      errs.push(forbiddenField("spec.conversion.webhookClientConfig", "should not be set when strategy is not set to Webhook"));
  }
  if (spec.preserveUnknownFields === true)
    errs.push(
      invalidField(
        "spec.preserveUnknownFields",
        true,
        "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
      ),
    );
  const stored: string[] = Array.isArray(o.status?.storedVersions) ? o.status.storedVersions : [];
  stored.forEach((s, i) => {
    if (!versions.some((v) => v.name === s)) errs.push(invalidField(`status.storedVersions[${i}]`, s, "must appear in spec.versions"));
  });
  if (old) {
    const oldSpec = old.spec ?? {};
    const established = conditionTrue(old, "Established");
    if (established && spec.scope !== oldSpec.scope) errs.push(invalidField("spec.scope", spec.scope, "field is immutable"));
    if (established && names.kind !== oldSpec.names?.kind) errs.push(invalidField("spec.names.kind", names.kind, "field is immutable"));
    if (spec.group !== oldSpec.group) errs.push(invalidField("spec.group", spec.group, "field is immutable"));
    if (names.plural !== oldSpec.names?.plural) errs.push(invalidField("spec.names.plural", names.plural, "field is immutable"));
  }
  return errs;
}

/** The schema node at a simple path (selectable fields must name a field the schema has). */
function schemaAt(s: JSONSchemaProps, path: string[]): JSONSchemaProps | undefined {
  let node: JSONSchemaProps | undefined = s;
  for (const p of path) node = node?.properties?.[p];
  return node;
}

export const conditionTrue = (crd: KObject, type: string) =>
  (crd.status?.conditions ?? []).some((c: KObject) => c.type === type && c.status === "True");

export const CRD_TYPE: ResourceType = define({
  group: CRD_GROUP,
  kind: "CustomResourceDefinition",
  plural: "customresourcedefinitions",
  namespaced: false,
  shortNames: ["crd", "crds"],
  categories: ["api-extensions"],
  status: true,
  generation: true,
  printer: {
    columns: [NAME, { ...AGE, name: "Created At", type: "date" }],
    row: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
  },
  defaults: defaultCrd,
  prepareCreate(o) {
    const storage = storageVersionOf(o.spec);
    o.status = { acceptedNames: { kind: "", plural: "" }, storedVersions: storage ? [storage] : [] };
  },
  prepareUpdate(o) {
    const storage = storageVersionOf(o.spec);
    const status = (o.status ??= { acceptedNames: { kind: "", plural: "" }, storedVersions: [] });
    status.storedVersions ??= [];
    if (storage && !status.storedVersions.includes(storage)) status.storedVersions = [...status.storedVersions, storage];
  },
  validate: validateCrd,
  // The first delete adds the cleanup finalizer: the objects go first, then the definition.
  deleteFinalizers: [CLEANUP_FINALIZER],
  prepareDelete(o) {
    o.status = {
      ...(o.status ?? {}),
      conditions: setCrdCondition(o.status?.conditions, {
        type: "Terminating",
        status: "True",
        reason: "InstanceDeletionPending",
        message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
      }),
    };
  },
});

/** SetCRDCondition: a condition replaced, its lastTransitionTime kept while its status stays. */
export function setCrdCondition(conditions: KObject[] | undefined, c: KObject): KObject[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const prev = i >= 0 ? list[i] : undefined;
  const next = { ...c, lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : now };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

// ---------- the types a CRD serves ----------

const AGE_COLUMN: PrinterColumn = { name: "Age", type: "date", description: AGE.description, jsonPath: ".metadata.creationTimestamp" };

/** The table of a custom resource: Name, then the printer columns (Age when there are none). */
function printerOf(columns: PrinterColumn[]): Printer {
  const cols = columns.length ? columns : [AGE_COLUMN];
  const paths = cols.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: Column[] = cols.map((c) => ({
    name: c.name,
    type: c.type as Column["type"],
    format: c.format ?? "",
    description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
    priority: c.priority ?? 0,
  }));
  return {
    columns: [NAME, ...defs],
    row(o, now) {
      const cells: Cell[] = [o.metadata.name];
      cols.forEach((c, i) => {
        const path = paths[i];
        const found = path ? evaluate(path, o) : [];
        cells.push(found.length ? cellFor(c.type, found[0], now) : null);
      });
      return cells;
    },
  };
}

/** cellForJSONValue of the CRD table convertor. */
function cellFor(type: string, v: unknown, now: number): Cell {
  if (v === null || v === undefined) return null;
  switch (type) {
    case "string":
      return printValue(v);
    case "integer":
      return typeof v === "number" ? Math.trunc(v) : null;
    case "number":
      return typeof v === "number" ? v : null;
    case "boolean":
      return typeof v === "boolean" ? v : null;
    case "date": {
      if (typeof v !== "string") return null;
      const t = Date.parse(v);
      return Number.isNaN(t) ? "<invalid>" : humanDuration(now - t);
    }
  }
  return null;
}

/** Go's %v of a decoded JSON value (what unstructured's accessor errors print). */
function goV(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (Array.isArray(v)) return `[${v.map(goV).join(" ")}]`;
  if (isPlainObject(v))
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goV(v[k])}`)
      .join(" ")}]`;
  return typeof v === "string" ? v : JSON.stringify(v);
}

/** Go's %T of a decoded JSON value. */
function goType(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return "string";
  if (typeof v === "number") return Number.isInteger(v) ? "int64" : "float64";
  if (typeof v === "boolean") return "bool";
  return Array.isArray(v) ? "[]interface {}" : "map[string]interface {}";
}

/**
 * unstructured.NestedFieldNoCopy and the typed accessors over a simple path: the value when found,
 * or the accessor error the API server reports ("… accessor error: x is of the type string, expected int64").
 */
function nested(o: KObject, path: string, expected: "int64" | "string"): { found: boolean; value?: unknown; error?: string } {
  const parts = simplePath(path);
  const jsonPath = (n: number) => `.${parts.slice(0, n).join(".")}`;
  let node: unknown = o;
  for (const [i, p] of parts.entries()) {
    if (!isPlainObject(node))
      return {
        found: false,
        error: `${jsonPath(i + 1)} accessor error: ${goV(node)} is of the type ${goType(node)}, expected map[string]interface{}`,
      };
    if (!(p in node)) return { found: false };
    node = node[p];
  }
  const ok = expected === "int64" ? typeof node === "number" && Number.isInteger(node) : typeof node === "string";
  if (!ok)
    return {
      found: false,
      error: `${jsonPath(parts.length)} accessor error: ${goV(node)} is of the type ${goType(node)}, expected ${expected}`,
    };
  return { found: true, value: node };
}

function nestedInt(o: KObject, path: string): { value?: number; error?: string } {
  const r = nested(o, path, "int64");
  return r.error ? { error: r.error } : r.found ? { value: r.value as number } : {};
}

/** ValidateScaleSpec / ValidateScaleStatus of the custom resource strategy. */
function validateScale(o: KObject, scale: ScalePaths | undefined, part: "spec" | "status"): FieldError[] {
  if (!scale) return [];
  const errs: FieldError[] = [];
  const path = part === "spec" ? scale.specReplicasPath : scale.statusReplicasPath;
  const { value, error } = nestedInt(o, path);
  if (error) errs.push(invalidField(path, value ?? 0, error));
  else if (value !== undefined && value < 0) errs.push(invalidField(path, value, "should be a non-negative integer"));
  else if (value !== undefined && value > 2147483647) errs.push(invalidField(path, value, "should be less than or equal to 2147483647"));
  if (part === "status" && scale.labelSelectorPath) {
    const { error: selectorError } = nested(o, scale.labelSelectorPath, "string");
    if (selectorError) errs.push(invalidField(scale.labelSelectorPath, "", selectorError));
  }
  return errs;
}

/** The resource types a CRD serves: none until its names are accepted and it is Established. */
export function customResourceTypes(crd: KObject): ResourceType[] {
  const spec = crd.spec ?? {};
  const accepted = crd.status?.acceptedNames ?? {};
  if (!conditionTrue(crd, "Established") || !accepted.plural || !accepted.kind) return [];
  const storageVersion = storageVersionOf(spec);
  if (!storageVersion) return [];
  const group: string = spec.group;
  const terminating = !!crd.metadata.deletionTimestamp;
  const out: ResourceType[] = [];
  for (const v of spec.versions ?? []) {
    if (!v?.served) continue;
    const schema: JSONSchemaProps | undefined = v.schema?.openAPIV3Schema;
    const sub = v.subresources ?? {};
    const scale: ScalePaths | undefined = isPlainObject(sub.scale)
      ? {
          specReplicasPath: sub.scale.specReplicasPath,
          statusReplicasPath: sub.scale.statusReplicasPath,
          ...(sub.scale.labelSelectorPath ? { labelSelectorPath: sub.scale.labelSelectorPath } : {}),
        }
      : undefined;
    const apiVersion = group ? `${group}/${v.name}` : v.name;
    const storageApiVersion = `${group}/${storageVersion}`;
    const hasStatus = isPlainObject(sub.status);
    const own = shapeOfSchema(schema);
    const shape: Shape = {
      type: "object",
      fields: { ...(own?.fields ?? {}), apiVersion: { type: "string" }, kind: { type: "string" }, metadata: objectMeta },
    };
    const fieldSelectors: Record<string, (o: KObject) => string> = {};
    for (const f of Array.isArray(v.selectableFields) ? v.selectableFields : []) {
      if (typeof f?.jsonPath !== "string") continue;
      const steps = parseJsonPath(f.jsonPath);
      fieldSelectors[simplePath(f.jsonPath).join(".")] = (o) => {
        const x = evaluate(steps, o)[0];
        return x === undefined || x === null ? "" : typeof x === "string" ? x : JSON.stringify(x);
      };
    }
    const info: CustomResource = {
      crd: crd.metadata.name,
      storageVersion,
      ...(schema ? { schema } : {}),
      ...(scale ? { scale } : {}),
      terminating,
      ...(v.deprecated ? { deprecationWarning: v.deprecationWarning ?? `${group}/${v.name} ${accepted.kind} is deprecated` } : {}),
    };
    out.push(
      define({
        group,
        version: v.name,
        kind: accepted.kind,
        listKind: accepted.listKind ?? `${accepted.kind}List`,
        plural: accepted.plural,
        singular: accepted.singular ?? accepted.kind.toLowerCase(),
        namespaced: spec.scope !== "Cluster",
        shortNames: accepted.shortNames ?? [],
        categories: accepted.categories ?? [],
        status: hasStatus,
        scale: !!scale,
        generation: true,
        strategicMerge: false,
        shape,
        fieldSelectors,
        printer: printerOf(Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns : []),
        custom: info,
        fromStorage(o) {
          const c = clone(o);
          c.apiVersion = apiVersion;
          prune(c, schema);
          defaultObject(c, schema);
          return c;
        },
        toStorage(o) {
          return o.apiVersion === storageApiVersion ? o : { ...o, apiVersion: storageApiVersion };
        },
        defaults: (o) => defaultObject(o, schema),
        prepareCreate(o) {
          if (hasStatus) delete o.status;
        },
        validate(o, old) {
          const errs = schema ? [...validateValue(o, schema), ...validateListTypes(o, schema), ...validateEmbedded(o, schema)] : [];
          errs.push(...validateScale(o, scale, "spec"), ...validateScale(o, scale, "status"));
          return old ? ratchet(errs, o, old) : errs;
        },
        validateStatus(o, old) {
          const statusSchema = schema?.properties?.status;
          const errs = statusSchema
            ? [
                ...validateValue(o.status, statusSchema, "status"),
                ...validateListTypes(o.status, statusSchema, "status"),
                ...validateEmbedded(o.status, statusSchema, "status"),
              ]
            : [];
          errs.push(...validateScale(o, scale, "status"));
          return ratchet(errs, o, old);
        },
      }),
    );
  }
  return out;
}

/** The Scale of a custom resource, from its scale paths. */
export function customScale(o: KObject, scale: ScalePaths): KObject {
  const spec = nestedInt(o, scale.specReplicasPath);
  const status = nestedInt(o, scale.statusReplicasPath);
  const selector = scale.labelSelectorPath ? nested(o, scale.labelSelectorPath, "string").value : undefined;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      uid: o.metadata.uid,
      resourceVersion: o.metadata.resourceVersion,
      creationTimestamp: o.metadata.creationTimestamp,
    },
    spec: { replicas: spec.value ?? 0 },
    status: { replicas: status.value ?? 0, ...(typeof selector === "string" && selector ? { selector } : {}) },
  };
}

/** Sets the spec replicas of a custom resource at its scale path, creating the objects on the way. */
export function setCustomReplicas(o: KObject, scale: ScalePaths, replicas: number): void {
  const parts = simplePath(scale.specReplicasPath);
  let node: KObject = o;
  for (const p of parts.slice(0, -1)) node = isPlainObject(node[p]) ? node[p] : (node[p] = {});
  node[parts[parts.length - 1]!] = replicas;
}

// ---------- serving what the stored CRDs say ----------

/** Keeps the registry serving exactly what the stored, established CRDs define. */
export class CustomResources {
  /** What each CRD is served as, to rebuild its types only when that changes. */
  private readonly serving = new Map<string, string>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly registry: Registry,
  ) {
    for (const crd of store.list(CRD_STORAGE)) this.sync(crd.metadata.name, crd);
    this.unsubscribe = store.subscribe((e: StoreEvent) => {
      if (e.gr === CRD_STORAGE) this.sync(e.object.metadata.name, e.type === "DELETED" ? undefined : e.object);
    });
  }

  private sync(name: string, crd: KObject | undefined): void {
    const signature = crd
      ? JSON.stringify({
          spec: crd.spec,
          names: crd.status?.acceptedNames,
          established: conditionTrue(crd, "Established"),
          terminating: !!crd.metadata.deletionTimestamp,
        })
      : "";
    if ((this.serving.get(name) ?? "") === signature) return;
    if (signature) this.serving.set(name, signature);
    else this.serving.delete(name);
    this.registry.setCustom(name, crd ? customResourceTypes(crd) : []);
  }

  close(): void {
    this.unsubscribe();
  }
}
