/**
 * Converting between JavaScript values and Ko values at the embedding boundary.
 *
 * JavaScript → Ko: `null`/`undefined` → Empty; booleans and strings as they are; an integral
 * number or a bigint → Int64 (a bigint outside the Int64 range is an error); another number →
 * Float64; an array → a sequence (Empty elements dropped, as Ko builders do); a plain object →
 * a structure, in key order; a `KoValue` wrapper → its Ko value unchanged.
 *
 * Ko → JavaScript: Empty → undefined; Int64 → number (or bigint outside the safe range); sized
 * integers → number when safe, else bigint; floats → number; a structure → a plain object
 * (the unnamed field under the key "?"); a sequence → an array; a variety → a `KoValue` that
 * can be passed back to Ko (so an app can hold on to a Ko function and call it later).
 */
import { listToValue } from "../value/sequence.js";
import { printValue } from "../value/print.js";
import { EMPTY, FloatVal, int64, IntVal, Opaque, Seq, Struct, Variety, type Field, type Value } from "../value/value.js";

/** A Ko value that has no faithful JavaScript form, carried through JavaScript untouched. */
export class KoValue {
  constructor(readonly value: Value) {}
  toString(): string {
    return printValue(this.value);
  }
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

export function fromJs(x: unknown): Value {
  if (x === null || x === undefined) return EMPTY;
  if (x instanceof KoValue) return x.value;
  switch (typeof x) {
    case "boolean":
    case "string":
      return x;
    case "number":
      return Number.isInteger(x) && Number.isSafeInteger(x) ? x : new FloatVal("Float64", x);
    case "bigint":
      if (x < INT64_MIN || x > INT64_MAX) throw new RangeError(`${x} does not fit in Int64`);
      return int64(x);
  }
  if (Array.isArray(x)) return listToValue(x.map(fromJs));
  if (typeof x === "object") return new Struct(fieldsFromJs(x as Record<string, unknown>));
  throw new TypeError(`cannot pass a JavaScript ${typeof x} to Ko`);
}

/** Named arguments for a Ko call; the key "" (or "?") passes the unnamed (monadic) argument. */
export function fieldsFromJs(args: Record<string, unknown>): Field[] {
  return Object.entries(args).map(([name, v]) => {
    const n = name === "?" ? "" : name;
    return { name: n, value: fromJs(v), monadic: n === "" };
  });
}

export function toJs(v: Value): unknown {
  if (v === EMPTY) return undefined;
  switch (typeof v) {
    case "boolean":
    case "string":
    case "number":
    case "bigint":
      return v;
  }
  if (v instanceof IntVal) return v.v >= BigInt(Number.MIN_SAFE_INTEGER) && v.v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v.v) : v.v;
  if (v instanceof FloatVal) return v.v;
  if (v instanceof Seq) return v.items.map(toJs);
  if (v instanceof Struct) {
    const o: Record<string, unknown> = {};
    for (const f of v.fields) o[f.monadic ? "?" : f.name] = toJs(f.value);
    return o;
  }
  if (v instanceof Opaque) return v.value;
  if (v instanceof Variety) return new KoValue(v);
  return new KoValue(v);
}
