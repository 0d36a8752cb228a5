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
import { SourceSpan, type Span } from "../diag/span.js";
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
// Constructors: types are hash-consed
//
// Every type is made by the constructors below, and they make each type once: a structure built
// twice from the same fields is the same object. So a type is a graph that shares its parts, as
// the values it describes do (`s1: (a: s0, b: s0)` holds `s0` once, however deep the nesting),
// equal types are identical (`sameType` is `===`, up to the order of a union's members), and
// every function over types can remember its result per type and so take time in the number of
// distinct parts, never in the size of the type unfolded as a tree. The table holds its types
// weakly: a type no one holds any more is forgotten, so a long-lived process (the language
// server) does not accumulate the types of every program it ever checked.

const ids = new WeakMap<object, number>();
const table = new Map<string, WeakRef<StaticType>>();
/**
 * The table's counters. The table is the process's, as a memo is: what it holds is immutable and
 * the same for every program, session and run, and it holds nothing alive.
 */
const tally = {
  /** The last number given by `idOf`. */
  lastId: 0,
  /** The table's size after its last sweep: when it has doubled, the entries of dead types are dropped. */
  swept: 1024,
  /** How many types the constructors have made (for the tests: sharing bounds it). */
  made: 0,
  /** How many sweeps there were (for the tests: they are amortised over the types made). */
  sweeps: 0,
};

/** A small number naming an object (a type, a span, a schema) for the keys of the table. */
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = ++tally.lastId));
  return id;
}

/** The type of `key`: the one made before if it is still held, else `make()`'s, remembered. */
function interned<T extends StaticType>(key: string, make: () => T): T {
  const known = table.get(key)?.deref();
  if (known !== undefined) return known as T;
  const t = make();
  tally.made++;
  idOf(t);
  table.set(key, new WeakRef(t));
  if (table.size > 2 * tally.swept) sweep();
  return t;
}

/**
 * Drops the tables' entries whose types are gone. The next sweep waits until a table has doubled
 * from the largest left now: measured by the main table alone, a literal table of types still
 * alive (a 10,000-element literal's, while it is checked) stayed above the mark, and each new
 * literal swept everything again.
 */
function sweep(): void {
  tally.sweeps++;
  for (const [key, ref] of table) if (ref.deref() === undefined) table.delete(key);
  let largest = table.size;
  for (const byValue of literals.values()) {
    for (const [literal, ref] of byValue) if (ref.deref() === undefined) byValue.delete(literal);
    largest = Math.max(largest, byValue.size);
  }
  tally.swept = Math.max(1024, largest);
}

/** How many distinct types were made so far, in this process. */
export function typesMade(): number {
  return tally.made;
}

/** How many times the tables were swept, in this process. */
export function typeTableSweeps(): number {
  return tally.sweeps;
}

/** A number identifying `t` among the types alive: equal types have equal ids. */
export function typeId(t: StaticType): number {
  return idOf(t);
}

export const NEVER: NeverTy = Object.freeze({ k: "never" });
export const UNKNOWN: UnknownTy = Object.freeze({ k: "unknown" });
export const EMPTY: EmptyTy = Object.freeze({ k: "empty" });

const plainBasics = new Map<BasicType, BasicTy>();
/** Literal types, by basic type and value (an Int64 is a number iff it is safe, so `===` compares them). */
const literals = new Map<BasicType, Map<Literal, WeakRef<BasicTy>>>();

export function basic(name: BasicType, literal?: Literal): BasicTy {
  if (literal !== undefined) {
    let byValue = literals.get(name);
    if (byValue === undefined) literals.set(name, (byValue = new Map<Literal, WeakRef<BasicTy>>()));
    const known = byValue.get(literal)?.deref();
    if (known !== undefined) return known;
    const t: BasicTy = { k: "basic", name, literal };
    tally.made++;
    byValue.set(literal, new WeakRef(t));
    if (byValue.size > 2 * tally.swept) sweep();
    return t;
  }
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
  const e = withoutEmpty(elem);
  return interned(`q${idOf(e)}:${min}`, () => ({ k: "sequence", elem: e, min }));
}

/** The part of a key that names fields: each name, its type, and where it is written. */
function fieldsKey(fields: readonly TyField[]): string {
  let key = "";
  for (const f of fields) key += `|${f.name}\u0000${idOf(f.type)}${f.at ? `@${spanKey(f.at)}` : ""}`;
  return key;
}

/**
 * Where a span is, for a key: by its place, not by the object. A circuit makes a step's span when
 * asked (src/compile/spans.ts), so the same place comes as a new object each time, and a key by
 * object would make a new type for every pass over the same step.
 */
function spanKey(span: Span): string {
  return span instanceof SourceSpan
    ? `${idOf(span.lines)}:${span.from}:${span.to}`
    : `${span.file}:${span.start.offset}:${span.end.offset}`;
}

export function structure(fields: readonly TyField[], schema?: TySchema): StructureTy {
  return interned(`s${schema ? idOf(schema) : ""}${fieldsKey(fields)}`, () =>
    schema ? { k: "structure", fields: [...fields], schema } : { k: "structure", fields: [...fields] },
  );
}

export const EMPTY_STRUCTURE = structure([]);

function calleeKey(c: Callee): string {
  switch (c.k) {
    case "ko":
    case "host":
      // The function itself, not its identity: two programs may each have a function of one name.
      return `${c.k}${idOf(c.fn)}`;
    case "wait":
      return `w${idOf(c.spun)}`;
    case "memory":
      return `m${c.method}`;
    case "unknown":
      return "?";
  }
}

export function variety(callee: Callee, fields: readonly TyField[] = []): VarietyTy {
  return interned(`v${calleeKey(callee)}\u0001${fieldsKey(fields)}`, () => ({ k: "variety", callee, fields: [...fields] }));
}

export const UNKNOWN_VARIETY = variety({ k: "unknown" });

export function hostType(name: string): HostTy {
  return interned(`h${name}`, () => ({ k: "host", name }));
}

/** A union of members already merged (at least two, none a union, Never or Unknown), in their order. */
function union(members: readonly StaticType[]): UnionTy {
  return interned(`u${members.map(idOf).join(",")}`, () => ({ k: "union", members: [...members] }));
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
  return union(merged);
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

/**
 * Merges of composite types, remembered by the pair: joining two graphs that share their parts
 * joins each pair of parts once (types are hash-consed, so the pair names the types).
 */
const merges = new WeakMap<StaticType, WeakMap<StaticType, StaticType | null>>();

/** Two alternatives as one, when they are of one shape; undefined when they stay apart. */
function merge(a: StaticType, b: StaticType): StaticType | undefined {
  if (a === b) return a;
  if (a.k !== b.k || (a.k !== "sequence" && a.k !== "structure" && a.k !== "variety")) return mergeShallow(a, b);
  let byB = merges.get(a);
  if (byB === undefined) merges.set(a, (byB = new WeakMap()));
  const known = byB.get(b);
  if (known !== undefined) return known ?? undefined;
  const m = mergeShallow(a, b);
  byB.set(b, m ?? null);
  return m;
}

function mergeShallow(a: StaticType, b: StaticType): StaticType | undefined {
  switch (a.k) {
    case "empty":
      return b.k === "empty" ? a : undefined;
    case "basic":
      if (b.k !== "basic" || b.name !== a.name) return undefined;
      return a.literal === b.literal ? a : basic(a.name);
    case "sequence":
      if (b.k !== "sequence") return undefined;
      return sequence(join(a.elem, b.elem), a.min < b.min ? a.min : b.min);
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
  const byName = b.length > 8 ? new Map(b.map((g) => [g.name, g])) : undefined;
  for (const f of a) {
    seen.add(f.name);
    const other = byName ? byName.get(f.name) : b.find((g) => g.name === f.name);
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

/**
 * Whether two types are the same. Types are hash-consed, so they are when they are one object —
 * or unions of the same members in another order.
 */
export function sameType(a: StaticType, b: StaticType): boolean {
  if (a === b) return true;
  if (a.k !== "union" || b.k !== "union" || a.members.length !== b.members.length) return false;
  return a.members.every((m) => b.members.includes(m));
}

// ---------------------------------------------------------------------------------------------
// Keys, for memoising specialisations

/**
 * The key of `t` as a specialisation argument: the type without literals — except Bools, which
 * have only two values and often decide a branch — so that `Fib(30)` and `Fib(29)` share one
 * specialisation, and cut below MAX_DEPTH, so that a recursion whose argument grows
 * (`F(x: (a: x))`) reaches a fixpoint. Types are hash-consed: the key is a number.
 */
export function argumentKey(t: StaticType): string {
  return String(idOf(cut(widen(t))));
}

// ---------------------------------------------------------------------------------------------
// Depth

/** How many levels of composite (or host) types `t` nests; remembered per type. */
const depths = new WeakMap<StaticType, number>();

function nesting(t: StaticType): number {
  switch (t.k) {
    case "basic":
    case "empty":
    case "never":
    case "unknown":
      return 0;
    case "host":
      return 1;
  }
  let d = depths.get(t);
  if (d === undefined) {
    const parts = t.k === "sequence" ? [t.elem] : t.k === "union" ? t.members : t.fields.map((f) => f.type);
    d = 1;
    for (const p of parts) d = Math.max(d, 1 + nesting(p));
    depths.set(t, d);
  }
  return d;
}

/**
 * `t` with everything nested deeper than MAX_DEPTH replaced by Unknown; `t` itself when nothing
 * is that deep (so a caller can tell whether precision was lost).
 */
export function cut(t: StaticType, depth = 0): StaticType {
  if (depth + nesting(t) <= MAX_DEPTH) return t;
  return cutAt(t, depth, new Map());
}

function cutAt(t: StaticType, depth: number, seen: Map<string, StaticType>): StaticType {
  if (depth + nesting(t) <= MAX_DEPTH) return t;
  if (depth >= MAX_DEPTH) return UNKNOWN; // not a basic value, Empty, Never or Unknown: those nest nothing
  const key = `${idOf(t)}:${depth}`;
  const known = seen.get(key);
  if (known !== undefined) return known;
  const d = depth + 1;
  let out: StaticType;
  switch (t.k) {
    case "sequence": {
      const elem = cutAt(t.elem, d, seen);
      out = elem === t.elem ? t : sequence(elem, t.min);
      break;
    }
    case "structure": {
      const fields = cutFields(t.fields, d, seen);
      out = fields === t.fields ? t : structure(fields, t.schema);
      break;
    }
    case "variety": {
      const fields = cutFields(t.fields, d, seen);
      out = fields === t.fields ? t : variety(t.callee, fields);
      break;
    }
    case "union": {
      const members = t.members.map((m) => cutAt(m, d, seen));
      out = members.every((m, i) => m === t.members[i]) ? t : unionOf(members);
      break;
    }
    default:
      out = t;
  }
  seen.set(key, out);
  return out;
}

function cutFields(fields: readonly TyField[], depth: number, seen: Map<string, StaticType>): readonly TyField[] {
  const cutTypes = fields.map((f) => cutAt(f.type, depth, seen));
  return cutTypes.every((c, i) => c === fields[i]!.type) ? fields : fields.map((f, i) => ({ name: f.name, type: cutTypes[i]! }));
}

const widened = new WeakMap<StaticType, StaticType>();

/** `t` without literal values (except Bools): how a specialisation sees its arguments. Remembered per type. */
export function widen(t: StaticType): StaticType {
  switch (t.k) {
    case "basic":
      return t.literal === undefined || t.name === "Bool" ? t : basic(t.name);
    case "never":
    case "unknown":
    case "empty":
    case "host":
      return t;
  }
  let w = widened.get(t);
  if (w === undefined) {
    switch (t.k) {
      case "sequence":
        w = sequence(widen(t.elem), t.min);
        break;
      case "structure":
        w = structure(
          t.fields.map((f) => ({ name: f.name, type: widen(f.type) })),
          t.schema,
        );
        break;
      case "variety":
        w = variety(
          t.callee,
          t.fields.map((f) => ({ name: f.name, type: widen(f.type) })),
        );
        break;
      case "union":
        w = unionOf(t.members.map(widen));
        break;
    }
    widened.set(t, w);
  }
  return w;
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
