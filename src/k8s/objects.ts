/**
 * Between Ko values and Kubernetes JSON.
 *
 * Ko → JSON follows the client's model metadata (`attributeTypeMap`): Ko writes a one-element
 * list as the element itself (reference 4.4), so wherever the schema says `Array<...>` a single value
 * is wrapped. JSON → Ko keeps field order; timestamps become RFC 3339 strings; the values of a
 * Secret's `data` and `stringData` become opaque values that print as `<redacted>`.
 */
import { dataList } from "../value/sequence.js";
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, type Field, type Value } from "../value/value.js";

/** The host type of a redacted secret value: `Show`, `Peek` and errors print `<redacted>`. */
export const REDACTED = "redacted";

/** A model class of @kubernetes/client-node, as far as its metadata goes. */
interface Model {
  getAttributeTypeMap?(): readonly { name: string; baseName: string; type: string }[];
}
export type Models = Record<string, unknown>;

/** The model name of a kind: V1StatefulSet for apps/v1 StatefulSet. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.slice(apiVersion.lastIndexOf("/") + 1);
  return version.charAt(0).toUpperCase() + version.slice(1) + kind;
}

/** A Ko value as plain JSON, shaped by the model `type` when the client has one. */
export function toJson(v: Value, type: string | undefined, models: Models): unknown {
  const plain = plainJson(v);
  return type ? shape(plain, type, models) : plain;
}

function plainJson(v: Value): unknown {
  if (v === EMPTY) return undefined;
  switch (typeof v) {
    case "boolean":
    case "string":
    case "number":
      return v;
    case "bigint":
      return Number(v);
  }
  if (v instanceof IntVal) return Number(v.v);
  if (v instanceof FloatVal) return v.v;
  if (v instanceof Seq) return v.items.map(plainJson);
  if (v instanceof Opaque) return v.hostType === REDACTED ? v.value : undefined;
  if (v instanceof Struct) {
    const o: Record<string, unknown> = {};
    for (const f of v.fields) if (f.value !== EMPTY) o[f.name] = plainJson(f.value);
    return o;
  }
  return undefined;
}

function shape(x: unknown, type: string, models: Models): unknown {
  if (x === undefined || x === null) return x;
  const r = readingOf(type, models);
  switch (r.k) {
    case "list":
      return (Array.isArray(x) ? x : [x]).map((e) => shape(e, r.of, models));
    case "map":
      if (typeof x !== "object") return x;
      return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, shape(e, r.of, models)]));
    case "model": {
      if (typeof x !== "object" || Array.isArray(x)) return x;
      // The client's serializer reads a model's fields by their TypeScript names (`_from` for
      // `from`, `x_kubernetes_list_type` for `x-kubernetes-list-type`) and writes the JSON names.
      const out: Record<string, unknown> = {};
      for (const k in x) {
        const e = (x as Record<string, unknown>)[k];
        const i = r.index.get(k);
        if (i === undefined) out[k] = e;
        else out[r.fields[i]!] = shape(e, r.types[i]!, models);
      }
      return out;
    }
    default:
      return x;
  }
}

/**
 * What the client gives back (a model object, named as TypeScript names its fields) as a Ko
 * value with the JSON names a manifest uses. Plain JSON passes through unchanged.
 */
export function fromClient(x: unknown, type: string | undefined, models: Models, secret = false): Value {
  return fromJson(type ? jsonNames(x, type, models) : x, secret);
}

function jsonNames(x: unknown, type: string, models: Models): unknown {
  if (x === undefined || x === null || typeof x !== "object" || x instanceof Date) return x;
  if (!renames(type, models)) return x; // nearly every model: nothing to rename anywhere in it
  const array = /^Array<(.*)>$/.exec(type);
  if (array) return Array.isArray(x) ? x.map((e) => jsonNames(e, array[1]!, models)) : x;
  const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
  if (map) return Object.fromEntries(Object.entries(x).map(([k, e]) => [k, jsonNames(e, map[1]!, models)]));
  const attributes = (models[type] as Model | undefined)?.getAttributeTypeMap?.();
  if (!attributes || Array.isArray(x)) return x;
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(x)) {
    const a = attributes.find((at) => at.name === k);
    out[a ? a.baseName : k] = a ? jsonNames(e, a.type, models) : e;
  }
  return out;
}

/**
 * Of each set of models (the client has one), whether a type renames, by type: worked out from
 * modelsThatRename at the first use of the set, and remembered per type string as it is asked,
 * since every object read asks it of its own type.
 */
const renamingOf = new WeakMap<Models, { readonly models: ReadonlySet<string>; readonly byType: Map<string, boolean> }>();

/** Whether a value of the client's `type` may hold a field whose TypeScript and JSON names differ. */
function renames(type: string, models: Models): boolean {
  let renaming = renamingOf.get(models);
  if (renaming === undefined) renamingOf.set(models, (renaming = { models: modelsThatRename(models), byType: new Map() }));
  let known = renaming.byType.get(type);
  if (known === undefined) renaming.byType.set(type, (known = renaming.models.has(innerType(type))));
  return known;
}

/** The model a type is about: the element of `Array<T>` and the value of a map. */
function innerType(type: string): string {
  const inner = /^Array<(.*)>$/.exec(type)?.[1] ?? /^\{ \[key: string\]: (.*); \}$/.exec(type)?.[1];
  return inner === undefined ? type : innerType(inner);
}

/**
 * The models with a renamed field somewhere inside them: those with one of their own, then,
 * until nothing changes, those with a field of a model already found (models contain
 * themselves and each other, so this is a fixpoint rather than a recursion).
 */
function modelsThatRename(models: Models): Set<string> {
  const fields = new Map<string, readonly { name: string; baseName: string; type: string }[]>();
  for (const [name, m] of Object.entries(models)) {
    const attributes = (m as Model | undefined)?.getAttributeTypeMap?.();
    if (attributes) fields.set(name, attributes);
  }
  const found = new Set<string>();
  for (const [name, attributes] of fields) if (attributes.some((a) => a.name !== a.baseName)) found.add(name);
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, attributes] of fields) {
      if (!found.has(name) && attributes.some((a) => found.has(innerType(a.type)))) {
        found.add(name);
        grew = true;
      }
    }
  }
  return found;
}

/** Kubernetes JSON (or a client model object) as a Ko value. */
export function fromJson(x: unknown, secret = false): Value {
  if (x === null || x === undefined) return EMPTY;
  switch (typeof x) {
    case "boolean":
    case "string":
      return x;
    case "number":
      return Number.isSafeInteger(x) ? x : new FloatVal("Float64", x);
  }
  if (x instanceof Date) return x.toISOString().replace(/\.000Z$/, "Z");
  if (Array.isArray(x)) {
    return dataList(x.map((e) => fromJson(e)));
  }
  if (typeof x === "object") {
    const o = x as Record<string, unknown>;
    const isSecret = secret || o.kind === "Secret";
    const fields: Field[] = [];
    for (const [k, e] of Object.entries(o)) {
      if (k === "managedFields") continue; // bookkeeping of server-side apply; kubectl hides it too
      const value =
        isSecret && (k === "data" || k === "stringData") && e && typeof e === "object"
          ? redacted(e)
          : fromJson(e, isSecret && k === "items");
      if (value !== EMPTY) fields.push({ name: k, value, monadic: false });
    }
    // An empty object stays the empty structure, as encoding/json reads it: `emptyDir: {}` means
    // something (a scratch volume), and an object read, printed or applied again must keep it.
    return new Struct(fields);
  }
  return EMPTY;
}

function redacted(data: object): Value {
  const fields = Object.entries(data).map(([k, v]): Field => ({ name: k, value: new Opaque(REDACTED, v), monadic: false }));
  return fields.length === 0 ? EMPTY : new Struct(fields);
}

/**
 * How the client's deserializer reads a value of one type: as it is, as a date, as a list, a map or
 * a model (and, the other way, how `shape` writes one for its serializer).
 */
type Reading =
  | { readonly k: "as-is" }
  | { readonly k: "date" }
  | { readonly k: "list" | "map"; readonly of: string }
  | {
      readonly k: "model";
      /** The model's fields as the JSON names them, in the model's order, and the type of each. */
      readonly names: readonly string[];
      readonly types: readonly string[];
      /** The same fields as the client's TypeScript names them (`_from` for `from`). */
      readonly fields: readonly string[];
      /** Where each JSON name is in `names`. */
      readonly index: ReadonlyMap<string, number>;
    };

/** The types the client's deserializer passes through (its `primitives`). */
const PRIMITIVES = new Set(["string", "boolean", "double", "integer", "long", "float", "number", "any"]);

/** Of each set of models, how each type is read, by type string, worked out at its first use. */
const readingsOf = new WeakMap<Models, Map<string, Reading>>();

function readingOf(type: string, models: Models): Reading {
  let readings = readingsOf.get(models);
  if (readings === undefined) readingsOf.set(models, (readings = new Map()));
  let r = readings.get(type);
  if (r === undefined) {
    const array = /^Array<(.*)>$/.exec(type);
    const map = /^\{ \[key: string\]: (.*); \}$/.exec(type);
    const attributes = (models[type] as Model | undefined)?.getAttributeTypeMap?.();
    r = PRIMITIVES.has(type.toLowerCase())
      ? { k: "as-is" }
      : array
        ? { k: "list", of: array[1]! }
        : map
          ? { k: "map", of: map[1]! }
          : type === "Date"
            ? { k: "date" }
            : attributes
              ? {
                  k: "model",
                  names: attributes.map((a) => a.baseName),
                  types: attributes.map((a) => a.type),
                  fields: attributes.map((a) => a.name),
                  index: new Map(attributes.map((a, i) => [a.baseName, i])),
                }
              : { k: "as-is" };
    readings.set(type, r);
  }
  return r;
}

/**
 * Kubernetes JSON, as the server sent it, as the Ko value `fromClient` makes of the client's model
 * object of `type` — in one pass, without the model object between them. What the client's
 * deserializer does, this does too: a model keeps the fields its model declares, in the model's
 * order; a date is read as a Date (so printed as fromJson prints one); lists, maps and everything
 * else pass through. And what fromJson does, this does too: managedFields left out, a Secret's
 * `data` and `stringData` redacted. For the model types of the client (none has a discriminator).
 */
export function fromModelJson(x: unknown, type: string, models: Models, secret = false): Value {
  if (x === null || x === undefined) return EMPTY;
  const r = readingOf(type, models);
  switch (r.k) {
    case "as-is":
      return fromJson(x, secret);
    case "date":
      return fromJson(new Date(x as string));
    case "list": {
      // Like the deserializer's for...of, which reads a string as its characters and fails on a non-iterable.
      return dataList((Array.isArray(x) ? x : [...(x as Iterable<unknown>)]).map((e) => fromModelJson(e, r.of, models)));
    }
    case "map": {
      const o = x as Record<string, unknown>;
      // fromJson sees the map's `kind` as read: a plain value only where the map's values pass through.
      const kind = readingOf(r.of, models).k === "as-is" ? o.kind : undefined;
      return objectValue(Object.keys(o), o, r.of, secret || kind === "Secret", models);
    }
    case "model": {
      const o = x as Record<string, unknown>;
      // A model with a `kind` field: a Secret's data is redacted.
      const kind = r.index.has("kind") ? o.kind : undefined;
      return objectValue(r.names, o, r.types, secret || kind === "Secret", models);
    }
  }
}

/**
 * A model object or a map, as fromJson makes a structure of one: its fields in order, each of its
 * type (`types`, one per key, or one for all the values of a map).
 */
function objectValue(
  keys: readonly string[],
  o: Record<string, unknown>,
  types: readonly string[] | string,
  isSecret: boolean,
  models: Models,
): Value {
  const fields: Field[] = [];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k === "managedFields") continue;
    const e = o[k];
    if (e === undefined || e === null) continue;
    const value =
      isSecret && (k === "data" || k === "stringData") && typeof e === "object"
        ? redacted(e)
        : fromModelJson(e, typeof types === "string" ? types : types[i]!, models, isSecret && k === "items");
    if (value !== EMPTY) fields.push({ name: k, value, monadic: false });
  }
  return new Struct(fields);
}
