/**
 * Run-time values of Ko (reference section 4). The representation is chosen for speed:
 *
 * | Ko kind            | JavaScript representation                                      |
 * |--------------------|----------------------------------------------------------------|
 * | Empty              | the singleton `EMPTY`                                          |
 * | Bool               | `boolean`                                                      |
 * | String             | `string`                                                       |
 * | Int64              | `number` when it is a safe integer, otherwise `bigint` (D21)   |
 * | Int8..Int32, Uint* | `IntVal` (a sized integer, exact `bigint`)                     |
 * | Float32, Float64   | `FloatVal`                                                     |
 * | Structure          | `Struct` (ordered fields, each possibly monadic)               |
 * | Sequence           | `Seq` (at least one element, elements never Empty)             |
 * | Variety            | `Variety` (callable + pre-filled fields)                        |
 * | host objects       | `Opaque`                                                        |
 *
 * The Int64 invariant: an Int64 is a `number` iff it is a safe integer, so two equal Int64s
 * always have the same JavaScript type and `===` compares them.
 * Values are immutable; nothing here is ever mutated after construction.
 */

export type Value = Empty | boolean | string | number | bigint | IntVal | FloatVal | Struct | Seq | Variety | Opaque;

export class Empty {
  private constructor() {}
  static readonly instance = new Empty();
}
export const EMPTY: Empty = Empty.instance;

export type SizedIntType = "Int8" | "Int16" | "Int32" | "Uint8" | "Uint16" | "Uint32" | "Uint64";
export type IntType = "Int64" | SizedIntType;
export type FloatType = "Float32" | "Float64";
export type BasicType = "Bool" | "String" | IntType | FloatType;

/** An integer of a width other than Int64. `v` is already wrapped to the type's range. */
export class IntVal {
  constructor(
    readonly type: SizedIntType,
    readonly v: bigint,
  ) {}
}

export class FloatVal {
  constructor(
    readonly type: FloatType,
    readonly v: number,
  ) {}
}

/** One field of a structure or of an argument list. `monadic` marks the unnamed argument (name ""). */
export interface Field {
  readonly name: string;
  readonly value: Value;
  readonly monadic: boolean;
}

export class Struct {
  constructor(readonly fields: readonly Field[]) {}

  get(name: string): Value {
    const fs = this.fields;
    for (let i = 0; i < fs.length; i++) if (fs[i]!.name === name) return fs[i]!.value;
    return EMPTY;
  }

  static readonly empty = new Struct([]);
}

/** A sequence: one or more non-Empty values whose types unify (reference 4.1). */
export class Seq {
  constructor(readonly items: readonly Value[]) {}
}

/**
 * Something a variety can call: a compiled Ko function or a host binding. The evaluator calls
 * `invoke`; printing uses `displayName`; the cache and the grid use `identity`.
 */
export interface Callable {
  /** How a variety of it prints: `pkg.Name`, `idiom.Return`, `Sum`, `strings.Join` (D8). */
  readonly displayName: string;
  /** A stable identity for equality and hashing: package path and name. */
  readonly identity: string;
}

export class Variety {
  constructor(
    readonly callable: Callable,
    readonly fields: readonly Field[],
  ) {}
}

/** A host-language object passed through Ko untouched (handles, clients, ...). */
export class Opaque {
  constructor(
    readonly hostType: string,
    readonly value: unknown,
  ) {}
}

export function isEmpty(v: Value): v is Empty {
  return v === EMPTY;
}

export function isInt64(v: Value): v is number | bigint {
  return typeof v === "number" || typeof v === "bigint";
}

/** Brings a bigint Int64 into the representation invariant (number when safe). */
export function int64(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

export function field(name: string, value: Value): Field {
  return { name, value, monadic: name === "" };
}

export function struct(entries: Record<string, Value>): Struct {
  return new Struct(Object.entries(entries).map(([k, v]) => field(k, v)));
}

/**
 * Lifts a value to a list (reference 4.4): Empty → no elements; a sequence → its elements;
 * anything else → itself as the only element.
 */
export function lift(v: Value): readonly Value[] {
  if (v === EMPTY) return [];
  if (v instanceof Seq) return v.items;
  return [v];
}

/** Every basic type, in the order the reference lists them. */
export const BASIC_TYPES: readonly BasicType[] = [
  "Bool",
  "String",
  "Int8",
  "Int16",
  "Int32",
  "Int64",
  "Uint8",
  "Uint16",
  "Uint32",
  "Uint64",
  "Float32",
  "Float64",
];

/** The basic type of a basic value; undefined for Empty and composite values. */
export function basicTypeOf(v: Value): BasicType | undefined {
  switch (typeof v) {
    case "boolean":
      return "Bool";
    case "string":
      return "String";
    case "number":
    case "bigint":
      return "Int64";
  }
  if (v instanceof IntVal || v instanceof FloatVal) return v.type;
  return undefined;
}

/** A value as Ko would call its kind in an error message. */
export function kindOf(v: Value): string {
  if (v === EMPTY) return "empty value";
  const basic = basicTypeOf(v);
  if (basic) return basic;
  if (v instanceof Struct) return "structure";
  if (v instanceof Seq) return "sequence";
  if (v instanceof Variety) return "variety";
  return `host value ${(v as Opaque).hostType}`;
}
