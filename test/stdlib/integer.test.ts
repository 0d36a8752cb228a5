import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { EMPTY, IntVal, Seq, type Value } from "../../src/value/value.js";
import { call } from "./host.js";

const i = (name: string, args: Record<string, Value> = {}) => call("integer", name, args);

describe("integer.GoFormatInt64", () => {
  it("writes decimal by default", () => {
    expect(i("GoFormatInt64", { "": 42 })).toBe("42");
    expect(i("GoFormatInt64", { int64: -7 })).toBe("-7");
  });
  it("writes other bases with lower-case digits", () => {
    expect(i("GoFormatInt64", { int64: 255, base: 16 })).toBe("ff");
    expect(i("GoFormatInt64", { int64: 5, base: 2 })).toBe("101");
    expect(i("GoFormatInt64", { int64: 35, base: 36 })).toBe("z");
  });
  it("is exact beyond 2^53", () => {
    expect(i("GoFormatInt64", { "": 9223372036854775807n })).toBe("9223372036854775807");
    expect(i("GoFormatInt64", { "": -9223372036854775808n, base: 16 })).toBe("-8000000000000000");
  });
  it("rejects bases outside 2..36 and non-Int64 arguments", () => {
    expect(() => i("GoFormatInt64", { "": 1, base: 1 })).toThrow(/base 1 is not between 2 and 36/);
    expect(() => i("GoFormatInt64", { "": 1, base: 37 })).toThrow(KoError);
    expect(() => i("GoFormatInt64", { "": new IntVal("Int8", 1n) })).toThrow(KoError);
    expect(() => i("GoFormatInt64", { "": "1" })).toThrow(KoError);
    // A missing number is 0, Go's zero value, as in the original's gate.
    expect(i("GoFormatInt64", {})).toBe("0");
  });
});

describe("integer.GoPermuteInt64", () => {
  const perm = (args: Record<string, Value>) => {
    const v = i("GoPermuteInt64", args);
    return v === EMPTY ? [] : (v as Seq).items;
  };
  it("returns a permutation of 0..len-1", () => {
    const p = perm({ "": 50 });
    expect([...p].sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 50 }, (_, k) => k));
  });
  it("is deterministic for a seed and differs between seeds", () => {
    expect(perm({ len: 20, seed: 7 })).toEqual(perm({ len: 20, seed: 7 }));
    expect(perm({ len: 20, seed: 7 })).not.toEqual(perm({ len: 20, seed: 8 }));
    expect(perm({ len: 20 })).toEqual(perm({ len: 20, seed: 0 }));
    expect(perm({ len: 20, seed: 1 })).not.toEqual(perm({ len: 20, seed: 2 ** 40 + 1 }));
    expect(perm({ len: 20, seed: 2n ** 62n })).toEqual(perm({ len: 20, seed: 2n ** 62n }));
  });
  it("gives a one-element sequence for 1 and Empty for 0", () => {
    const one = i("GoPermuteInt64", { "": 1 });
    expect(one).toBeInstanceOf(Seq);
    expect((one as Seq).items).toEqual([0]);
    expect(i("GoPermuteInt64", { "": 0 })).toBe(EMPTY);
  });
  it("rejects negative and huge lengths", () => {
    expect(() => i("GoPermuteInt64", { "": -1 })).toThrow(/negative length/);
    expect(() => i("GoPermuteInt64", { "": 2n ** 60n })).toThrow(/larger than/);
    expect(() => i("GoPermuteInt64", { "": 3, seed: "x" })).toThrow(KoError);
  });
});
