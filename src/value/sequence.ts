/**
 * The two ways sequences come into existence (reference 4.4). Both drop Empty values and check that
 * the remaining values' types unify (a KoError otherwise); they differ only for one value.
 *
 * Both take ownership of the array they are given: the sequence they build may share it, so the
 * caller must not change it afterwards. They are on the evaluator's hot path, hence the care to
 * avoid copying and, for plain Int64s and strings, to avoid computing types at all.
 */
import { rememberElementType, uniformBasicType, unifiedTypeOf } from "./value-type.js";
import { EMPTY, Seq, type Value } from "./value.js";

/**
 * Rule (a), the grouping of bracket terms: no values → Empty; one value → that value itself
 * (never a one-element sequence); more → a sequence of them, in order.
 */
export function groupValues(values: Value[]): Value {
  const items = withoutEmpty(values);
  if (items.length === 0) return EMPTY;
  if (items.length === 1) return items[0]!;
  return makeSequence(items);
}

/**
 * Rule (b), lists assembled by builtins (`Merge`, `Sort`, `Range`'s image, ...): no values →
 * Empty; otherwise a sequence, even of a single value.
 */
export function listToValue(values: Value[]): Value {
  const items = withoutEmpty(values);
  if (items.length === 0) return EMPTY;
  return makeSequence(items);
}

/**
 * Rule (b) for data read from outside — the cluster's objects, JSON: the same sequence, but the
 * element type is worked out when something first asks for it (`typeOf`), not at once. Data is
 * often only counted, printed or passed on, and unifying the types of a few Kubernetes objects
 * costs more than reading them; elements whose types do not unify (a port given as a number in one
 * object and a name in another) fail only where their type is needed.
 */
export function dataList(values: Value[]): Value {
  const items = withoutEmpty(values);
  return items.length === 0 ? EMPTY : new Seq(items);
}

function makeSequence(items: Value[]): Seq {
  // One value, or values of one primitive type, always unify: nothing to check or remember.
  if (items.length === 1 || uniformBasicType(items) !== undefined) return new Seq(items);
  const elem = unifiedTypeOf(items); // throws when the types do not unify
  const seq = new Seq(items);
  rememberElementType(seq, elem);
  return seq;
}

/** The values that are not Empty; the array itself when there are none to drop. */
function withoutEmpty(values: Value[]): Value[] {
  const first = values.indexOf(EMPTY);
  if (first < 0) return values;
  const kept = values.slice(0, first);
  for (let i = first + 1; i < values.length; i++) if (values[i] !== EMPTY) kept.push(values[i]!);
  return kept;
}
