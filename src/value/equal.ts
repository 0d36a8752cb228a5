/**
 * Equality of Ko values (reference 4.7, with D13).
 *
 * - Basic values are equal iff they have the same basic type and value (`1` ≠ `Int32(1)`).
 * - Empty equals only Empty.
 * - Sequences: when either side is a sequence, both sides are lifted (Empty → no elements, a
 *   value → one element) and compared element by element, so a one-element sequence equals its
 *   element whichever side it is on (D13).
 * - Structures compare by name after dropping Empty-valued fields, ignoring field order.
 * - Varieties are equal iff they call the same callable (by identity) with equal fields, so
 *   `Sum` equals `Sum[]`.
 * - Host values are equal iff they are the same host object of the same host type.
 *
 * hash.ts encodes values so that equal values encode alike; the two must change together.
 */
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, Variety, lift, type Field, type Value } from "./value.js";

export function equal(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a instanceof Seq || b instanceof Seq) return listsEqual(lift(a), lift(b));
  switch (typeof a) {
    case "boolean":
    case "string":
    case "number":
    case "bigint":
      // Int64s: a number iff safe, so equal Int64s are `===` (and so already returned true).
      return false;
  }
  if (a instanceof IntVal) return b instanceof IntVal && a.type === b.type && a.v === b.v;
  if (a instanceof FloatVal) return b instanceof FloatVal && a.type === b.type && a.v === b.v;
  if (a instanceof Struct) return b instanceof Struct && fieldsEqual(a.fields, b.fields);
  if (a instanceof Variety) {
    return b instanceof Variety && a.callable.identity === b.callable.identity && fieldsEqual(a.fields, b.fields);
  }
  if (a instanceof Opaque) return b instanceof Opaque && a.hostType === b.hostType && a.value === b.value;
  return false; // Empty, which is only `===` to itself
}

/** `Equal(v1, v2, ...)`: every value equals its neighbour; trivially true for fewer than two. */
export function equalAll(values: readonly Value[]): boolean {
  for (let i = 1; i < values.length; i++) if (!equal(values[i - 1]!, values[i]!)) return false;
  return true;
}

function listsEqual(a: readonly Value[], b: readonly Value[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equal(a[i]!, b[i]!)) return false;
  return true;
}

/** Field lists compared as sets of `name: value` pairs, Empty-valued fields left out. */
function fieldsEqual(a: readonly Field[], b: readonly Field[]): boolean {
  const x = presentFields(a);
  const y = presentFields(b);
  if (x.length !== y.length) return false;
  // Structures built the same way list their fields in the same order; sort only if they don't.
  if (namesAligned(x, y)) return alignedValuesEqual(x, y);
  const sx = sortedByName(x);
  const sy = sortedByName(y);
  return namesAligned(sx, sy) && alignedValuesEqual(sx, sy);
}

/** The fields whose value is not Empty: the list itself when there is none to drop. */
export function presentFields(fields: readonly Field[]): readonly Field[] {
  return fields.some((f) => f.value === EMPTY) ? fields.filter((f) => f.value !== EMPTY) : fields;
}

function namesAligned(x: readonly Field[], y: readonly Field[]): boolean {
  for (let i = 0; i < x.length; i++) if (x[i]!.name !== y[i]!.name) return false;
  return true;
}

function alignedValuesEqual(x: readonly Field[], y: readonly Field[]): boolean {
  for (let i = 0; i < x.length; i++) if (!equal(x[i]!.value, y[i]!.value)) return false;
  return true;
}

/**
 * Fields in name order (UTF-16 code units): the list itself when it is already in order, as is
 * common, else a sorted copy. Shared with hash.ts so that both agree on the order.
 */
export function sortedByName(fields: readonly Field[]): readonly Field[] {
  for (let i = 1; i < fields.length; i++) {
    if (fields[i - 1]!.name > fields[i]!.name) return [...fields].sort(compareNames);
  }
  return fields;
}

function compareNames(a: Field, b: Field): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
