/**
 * Host gates of package `integer` (D29). The package's Ko source (stdlib/integer/integer.ko)
 * defines `FormatInt64`, `PermuteInt64`, `IsEven`, `IsOdd` and `Inc` on top of these gates and of
 * the integer builtins (`Sum`, `Moduli`, ... registered elsewhere for the same package path).
 * The gates keep the original's names, `GoFormatInt64` and `GoPermuteInt64`, so that no name
 * is defined both in Ko and in TypeScript (D20). As the original's gates, which take Go's zero
 * value for a missing field, they read a missing number as 0.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY } from "../value/value.js";
import { bigOf, misuse } from "./helpers.js";

const PKG = "integer";

const GoFormatInt64 = defineHost({
  pkg: PKG,
  name: "GoFormatInt64",
  doc:
    "GoFormatInt64(int64?, base) writes the Int64 (default 0) in the base (2 to 36, default 10) with lower-case " +
    "letters for digits above 9 and a leading - for negatives, as Go's strconv.FormatInt.",
  params: [
    { name: "int64", type: T.int64, monadic: true, optional: true },
    { name: "base", type: T.int64, optional: true },
  ],
  result: T.string,
  effects: "pure",
  impl: ([n, base]) => {
    const radix = base === EMPTY ? 10n : bigOf(base!);
    if (radix < 2n || radix > 36n) throw misuse("integer.GoFormatInt64", `base ${radix} is not between 2 and 36`);
    return (n === EMPTY ? 0n : bigOf(n!)).toString(Number(radix));
  },
});

/** The longest permutation GoPermuteInt64 makes, to fail clearly rather than exhaust memory. */
const MAX_PERMUTATION = 1 << 24;

/**
 * A small deterministic random generator (xoshiro128**), seeded from a 64-bit seed through
 * splitmix64 so that every seed, 0 included, gives a well-mixed state.
 */
class Random {
  private readonly s = new Uint32Array(4);

  constructor(seed: bigint) {
    let x = BigInt.asUintN(64, seed);
    for (let i = 0; i < 2; i++) {
      x = BigInt.asUintN(64, x + 0x9e3779b97f4a7c15n);
      let z = x;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z = z ^ (z >> 31n);
      this.s[2 * i] = Number(z & 0xffffffffn);
      this.s[2 * i + 1] = Number(z >> 32n);
    }
  }

  /** The next 32 random bits, as an unsigned number. */
  next(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5), 7), 9) >>> 0;
    const t = s[1]! << 9;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** A uniformly random integer in [0, bound), for 0 < bound <= 2^32, without modulo bias. */
  below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const r = this.next();
      if (r < limit) return r % bound;
    }
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const GoPermuteInt64 = defineHost({
  pkg: PKG,
  name: "GoPermuteInt64",
  doc:
    "GoPermuteInt64(len?, seed) returns a pseudo-random permutation of the Int64s 0 to len-1 (len default 0), the same " +
    "for the same seed (default 0); Empty when len is 0. (The order differs from Go's math/rand.)",
  params: [
    { name: "len", type: T.int64, monadic: true, optional: true },
    { name: "seed", type: T.int64, optional: true },
  ],
  result: T.list(T.int64),
  effects: "pure",
  impl: ([len, seed]) => {
    const n = len === EMPTY ? 0n : bigOf(len!);
    if (n < 0n) throw misuse("integer.GoPermuteInt64", `negative length ${n}`);
    if (n > BigInt(MAX_PERMUTATION)) throw misuse("integer.GoPermuteInt64", `length ${n} is larger than ${MAX_PERMUTATION}`);
    const random = new Random(seed === EMPTY ? 0n : bigOf(seed!));
    const perm = Array.from({ length: Number(n) }, (_, i) => i);
    // Fisher-Yates: each position takes a random element among those not yet placed.
    for (let i = perm.length - 1; i > 0; i--) {
      const j = random.below(i + 1);
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    return listToValue(perm);
  },
});

export const integerFunctions: readonly HostFunction[] = [GoFormatInt64, GoPermuteInt64];
