/**
 * Builtins over lists: `Equal`, `Len`, `Merge`, `Take`, `Hash` and `Sort`.
 *
 * Each first lifts its input to a list (reference 4.4): Empty is no element, a sequence its
 * elements, any other value the one element. Lists they assemble follow rule (b): Empty when
 * there is nothing, otherwise a sequence, even of one element.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { equalAll } from "../value/equal.js";
import { hashValue } from "../value/hash.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, Struct, field, lift, type Value } from "../value/value.js";
import { namedParam, valueParam, verdict } from "./common.js";
import { construct } from "./construct.js";
import { drive, type Steps } from "./drive.js";

export const equalBuiltin: HostFunction = defineHost({
  pkg: "",
  name: "Equal",
  doc: "True if neighbouring values are all equal (structures ignore field order); true for none or one.",
  params: [valueParam("the values to compare")],
  result: T.bool,
  effects: "pure",
  impl: ([v]) => equalAll(lift(v!)),
  fast: { pair: equalPair },
});

/**
 * `Equal(a, b)` of two Bools, two strings or two Int64s held as numbers: values of one basic
 * type, which are equal iff they are the same JavaScript value. Undefined for anything else.
 */
function equalPair(a: Value, b: Value): Value | undefined {
  const t = typeof a;
  return t === typeof b && (t === "number" || t === "string" || t === "boolean") ? a === b : undefined;
}

export const len: HostFunction = defineHost({
  pkg: "",
  name: "Len",
  doc: "The number of elements: 0 for empty, 1 for a value that is not a sequence.",
  params: [valueParam("the value to count")],
  result: T.int64,
  effects: "pure",
  impl: ([v]) => lift(v!).length,
});

export const merge: HostFunction = defineHost({
  pkg: "",
  name: "Merge",
  doc: "Concatenates sequences, one level deep: Merge((1, 2), 3) is (1, 2, 3).",
  params: [valueParam("the sequences (or single values) to concatenate")],
  result: T.any,
  effects: "pure",
  impl: ([v]) => listToValue(lift(v!).flatMap(lift)),
});

export const take: HostFunction = defineHost({
  pkg: "",
  name: "Take",
  doc: "Splits a list into (first, remainder); empty for an empty list.",
  params: [valueParam("the list to split"), namedParam("from", T.any, "the list to split, by name")],
  result: T.struct({ first: T.any, remainder: T.any }),
  effects: "pure",
  impl: ([value, from]) => {
    const items = lift(value !== EMPTY ? value! : from!);
    if (items.length === 0) return EMPTY;
    // The remainder field is present even when Empty: `Take(1)` is `(first: 1, remainder: empty)`.
    return new Struct([field("first", items[0]!), field("remainder", listToValue(items.slice(1)))]);
  },
});

export const hash: HostFunction = defineHost({
  pkg: "",
  name: "Hash",
  doc: "A short base-36 hash of the value built from the arguments; equal values hash alike.",
  params: [],
  result: T.string,
  effects: "pure",
  raw: (fields) => hashValue(construct(fields)),
});

export const sort: HostFunction = defineHost({
  pkg: "",
  name: "Sort",
  doc: "Sorts a list, stably, with less(left, right) returning a Bool.",
  params: [
    namedParam("over", T.any, "the list to sort"),
    namedParam("less", T.variety, "called as less(left: a, right: b); true if a goes before b", false),
  ],
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([over, less], ctx) => drive(sorting(ctx, [...lift(over!)], less!), ctx.signal),
});

/**
 * A stable bottom-up merge sort of `items` (which it reorders), asking `less` for every
 * comparison. When merging, an element of the right run goes first only if it is strictly
 * less than the left one, so equal elements keep their order (D7).
 */
function* sorting(ctx: HostContext, items: Value[], less: Value): Steps<Value> {
  let from = items;
  let to: Value[] = new Array<Value>(items.length);
  for (let width = 1; width < items.length; width *= 2) {
    for (let start = 0; start < items.length; start += 2 * width) {
      const middle = Math.min(start + width, items.length);
      const end = Math.min(start + 2 * width, items.length);
      let i = start;
      let j = middle;
      let k = start;
      while (i < middle && j < end) {
        const before = yield ctx.call(less, [field("left", from[j]!), field("right", from[i]!)]);
        to[k++] = verdict("Sort", "less", before) ? from[j++]! : from[i++]!;
      }
      while (i < middle) to[k++] = from[i++]!;
      while (j < end) to[k++] = from[j++]!;
    }
    [from, to] = [to, from];
  }
  return listToValue(from);
}

export const sequenceBuiltins: readonly HostFunction[] = [equalBuiltin, len, merge, take, hash, sort];
