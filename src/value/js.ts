/**
 * Ko values as JavaScript values, by one rule (the embedding API's `toJs`, README "Embedding"):
 *
 * - Empty → `undefined`; Bool and String as they are; floats → number;
 * - integers (Int64 and the sized ones) → a number when it is a safe integer
 *   (`Number.isSafeInteger`), else a bigint — or always a bigint with `{ integers: "bigint" }`;
 * - a structure → a plain object in field order (the unnamed field under the key `"?"`), a
 *   sequence → an array, a host (opaque) value → the JavaScript value it wraps;
 * - a variety → a `KoValue` that prints as Ko prints it and can be passed back to Ko.
 *
 * It lives with the values so that a panic can give its value in this form (`KoPanic.data`).
 */
import { printValue } from "./print.js";
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, type Value } from "./value.js";

/** How integers come out: `"number"` (the default) when safe, else bigint; `"bigint"` always. */
export interface ToJsOptions {
  readonly integers?: "number" | "bigint";
}

/** A Ko value that has no faithful JavaScript form (a variety), carried through JavaScript untouched. */
export class KoValue {
  constructor(readonly value: Value) {}
  /** The value as Ko prints it (`main.add[a: 40]`). */
  toString(): string {
    return printValue(this.value);
  }
}

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function integer(v: number | bigint, opts: ToJsOptions | undefined): number | bigint {
  if (opts?.integers === "bigint") return typeof v === "bigint" ? v : BigInt(v);
  if (typeof v === "number") return v;
  return v >= SAFE_MIN && v <= SAFE_MAX ? Number(v) : v;
}

/** A Ko value as a JavaScript value (see the module's comment). */
export function toJs(v: Value, opts?: ToJsOptions): unknown {
  if (v === EMPTY) return undefined;
  switch (typeof v) {
    case "boolean":
    case "string":
      return v;
    case "number":
    case "bigint":
      return integer(v, opts);
  }
  if (v instanceof IntVal) return integer(v.v, opts);
  if (v instanceof FloatVal) return v.v;
  if (v instanceof Seq) return v.items.map((x) => toJs(x, opts));
  if (v instanceof Struct) {
    const o: Record<string, unknown> = {};
    for (const f of v.fields) o[f.monadic ? "?" : f.name] = toJs(f.value, opts);
    return o;
  }
  if (v instanceof Opaque) return v.value;
  return new KoValue(v);
}
