/**
 * The construction builtin (reference 6.2), registered under the empty name and used by every
 * sign-less bracket `(...)` and `[...]`, and `All`, its strict sibling.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { EMPTY, Struct, type Field, type Value } from "../value/value.js";

/**
 * The value a bracket builds from its argument fields: the unnamed argument if there is one
 * (`(x)` is `x`, and named fields beside it are dropped); otherwise the structure of the named
 * fields without the Empty ones (`()` is the empty structure, not Empty).
 * `Show`, `Panic`, `Hash` and their kin build their value the same way.
 */
export function construct(fields: readonly Field[]): Value {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.monadic || f.name === "") return f.value;
  }
  return structureOf(fields);
}

function structureOf(fields: readonly Field[]): Struct {
  if (fields.length === 0) return Struct.empty;
  // Most brackets have no Empty field: then the fields are the structure's, with no copy.
  let k = 0;
  while (k < fields.length && fields[k]!.value !== EMPTY) k++;
  if (k === fields.length) return new Struct(fields);
  const kept = fields.filter((f) => f.value !== EMPTY);
  return kept.length === 0 ? Struct.empty : new Struct(kept);
}

export const construction: HostFunction = defineHost({
  pkg: "",
  name: "",
  doc: "Builds the value of a bracket: its unnamed argument if any, else the structure of its named fields.",
  params: [], // it reads every field, like the other builtins that echo their arguments
  result: T.any,
  effects: "pure",
  raw: (fields) => construct(fields),
  fast: { fields: construct },
});

/**
 * `All(a: x, b: y)`: the argument structure itself — monadic field included, printed `?` — when
 * it has at least one field and none is Empty; otherwise Empty.
 */
export const all: HostFunction = defineHost({
  pkg: "",
  name: "All",
  doc: "Returns its arguments as a structure if there is at least one and none is empty, else empty.",
  params: [],
  result: T.any,
  effects: "pure",
  raw: allOf,
  fast: { fields: allOf },
});

function allOf(fields: readonly Field[]): Value {
  return fields.length > 0 && fields.every((f) => f.value !== EMPTY) ? new Struct(fields) : EMPTY;
}

export const constructionBuiltins: readonly HostFunction[] = [construction, all];
