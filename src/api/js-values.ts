/**
 * Converting between JavaScript values and Ko values at the embedding boundary (README,
 * "Embedding"). `session.run` and `program.run` convert their arguments with `fromJs` and their
 * results with `toJs`; `session.call` and `program.call` take and return Ko values.
 */
import { listToValue } from "../value/sequence.js";
import { KoValue } from "../value/js.js";
import { EMPTY, FloatVal, int64, Struct, type Field, type Value } from "../value/value.js";

export { KoValue, toJs, type ToJsOptions } from "../value/js.js";

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * A JavaScript value as a Ko value:
 *
 * - `null` and `undefined` → Empty; booleans and strings as they are;
 * - a number that is a safe integer → Int64, any other number (`2.5`, `NaN`, `1e300`) → Float64;
 * - a bigint → Int64 (a RangeError outside the Int64 range);
 * - an array → a sequence (its elements must unify, 4.3, else a KoError; Empty elements dropped,
 *   as Ko's brackets drop them; `[]` is Empty);
 * - a plain object → a structure, its keys in order (the key `"?"` is the unnamed field);
 * - a `KoValue` (a variety a run returned) → its Ko value, unchanged.
 *
 * Anything else (a function, a symbol, a Map, a Date, a class's instance) is a TypeError.
 */
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
  if (typeof x === "object") {
    const proto: unknown = Object.getPrototypeOf(x);
    if (proto === Object.prototype || proto === null) return new Struct(fieldsFromJs(x as Record<string, unknown>));
    throw new TypeError(`cannot pass a JavaScript ${x.constructor?.name ?? "object"} to Ko (only plain objects, arrays and basic values)`);
  }
  throw new TypeError(`cannot pass a JavaScript ${typeof x} to Ko`);
}

/** Named arguments for a Ko call; the key "" (or "?") passes the unnamed (monadic) argument. */
export function fieldsFromJs(args: Record<string, unknown>): Field[] {
  return Object.entries(args).map(([name, v]) => {
    const n = name === "?" ? "" : name;
    return { name: n, value: fromJs(v), monadic: n === "" };
  });
}
