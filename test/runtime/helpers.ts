/** Small constructors that keep the value tables of the runtime tests readable. */
import {
  FloatVal,
  IntVal,
  Opaque,
  Seq,
  Struct,
  Variety,
  field,
  type Callable,
  type SizedIntType,
  type Value,
} from "../../src/value/value.js";

export const seq = (...items: Value[]): Seq => new Seq(items);
export const int = (type: SizedIntType, v: bigint | number): IntVal => new IntVal(type, BigInt(v));
export const f64 = (v: number): FloatVal => new FloatVal("Float64", v);
export const f32 = (v: number): FloatVal => new FloatVal("Float32", Math.fround(v));

/** A structure with fields in the given order; the name "" makes the monadic field. */
export const st = (...entries: [string, Value][]): Struct => new Struct(entries.map(([k, v]) => field(k, v)));

/** A callable as the evaluator would supply it; a fresh object each time, like separate lookups. */
export const callable = (displayName: string, identity = displayName): Callable => ({ displayName, identity });

export const variety = (name: string, ...fields: [string, Value][]): Variety =>
  new Variety(
    callable(name),
    fields.map(([k, v]) => field(k, v)),
  );

export const opaque = (hostType: string, value: unknown = {}): Opaque => new Opaque(hostType, value);
