/**
 * Static types: what the checker knows about the values a step may produce.
 *
 * A static type describes a *set* of run-time values. It is richer than the run-time types of
 * reference 4.2 (src/value/value-type.ts) in three ways, each of which buys precision where the checker
 * needs it to tell "will fail" from "may fail":
 *
 * - a variety carries its callable and the static types of its pre-filled fields, so invoking
 *   it later is checked too;
 * - a basic type may carry its literal value (`true`, `"s"`, `5`), so that `Yield(if: true ...)`
 *   takes one branch and messages can show values as the evaluator would;
 * - alternatives are kept apart in a union (`Int64 | String`), and "may be Empty" is a union
 *   with Empty (printed `*T`, as reference 4.3 prints an optional type).
 *
 * Two more types have no run-time counterpart: Unknown (anything; the checker accepts it and the
 * evaluator's own checks stay in force there) and Never (no value at all: a step that certainly
 * panics, a call that never returns, the starting point of a recursive function's fixpoint).
 *
 * Types are immutable. Constructors normalise, so that structurally equal types have equal keys.
 */
import type { KoFunction } from "../compile/circuit.js";
import type { Span } from "../diag/span.js";
import type { HostFunction } from "../host/binding.js";
import type { RecordSchema } from "../host/host-type.js";
import type { BasicType } from "../value/value.js";

export type StaticType = NeverTy | UnknownTy | EmptyTy | BasicTy | SequenceTy | StructureTy | VarietyTy | HostTy | UnionTy;

/** No value: the step never produces one (it panics, hangs, or fails first). */
export interface NeverTy {
  readonly k: "never";
}

/** Any value, Empty included: the checker cannot say, so it accepts and the evaluator checks. */
export interface UnknownTy {
  readonly k: "unknown";
}

export interface EmptyTy {
  readonly k: "empty";
}

/** A literal's value, where the checker knows it (Int64 literals, strings, Bools). */
export type Literal = boolean | string | number | bigint;

export interface BasicTy {
  readonly k: "basic";
  readonly name: BasicType;
  readonly literal?: Literal;
}

/**
 * A sequence (never Empty: "maybe Empty" is a union with Empty). `elem` joins the types of its
 * elements, which the evaluator unified when it built the sequence; `min` is a lower bound of
 * its length, 1 or 2, which decides whether a builtin certainly calls a variety for a pair.
 */
export interface SequenceTy {
  readonly k: "sequence";
  readonly elem: StaticType;
  readonly min: 1 | 2;
}

/** A field of a structure, or an argument field of a variety or a call ("" is the monadic one). */
export interface TyField {
  readonly name: string;
  readonly type: StaticType;
  /** Where the field's value is written, when one formula gives it: messages point there too. */
  readonly at?: Span;
}

/**
 * A structure. With a `schema` it is a record of a host's closed type (a Kubernetes object):
 * beyond the `fields` known here it may have only the schema's fields, each maybe Empty, and
 * selecting any other is an error.
 */
export interface StructureTy {
  readonly k: "structure";
  readonly fields: readonly TyField[];
  readonly schema?: TySchema;
}

/** A host's record schema as the checker sees it (built by host.ts from a RecordSchema). */
export interface TySchema {
  /** The record type's name: V1StatefulSet. */
  readonly name: string;
  /** The static type of field `name` (maybe Empty: every field is optional), or undefined: there is none. */
  field(name: string): StaticType | undefined;
  fieldNames(): readonly string[];
  /** The declaration it comes from, for messages, docs and argument checks. */
  readonly record: RecordSchema;
}

/** What a variety calls. `unknown` is a variety the checker cannot see into (from a host result). */
export type Callee =
  | { readonly k: "ko"; readonly fn: KoFunction }
  | { readonly k: "host"; readonly fn: HostFunction }
  /** The `Wait` of a `Spin`: invoking it invokes the spun variety (again, for the checker). */
  | { readonly k: "wait"; readonly spun: StaticType }
  /** A method of a `Memory`. */
  | { readonly k: "memory"; readonly method: "Remember" | "Recall" | "Flush" }
  | { readonly k: "unknown" };

export interface VarietyTy {
  readonly k: "variety";
  readonly callee: Callee;
  /** Pre-filled fields, in the order augmentation added them. */
  readonly fields: readonly TyField[];
}

/** A value of an opaque host type, known by name (a handle the host gave out). */
export interface HostTy {
  readonly k: "host";
  readonly name: string;
}

/** One of several alternatives, none of them a union, Never or Unknown; at most MAX_UNION. */
export interface UnionTy {
  readonly k: "union";
  readonly members: readonly StaticType[];
}

// ---------------------------------------------------------------------------------------------
// Constructors

export const NEVER: NeverTy = Object.freeze({ k: "never" });
export const UNKNOWN: UnknownTy = Object.freeze({ k: "unknown" });
export const EMPTY: EmptyTy = Object.freeze({ k: "empty" });

const plainBasics = new Map<BasicType, BasicTy>();

export function basic(name: BasicType, literal?: Literal): BasicTy {
  if (literal !== undefined) return { k: "basic", name, literal };
  let t = plainBasics.get(name);
  if (!t) plainBasics.set(name, (t = Object.freeze({ k: "basic", name })));
  return t;
}

export const BOOL = basic("Bool");
export const STRING = basic("String");
export const INT64 = basic("Int64");

export const INTEGER_TYPES: readonly BasicType[] = ["Int8", "Int16", "Int32", "Int64", "Uint8", "Uint16", "Uint32", "Uint64"];

export function isIntegerType(name: BasicType): boolean {
  return INTEGER_TYPES.includes(name);
}

export function isSignedType(name: BasicType): boolean {
  return name.startsWith("Int");
}

export function sequence(elem: StaticType, min: 1 | 2 = 1): StaticType {
  if (elem.k === "never") return NEVER;
  return { k: "sequence", elem: withoutEmpty(elem), min };
}

export function structure(fields: readonly TyField[], schema?: TySchema): StructureTy {
  return schema ? { k: "structure", fields, schema } : { k: "structure", fields };
}

export const EMPTY_STRUCTURE = structure([]);

export function variety(callee: Callee, fields: readonly TyField[] = []): VarietyTy {
  return { k: "variety", callee, fields };
}

export const UNKNOWN_VARIETY = variety({ k: "unknown" });

export function hostType(name: string): HostTy {
  return { k: "host", name };
}

/** `t` or Empty. */
export function maybeEmpty(t: StaticType): StaticType {
  return join(EMPTY, t);
}

// ---------------------------------------------------------------------------------------------
// Alternatives

/** The alternatives of a type: a union's members, or the type itself. Never has none. */
export function alternatives(t: StaticType): readonly StaticType[] {
  if (t.k === "union") return t.members;
  if (t.k === "never") return [];
  return [t];
}

/** Whether values of `t` can be Empty: "no", "yes" (always), or "maybe". */
export function emptiness(t: StaticType): "no" | "yes" | "maybe" {
  switch (t.k) {
    case "empty":
      return "yes";
    case "unknown":
      return "maybe";
    case "union":
      return t.members.some((m) => m.k === "empty") ? "maybe" : "no";
    default:
      return "no";
  }
}

/** `t` without its Empty alternative (Never if it is only Empty). */
export function withoutEmpty(t: StaticType): StaticType {
  if (t.k === "empty") return NEVER;
  if (t.k !== "union" || !t.members.some((m) => m.k === "empty")) return t;
  return unionOf(t.members.filter((m) => m.k !== "empty"));
}

/** The type of `t`'s values that satisfy `keep`. */
export function narrow(t: StaticType, keep: (alt: StaticType) => boolean): StaticType {
  if (t.k === "unknown") return t;
  const kept = alternatives(t).filter(keep);
  return kept.length === alternatives(t).length ? t : unionOf(kept);
}

// ---------------------------------------------------------------------------------------------
// Join: the least type covering two others (the union of their value sets, kept compact)

/** More alternatives than this and a type becomes Unknown: precision no longer pays. */
export const MAX_UNION = 8;
/** Types nested deeper than this are cut to Unknown, so that fixpoints over growing types end. */
export const MAX_DEPTH = 10;

export function join(a: StaticType, b: StaticType): StaticType {
  if (a === b) return a;
  if (a.k === "never") return b;
  if (b.k === "never") return a;
  if (a.k === "unknown" || b.k === "unknown") return UNKNOWN;
  const members = [...alternatives(a)];
  for (const x of alternatives(b)) addAlternative(members, x);
  return unionOf(members);
}

export function joinAll(types: Iterable<StaticType>): StaticType {
  let out: StaticType = NEVER;
  for (const t of types) out = join(out, t);
  return out;
}

/** A union of alternatives that are already pairwise unmergeable (or merges them). */
export function unionOf(members: readonly StaticType[]): StaticType {
  if (members.length === 0) return NEVER;
  if (members.length === 1) return members[0]!;
  const merged: StaticType[] = [];
  for (const m of members) {
    if (m.k === "unknown") return UNKNOWN;
    for (const x of alternatives(m)) addAlternative(merged, x);
  }
  if (merged.length === 1) return merged[0]!;
  if (merged.length > MAX_UNION) return UNKNOWN;
  return { k: "union", members: merged };
}

function addAlternative(members: StaticType[], x: StaticType): void {
  for (let i = 0; i < members.length; i++) {
    const merged = merge(members[i]!, x);
    if (merged) {
      members[i] = merged;
      return;
    }
  }
  members.push(x);
}

/** Two alternatives as one, when they are of one shape; undefined when they stay apart. */
function merge(a: StaticType, b: StaticType): StaticType | undefined {
  if (a === b) return a;
  switch (a.k) {
    case "empty":
      return b.k === "empty" ? a : undefined;
    case "basic":
      if (b.k !== "basic" || b.name !== a.name) return undefined;
      return a.literal === b.literal ? a : basic(a.name);
    case "sequence":
      if (b.k !== "sequence") return undefined;
      return { k: "sequence", elem: join(a.elem, b.elem), min: a.min < b.min ? a.min : b.min };
    case "structure":
      // Records of one schema stay a record; anything else joined with a record is open.
      return b.k === "structure" ? structure(joinFields(a.fields, b.fields), a.schema === b.schema ? a.schema : undefined) : undefined;
    case "variety":
      if (b.k !== "variety" || !sameCallee(a.callee, b.callee) || !sameNames(a.fields, b.fields)) return undefined;
      return variety(
        a.callee,
        a.fields.map((f, i) => ({ name: f.name, type: join(f.type, b.fields[i]!.type) })),
      );
    case "host":
      return b.k === "host" && b.name === a.name ? a : undefined;
    default:
      return undefined;
  }
}

/** Fields of either side, in order of first appearance; a field missing on one side may be Empty. */
function joinFields(a: readonly TyField[], b: readonly TyField[]): TyField[] {
  const out: TyField[] = [];
  const seen = new Set<string>();
  for (const f of a) {
    seen.add(f.name);
    const other = b.find((g) => g.name === f.name);
    out.push({ name: f.name, type: other ? join(f.type, other.type) : maybeEmpty(f.type) });
  }
  for (const g of b) if (!seen.has(g.name)) out.push({ name: g.name, type: maybeEmpty(g.type) });
  return out;
}

function sameNames(a: readonly TyField[], b: readonly TyField[]): boolean {
  return a.length === b.length && a.every((f, i) => f.name === b[i]!.name);
}

export function sameCallee(a: Callee, b: Callee): boolean {
  switch (a.k) {
    case "ko":
    case "host":
      return b.k === a.k && b.fn.identity === a.fn.identity;
    case "wait":
      return b.k === "wait" && sameType(a.spun, b.spun);
    case "memory":
      return b.k === "memory" && b.method === a.method;
    case "unknown":
      return b.k === "unknown";
  }
}

export function sameType(a: StaticType, b: StaticType): boolean {
  return a === b || exactKey(a) === exactKey(b);
}

// ---------------------------------------------------------------------------------------------
// Keys: canonical strings, for memoising specialisations and comparing fixpoint iterations

const exactKeys = new WeakMap<StaticType, string>();
const widenedKeys = new WeakMap<StaticType, string>();

/** A canonical string of `t`, literals included. */
export function exactKey(t: StaticType): string {
  let s = exactKeys.get(t);
  if (s === undefined) exactKeys.set(t, (s = keyOf(t, true, 0)));
  return s;
}

/**
 * The key of `t` as a specialisation argument: literals are dropped — except Bools, which have
 * only two values and often decide a branch — so that `Fib(30)` and `Fib(29)` share one
 * specialisation; types nested too deep are cut, so that a recursion whose argument grows
 * (`F(x: (a: x))`) reaches a fixpoint.
 */
export function argumentKey(t: StaticType): string {
  let s = widenedKeys.get(t);
  if (s === undefined) widenedKeys.set(t, (s = keyOf(t, false, 0)));
  return s;
}

function keyOf(t: StaticType, literals: boolean, depth: number): string {
  if (depth > MAX_DEPTH) return "?";
  const d = depth + 1;
  switch (t.k) {
    case "never":
      return "!";
    case "unknown":
      return "?";
    case "empty":
      return "E";
    case "basic":
      if (t.literal === undefined || (!literals && t.name !== "Bool")) return t.name;
      return `${t.name}=${typeof t.literal === "string" ? JSON.stringify(t.literal) : String(t.literal)}`;
    case "sequence":
      return `[${keyOf(t.elem, literals, d)}]${t.min}`;
    case "structure":
      return `(${t.fields.map((f) => `${f.name}:${keyOf(f.type, literals, d)}`).join(",")})${t.schema ? `#${t.schema.name}` : ""}`;
    case "variety":
      return `V<${calleeKey(t.callee, literals, d)}>[${t.fields.map((f) => `${f.name}:${keyOf(f.type, literals, d)}`).join(",")}]`;
    case "host":
      return `H<${t.name}>`;
    case "union":
      return `{${t.members
        .map((m) => keyOf(m, literals, d))
        .sort()
        .join("|")}}`;
  }
}

function calleeKey(c: Callee, literals: boolean, depth: number): string {
  switch (c.k) {
    case "ko":
    case "host":
      return c.fn.identity;
    case "wait":
      return `wait:${keyOf(c.spun, literals, depth)}`;
    case "memory":
      return `memory:${c.method}`;
    case "unknown":
      return "?";
  }
}

/**
 * `t` with everything nested deeper than MAX_DEPTH replaced by Unknown; `t` itself when nothing
 * is that deep (so a caller can tell whether precision was lost).
 */
export function cut(t: StaticType, depth = 0): StaticType {
  if (depth >= MAX_DEPTH) return t.k === "basic" || t.k === "empty" || t.k === "never" || t.k === "unknown" ? t : UNKNOWN;
  const d = depth + 1;
  switch (t.k) {
    case "sequence": {
      const elem = cut(t.elem, d);
      return elem === t.elem ? t : sequence(elem, t.min);
    }
    case "structure": {
      const fields = cutFields(t.fields, d);
      return fields === t.fields ? t : structure(fields, t.schema);
    }
    case "variety": {
      const fields = cutFields(t.fields, d);
      return fields === t.fields ? t : variety(t.callee, fields);
    }
    case "union": {
      const members = t.members.map((m) => cut(m, d));
      return members.every((m, i) => m === t.members[i]) ? t : unionOf(members);
    }
    default:
      return t;
  }
}

function cutFields(fields: readonly TyField[], depth: number): readonly TyField[] {
  const cutTypes = fields.map((f) => cut(f.type, depth));
  return cutTypes.every((c, i) => c === fields[i]!.type) ? fields : fields.map((f, i) => ({ name: f.name, type: cutTypes[i]! }));
}

/** `t` without literal values (except Bools): how a specialisation sees its arguments. */
export function widen(t: StaticType): StaticType {
  switch (t.k) {
    case "basic":
      return t.literal === undefined || t.name === "Bool" ? t : basic(t.name);
    case "sequence":
      return sequence(widen(t.elem), t.min);
    case "structure":
      return structure(
        t.fields.map((f) => ({ name: f.name, type: widen(f.type) })),
        t.schema,
      );
    case "variety":
      return variety(
        t.callee,
        t.fields.map((f) => ({ name: f.name, type: widen(f.type) })),
      );
    case "union":
      return unionOf(t.members.map(widen));
    default:
      return t;
  }
}

/** The field called `name` of a list of fields. */
export function fieldOf(fields: readonly TyField[], name: string): TyField | undefined {
  for (const f of fields) if (f.name === name) return f;
  return undefined;
}

/**
 * The type of field `name` of a structure, as selection gives it: its own field's, else for a
 * record the schema's, else Empty; undefined when a record has no such field.
 */
export function fieldTy(a: StructureTy, name: string): StaticType | undefined {
  const own = fieldOf(a.fields, name);
  if (own) return own.type;
  return a.schema ? a.schema.field(name) : EMPTY;
}

/** The names of the fields a structure may have: its own, then its schema's. */
export function fieldNamesOf(a: StructureTy): string[] {
  const names = a.fields.map((f) => f.name).filter((n) => n !== "");
  if (a.schema) for (const n of a.schema.fieldNames()) if (!names.includes(n)) names.push(n);
  return names;
}
