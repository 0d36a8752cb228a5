/**
 * A faithful serialisation of Ko values, for cache keys, cache entries and run journals.
 *
 * Why not `canonicalEncode` (value/hash.ts)? It identifies values up to `Equal`, and `Equal`
 * ignores differences a program can see: the order of a structure's fields, Empty-valued fields
 * of argument structures, and a one-element sequence versus its element all print differently.
 * A cache keyed by it could answer `F((b: 1, a: 2))` with the result of `F((a: 2, b: 1))`, and a
 * cache entry stored in it could not give back the value as it was. So this companion format
 * writes exactly what a value is, and reads it back as an identical value:
 *
 *     Empty                  null
 *     Bool, String           true / false, a JSON string
 *     Int64                  a JSON number when safe, else {"i64": "DIGITS"}
 *     Int8 ... Uint64        {"int": TYPE, "v": "DIGITS"}
 *     Float32, Float64       {"float": TYPE, "v": NUMBER | "NaN" | "Infinity" | "-Infinity" | "-0"}
 *     Sequence               a JSON array of its elements (one or more)
 *     Structure              {"struct": [FIELD...]}
 *     Variety                {"variety": IDENTITY, "fields": [FIELD...]}
 *     FIELD                  [NAME, VALUE], or [NAME, VALUE, MONADIC] when the monadic flag
 *                            is not simply "the name is empty"
 *
 * Host (opaque) values have no content to write: a value holding one cannot be serialised.
 * Deterministic: the same value always gives the same text, so the text can be hashed as a key.
 */
import type { Callable, Field, FloatType, SizedIntType, Value } from "./value.js";
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, Variety, int64 } from "./value.js";

/** JSON data, as `JSON.stringify` writes it and `JSON.parse` reads it. */
export type Data = null | boolean | number | string | Data[] | { [key: string]: Data };

/** Raised when a value cannot be written (it holds a host value, say) or a text cannot be read. */
export class SerialError extends Error {
  override name = "SerialError";
}

/**
 * Looks at each callable met while writing; returns false to refuse it (the cache refuses
 * callables with effects, for instance), which makes the whole value unserialisable.
 */
export type CallableCheck = (c: Callable) => boolean;

/** The value as data; throws SerialError if it holds a host value or a refused callable. */
export function toData(v: Value, check: CallableCheck = () => true): Data {
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return v;
    case "bigint":
      return { i64: v.toString() };
  }
  if (v === EMPTY) return null;
  if (v instanceof Seq) return v.items.map((item) => toData(item, check));
  if (v instanceof Struct) return { struct: fieldsToData(v.fields, check) };
  if (v instanceof IntVal) return { int: v.type, v: v.v.toString() };
  if (v instanceof FloatVal) return { float: v.type, v: floatToData(v.v) };
  if (v instanceof Variety) {
    if (!check(v.callable)) throw new SerialError(`the callable ${v.callable.displayName} is refused`);
    return { variety: v.callable.identity, fields: fieldsToData(v.fields, check) };
  }
  if (v instanceof Opaque) throw new SerialError(`a host value (${v.hostType}) cannot be serialised`);
  throw new SerialError("not a Ko value");
}

/** The fields as data (argument lists are serialised this way too). */
export function fieldsToData(fields: readonly Field[], check: CallableCheck = () => true): Data[] {
  return fields.map((f) => {
    const value = toData(f.value, check);
    return f.monadic === (f.name === "") ? [f.name, value] : [f.name, value, f.monadic];
  });
}

function floatToData(x: number): Data {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

/** Finds the callable a serialised variety names, or undefined if this program has none. */
export type CallableLookup = (identity: string) => Callable | undefined;

/** Reads data written by `toData` back into the identical value; throws SerialError if malformed. */
export function fromData(d: Data, lookup: CallableLookup): Value {
  if (d === null) return EMPTY;
  switch (typeof d) {
    case "string":
    case "boolean":
      return d;
    case "number":
      if (!Number.isSafeInteger(d)) throw new SerialError(`${d} is not a safe Int64`);
      return d;
  }
  if (Array.isArray(d)) {
    if (d.length === 0) throw new SerialError("an empty sequence");
    return new Seq(d.map((item) => notEmpty(fromData(item, lookup))));
  }
  if ("i64" in d) return int64(bigintOf(d.i64));
  if ("int" in d) return new IntVal(sizedIntType(d.int), bigintOf(d.v));
  if ("float" in d) return new FloatVal(floatType(d.float), floatOf(d.v));
  if ("struct" in d) return new Struct(fieldsFromData(d.struct, lookup));
  if ("variety" in d) {
    const identity = d.variety;
    if (typeof identity !== "string") throw new SerialError("a variety without an identity");
    const callable = lookup(identity);
    if (!callable) throw new SerialError(`no callable ${JSON.stringify(identity)} in this program`);
    return new Variety(callable, fieldsFromData(d.fields, lookup));
  }
  throw new SerialError("an unknown kind of value");
}

export function fieldsFromData(d: Data | undefined, lookup: CallableLookup): Field[] {
  if (!Array.isArray(d)) throw new SerialError("fields are not a list");
  return d.map((f) => {
    if (!Array.isArray(f) || typeof f[0] !== "string" || f.length < 2 || f.length > 3) throw new SerialError("a malformed field");
    const name = f[0];
    const monadic = f.length === 3 ? f[2] : name === "";
    if (typeof monadic !== "boolean") throw new SerialError("a malformed monadic flag");
    return { name, value: fromData(f[1]!, lookup), monadic };
  });
}

function notEmpty(v: Value): Value {
  if (v === EMPTY) throw new SerialError("Empty inside a sequence");
  return v;
}

function bigintOf(d: Data | undefined): bigint {
  if (typeof d !== "string" || !/^-?\d+$/.test(d)) throw new SerialError("a malformed integer");
  return BigInt(d);
}

const SIZED_INTS: readonly string[] = ["Int8", "Int16", "Int32", "Uint8", "Uint16", "Uint32", "Uint64"];

function sizedIntType(d: Data | undefined): SizedIntType {
  if (typeof d !== "string" || !SIZED_INTS.includes(d)) throw new SerialError("a malformed integer type");
  return d as SizedIntType;
}

function floatType(d: Data | undefined): FloatType {
  if (d !== "Float32" && d !== "Float64") throw new SerialError("a malformed float type");
  return d;
}

function floatOf(d: Data | undefined): number {
  if (typeof d === "number") return d;
  switch (d) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
  }
  throw new SerialError("a malformed float");
}

/** The value as JSON text (see `toData`). */
export function serialize(v: Value, check?: CallableCheck): string {
  return JSON.stringify(toData(v, check));
}

/** A value from JSON text written by `serialize`. */
export function deserialize(text: string, lookup: CallableLookup): Value {
  let d: Data;
  try {
    d = JSON.parse(text) as Data;
  } catch (e) {
    throw new SerialError(`not JSON: ${(e as Error).message}`);
  }
  return fromData(d, lookup);
}
