/**
 * The bridge between Ko values and plain data trees, shared by `encoding/json` and
 * `encoding/yaml`. A data tree is what both formats can express:
 *
 * | Data            | from Ko (`toData`)                        | to Ko (`fromData`)                         |
 * |-----------------|-------------------------------------------|--------------------------------------------|
 * | `null`          | Empty                                     | Empty                                      |
 * | `boolean`       | Bool                                      | Bool                                       |
 * | `string`        | String                                    | String                                     |
 * | `bigint`        | any integer type, exactly                 | Int64 (Float64 if outside the Int64 range) |
 * | `number`        | Float64; Float32 as its shortest decimal  | Float64                                    |
 * | array           | sequence                                  | sequence, Empty when empty                 |
 * | `Map`           | structure, fields in order                | structure, fields in order                 |
 *
 * Empty never appears inside Ko structures or sequences, so a structure field whose value is
 * Empty is left out when encoding, and a `null` member or element is left out when decoding.
 * The elements of a Ko sequence must have unifiable types: when an array's elements do not,
 * its integers are read as Float64 (`[1, 2.5]` is `(1, 2.5)` of Float64); when that does not
 * help (`[1, "a"]`), decoding fails with `UnrepresentableData`.
 * Varieties and host values have no data form; encoding them is an error.
 */
import { KoError } from "../value/failure.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, type Field, field, FloatVal, int64, IntVal, Opaque, Seq, Struct, type Value, Variety } from "../value/value.js";
import { failure, misuse } from "./helpers.js";

export type Data = null | boolean | string | bigint | number | readonly Data[] | ReadonlyMap<string, Data>;

/** Whether the data is an array: Array.isArray, narrowing to `readonly Data[]` rather than to `any[]`. */
export function isDataList(d: Data): d is readonly Data[] {
  return Array.isArray(d);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The Ko value `v` as a data tree; `fn` names the calling function in error messages. */
export function toData(v: Value, fn: string): Data {
  return dataTree(v, {
    nonData: (x) => {
      throw x instanceof Variety
        ? misuse(fn, `a variety (${x.callable.displayName}) cannot be encoded`)
        : misuse(fn, `a host value (${x.hostType}) cannot be encoded`);
    },
  });
}

/** What a walk from Ko values to data does where the table above has no answer. */
export interface DataRules {
  /**
   * The data form of a variety or a host value, or a throw; `at()` says where it is in the
   * walked value, jq-style (`.spec.handler`, `[2]`, `""` for the value itself).
   */
  nonData(v: Variety | Opaque, at: () => string): Data;
  /** A float that is not finite (JSON has no form for it): its data, or a throw. Kept when absent. */
  nonFinite?(x: number, at: () => string): Data;
}

/** The Ko value `v` as a data tree, by the table above and `rules` (one walk for every format). */
export function dataTree(v: Value, rules: DataRules): Data {
  // The keys from the root to the value being walked, so that a refusal can say where it is
  // without a path being built for every value that is not refused.
  const keys: (string | number)[] = [];
  const at = () => keys.map((k) => (typeof k === "number" ? `[${k}]` : fieldPath(k))).join("");
  const walk = (x: Value): Data => {
    if (x === EMPTY) return null;
    switch (typeof x) {
      case "boolean":
      case "string":
        return x;
      case "number":
      case "bigint":
        return BigInt(x);
    }
    if (x instanceof IntVal) return x.v;
    if (x instanceof FloatVal) {
      if (!Number.isFinite(x.v) && rules.nonFinite) return rules.nonFinite(x.v, at);
      return x.type === "Float32" ? shortestFloat32(x.v) : x.v;
    }
    if (x instanceof Seq) return x.items.map((item, i) => within(i, item));
    if (x instanceof Struct) {
      const members = new Map<string, Data>();
      for (const f of x.fields) if (f.value !== EMPTY) members.set(f.name, within(f.name, f.value));
      return members;
    }
    return rules.nonData(x as Variety | Opaque, at);
  };
  const within = (key: string | number, x: Value): Data => {
    keys.push(key);
    const d = walk(x);
    keys.pop();
    return d;
  };
  return walk(v);
}

/** `.name`, or `["odd name"]` for a name jq could not read after a dot. */
function fieldPath(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/**
 * The double closest to the shortest decimal that reads back as the same float32, so that
 * `Float32(0.1)` encodes as `0.1` rather than `0.10000000149011612` (as Go's encoders do).
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return candidate;
  }
  return Number(x.toPrecision(9));
}

/** The data tree `d` as a Ko value (see the table above). */
export function fromData(d: Data): Value {
  if (d === null) return EMPTY;
  switch (typeof d) {
    case "boolean":
      return d;
    case "string":
      return wellFormed(d);
    case "bigint":
      return d >= INT64_MIN && d <= INT64_MAX ? int64(d) : new FloatVal("Float64", Number(d));
    case "number":
      return new FloatVal("Float64", d);
  }
  if (isDataList(d)) return sequenceOf(d);
  const fields: Field[] = [];
  for (const [name, member] of d) {
    const value = fromData(member);
    if (value !== EMPTY) fields.push(field(wellFormed(name), value));
  }
  return new Struct(fields);
}

/**
 * The data tree decoded by host function `fn` as a Ko value; data with no Ko form is an
 * operational failure of the input, so it panics with `(error: fn, message: ...)`.
 */
export function decodedValue(d: Data, fn: string): Value {
  try {
    return fromData(d);
  } catch (e) {
    if (e instanceof UnrepresentableData) throw failure(fn, `the data has no Ko form: ${e.message}`);
    throw e;
  }
}

/** Decoded data that has no Ko form: an array whose elements' types do not unify. */
export class UnrepresentableData extends Error {}

/**
 * The sequence of an array's elements. If their types do not unify, the integers of the whole
 * array are tried as Float64 (so `[1, 2.5]` and `[{"a": 1}, {"a": 2.5}]` work); if that does not
 * help either, the data cannot be a Ko value.
 */
function sequenceOf(elements: readonly Data[]): Value {
  const decode = (items: readonly Data[]) => items.map(fromData).filter((e) => e !== EMPTY);
  try {
    return listToValue(decode(elements));
  } catch (e) {
    if (!(e instanceof KoError)) throw e;
  }
  try {
    return listToValue(decode(elements.map(widenIntegers)));
  } catch (e) {
    if (!(e instanceof KoError)) throw e;
    throw new UnrepresentableData(`the elements of an array must have unifiable types: ${e.message}`);
  }
}

/** The data with every integer turned into a float. */
function widenIntegers(d: Data): Data {
  if (typeof d === "bigint") return Number(d);
  if (isDataList(d)) return d.map(widenIntegers);
  if (d !== null && typeof d === "object") return new Map([...d].map(([k, v]) => [k, widenIntegers(v)] as const));
  return d;
}

/** Replaces unpaired UTF-16 surrogates (from `\ud800` escapes) by U+FFFD, as Go's decoders do (D32). */
function wellFormed(s: string): string {
  if (!/[\ud800-\udfff]/.test(s)) return s;
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}
