/**
 * Exact integers of every width (D21). An Int64 is held as a `number` when it is a safe
 * integer and as a `bigint` otherwise; the other widths as an `IntVal` whose `bigint` is already
 * in the type's range. This module views all of them alike, as a type and a `bigint`, and makes
 * them back with Go's wrap-around (the low bits are kept).
 */
import { IntVal, int64, type IntType, type Value } from "../value/value.js";

/** A Ko integer of any width. */
export type KoInteger = number | bigint | IntVal;

export interface IntFormat {
  readonly bits: number;
  readonly signed: boolean;
}

export const INT_FORMATS: Readonly<Record<IntType, IntFormat>> = {
  Int8: { bits: 8, signed: true },
  Int16: { bits: 16, signed: true },
  Int32: { bits: 32, signed: true },
  Int64: { bits: 64, signed: true },
  Uint8: { bits: 8, signed: false },
  Uint16: { bits: 16, signed: false },
  Uint32: { bits: 32, signed: false },
  Uint64: { bits: 64, signed: false },
};

export function isInteger(v: Value): v is KoInteger {
  return typeof v === "number" || typeof v === "bigint" || v instanceof IntVal;
}

export function intTypeOf(v: KoInteger): IntType {
  return v instanceof IntVal ? v.type : "Int64";
}

export function isSigned(v: KoInteger): boolean {
  return v instanceof IntVal ? INT_FORMATS[v.type].signed : true;
}

export function bigOf(v: KoInteger): bigint {
  if (typeof v === "number") return BigInt(v);
  if (typeof v === "bigint") return v;
  return v.v;
}

/** The integer of type `type` whose bits are the low bits of `x` (Go's conversion rule). */
export function makeInt(type: IntType, x: bigint): Value {
  if (type === "Int64") return int64(BigInt.asIntN(64, x));
  const f = INT_FORMATS[type];
  return new IntVal(type, f.signed ? BigInt.asIntN(f.bits, x) : BigInt.asUintN(f.bits, x));
}

/** Wraps to 64 bits, signed or unsigned: the arithmetic of Go's int64 and uint64. */
export function wrap64(signed: boolean, x: bigint): bigint {
  return signed ? BigInt.asIntN(64, x) : BigInt.asUintN(64, x);
}

/**
 * Go's conversion of an integer to a string: the UTF-8 text of that code point, or U+FFFD
 * when the value is not a valid one (negative, a surrogate, beyond U+10FFFF).
 */
export function codePointText(v: KoInteger): string {
  const x = bigOf(v);
  const valid = x >= 0n && x <= 0x10ffffn && !(x >= 0xd800n && x <= 0xdfffn);
  return valid ? String.fromCodePoint(Number(x)) : "\uFFFD";
}
