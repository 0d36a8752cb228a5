/**
 * Unification, checked statically with the run time's own rules (reference 4.3).
 *
 * The checker does not re-implement unification: it expands a static type into the run-time
 * types its values may have, and asks src/value/value-type.ts `unify` about them. A list of values
 * certainly fails to unify when every combination of their alternatives fails, and may fail when
 * some combination does; the messages are the evaluator's.
 */
import { KoError } from "../value/failure.js";
import {
  EMPTY_TYPE,
  VARIETY_TYPE,
  basicType,
  opaqueType,
  sequenceType,
  structureType,
  unify,
  type ValueType,
  type TypeField,
} from "../value/value-type.js";
import { alternatives, emptiness, withoutEmpty, type StaticType } from "./static-type.js";

/** Beyond this many run-time alternatives the checker stops tracking a unification. */
const MAX_ALTERNATIVES = 32;

/**
 * The run-time types a value of `t` may have; undefined when there are too many to tell, or
 * when `t` is (or contains) Unknown.
 */
export function runtimeAlternatives(t: StaticType): ValueType[] | undefined {
  if (t.k !== "sequence" && t.k !== "structure" && t.k !== "union") return alternativesOf(t);
  // Remembered per type: types share their parts, and so do the run-time types made of them.
  let alts = remembered.get(t);
  if (alts === undefined) remembered.set(t, (alts = alternativesOf(t) ?? null));
  return alts ?? undefined;
}

const remembered = new WeakMap<StaticType, ValueType[] | null>();

function alternativesOf(t: StaticType): ValueType[] | undefined {
  switch (t.k) {
    case "never":
      return [];
    case "unknown":
      return undefined;
    case "empty":
      return [EMPTY_TYPE];
    case "basic":
      return [basicType(t.name)];
    case "sequence": {
      const elems = runtimeAlternatives(t.elem);
      return elems && elems.map(sequenceType);
    }
    case "structure": {
      if (t.schema) return undefined; // which of a record's fields are present is not known
      let products: TypeField[][] = [[]];
      for (const f of t.fields) {
        const alts = runtimeAlternatives(f.type);
        if (!alts) return undefined;
        const next: TypeField[][] = [];
        for (const p of products) for (const a of alts) next.push([...p, { name: f.name, type: a }]);
        if (next.length > MAX_ALTERNATIVES) return undefined;
        products = next;
      }
      return products.map(structureType);
    }
    case "variety":
      return [VARIETY_TYPE];
    case "host":
      return [opaqueType(t.name)];
    case "union": {
      const out: ValueType[] = [];
      for (const m of t.members) {
        const alts = runtimeAlternatives(m);
        if (!alts) return undefined;
        out.push(...alts);
      }
      return out.length > MAX_ALTERNATIVES ? undefined : out;
    }
  }
}

/** What unifying a list of values would do: nothing wrong, or fail certainly, or possibly. */
export interface UnifyOutcome {
  readonly failure?: { readonly certain: boolean; readonly message: string };
}

/**
 * Checks that the values of `types`, in order, unify as the evaluator would when it builds a
 * sequence of them (Empty ones dropped first, reference 4.4).
 */
export function checkUnifiable(types: readonly StaticType[]): UnifyOutcome {
  // The possible unified types so far; `null` while no value has been present yet.
  let states: (ValueType | null)[] = [null];
  let firstFailure: string | undefined;
  const keyOfState = stateKeys();
  for (const t of types) {
    const absentPossible = emptiness(t) !== "no";
    const present = runtimeAlternatives(withoutEmpty(t));
    if (!present) return possible(firstFailure); // Unknown: nothing more can be said
    const next = new Map<string, ValueType | null>();
    if (absentPossible) for (const s of states) next.set(keyOfState(s), s);
    for (const s of states) {
      for (const a of present) {
        if (s === null) {
          next.set(keyOfState(a), a);
          continue;
        }
        try {
          const u = unify(s, a);
          next.set(keyOfState(u), u);
        } catch (e) {
          if (!(e instanceof KoError)) throw e;
          firstFailure ??= e.message;
        }
      }
    }
    if (next.size === 0) return { failure: { certain: true, message: firstFailure ?? "cannot be unified" } };
    if (next.size > MAX_ALTERNATIVES) return possible(firstFailure);
    states = [...next.values()];
  }
  return possible(firstFailure);
}

function possible(message: string | undefined): UnifyOutcome {
  return message === undefined ? {} : { failure: { certain: false, message } };
}

/**
 * Keys telling run-time types apart by their structure: a number per distinct type, from the
 * numbers of its parts (so a type that shares its parts costs what it has of them, where its
 * printed form could be exponentially long).
 */
function stateKeys(): (s: ValueType | null) => string {
  const ids = new Map<ValueType, number>();
  const byShape = new Map<string, number>();
  const idOf = (t: ValueType): number => {
    let id = ids.get(t);
    if (id !== undefined) return id;
    let shape: string;
    switch (t.kind) {
      case "basic":
      case "opaque":
        shape = `${t.kind}:${t.name}`;
        break;
      case "empty":
      case "variety":
        shape = t.kind;
        break;
      case "optional":
      case "sequence":
        shape = `${t.kind}:${idOf(t.elem)}`;
        break;
      case "structure":
        shape = `structure${t.fields.map((f) => `|${f.name}:${idOf(f.type)}`).join("")}`;
        break;
    }
    id = byShape.get(shape);
    if (id === undefined) byShape.set(shape, (id = byShape.size + 1));
    ids.set(t, id);
    return id;
  };
  return (s) => (s === null ? "" : String(idOf(s)));
}

/**
 * Checks that the alternatives of one type unify with each other: the elements of a list that
 * a builtin assembles from one static type per iteration (a Range's emits, say).
 */
export function checkSelfUnifiable(t: StaticType): UnifyOutcome {
  const members = alternatives(withoutEmpty(t));
  if (members.length < 2) return {};
  const outcome = checkUnifiable(members);
  // Only some iterations may produce each alternative: never a certain failure.
  return outcome.failure ? { failure: { certain: false, message: outcome.failure.message } } : {};
}
