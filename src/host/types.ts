/**
 * The types a host function declares for its parameters and result (D17). They are checked
 * strictly at the call (D31), printed by `ko doc`, and read by the type checker.
 */
import { hostArgumentError, type ParamSpec } from "./binding.js";
import { basicTypeOf, EMPTY, IntVal, Opaque, Seq, Struct, Variety, type BasicType, type Value } from "../runtime/value.js";

export type HostType =
  | { readonly k: "any" }
  | { readonly k: "basic"; readonly t: BasicType }
  /** Any integer type, signed or unsigned. */
  | { readonly k: "integer" }
  | { readonly k: "variety" }
  | { readonly k: "empty" }
  /** One value or a sequence of them (lifted by the function). */
  | { readonly k: "list"; readonly of: HostType }
  | { readonly k: "struct"; readonly fields: Readonly<Record<string, HostType>> }
  | { readonly k: "opaque"; readonly name: string };

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
  opaque: (name: string): HostType => ({ k: "opaque", name }),
};

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
    case "opaque":
      return t.name;
  }
}

/** True if `v` (never Empty here) has host type `t`. */
export function hasHostType(v: Value, t: HostType): boolean {
  switch (t.k) {
    case "any":
      return true;
    case "basic":
      return basicTypeOf(v) === t.t;
    case "integer":
      return typeof v === "number" || typeof v === "bigint" || v instanceof IntVal;
    case "variety":
      return v instanceof Variety;
    case "empty":
      return v === EMPTY;
    case "list":
      return v instanceof Seq ? v.items.every((e) => hasHostType(e, t.of)) : hasHostType(v, t.of);
    case "struct":
      return v instanceof Struct;
    case "opaque":
      return v instanceof Opaque && v.hostType === t.name;
  }
}

/** Checks one argument against its declaration; returns it (Empty when missing and optional). */
export function checkHostType(v: Value | undefined, p: ParamSpec, fn: string): Value {
  if (v === undefined || v === EMPTY) {
    if (p.optional) return EMPTY;
    throw hostArgumentError(fn, p.name, "missing");
  }
  if (!hasHostType(v, p.type)) {
    throw hostArgumentError(fn, p.name, `expects ${showHostType(p.type)}, got ${describeMismatch(v, p.type)}`);
  }
  return v;
}

/** Names what is wrong: for a list, the first element of the wrong type. */
function describeMismatch(v: Value, t: HostType): string {
  if (t.k === "list" && v instanceof Seq) {
    const i = v.items.findIndex((e) => !hasHostType(e, t.of));
    if (i >= 0) return `a sequence whose element ${i + 1} is ${describe(v.items[i]!)}`;
  }
  return describe(v);
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
