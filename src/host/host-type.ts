/**
 * The types a host function declares for its parameters and result (D17). They are checked
 * strictly at the call (D31), printed by `ko doc`, and read by the type checker.
 *
 * Besides basic values, sequences, varieties and opaque handles, a binding can declare the
 * shape of the structures it takes and gives: a *record* is a closed structure whose fields are
 * known by name (a Kubernetes object: a field it does not declare is an error, statically and
 * at the call), a *map* a structure whose field names are free but whose values all have one
 * type (labels), and `oneOf` a value of any of several types (Kubernetes' IntOrString).
 */
import { closest } from "../diag/suggest.js";
import { hostArgumentError, type ParamSpec } from "./binding.js";
import { basicTypeOf, EMPTY, IntVal, Opaque, Seq, Struct, Variety, type BasicType, type Value } from "../value/value.js";

export type HostType =
  | { readonly k: "any" }
  | { readonly k: "basic"; readonly t: BasicType }
  /** Any integer type, signed or unsigned. */
  | { readonly k: "integer" }
  | { readonly k: "variety" }
  | { readonly k: "empty" }
  /** One value or a sequence of them (lifted by the function). */
  | { readonly k: "list"; readonly of: HostType }
  /** A structure; of the fields named here the types are known (others may be present). */
  | { readonly k: "struct"; readonly fields: Readonly<Record<string, HostType>> }
  /** A closed structure: only the fields its schema names, each of its type, all optional. */
  | { readonly k: "record"; readonly schema: RecordSchema }
  /** A structure whose every field, whatever its name, has type `of`. */
  | { readonly k: "map"; readonly of: HostType }
  /** A value of any one of these types. */
  | { readonly k: "oneOf"; readonly of: readonly HostType[] }
  | { readonly k: "opaque"; readonly name: string };

/**
 * The fields of a record type. Schemas may refer to each other and to themselves (a JSON
 * schema's properties are JSON schemas), so field types are looked up by name, on demand,
 * rather than spelled out as one tree.
 */
export interface RecordSchema {
  /** How messages, hover and `ko doc` name the type: V1StatefulSet. */
  readonly name: string;
  /** The type of field `name`, or undefined: the record has no such field. */
  field(name: string): HostType | undefined;
  /** Every field, in the schema's order (for completion and did-you-mean). */
  fieldNames(): readonly string[];
  /** What field `name` is for, if the schema says. */
  fieldDoc?(name: string): string | undefined;
}

export const T = {
  any: { k: "any" } as HostType,
  bool: { k: "basic", t: "Bool" } as HostType,
  string: { k: "basic", t: "String" } as HostType,
  int64: { k: "basic", t: "Int64" } as HostType,
  float64: { k: "basic", t: "Float64" } as HostType,
  integer: { k: "integer" } as HostType,
  variety: { k: "variety" } as HostType,
  empty: { k: "empty" } as HostType,
  list: (of: HostType): HostType => ({ k: "list", of }),
  struct: (fields: Record<string, HostType>): HostType => ({ k: "struct", fields }),
  record: (schema: RecordSchema): HostType => ({ k: "record", schema }),
  map: (of: HostType): HostType => ({ k: "map", of }),
  oneOf: (...of: HostType[]): HostType => ({ k: "oneOf", of }),
  opaque: (name: string): HostType => ({ k: "opaque", name }),
};

/**
 * A record schema from a table of fields (and of their docs). Each table is made once, at the
 * first question, so that a family of schemas that refer to each other can be built before any
 * of them is asked, and declaring a record costs nothing until it is used.
 */
export function recordSchema(
  name: string,
  fields: () => Readonly<Record<string, HostType>>,
  docs?: () => Readonly<Record<string, string>>,
): RecordSchema {
  let table: Readonly<Record<string, HostType>> | undefined;
  let docTable: Readonly<Record<string, string>> | undefined;
  const get = () => (table ??= fields());
  return {
    name,
    field: (f) => (Object.hasOwn(get(), f) ? get()[f] : undefined),
    fieldNames: () => Object.keys(get()),
    fieldDoc: docs ? (f) => (docTable ??= docs())[f] : undefined,
  };
}

export function showHostType(t: HostType): string {
  switch (t.k) {
    case "any":
      return "Any";
    case "basic":
      return t.t;
    case "integer":
      return "Integer";
    case "variety":
      return "Variety";
    case "empty":
      return "Empty";
    case "list":
      return `(${showHostType(t.of)})`;
    case "struct":
      return `(${Object.entries(t.fields)
        .map(([k, v]) => `${k}: ${showHostType(v)}`)
        .join(", ")})`;
    case "record":
      return t.schema.name;
    case "map":
      return `(...: ${showHostType(t.of)})`;
    case "oneOf":
      return t.of.map(showHostType).join(" | ");
    case "opaque":
      return t.name;
  }
}

/** True if `v` (never Empty here) has host type `t`. */
export function hasHostType(v: Value, t: HostType): boolean {
  return problemWith(v, t, "") === undefined;
}

/**
 * What is wrong with `v` as a value of `t`, or undefined if nothing is. `path` is the path of
 * fields that led here (`spec.template`), so that a deep mistake in a manifest is named where
 * it is. Empty fields of structures are absent fields (reference 4.4), so they are never wrong.
 */
export function problemWith(v: Value, t: HostType, path: string): string | undefined {
  switch (t.k) {
    case "any":
      return undefined;
    case "basic":
      return basicTypeOf(v) === t.t ? undefined : mismatch(v, t, path);
    case "integer":
      return typeof v === "number" || typeof v === "bigint" || v instanceof IntVal ? undefined : mismatch(v, t, path);
    case "variety":
      return v instanceof Variety ? undefined : mismatch(v, t, path);
    case "empty":
      return v === EMPTY ? undefined : mismatch(v, t, path);
    case "list":
      if (!(v instanceof Seq)) {
        const p = problemWith(v, t.of, path);
        return p === undefined || structured(t.of) ? p : mismatch(v, t, path);
      }
      for (let i = 0; i < v.items.length; i++) {
        const item = v.items[i]!;
        const p = problemWith(item, t.of, path);
        if (p !== undefined) return structured(t.of) ? p : mismatch(v, t, path, `a sequence whose element ${i + 1} is ${describe(item)}`);
      }
      return undefined;
    case "struct":
      return v instanceof Struct ? undefined : mismatch(v, t, path);
    case "record":
      if (!(v instanceof Struct)) return mismatch(v, t, path);
      for (const f of v.fields) {
        if (f.value === EMPTY) continue;
        const ft = f.name === "" ? undefined : t.schema.field(f.name);
        if (ft === undefined) return noSuchField(t.schema, f.name, path);
        const p = problemWith(f.value, ft, join(path, f.name));
        if (p !== undefined) return p;
      }
      return undefined;
    case "map":
      if (!(v instanceof Struct)) return mismatch(v, t, path);
      for (const f of v.fields) {
        const p = f.value === EMPTY ? undefined : problemWith(f.value, t.of, join(path, f.name));
        if (p !== undefined) return p;
      }
      return undefined;
    case "oneOf":
      return t.of.some((o) => problemWith(v, o, path) === undefined) ? undefined : mismatch(v, t, path);
    case "opaque":
      return v instanceof Opaque && v.hostType === t.name ? undefined : mismatch(v, t, path);
  }
}

/** The field of `schema` that `name` probably meant, if one is close. */
export function closestField(schema: RecordSchema, name: string): string | undefined {
  return closest(name, schema.fieldNames());
}

/** `field x: V1Container has no field imagee (did you mean image?)`. */
export function noSuchField(schema: RecordSchema, name: string, path: string): string {
  const where = path === "" ? "" : `field ${path}: `;
  const guess = closestField(schema, name);
  const shown = name === "" ? "? (an unnamed field)" : name;
  return `${where}${schema.name} has no field ${shown}${guess ? ` (did you mean ${guess}?)` : ""}`;
}

function mismatch(v: Value, t: HostType, path: string, got = describe(v)): string {
  const what = `expects ${showHostType(t)}, got ${got}`;
  return path === "" ? what : `field ${path}: ${what}`;
}

/** Whether what is wrong with a value of `t` is best said from inside it (a field's path). */
function structured(t: HostType): boolean {
  return t.k === "record" || t.k === "map";
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

/** Checks one argument against its declaration; returns it (Empty when missing and optional). */
export function checkHostType(v: Value | undefined, p: ParamSpec, fn: string, type: HostType = p.type): Value {
  if (v === undefined || v === EMPTY) {
    if (p.optional) return EMPTY;
    throw hostArgumentError(fn, p.name, "missing");
  }
  const problem = problemWith(v, type, "");
  if (problem !== undefined) throw hostArgumentError(fn, p.name, problem);
  return v;
}

function describe(v: Value): string {
  const b = basicTypeOf(v);
  if (b) return b;
  if (v instanceof Seq) return "a sequence";
  if (v instanceof Struct) return "a structure";
  if (v instanceof Variety) return "a variety";
  if (v instanceof Opaque) return v.hostType;
  return "a value";
}
