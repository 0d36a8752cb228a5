/**
 * Integer arithmetic: `Sum`, `Prod`, `Ratio`, `Moduli`, `Negative` and `Less` (reference 6.3).
 *
 * Each takes a non-empty list of integers, all signed or all unsigned. Like the original, it
 * computes in 64 bits — int64 or uint64, wrapping around on overflow — and converts the result
 * to the type of the FIRST element, keeping the low bits: `Sum(Int8(100), 100)` is -56 and
 * `Sum(100, Int8(100))` is 200. Division and modulo truncate toward zero, the remainder taking
 * the sign of the dividend (Go's rules); by zero they are a run-time error (D3).
 *
 * These are the hottest builtins (recursive Fib does little else), so a list of Int64s held as
 * JavaScript numbers is folded with number arithmetic, switching to `bigint` only when a partial
 * result would leave the safe-integer range.
 */
import { defineHost, hostDisplayName, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoError } from "../value/failure.js";
import { lift, type IntType, type Value } from "../value/value.js";
import { misuse, valueParam } from "./common.js";
import { INT_FORMATS, bigOf, intTypeOf, isSigned, makeInt, wrap64, type KoInteger } from "./integers.js";

/** How one arithmetic builtin combines an accumulated value with the next element. */
interface Operation {
  readonly name: string;
  readonly doc: string;
  /**
   * On two safe integers. The result is used only if it is a safe integer too — which then
   * guarantees it is exact — and must not be -0.
   */
  readonly onNumbers: (a: number, b: number) => number;
  /** On two 64-bit values; the caller wraps the result to 64 bits. */
  readonly onBigints: (a: bigint, b: bigint) => bigint;
  /** Fails on a zero divisor (which the fast form leaves to the general path to report). */
  readonly divides?: boolean;
}

export function divisionByZero(): KoError {
  return new KoError("integer division by zero", "runtime/division-by-zero");
}

const SUM: Operation = {
  name: "Sum",
  doc: "Adds integers, wrapping around in the type of the first.",
  onNumbers: (a, b) => a + b,
  onBigints: (a, b) => a + b,
};

const PROD: Operation = {
  name: "Prod",
  doc: "Multiplies integers, wrapping around in the type of the first.",
  onNumbers: (a, b) => a * b + 0, // + 0 turns -0 into 0
  onBigints: (a, b) => a * b,
};

const RATIO: Operation = {
  name: "Ratio",
  doc: "Divides the first integer by the others in turn, truncating toward zero.",
  onNumbers: (a, b) => {
    if (b === 0) throw divisionByZero();
    // `a - a % b` is an exact multiple of b, so the division is exact (no rounding of a / b).
    return (a - (a % b)) / b + 0;
  },
  divides: true,
  onBigints: (a, b) => {
    if (b === 0n) throw divisionByZero();
    return a / b;
  },
};

const MODULI: Operation = {
  name: "Moduli",
  doc: "The remainder of the first integer by the others in turn; its sign is the dividend's.",
  onNumbers: (a, b) => {
    if (b === 0) throw divisionByZero();
    return (a % b) + 0;
  },
  divides: true,
  onBigints: (a, b) => {
    if (b === 0n) throw divisionByZero();
    return a % b;
  },
};

/** Folds `op` over a non-empty list of integers (already checked to be integers). */
export function foldIntegers(fn: string, op: Operation, list: readonly Value[]): Value {
  const first = list[0] as KoInteger;
  if (typeof first !== "number") return foldExactly(fn, op, list, 1, bigOf(first), intTypeOf(first));
  let acc = first;
  for (let i = 1; i < list.length; i++) {
    const x = list[i]!;
    const r = typeof x === "number" ? op.onNumbers(acc, x) : NaN;
    if (!Number.isSafeInteger(r)) return foldExactly(fn, op, list, i, BigInt(acc), "Int64");
    acc = r;
  }
  return acc;
}

/**
 * The fold of two Int64s held as numbers, when its result is a safe integer: what `foldIntegers`
 * gives for them, without the list. Undefined for anything else (the general path decides).
 */
function pairOf(op: Operation): (a: Value, b: Value) => Value | undefined {
  const onNumbers = op.onNumbers;
  const divides = op.divides === true;
  return (a, b) => {
    if (typeof a !== "number" || typeof b !== "number" || (divides && b === 0)) return undefined;
    const r = onNumbers(a, b);
    return Number.isSafeInteger(r) ? r : undefined;
  };
}

/** `Less(a, b)` of two Int64s held as numbers. */
function lessPair(a: Value, b: Value): Value | undefined {
  return typeof a === "number" && typeof b === "number" ? a < b : undefined;
}

/** Continues a fold from element `from` in 64-bit `bigint` arithmetic; `acc` holds the rest. */
function foldExactly(fn: string, op: Operation, list: readonly Value[], from: number, acc: bigint, type: IntType): Value {
  const signed = INT_FORMATS[type].signed;
  for (let i = from; i < list.length; i++) {
    const x = list[i] as KoInteger;
    if (isSigned(x) !== signed) throw mixedSignedness(fn, type, x);
    acc = wrap64(signed, op.onBigints(acc, bigOf(x)));
  }
  return makeInt(type, acc);
}

function mixedSignedness(fn: string, type: IntType, x: KoInteger): KoError {
  return misuse(fn, `cannot mix signed and unsigned integers (${type} and ${intTypeOf(x)})`);
}

/** Checks that every integer has the signedness of the first (the fast paths skip this). */
export function checkSignedness(fn: string, list: readonly Value[]): void {
  const first = list[0] as KoInteger;
  const signed = isSigned(first);
  for (let i = 1; i < list.length; i++) {
    const x = list[i] as KoInteger;
    if (isSigned(x) !== signed) throw mixedSignedness(fn, intTypeOf(first), x);
  }
}

/** True iff the integers increase strictly. Numbers and bigints compare exactly in JavaScript. */
export function strictlyIncreasing(fn: string, list: readonly Value[]): boolean {
  checkSignedness(fn, list);
  let previous = orderKey(list[0] as KoInteger);
  for (let i = 1; i < list.length; i++) {
    const next = orderKey(list[i] as KoInteger);
    if (!(previous < next)) return false;
    previous = next;
  }
  return true;
}

function orderKey(x: KoInteger): number | bigint {
  return typeof x === "object" ? x.v : x;
}

/** Arithmetic negation in the integer's own type: `Negative(Uint8(1))` is 255. */
export function negate(fn: string, list: readonly Value[]): Value {
  if (list.length !== 1) throw misuse(fn, `expects exactly one integer, got ${list.length}`);
  const x = list[0] as KoInteger;
  if (typeof x === "number") return -x + 0;
  return makeInt(intTypeOf(x), -bigOf(x));
}

const integers = valueParam("the integers, one or a sequence, all signed or all unsigned", T.list(T.integer), false);

/** The arithmetic builtins as package `pkg` holds them: "" for the core ones, or "integer". */
export function arithmeticBuiltins(pkg: string): HostFunction[] {
  // Error messages name the builtin as the program sees it: `Sum`, `integer.Sum`.
  const fold = (op: Operation): HostFunction => {
    const fn = hostDisplayName(pkg, op.name);
    return defineHost({
      pkg,
      name: op.name,
      doc: op.doc,
      params: [integers],
      result: T.integer,
      effects: "pure",
      impl: ([v]) => foldIntegers(fn, op, lift(v!)),
      fast: { pair: pairOf(op) },
    });
  };
  const negative = hostDisplayName(pkg, "Negative");
  const less = hostDisplayName(pkg, "Less");
  return [
    fold(SUM),
    fold(PROD),
    fold(RATIO),
    fold(MODULI),
    defineHost({
      pkg,
      name: "Negative",
      doc: "Negates one integer in its own type, wrapping around.",
      params: [integers],
      result: T.integer,
      effects: "pure",
      impl: ([v]) => negate(negative, lift(v!)),
    }),
    defineHost({
      pkg,
      name: "Less",
      doc: "True iff the integers increase strictly; Less(5) is true.",
      params: [integers],
      result: T.bool,
      effects: "pure",
      impl: ([v]) => strictlyIncreasing(less, lift(v!)),
      fast: { pair: lessPair },
    }),
  ];
}
