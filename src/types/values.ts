/**
 * The static types of known values: the constants of a circuit (literals and function
 * references) and the arguments an entry function is run with.
 */
import { KoFunction } from "../compile/circuit.js";
import type { HostFunction } from "../host/binding.js";
import { typeOf, type ValueType } from "../value/value-type.js";
import { EMPTY as EMPTY_VALUE, FloatVal, IntVal, Opaque, Seq, Struct, Variety, type Field, type Value } from "../value/value.js";
import {
  EMPTY,
  UNKNOWN,
  UNKNOWN_VARIETY,
  basic,
  hostType,
  joinAll,
  maybeEmpty,
  sequence,
  structure,
  variety,
  type Callee,
  type StaticType,
  type TyField,
} from "./static-type.js";

/** Sequences longer than this are typed through their (cached) run-time type, not per element. */
const ELEMENTWISE_LIMIT = 64;

/** The static type of a value; literals keep their value. */
export function tyOfValue(v: Value): StaticType {
  switch (typeof v) {
    case "boolean":
      return basic("Bool", v);
    case "string":
      return basic("String", v);
    case "number":
    case "bigint":
      return basic("Int64", v);
  }
  if (v === EMPTY_VALUE) return EMPTY;
  if (v instanceof IntVal || v instanceof FloatVal) return basic(v.type);
  if (v instanceof Struct) return structure(fieldTypes(v.fields));
  if (v instanceof Seq) {
    const min = v.items.length >= 2 ? 2 : 1;
    if (v.items.length <= ELEMENTWISE_LIMIT) return sequence(joinAll(v.items.map(tyOfValue)), min);
    const t = typeOf(v);
    return sequence(t.kind === "sequence" ? tyOfRuntimeType(t.elem) : UNKNOWN, min);
  }
  if (v instanceof Variety) return variety(calleeOf(v), fieldTypes(v.fields));
  return hostType((v as Opaque).hostType);
}

export function fieldTypes(fields: readonly Field[]): TyField[] {
  return fields.map((f) => ({ name: f.name, type: tyOfValue(f.value) }));
}

/**
 * What a variety value calls. Varieties that builtins make at run time (`Wait`, the methods of
 * a `Memory`) are opaque to the checker.
 */
function calleeOf(v: Variety): Callee {
  const c = v.callable;
  if (c instanceof KoFunction) return { k: "ko", fn: c };
  const host = c as HostFunction;
  if (typeof host.invoke === "function" && host.identity === `${host.pkg}\u0000${host.name}`) return { k: "host", fn: host };
  return { k: "unknown" };
}

/** A run-time type as a static one (a variety's callable is lost: run-time types lack it). */
export function tyOfRuntimeType(t: ValueType): StaticType {
  switch (t.kind) {
    case "basic":
      return basic(t.name);
    case "empty":
      return EMPTY;
    case "optional":
      return maybeEmpty(tyOfRuntimeType(t.elem));
    case "sequence":
      return sequence(tyOfRuntimeType(t.elem));
    case "structure":
      return structure(t.fields.map((f) => ({ name: f.name, type: tyOfRuntimeType(f.type) })));
    case "variety":
      return UNKNOWN_VARIETY;
    case "opaque":
      return hostType(t.name);
  }
}
