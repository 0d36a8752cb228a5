/**
 * Structural schemas (the openAPIV3Schema of a CustomResourceDefinition version) and what the API
 * server does with them: validation of custom resources with kube-openapi's checks and wording as
 * apiextensions-apiserver reports them (validation/validation.go), pruning of unknown fields
 * (structural/pruning), defaulting and the pruning of non-nullable nulls (structural/defaulting),
 * the list-type checks (listtype), the structural checks a CRD's schema must pass
 * (structural/validation.go), and the shapes server-side apply and the OpenAPI documents use.
 */
import { isIPv4, isIPv6 } from "node:net";
import { type FieldError, forbiddenField, invalidField, Rendered, requiredField, tooLong, tooMany, typeInvalid } from "./errors.js";
import { isPlainObject } from "./fields.js";
import { objectMeta, type Shape } from "./shapes.js";
import { deepEqual } from "./util.js";
import { validateName } from "./validation.js";

/** apiextensions.k8s.io/v1 JSONSchemaProps, as the CRD carries it. */
export interface JSONSchemaProps {
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  $ref?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: string;
  "x-kubernetes-validations"?: unknown[];
  [extension: string]: unknown;
}

const PRESERVE = "x-kubernetes-preserve-unknown-fields";
const INT_OR_STRING = "x-kubernetes-int-or-string";
const EMBEDDED = "x-kubernetes-embedded-resource";
const LIST_TYPE = "x-kubernetes-list-type";
const LIST_KEYS = "x-kubernetes-list-map-keys";

const additional = (s: JSONSchemaProps): JSONSchemaProps | undefined =>
  isPlainObject(s.additionalProperties) ? s.additionalProperties : undefined;

// ---------- validation of values (kube-openapi, as apiextensions reports it) ----------

/** The JSON type of a decoded value, as kube-openapi's type validator infers it. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  if (typeof v === "string" || typeof v === "boolean") return typeof v;
  return "object";
}

/** Go's %q for the strings these messages quote. */
const quote = (s: string) => JSON.stringify(s);

class Validator {
  readonly errors: FieldError[] = [];
  constructor(
    /** The field path errors are reported under (undefined: the nil path, "<nil>"). */
    private readonly prefix: string | undefined,
  ) {}

  /** The field path of kube-openapi's name for a node ("spec.replicas", ".spec" for a root property's required check). */
  field(name: string): string {
    const rel = name.replace(/^\./, "");
    if (!rel || name === ".") return this.prefix ?? "<nil>";
    return this.prefix ? `${this.prefix}.${rel}` : rel;
  }

  /** A composite error (anyOf, oneOf...): reported at the validator's own path, with an empty value. */
  composite(message: string): void {
    this.errors.push(invalidField(this.prefix ?? "<nil>", "", message));
  }

  node(data: unknown, s: JSONSchemaProps | undefined, name: string): void {
    if (!s) return;
    const types = s[INT_OR_STRING] ? ["integer", "string"] : s.type ? [s.type] : [];
    if (data === null || data === undefined) {
      if (types.length && !s.nullable)
        this.errors.push(typeInvalid(this.field(name), "null", `${name} in body must be of type ${types.join(",")}: "null"`));
      this.enumCheck(data, s, name);
      return;
    }
    const t = jsonType(data);
    if (types.length && !types.includes(t) && !(t === "integer" && types.includes("number")))
      this.errors.push(typeInvalid(this.field(name), t, `${name} in body must be of type ${types.join(",")}: ${quote(t)}`));
    this.junctors(data, s, name);
    if (typeof data === "string") this.string(data, s, name);
    if (typeof data === "number") this.number(data, s, name);
    if (Array.isArray(data)) this.array(data, s, name);
    this.enumCheck(data, s, name);
    if (isPlainObject(data)) this.object(data, s, name);
  }

  private string(v: string, s: JSONSchemaProps, name: string): void {
    const runes = [...v].length;
    if (s.maxLength !== undefined && runes > s.maxLength) this.errors.push(tooLong(this.field(name), s.maxLength));
    if (s.minLength !== undefined && runes < s.minLength)
      this.errors.push(invalidField(this.field(name), v, `${name} in body should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined && !compiled(s.pattern)?.test(v))
      this.errors.push(invalidField(this.field(name), v, `${name} in body should match '${s.pattern}'`));
    if (s.format && !formatValid(s.format, v))
      this.errors.push(typeInvalid(this.field(name), v, `${name} in body must be of type ${s.format}: ${quote(v)}`));
  }

  private number(v: number, s: JSONSchemaProps, name: string): void {
    if (s.multipleOf !== undefined && s.multipleOf > 0 && !Number.isInteger(v / s.multipleOf))
      this.errors.push(invalidField(this.field(name), v, `${name} in body should be a multiple of ${s.multipleOf}`));
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum))
      this.errors.push(
        invalidField(
          this.field(name),
          v,
          `${name} in body should be less than ${s.exclusiveMaximum ? "" : "or equal to "}${goFloat(s.maximum)}`,
        ),
      );
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum))
      this.errors.push(
        invalidField(
          this.field(name),
          v,
          `${name} in body should be greater than ${s.exclusiveMinimum ? "" : "or equal to "}${goFloat(s.minimum)}`,
        ),
      );
  }

  private array(v: unknown[], s: JSONSchemaProps, name: string): void {
    if (s.items) v.forEach((item, i) => this.node(item, s.items, `${name}[${i}]`));
    if (s.minItems !== undefined && v.length < s.minItems)
      this.errors.push(invalidField(this.field(name), v.length, `${name} in body should have at least ${s.minItems} items`));
    if (s.maxItems !== undefined && v.length > s.maxItems) this.errors.push(tooMany(this.field(name), v.length, s.maxItems));
    if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => deepEqual(x, y)) !== i))
      this.errors.push(invalidField(this.field(name), "", `${name} in body shouldn't contain duplicates`));
  }

  private object(v: Record<string, unknown>, s: JSONSchemaProps, name: string): void {
    const n = Object.keys(v).length;
    if (s.minProperties !== undefined && n < s.minProperties) {
      this.errors.push(invalidField(this.field(name), n, `${name} in body should have at least ${s.minProperties} properties`));
      return;
    }
    if (s.maxProperties !== undefined && n > s.maxProperties) {
      this.errors.push(tooMany(this.field(name), n, s.maxProperties));
      return;
    }
    const extra = additional(s);
    if (extra) for (const [k, x] of Object.entries(v)) if (!s.properties || !(k in s.properties)) this.node(x, extra, `${name}.${k}`);
    for (const [k, p] of Object.entries(s.properties ?? {})) if (k in v) this.node(v[k], p, name ? `${name}.${k}` : k);
    for (const k of s.required ?? []) if (!(k in v)) this.errors.push(requiredField(this.field(`${name}.${k}`)));
  }

  private enumCheck(v: unknown, s: JSONSchemaProps, name: string): void {
    if (!s.enum?.length) return;
    if (v !== undefined && s.enum.some((e) => deepEqual(e, v))) return;
    const values = s.enum.map((e) => JSON.stringify(typeof e === "string" ? e : JSON.stringify(e)));
    this.errors.push({
      type: "FieldValueNotSupported",
      field: this.field(name),
      value: v === undefined ? null : v,
      detail: `supported values: ${values.join(", ")}`,
    });
  }

  /** allOf, anyOf, oneOf and not, with their composite messages and the best alternative's errors. */
  private junctors(v: unknown, s: JSONSchemaProps, name: string): void {
    const run = (alt: JSONSchemaProps) => {
      const sub = new Validator(this.prefix);
      sub.node(v, alt, name);
      return sub.errors;
    };
    if (s.anyOf?.length) {
      const results = s.anyOf.map(run);
      if (!results.some((r) => r.length === 0)) {
        this.composite(`${name} must validate at least one schema (anyOf)`);
        this.errors.push(...fewest(results));
      }
    }
    if (s.oneOf?.length) {
      const results = s.oneOf.map(run);
      const valid = results.filter((r) => r.length === 0).length;
      if (valid !== 1) {
        this.composite(
          `${name} must validate one and only one schema (oneOf). ${valid === 0 ? "Found none valid" : `Found ${valid} valid alternatives`}`,
        );
        if (valid === 0) this.errors.push(...fewest(results));
      }
    }
    if (s.allOf?.length) {
      const results = s.allOf.map(run);
      const valid = results.filter((r) => r.length === 0).length;
      for (const r of results) this.errors.push(...r);
      if (valid !== results.length) this.composite(`${name} must validate all the schemas (allOf)${valid === 0 ? ". None validated" : ""}`);
    }
    if (s.not && run(s.not).length === 0) this.composite(`${name} must not validate the schema (not)`);
  }
}

const fewest = (results: FieldError[][]) => results.reduce((a, b) => (b.length < a.length ? b : a));

/** Go's %v of a float64 bound: 10, 2.5, 1e+21. */
function goFloat(n: number): string {
  return String(n);
}

const patterns = new Map<string, RegExp | null>();
function compiled(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, "u");
    } catch {
      try {
        re = new RegExp(pattern);
      } catch {
        re = null;
      }
    }
    patterns.set(pattern, re);
  }
  return re;
}

/**
 * Validates a value against a schema. `prefix` is the field path errors are reported under: none
 * for a whole custom resource, "status" for a /status write, a schema path for a default.
 */
export function validateValue(data: unknown, s: JSONSchemaProps | undefined, prefix?: string): FieldError[] {
  const v = new Validator(prefix);
  v.node(data, s, "");
  return v.errors;
}

/**
 * The checks of x-kubernetes-embedded-resource objects (validateEmbeddedResource): apiVersion and
 * kind must be there and be strings, a name in their metadata must be a valid name.
 */
export function validateEmbedded(data: unknown, s: JSONSchemaProps | undefined, path = ""): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (v: unknown, sch: JSONSchemaProps | undefined, p: string) => {
    if (!sch) return;
    if (isPlainObject(v)) {
      if (sch[EMBEDDED] && p) {
        for (const f of ["apiVersion", "kind"]) {
          if (!(f in v)) errs.push(requiredField(`${p}.${f}`, "must not be empty"));
          else if (typeof v[f] !== "string") errs.push(invalidField(`${p}.${f}`, v[f], "must be a string"));
          else if (v[f] === "") errs.push(invalidField(`${p}.${f}`, "", "must not be empty"));
        }
        const name = isPlainObject(v.metadata) ? v.metadata.name : undefined;
        if (typeof name === "string" && name) errs.push(...validateName("subdomain", name, `${p}.metadata.name`));
      }
      for (const [k, x] of Object.entries(v)) walk(x, sch.properties?.[k] ?? additional(sch), p ? `${p}.${k}` : k);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, sch.items, `${p}[${i}]`));
  };
  walk(data, s, path);
  return errs;
}

/**
 * Validation ratcheting (CRDValidationRatcheting, on by default in 1.32): on an update, an error
 * about a value the update did not change is dropped, so a tightened schema does not lock old
 * objects. Errors are matched to values by their field path.
 */
export function ratchet(errs: FieldError[], o: unknown, old: unknown): FieldError[] {
  return errs.filter((e) => {
    const path = fieldPath(e.field);
    if (!path) return true;
    return !deepEqual(valueAt(o, path), valueAt(old, path));
  });
}

function fieldPath(field: string): (string | number)[] | undefined {
  if (!field || field === "<nil>") return undefined;
  const out: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field))) out.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return out;
}

function valueAt(v: unknown, path: (string | number)[]): unknown {
  let node: unknown = v;
  for (const p of path) {
    if (typeof p === "number") node = Array.isArray(node) ? node[p] : undefined;
    else node = isPlainObject(node) ? node[p] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

// ---------- formats (the ones apiextensions keeps, as strfmt checks them) ----------

const FORMATS: Record<string, (v: string) => boolean> = {
  bsonobjectid: (v) => /^[0-9a-fA-F]{24}$/.test(v),
  uri: (v) => {
    if (v.startsWith("/")) return true;
    try {
      new URL(v);
      return true;
    } catch {
      return false;
    }
  },
  email: (v) => /^[^\s@<>]+@[^\s@<>]+$/.test(v),
  hostname: (v) =>
    v.length <= 255 &&
    /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u.test(
      v,
    ),
  ipv4: (v) => isIPv4(v),
  ipv6: (v) => isIPv6(v),
  cidr: (v) => {
    const m = /^(.+)\/(\d{1,3})$/.exec(v);
    if (!m) return false;
    const bits = Number(m[2]);
    return (isIPv4(m[1]!) && bits <= 32) || (isIPv6(m[1]!) && bits <= 128);
  },
  mac: (v) => /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/.test(v),
  uuid: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid3: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  uuid4: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  uuid5: (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(v),
  hexcolor: (v) => /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v),
  rgbcolor: (v) => /^rgb\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\)$/.test(v),
  byte: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0,
  password: () => true,
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)),
  datetime: (v) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/.test(v) && !Number.isNaN(Date.parse(v.replace(" ", "T"))),
  duration: (v) =>
    /^(-?(\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$/.test(v) ||
    /^\d+\s*(ns|nano|nanos|nanosecond|nanoseconds|us|micro|micros|microsecond|microseconds|ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)$/.test(
      v,
    ),
  isbn: (v) => /^(\d[- ]?){9}[\dXx]$|^(\d[- ]?){12}\d$/.test(v),
  isbn10: (v) => /^(\d[- ]?){9}[\dXx]$/.test(v),
  isbn13: (v) => /^(\d[- ]?){12}\d$/.test(v),
  creditcard: (v) => /^\d{12,19}$/.test(v.replace(/\D/g, "")),
  ssn: (v) => /^\d{3}[- ]?\d{2}[- ]?\d{4}$/.test(v),
};

/** Formats apiextensions does not know are stripped, so anything passes them. */
function formatValid(format: string, v: string): boolean {
  const check = FORMATS[format.replace(/-/g, "")];
  return check ? check(v) : true;
}

// ---------- list types ----------

/** Go's %#v of a map[string]interface{} of scalars: map[string]interface {}{"name":"a", "port":80}. */
function goMap(m: Record<string, unknown>): string {
  const parts = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${typeof m[k] === "string" ? JSON.stringify(m[k]) : String(m[k])}`);
  return `map[string]interface {}{${parts.join(", ")}}`;
}

/** Duplicates in x-kubernetes-list-type set and map lists (listtype.ValidateListSetsAndMaps). */
export function validateListTypes(data: unknown, s: JSONSchemaProps | undefined, path = ""): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (v: unknown, sch: JSONSchemaProps | undefined, p: string) => {
    if (!sch) return;
    if (Array.isArray(v)) {
      const type = sch[LIST_TYPE];
      if (type === "set") {
        v.forEach((x, i) => {
          if (v.findIndex((y) => deepEqual(x, y)) !== i) errs.push({ type: "FieldValueDuplicate", field: `${p}[${i}]`, value: x });
        });
      } else if (type === "map") {
        const keys = sch[LIST_KEYS] ?? [];
        const seen: Record<string, unknown>[] = [];
        v.forEach((x, i) => {
          if (!isPlainObject(x)) {
            errs.push(invalidField(`${p}[${i}]`, x, "must be an object for an array of list-type map"));
            return;
          }
          const key: Record<string, unknown> = {};
          for (const k of keys) {
            const kv = x[k] ?? sch.items?.properties?.[k]?.default;
            if (kv === undefined) errs.push(requiredField(`${p}[${i}].${k}`));
            else key[k] = kv;
          }
          if (seen.some((other) => deepEqual(other, key)))
            errs.push({ type: "FieldValueDuplicate", field: `${p}[${i}]`, value: new Rendered(goMap(key)) });
          else seen.push(key);
        });
      }
      v.forEach((x, i) => walk(x, sch.items, `${p}[${i}]`));
    } else if (isPlainObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        const child = sch.properties?.[k] ?? additional(sch);
        walk(x, child, p ? `${p}.${k}` : k);
      }
    }
  };
  walk(data, s, path);
  return errs;
}

// ---------- pruning ----------

const META_FIELDS = new Set(["apiVersion", "kind", "metadata"]);

/**
 * Structural pruning, in place: removes fields the schema does not specify, except under
 * x-kubernetes-preserve-unknown-fields. `root` treats the value as a resource (apiVersion, kind
 * and metadata are kept). Returns the paths of what was pruned ("spec.foo", "spec.items[0].bar"),
 * which strict field validation reports.
 */
export function prune(value: unknown, s: JSONSchemaProps | undefined, root = true): string[] {
  const pruned: string[] = [];
  const join = (p: string, k: string) => (p ? `${p}.${k}` : k);
  const embeddedMeta = (x: Record<string, unknown>, k: string, p: string): boolean => {
    if ((k === "apiVersion" || k === "kind") && typeof x[k] === "string") return true;
    if (k === "metadata" && isPlainObject(x[k])) {
      if (p !== "") pruneMetadata(x[k] as Record<string, unknown>, join(p, "metadata"), pruned);
      return true;
    }
    return false;
  };
  const walk = (v: unknown, sch: JSONSchemaProps | undefined, p: string, isRoot: boolean) => {
    const embedded = isRoot || !!sch?.[EMBEDDED];
    if (sch?.[PRESERVE]) {
      skip(v, sch, p, isRoot);
      return;
    }
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        if (embedded && embeddedMeta(v, k, p)) continue;
        const prop = sch?.properties?.[k];
        const extra = sch ? additional(sch) : undefined;
        if (prop) walk(v[k], prop, join(p, k), false);
        else if (extra || sch?.additionalProperties === true) walk(v[k], extra, join(p, k), false);
        else {
          if (!(isRoot && META_FIELDS.has(k))) pruned.push(join(p, k));
          delete v[k];
        }
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, sch?.items, `${p}[${i}]`, false));
  };
  /** Under x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are pruned by their schemas. */
  const skip = (v: unknown, sch: JSONSchemaProps, p: string, isRoot: boolean) => {
    if (isPlainObject(v)) {
      for (const k of Object.keys(v)) {
        if ((isRoot || sch[EMBEDDED]) && META_FIELDS.has(k)) {
          embeddedMeta(v, k, p);
          continue;
        }
        const prop = sch.properties?.[k] ?? additional(sch);
        if (prop) walk(v[k], prop, join(p, k), false);
      }
    } else if (Array.isArray(v) && sch.items) v.forEach((x, i) => skip(x, sch.items!, `${p}[${i}]`, false));
  };
  walk(value, s, "", root);
  return pruned;
}

/** ObjectMeta of an embedded resource keeps the fields ObjectMeta has (schemaobjectmeta.Coerce). */
function pruneMetadata(m: Record<string, unknown>, path: string, pruned: string[]): void {
  for (const k of Object.keys(m))
    if (!objectMeta.fields![k]) {
      pruned.push(`${path}.${k}`);
      delete m[k];
    }
}

/** Removes nulls of non-nullable fields without a default (defaulting fills the others). */
export function pruneNulls(value: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isPlainObject(value)) {
    for (const k of Object.keys(value)) {
      const prop = s.properties?.[k] ?? additional(s);
      if (!prop) continue;
      if (value[k] === null && !prop.nullable && prop.default === undefined) delete value[k];
      else pruneNulls(value[k], prop);
    }
  } else if (Array.isArray(value)) for (const x of value) pruneNulls(x, s.items);
}

// ---------- defaulting ----------

const isNonNullableNull = (v: unknown, s: JSONSchemaProps | undefined) => v === null && !!s && !s.nullable;

/** Applies `default`s in place, top down: a defaulted object is then defaulted by its own schema. */
export function applyDefaults(value: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isPlainObject(value)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!(k in value) || isNonNullableNull(value[k], prop)) value[k] = structuredClone(prop.default);
    }
    const extra = additional(s);
    for (const [k, v] of Object.entries(value)) {
      const prop = s.properties?.[k];
      if (prop) applyDefaults(v, prop);
      else if (extra) {
        if (isNonNullableNull(v, extra) && extra.default !== undefined) value[k] = structuredClone(extra.default);
        applyDefaults(value[k], extra);
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      if (isNonNullableNull(v, s.items) && s.items?.default !== undefined) value[i] = structuredClone(s.items.default);
      applyDefaults(value[i], s.items);
    });
  }
}

/** Prune nulls, then default: what decoding a custom resource, or reading one from storage, does. */
export function defaultObject(o: unknown, s: JSONSchemaProps | undefined): void {
  pruneNulls(o, s);
  applyDefaults(o, s);
}

// ---------- shapes (managed fields, server-side apply) ----------

/** The Shape of a schema: associative lists by their keys, sets, everything else atomic lists. */
export function shapeOfSchema(s: JSONSchemaProps | undefined): Shape | undefined {
  if (!s) return undefined;
  if (s.type === "array" || s.items) {
    const t = s[LIST_TYPE];
    if (t === "map") return { type: "array", list: { type: "map", keys: s[LIST_KEYS] ?? [], ...itemShape(s.items) } };
    if (t === "set") return { type: "array", list: { type: "set" } };
    return { type: "array", list: { type: "atomic", ...itemShape(s.items) } };
  }
  if (s.properties || additional(s)) {
    const out: Shape = { type: "object" };
    if (s.properties) out.fields = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, shapeOfSchema(v) ?? {}]));
    const extra = additional(s);
    if (extra) out.values = shapeOfSchema(extra) ?? {};
    return out;
  }
  if (s.type === "object") return { type: "object" };
  if (s.type === "string" || s.type === "integer" || s.type === "boolean" || s.type === "number") return { type: s.type };
  return {};
}

function itemShape(items: JSONSchemaProps | undefined): { item?: Shape } {
  const shape = shapeOfSchema(items);
  return shape ? { item: shape } : {};
}

// ---------- the checks a CRD's schema must pass ----------

/** How a schema path prints: `openAPIV3Schema.properties[spec].items.type`. */
const key = (p: string, k: string) => `${p}.properties[${k}]`;

const OPENAPI_TYPES = ["array", "boolean", "integer", "number", "object", "string"];

/**
 * The CRD validation of a version's schema at `path` (…openAPIV3Schema): the generic OpenAPI
 * checks, then the structural invariants (sorted, as ValidateStructural sorts them), then the
 * defaults, which must validate against their schema and have nothing to prune.
 */
export function validateCrdSchema(s: JSONSchemaProps, path: string): FieldError[] {
  const generic = genericChecks(s, path, true);
  if (generic.length) return generic;
  const structural: FieldError[] = [];
  invariants(s, "root", path, structural);
  if (s.nullable) structural.push(forbiddenField(`${path}.nullable`, "nullable cannot be true at the root"));
  if (structural.length) {
    const text = (e: FieldError) => `${e.field}: ${e.detail ?? ""}`;
    return structural.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
  }
  const defaults: FieldError[] = [];
  checkDefaults(s, path, defaults, true);
  return defaults;
}

function genericChecks(s: JSONSchemaProps, path: string, root: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!isPlainObject(s)) return [invalidField(path, s, "must be an object")];
  if (s.$ref !== undefined) errs.push(forbiddenField(`${path}.$ref`, "$ref is not supported"));
  if (s.type !== undefined && !OPENAPI_TYPES.includes(s.type))
    errs.push({
      type: "FieldValueNotSupported",
      field: `${path}.type`,
      value: s.type,
      detail: `supported values: ${OPENAPI_TYPES.map((t) => JSON.stringify(t)).join(", ")}`,
    });
  if (s.uniqueItems === true)
    errs.push(forbiddenField(`${path}.uniqueItems`, "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
  if (s.additionalProperties !== undefined && s.properties !== undefined) {
    if (s.additionalProperties === false)
      errs.push(forbiddenField(`${path}.additionalProperties`, "additionalProperties cannot be set to false"));
    else errs.push(forbiddenField(`${path}.additionalProperties`, "additionalProperties and properties are mutual exclusive"));
  }
  if (s[PRESERVE] === false) errs.push(invalidField(`${path}.x-kubernetes-preserve-unknown-fields`, false, "must be true or undefined"));
  const listType = s[LIST_TYPE];
  if (listType !== undefined) {
    if (!["atomic", "set", "map"].includes(listType))
      errs.push({
        type: "FieldValueNotSupported",
        field: `${path}.x-kubernetes-list-type`,
        value: listType,
        detail: `supported values: "atomic", "map", "set"`,
      });
    else if (s.type !== "array") errs.push(invalidField(`${path}.x-kubernetes-list-type`, listType, "must only be used if type == array"));
  }
  if (listType === "map" && !s[LIST_KEYS]?.length)
    errs.push(requiredField(`${path}.x-kubernetes-list-map-keys`, "must not be empty if x-kubernetes-list-type is map"));
  if (s[LIST_KEYS]?.length && listType !== "map")
    errs.push(forbiddenField(`${path}.x-kubernetes-list-map-keys`, "may only be used with x-kubernetes-list-type set to map"));
  if (listType === "map")
    for (const k of s[LIST_KEYS] ?? [])
      if (!s.items?.properties?.[k])
        errs.push(invalidField(`${path}.x-kubernetes-list-map-keys`, s[LIST_KEYS], "entries must all be names of item properties"));
  if (s.pattern !== undefined && compiled(s.pattern) === null)
    errs.push(invalidField(`${path}.pattern`, s.pattern, "must be a valid regular expression, but isn't"));
  for (const [k, p] of Object.entries(s.properties ?? {})) errs.push(...genericChecks(p, key(path, k), false));
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) errs.push(forbiddenField(`${path}.items`, "items must be a schema object and not an array"));
    else errs.push(...genericChecks(s.items, `${path}.items`, false));
  }
  const extra = additional(s);
  if (extra) errs.push(...genericChecks(extra, `${path}.additionalProperties`, false));
  for (const j of ["allOf", "anyOf", "oneOf"] as const)
    s[j]?.forEach((x, i) => errs.push(...genericChecks(x, `${path}.${j}[${i}]`, false)));
  if (s.not) errs.push(...genericChecks(s.not, `${path}.not`, false));
  if (root && s.properties?.metadata) {
    const m = s.properties.metadata;
    const allowed = Object.keys(m.properties ?? {}).every((k) => k === "name" || k === "generateName");
    if (!allowed || m.default !== undefined)
      errs.push(
        forbiddenField(
          key(path, "metadata"),
          "must not specify anything other than name and generateName, but metadata is implicitly specified",
        ),
      );
  }
  return errs;
}

type Level = "root" | "item" | "field";

function invariants(s: JSONSchemaProps | undefined, lvl: Level, path: string, errs: FieldError[]): void {
  if (!s) return;
  if (s.type === "array" && s.items === undefined) errs.push(requiredField(`${path}.items`, "must be specified"));
  invariants(s.items, "item", `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) invariants(p, "field", key(path, k), errs);
  const extra = additional(s);
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (lvl === "root") errs.push(forbiddenField(`${path}.additionalProperties`, "must not be used at the root"));
    if (extra) invariants(extra, "field", `${path}.additionalProperties`, errs);
  }
  if (s[INT_OR_STRING] && s[PRESERVE])
    errs.push(invalidField(`${path}.x-kubernetes-preserve-unknown-fields`, true, "must be false if x-kubernetes-int-or-string is true"));
  if (s[INT_OR_STRING] && s[EMBEDDED])
    errs.push(invalidField(`${path}.x-kubernetes-embedded-resource`, true, "must be false if x-kubernetes-int-or-string is true"));
  if (s[INT_OR_STRING] && s.type) errs.push(invalidField(`${path}.type`, s.type, "must be empty if x-kubernetes-int-or-string is true"));
  const intOrStringAnyOf = (alts: JSONSchemaProps[] | undefined) =>
    alts?.length === 2 && deepEqual(alts[0], { type: "integer" }) && deepEqual(alts[1], { type: "string" });
  const skipAnyOf = intOrStringAnyOf(s.anyOf);
  if (!skipAnyOf) s.anyOf?.forEach((x, i) => nested(x, `${path}.anyOf[${i}]`, errs));
  s.allOf?.forEach((x, i) => nested(x, `${path}.allOf[${i}]`, errs, i === 0 && intOrStringAnyOf(x.anyOf)));
  s.oneOf?.forEach((x, i) => nested(x, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not, `${path}.not`, errs);
  const embedded = !!s[EMBEDDED];
  if (embedded && s.type !== "object") {
    if (!s.type) errs.push(requiredField(`${path}.type`, "must be object if x-kubernetes-embedded-resource is true"));
    else errs.push(invalidField(`${path}.type`, s.type, "must be object if x-kubernetes-embedded-resource is true"));
  } else if (!s.type && !s[INT_OR_STRING] && !s[PRESERVE]) {
    const detail =
      lvl === "root"
        ? "must not be empty at the root"
        : lvl === "item"
          ? "must not be empty for specified array items"
          : "must not be empty for specified object fields";
    errs.push(requiredField(`${path}.type`, detail));
  }
  if (embedded && s.additionalProperties !== undefined)
    errs.push(forbiddenField(`${path}.additionalProperties`, "must not be used if x-kubernetes-embedded-resource is set"));
  if (lvl === "root" && s.type && s.type !== "object") errs.push(invalidField(`${path}.type`, s.type, "must be object at the root"));
  const checkMeta = lvl === "root" || embedded;
  if (checkMeta) {
    for (const [f, t] of [
      ["kind", "string"],
      ["apiVersion", "string"],
      ["metadata", "object"],
    ] as const) {
      const p = s.properties?.[f];
      if (p && p.type !== t) errs.push(invalidField(`${key(path, f)}.type`, p.type ?? "", `must be ${t}`));
    }
  }
  if (embedded && !s[PRESERVE] && !Object.keys(s.properties ?? {}).length)
    errs.push(
      requiredField(
        `${path}.properties`,
        "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields",
      ),
    );
}

/** Value validations under allOf/anyOf/oneOf/not may not say what the structure is. */
function nested(s: JSONSchemaProps, path: string, errs: FieldError[], skipAnyOf = false): void {
  if (!skipAnyOf) s.anyOf?.forEach((x, i) => nested(x, `${path}.anyOf[${i}]`, errs));
  s.allOf?.forEach((x, i) => nested(x, `${path}.allOf[${i}]`, errs));
  s.oneOf?.forEach((x, i) => nested(x, `${path}.oneOf[${i}]`, errs));
  if (s.not) nested(s.not, `${path}.not`, errs);
  if (s.items) nested(s.items, `${path}.items`, errs);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (k === "metadata") errs.push(forbiddenField(key(path, k), "must not be specified in a nested context"));
    nested(p, key(path, k), errs);
  }
  if (s.type) errs.push(forbiddenField(`${path}.type`, "must be empty to be structural"));
  if (s.additionalProperties !== undefined) errs.push(forbiddenField(`${path}.additionalProperties`, "must be undefined to be structural"));
  if (s.default !== undefined) errs.push(forbiddenField(`${path}.default`, "must be undefined to be structural"));
  if (s.title) errs.push(forbiddenField(`${path}.title`, "must be empty to be structural"));
  if (s.description) errs.push(forbiddenField(`${path}.description`, "must be empty to be structural"));
  if (s.nullable) errs.push(forbiddenField(`${path}.nullable`, "must be false to be structural"));
  for (const [x, word] of [
    [PRESERVE, "false"],
    [EMBEDDED, "false"],
    [INT_OR_STRING, "false"],
  ] as const)
    if (s[x]) errs.push(forbiddenField(`${path}.${x}`, `must be ${word} to be structural`));
  if (s[LIST_KEYS]?.length) errs.push(forbiddenField(`${path}.${LIST_KEYS}`, "must be empty to be structural"));
  if (s[LIST_TYPE] !== undefined) errs.push(forbiddenField(`${path}.${LIST_TYPE}`, "must be undefined to be structural"));
}

/** Each default validates against its schema and has nothing to prune (structuraldefaulting.ValidateDefaults). */
function checkDefaults(s: JSONSchemaProps, path: string, errs: FieldError[], root: boolean): void {
  if (s.default !== undefined) {
    if (root) errs.push(forbiddenField(`${path}.default`, "must not be set at the root"));
    else {
      const copy = structuredClone(s.default);
      const pruned = prune(copy, { ...s, default: undefined }, false);
      if (pruned.length)
        errs.push(
          invalidField(`${path}.default`, s.default, `must not have unknown fields, but has: ${pruned.map((p) => `"${p}"`).join(", ")}`),
        );
      else errs.push(...validateValue(s.default, s, `${path}.default`));
    }
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) checkDefaults(p, key(path, k), errs, false);
  if (s.items) checkDefaults(s.items, `${path}.items`, errs, false);
  const extra = additional(s);
  if (extra) checkDefaults(extra, `${path}.additionalProperties`, errs, false);
}

// ---------- publication ----------

/** The schema as the OpenAPI v3 document publishes it (descriptions, validations and extensions kept). */
export function publishedSchema(s: JSONSchemaProps): JSONSchemaProps {
  return structuredClone(s);
}

/**
 * The schema for OpenAPI v2, which cannot say what v3 can: kube-apiserver drops nullable,
 * value junctors and int-or-string types, and the structure under
 * x-kubernetes-preserve-unknown-fields (old kubectls would refuse unknown fields there).
 */
export function schemaV2(s: JSONSchemaProps): JSONSchemaProps {
  const out: JSONSchemaProps = {};
  if (s[PRESERVE]) {
    if (s.description) out.description = s.description;
    if (s.type) out.type = s.type;
    return out;
  }
  for (const [k, v] of Object.entries(s)) {
    if (["nullable", "allOf", "anyOf", "oneOf", "not", "x-kubernetes-validations"].includes(k)) continue;
    if (k === "properties")
      out.properties = Object.fromEntries(Object.entries(v as Record<string, JSONSchemaProps>).map(([p, x]) => [p, schemaV2(x)]));
    else if (k === "items") out.items = schemaV2(v as JSONSchemaProps);
    else if (k === "additionalProperties" && isPlainObject(v)) out.additionalProperties = schemaV2(v as JSONSchemaProps);
    else out[k] = structuredClone(v);
  }
  if (s[INT_OR_STRING]) delete out.type;
  return out;
}
