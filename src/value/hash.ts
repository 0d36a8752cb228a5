/**
 * Canonical encoding and hashing of Ko values (reference 4.8, D4, D30).
 *
 * `canonicalEncode` writes a value as text such that two values are `equal` (equal.ts) iff
 * they encode alike — except that NaN floats and distinct host objects are not equal yet may
 * share an encoding. It keys content-addressed caches and carries values between machines, so
 * it is deterministic and its format is fixed:
 *
 *     value := "E"                             Empty
 *            | "T" | "F"                       Bool true / false
 *            | "i" INT ";"                     Int64, decimal, e.g. i-42;
 *            | "I" TYPE ":" INT ";"            other integers, e.g. IUint8:255;
 *            | "f" TYPE ":" FLOAT ";"          floats, e.g. fFloat64:0.1;
 *            | "s" STR                         String
 *            | "(" COUNT ":" (STR value)* ")"  Structure: name and value of each field
 *            | "[" COUNT ":" value* "]"        Sequence of two or more elements
 *            | "V" STR "(" ... ")"             Variety: callable identity, then its fields
 *                                              encoded as a structure
 *            | "O" STR HOST                    host value: host type name, then the object
 *     STR   := BYTES ":" TEXT                  TEXT as is, BYTES its length in UTF-8 bytes
 *     HOST  := "#" INT ";"                     a host object, numbered per process (not portable)
 *            | "=" STR STR                     a host primitive: its `typeof` and `String()`
 *
 * INT is an exact decimal integer with `-` for negatives; COUNT a non-negative one; TYPE the Ko
 * type name (`Int8` ... `Uint64`, `Float32`, `Float64`); FLOAT JavaScript's shortest round-trip
 * text of the float64 (a Float32 is held widened), `-0` written as `0`, and `NaN`, `Infinity`,
 * `-Infinity` spelled so. Every production is self-delimiting, so no escaping is needed.
 *
 * What makes equal values encode alike:
 * - structure and variety fields whose value is Empty are left out, the others are sorted by
 *   name (UTF-16 code unit order), and the monadic flag is not encoded;
 * - a one-element sequence encodes as its element (D13), so `("b")` and `"b"` agree;
 * - `()` is `(0:)` and Empty is `E`, so they differ (D30).
 */
import { createHash } from "node:crypto";
import { presentFields, sortedByName } from "./equal.js";
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, Variety, type Field, type Value } from "./value.js";

export function canonicalEncode(v: Value): string {
  const out: string[] = [];
  encode(v, out);
  return out.join("");
}

/**
 * `Hash(v)`: 7 lower-case base-36 digits (about 36 bits) of the SHA-256 of the canonical
 * encoding. Equal values hash alike; different values differ up to collisions (D4).
 */
export function hashValue(v: Value): string {
  const digest = createHash("sha256").update(canonicalEncode(v), "utf8").digest();
  return (digest.readBigUInt64BE(0) % HASH_RANGE).toString(36).padStart(HASH_DIGITS, "0");
}

const HASH_DIGITS = 7;
const HASH_RANGE = 36n ** BigInt(HASH_DIGITS);

function encode(v: Value, out: string[]): void {
  switch (typeof v) {
    case "string":
      out.push("s", encodeString(v));
      return;
    case "number":
    case "bigint":
      out.push("i", String(v), ";");
      return;
    case "boolean":
      out.push(v ? "T" : "F");
      return;
  }
  if (v === EMPTY) out.push("E");
  else if (v instanceof Struct) encodeFields(v.fields, out);
  else if (v instanceof Seq) encodeSequence(v.items, out);
  else if (v instanceof IntVal) out.push("I", v.type, ":", v.v.toString(), ";");
  else if (v instanceof FloatVal) out.push("f", v.type, ":", encodeFloat(v.v), ";");
  else if (v instanceof Variety) encodeVariety(v, out);
  else encodeOpaque(v as Opaque, out);
}

function encodeString(s: string): string {
  return `${Buffer.byteLength(s, "utf8")}:${s}`;
}

/** `String(-0)` is already "0"; JavaScript's shortest round-trip digits are exact and portable. */
function encodeFloat(x: number): string {
  return String(x);
}

function encodeSequence(items: readonly Value[], out: string[]): void {
  if (items.length === 1) return encode(items[0]!, out);
  out.push("[", String(items.length), ":");
  for (const item of items) encode(item, out);
  out.push("]");
}

function encodeFields(fields: readonly Field[], out: string[]): void {
  const present = sortedByName(presentFields(fields));
  out.push("(", String(present.length), ":");
  for (const f of present) {
    out.push(encodeString(f.name));
    encode(f.value, out);
  }
  out.push(")");
}

function encodeVariety(v: Variety, out: string[]): void {
  out.push("V", encodeString(v.callable.identity));
  encodeFields(v.fields, out);
}

/**
 * Host values have no content Ko can see; they are equal only to themselves. Objects are
 * numbered in the order this process first encodes them, so their encoding is stable within a
 * run but means nothing elsewhere.
 */
const hostObjectNumbers = new WeakMap<object, number>();
// eslint-disable-next-line no-restricted-syntax -- an object is the same object in every run, so its number (HOST above) is the process's
let nextHostObjectNumber = 0;

function encodeOpaque(v: Opaque, out: string[]): void {
  out.push("O", encodeString(v.hostType));
  const host = v.value;
  if ((typeof host === "object" && host !== null) || typeof host === "function") {
    let n = hostObjectNumbers.get(host);
    if (n === undefined) hostObjectNumbers.set(host, (n = nextHostObjectNumber++));
    out.push("#", String(n), ";");
  } else {
    out.push("=", encodeString(typeof host), encodeString(String(host)));
  }
}
