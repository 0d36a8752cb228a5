/**
 * Conversions between basic types (`Bool`, `String`, `Int8`…`Uint64`, `Float32`, `Float64`),
 * with Go's conversion rules:
 *
 * - integer → integer keeps the low bits (`Int8(300)` = 44, `Uint8(-1)` = 255), exactly (D21);
 * - float → integer truncates toward zero (`Int64(-3.9)` = -3);
 * - integer → float rounds to the nearest float;
 * - integer → String is the character of that code point (`String(65)` = "A", D10);
 * - a type converts to itself; every other pair (`Bool(1)`, `Int64("3")`) is an error.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T, type HostType } from "../host/host-type.js";
import { printValue } from "../value/print.js";
import {
  BASIC_TYPES,
  FloatVal,
  Opaque,
  Seq,
  Struct,
  Variety,
  kindOf,
  type BasicType,
  type FloatType,
  type IntType,
  type Value,
} from "../value/value.js";
import { misuse, valueParam } from "./common.js";
import { bigOf, codePointText, isInteger, makeInt } from "./integers.js";

const TARGETS = BASIC_TYPES;

/** `v` converted to basic type `target`, or a KoError naming the builtin `target`. */
export function convertTo(target: BasicType, v: Value): Value {
  switch (target) {
    case "Bool":
      if (typeof v === "boolean") return v;
      break;
    case "String":
      if (typeof v === "string") return v;
      if (isInteger(v)) return codePointText(v);
      break;
    case "Float32":
    case "Float64":
      return toFloat(target, v);
    default:
      return toInteger(target, v);
  }
  throw cannotConvert(target, v);
}

function toInteger(target: IntType, v: Value): Value {
  if (target === "Int64" && typeof v === "number") return v;
  if (isInteger(v)) return makeInt(target, bigOf(v));
  if (v instanceof FloatVal) {
    if (!Number.isFinite(v.v)) throw cannotConvert(target, v);
    const t = Math.trunc(v.v) + 0; // + 0 turns -0 into 0
    return target === "Int64" && Number.isSafeInteger(t) ? t : makeInt(target, BigInt(t));
  }
  throw cannotConvert(target, v);
}

function toFloat(target: FloatType, v: Value): FloatVal {
  let x: number;
  if (v instanceof FloatVal) x = v.v;
  else if (typeof v === "number") x = v;
  else if (isInteger(v)) x = Number(bigOf(v));
  else throw cannotConvert(target, v);
  return new FloatVal(target, target === "Float32" ? Math.fround(x) : x);
}

function cannotConvert(target: BasicType, v: Value) {
  const composite = v instanceof Seq || v instanceof Struct || v instanceof Variety || v instanceof Opaque;
  const what = composite ? `a ${kindOf(v)}` : `${kindOf(v)} ${printValue(v)}`;
  return misuse(target, `cannot convert ${what} to ${target}`);
}

function converter(target: BasicType): HostFunction {
  const result: HostType = { k: "basic", t: target };
  return defineHost({
    pkg: "",
    name: target,
    doc: `Converts a basic value to ${target} with Go's conversion rules.`,
    params: [valueParam("the basic value to convert", T.any, false)],
    result,
    effects: "pure",
    impl: ([v]) => convertTo(target, v!),
  });
}

export const convertBuiltins: readonly HostFunction[] = TARGETS.map(converter);
