/**
 * Ko types (reference 4.2), unification (4.3) and type printing (7.4).
 *
 * Types are never declared in Ko source. They are computed structurally from values, and exist
 * for sequence construction (the elements' types must unify), for `ShowType`/`PeekType` and for
 * error messages. Unification computes a type only; values are never converted.
 */
import { KoError } from "./failure.js";
import { Glue, Group, renderDoc, type Doc } from "./print.js";
import {
  BASIC_TYPES as BASIC_TYPE_NAMES,
  EMPTY,
  FloatVal,
  IntVal,
  Opaque,
  Seq,
  Struct,
  Variety,
  type BasicType,
  type Value,
} from "./value.js";

export type ValueType =
  BasicValueType | EmptyValueType | OptionalValueType | SequenceValueType | StructureValueType | VarietyValueType | OpaqueValueType;

export interface BasicValueType {
  readonly kind: "basic";
  readonly name: BasicType;
}

export interface EmptyValueType {
  readonly kind: "empty";
}

/** `*T`: arises only from unification with Empty (a field missing on one side, say). */
export interface OptionalValueType {
  readonly kind: "optional";
  readonly elem: ValueType;
}

/** `(T)`: the unified type of a sequence's elements. */
export interface SequenceValueType {
  readonly kind: "sequence";
  readonly elem: ValueType;
}

/** `(a: T, b: U)`: field names with their types, in order. */
export interface StructureValueType {
  readonly kind: "structure";
  readonly fields: readonly TypeField[];
}

export interface TypeField {
  /** The field's name; "" for the monadic (unnamed) field. */
  readonly name: string;
  readonly type: ValueType;
}

/** Every variety has the same type: arguments and results are not typed. */
export interface VarietyValueType {
  readonly kind: "variety";
}

/** A host type, known by name; it unifies only with itself. */
export interface OpaqueValueType {
  readonly kind: "opaque";
  readonly name: string;
}

// ---------------------------------------------------------------------------------------------
// Constructors. Types without parameters are singletons, so the common cases allocate nothing.

const BASIC_TYPES = Object.fromEntries(BASIC_TYPE_NAMES.map((name) => [name, Object.freeze({ kind: "basic", name })])) as Readonly<
  Record<BasicType, BasicValueType>
>;

export function basicType(name: BasicType): BasicValueType {
  return BASIC_TYPES[name];
}

export const BOOL_TYPE = BASIC_TYPES.Bool;
export const STRING_TYPE = BASIC_TYPES.String;
export const INT64_TYPE = BASIC_TYPES.Int64;
export const EMPTY_TYPE: EmptyValueType = Object.freeze({ kind: "empty" });
export const VARIETY_TYPE: VarietyValueType = Object.freeze({ kind: "variety" });

/**
 * `*T`, except that Empty, an optional and a sequence are already "optional" (a sequence can be
 * absent by being Empty) and stay unchanged.
 */
export function optionalType(t: ValueType): ValueType {
  switch (t.kind) {
    case "empty":
    case "optional":
    case "sequence":
      return t;
    default:
      return { kind: "optional", elem: t };
  }
}

export function sequenceType(elem: ValueType): SequenceValueType {
  return { kind: "sequence", elem };
}

export function structureType(fields: readonly TypeField[]): StructureValueType {
  return { kind: "structure", fields };
}

const opaqueTypes = new Map<string, OpaqueValueType>();

export function opaqueType(name: string): OpaqueValueType {
  let t = opaqueTypes.get(name);
  if (t === undefined) opaqueTypes.set(name, (t = Object.freeze({ kind: "opaque", name })));
  return t;
}

// ---------------------------------------------------------------------------------------------
// The type of a value

/**
 * Sequence types, remembered per sequence: unifying the elements of a long sequence is not free,
 * and a sequence nested in others would otherwise be re-typed every time they are.
 */
const sequenceTypes = new WeakMap<Seq, SequenceValueType>();

export function typeOf(v: Value): ValueType {
  switch (typeof v) {
    case "boolean":
      return BOOL_TYPE;
    case "string":
      return STRING_TYPE;
    case "number":
    case "bigint":
      return INT64_TYPE;
  }
  if (v === EMPTY) return EMPTY_TYPE;
  if (v instanceof IntVal || v instanceof FloatVal) return BASIC_TYPES[v.type];
  if (v instanceof Seq) return sequenceTypeOf(v);
  if (v instanceof Struct) return structureType(v.fields.map((f) => ({ name: f.name, type: typeOf(f.value) })));
  if (v instanceof Variety) return VARIETY_TYPE;
  return opaqueType((v as Opaque).hostType);
}

function sequenceTypeOf(seq: Seq): SequenceValueType {
  let t = sequenceTypes.get(seq);
  if (t === undefined) {
    t = sequenceType(unifiedTypeOf(seq.items));
    sequenceTypes.set(seq, t);
  }
  return t;
}

/**
 * Records the element type of a sequence whose construction has just unified it, so that
 * `typeOf` need not do it again. Only for the constructors of sequences (sequence.ts).
 */
export function rememberElementType(seq: Seq, elem: ValueType): void {
  sequenceTypes.set(seq, sequenceType(elem));
}

/**
 * The unification of the types of `values` (Empty for none); throws a KoError if they do not
 * unify. Lists of plain Int64s, strings or Bools — by far the most common — are recognised
 * without computing a type per element.
 */
export function unifiedTypeOf(values: readonly Value[]): ValueType {
  if (values.length === 0) return EMPTY_TYPE;
  const uniform = uniformBasicType(values);
  if (uniform !== undefined) return uniform;
  let unified = typeOf(values[0]!);
  for (let i = 1; i < values.length; i++) unified = unify(unified, typeOf(values[i]!));
  return unified;
}

/** Bool, String or Int64 if every value is one of that type (JS primitives), else undefined. */
export function uniformBasicType(values: readonly Value[]): BasicValueType | undefined {
  switch (typeof values[0]) {
    case "string":
      for (let i = 1; i < values.length; i++) if (typeof values[i] !== "string") return undefined;
      return STRING_TYPE;
    case "number":
    case "bigint":
      for (let i = 1; i < values.length; i++) {
        const t = typeof values[i];
        if (t !== "number" && t !== "bigint") return undefined;
      }
      return INT64_TYPE;
    case "boolean":
      for (let i = 1; i < values.length; i++) if (typeof values[i] !== "boolean") return undefined;
      return BOOL_TYPE;
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Unification (4.3)

/** Failures of unification are errors, never panics (D15). */
const UNIFY_ERROR = "runtime/unify";

/**
 * The least type covering both `x` and `y` (symmetric, associative), or a KoError saying why
 * there is none. The order of the rules matters: Empty first, then optionals, then sequences,
 * then types of the same kind.
 */
export function unify(x: ValueType, y: ValueType): ValueType {
  return unifyIn(x, y, undefined);
}

/**
 * Unifications of composite types already made in one `unify`, by pair: types share their parts
 * (a structure of two fields of one type holds that type once), and each pair of parts is
 * unified once, so that unifying costs the number of distinct parts, not of the parts unfolded.
 */
type Unified = Map<ValueType, Map<ValueType, ValueType>>;

function unifyIn(x: ValueType, y: ValueType, memo: Unified | undefined): ValueType {
  if (x === y) return x; // unification is idempotent; singletons make this the common case
  if (x.kind === "empty") return optionalType(y);
  if (y.kind === "empty") return optionalType(x);
  if (x.kind === "basic" && y.kind === "basic") return unifyBasic(x, y);
  if (x.kind === "variety" && y.kind === "variety") return VARIETY_TYPE;
  if (x.kind === "opaque" && y.kind === "opaque") return unifyOpaque(x, y);
  memo ??= new Map();
  let byY = memo.get(x);
  const known = byY?.get(y);
  if (known !== undefined) return known;
  const u = unifyComposite(x, y, memo);
  if (byY === undefined) memo.set(x, (byY = new Map<ValueType, ValueType>()));
  byY.set(y, u);
  return u;
}

function unifyComposite(x: ValueType, y: ValueType, memo: Unified): ValueType {
  if (x.kind === "optional") return optionalType(unifyIn(x.elem, y, memo));
  if (y.kind === "optional") return optionalType(unifyIn(x, y.elem, memo));
  if (x.kind === "sequence") return y.kind === "sequence" ? unifySequences(x, y, memo) : sequenceType(unifyIn(x.elem, y, memo));
  // A sequence absorbs a single value: `((1, 2), 3)` has type `((Int64))`.
  if (y.kind === "sequence") return sequenceType(unifyIn(x, y.elem, memo));
  if (x.kind === "structure" && y.kind === "structure") return unifyStructures(x, y, memo);
  throw mismatch(x, y);
}

/**
 * The original names the two types of a mismatch in a fixed order of kinds, whichever way round
 * they were given (`Int64 and (b: Int64) cannot be unified`); messages follow it.
 */
const MISMATCH_ORDER: Readonly<Record<ValueType["kind"], number>> = {
  empty: 0,
  optional: 1,
  sequence: 2,
  basic: 3,
  opaque: 4,
  structure: 5,
  variety: 6,
};

function mismatch(x: ValueType, y: ValueType): KoError {
  const [first, second] = MISMATCH_ORDER[x.kind] <= MISMATCH_ORDER[y.kind] ? [x, y] : [y, x];
  return unifyError(`${showTypeBriefly(first)} and ${showTypeBriefly(second)} cannot be unified`);
}

/** Integer and float types widen within their family; Bool and String are families of one. */
interface NumericRank {
  readonly family: "signed" | "unsigned" | "float" | "bool" | "string";
  readonly rank: number;
}

const BASIC_RANKS: Readonly<Record<BasicType, NumericRank>> = {
  Bool: { family: "bool", rank: 0 },
  String: { family: "string", rank: 0 },
  Int8: { family: "signed", rank: 8 },
  Int16: { family: "signed", rank: 16 },
  Int32: { family: "signed", rank: 32 },
  Int64: { family: "signed", rank: 64 },
  Uint8: { family: "unsigned", rank: 8 },
  Uint16: { family: "unsigned", rank: 16 },
  Uint32: { family: "unsigned", rank: 32 },
  Uint64: { family: "unsigned", rank: 64 },
  Float32: { family: "float", rank: 32 },
  Float64: { family: "float", rank: 64 },
};

function unifyBasic(x: BasicValueType, y: BasicValueType): BasicValueType {
  const rx = BASIC_RANKS[x.name];
  const ry = BASIC_RANKS[y.name];
  if (rx.family !== ry.family) throw unifyError(`basic types ${x.name} and ${y.name} cannot be unified`);
  return rx.rank >= ry.rank ? x : y;
}

function unifySequences(x: SequenceValueType, y: SequenceValueType, memo: Unified): SequenceValueType {
  try {
    return sequenceType(unifyIn(x.elem, y.elem, memo));
  } catch (e) {
    throw because(`cannot unify sequences ${showTypeBriefly(x)} and ${showTypeBriefly(y)}`, e);
  }
}

/**
 * The union of both field sets, in order of first appearance; a field missing on one side
 * counts as Empty there, so its type becomes optional.
 */
function unifyStructures(x: StructureValueType, y: StructureValueType, memo: Unified): StructureValueType {
  // Insertion order of the map is the order of first appearance.
  const sides = new Map<string, { x: ValueType; y: ValueType }>();
  for (const f of x.fields) sides.set(f.name, { x: f.type, y: EMPTY_TYPE });
  for (const f of y.fields) {
    const side = sides.get(f.name);
    if (side) side.y = f.type;
    else sides.set(f.name, { x: EMPTY_TYPE, y: f.type });
  }
  return structureType([...sides].map(([name, side]) => ({ name, type: unifyField(name, side, memo) })));
}

function unifyField(name: string, side: { x: ValueType; y: ValueType }, memo: Unified): ValueType {
  try {
    return unifyIn(side.x, side.y, memo);
  } catch (e) {
    throw because(`cannot unify field ${name} types ${showTypeBriefly(side.x)} and ${showTypeBriefly(side.y)}`, e);
  }
}

function unifyOpaque(x: OpaqueValueType, y: OpaqueValueType): OpaqueValueType {
  if (x.name !== y.name) throw unifyError(`opaque types ${x.name} and ${y.name} cannot be unified`);
  return x;
}

function unifyError(message: string): KoError {
  return new KoError(message, UNIFY_ERROR);
}

/** Wraps the failure of a part with the context of the whole, keeping the part's reason. */
function because(context: string, cause: unknown): unknown {
  return cause instanceof KoError ? unifyError(`${context}: ${cause.message}`) : cause;
}

// ---------------------------------------------------------------------------------------------
// Printing (7.4)

/** A type as `ShowType` prints it, with the layout of values (7.3). */
export function showType(t: ValueType): string {
  return renderDoc(typeDoc(t));
}

/** Parts of a type a message prints at most, and how deep; the rest is `...`. */
const BRIEF_PARTS = 200;
const BRIEF_DEPTH = 12;

/**
 * A type as a message shows it: as `showType` prints it, but bounded. A type shares its parts
 * as the value it describes does, and unfolded in full its text can be exponentially long;
 * past BRIEF_PARTS parts or BRIEF_DEPTH levels of nesting, the text says `...`.
 */
export function showTypeBriefly(t: ValueType): string {
  let left = BRIEF_PARTS;
  const doc = (u: ValueType, depth: number): Doc => {
    if (left <= 0 || depth > BRIEF_DEPTH) return "...";
    left--;
    return typeDocWith(u, (part) => doc(part, depth + 1));
  };
  return renderDoc(doc(t, 0));
}

export function typeDoc(t: ValueType): Doc {
  return typeDocWith(t, typeDoc);
}

/** The layout of `t`, with `part` laying out its parts. */
function typeDocWith(t: ValueType, part: (t: ValueType) => Doc): Doc {
  switch (t.kind) {
    case "basic":
      return t.name;
    case "empty":
      return "Empty";
    case "variety":
      return "Variety";
    case "opaque":
      return t.name;
    case "optional":
      return new Glue("*", part(t.elem));
    case "sequence":
      return new Group("", "(", ")", [part(t.elem)]);
    case "structure":
      return new Group(
        "",
        "(",
        ")",
        t.fields.map((f) => new Glue((f.name === "" ? "?" : f.name) + ": ", part(f.type))),
      );
  }
}
