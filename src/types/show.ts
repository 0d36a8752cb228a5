/**
 * Printing static types as reference 7.4 prints types, and describing them in messages with the
 * words the evaluator uses for values (`structure (a: 1) cannot be invoked`).
 *
 * Every type that has a run-time counterpart is printed by the runtime's own `showType`, so a
 * type reads the same in a checker's message as in `ShowType` output. Only what the run time
 * never prints has a form of its own: a union `Int64 | String`, `Unknown` and `Never`.
 */
import { PRINT_WIDTH, printValue, renderDoc } from "../value/print.js";
import {
  EMPTY_TYPE,
  VARIETY_TYPE,
  basicType,
  opaqueType,
  optionalType,
  sequenceType,
  structureType,
  typeDoc,
  type ValueType,
} from "../value/value-type.js";
import { EMPTY, Seq, Struct, Variety, type Field, type Value } from "../value/value.js";
import { alternatives, withoutEmpty, type Callee, type StaticType } from "./static-type.js";

/**
 * A static type as reference 7.4 prints types (with its line breaking, within `budget` columns);
 * unions as `A | B`.
 */
export function showTy(t: StaticType, budget = PRINT_WIDTH): string {
  const rt = runtimeType(t);
  if (rt) return renderDoc(typeDoc(rt), "", budget);
  switch (t.k) {
    case "never":
      return "Never";
    case "unknown":
      return "Unknown";
    case "sequence":
      return `(${showTy(t.elem, Infinity)})`;
    case "structure":
      if (t.schema && t.fields.length === 0) return t.schema.name;
      return `(${t.fields.map((f) => `${f.name === "" ? "?" : f.name}: ${showTy(f.type, Infinity)}`).join(", ")})${t.schema ? ` ${t.schema.name}` : ""}`;
    case "union": {
      const present = withoutEmpty(t);
      const shown = alternatives(present)
        .map((m) => showTy(m, Infinity))
        .join(" | ");
      return present === t ? shown : `*(${shown})`;
    }
    default:
      return "?";
  }
}

/**
 * The run-time type that `t` prints as, when it has one: every kind but Never, Unknown and
 * unions other than "T or Empty" (the optional `*T`).
 */
export function runtimeType(t: StaticType): ValueType | undefined {
  switch (t.k) {
    case "never":
    case "unknown":
      return undefined;
    case "empty":
      return EMPTY_TYPE;
    case "basic":
      return basicType(t.name);
    case "sequence": {
      const elem = runtimeType(t.elem);
      return elem && sequenceType(elem);
    }
    case "structure": {
      if (t.schema) return undefined; // a record's fields are its schema's, not a list of them
      const fields: { name: string; type: ValueType }[] = [];
      for (const f of t.fields) {
        const ft = runtimeType(f.type);
        if (!ft) return undefined;
        fields.push({ name: f.name, type: ft });
      }
      return structureType(fields);
    }
    case "variety":
      return VARIETY_TYPE;
    case "host":
      return opaqueType(t.name);
    case "union": {
      if (t.members.length !== 2 || !t.members.some((m) => m.k === "empty")) return undefined;
      const inner = runtimeType(withoutEmpty(t));
      return inner && optionalType(inner);
    }
  }
}

/** The one value of `t`, if the checker knows it exactly (literals, structures of them, Empty). */
export function literalValue(t: StaticType): Value | undefined {
  switch (t.k) {
    case "empty":
      return EMPTY;
    case "basic":
      return t.literal;
    case "structure": {
      if (t.schema) return undefined;
      const fields: Field[] = [];
      for (const f of t.fields) {
        const v = literalValue(f.type);
        if (v === undefined) return undefined;
        if (v !== EMPTY) fields.push({ name: f.name, value: v, monadic: f.name === "" });
      }
      return fields.length === 0 ? Struct.empty : new Struct(fields);
    }
    case "variety": {
      const callable = t.callee.k === "ko" || t.callee.k === "host" ? t.callee.fn : undefined;
      if (!callable) return undefined;
      const fields: Field[] = [];
      for (const f of t.fields) {
        const v = literalValue(f.type);
        if (v === undefined) return undefined;
        fields.push({ name: f.name, value: v, monadic: f.name === "" });
      }
      return new Variety(callable, fields);
    }
    default:
      return undefined;
  }
}

/**
 * `t` described as the evaluator describes a value in its messages: `empty value`,
 * `structure (a: 1)`, `sequence (Int64)`, `variety conf.F`, `basic value "s"`.
 */
export function describeTy(t: StaticType): string {
  const v = literalValue(t);
  if (v !== undefined) {
    if (v === EMPTY) return "empty value";
    if (v instanceof Struct) return `structure ${printValue(v)}`;
    if (v instanceof Seq) return `sequence ${printValue(v)}`;
    if (v instanceof Variety) return `variety ${printValue(v)}`;
    return `basic value ${printValue(v)}`;
  }
  switch (t.k) {
    case "structure":
      return `structure ${showTy(t)}`;
    case "sequence":
      return `sequence ${showTy(t)}`;
    case "variety":
      return `variety ${calleeName(t.callee)}`;
    case "basic":
      return `basic value of type ${t.name}`;
    case "host":
      return `host value ${t.name}`;
    default:
      return `a value of type ${showTy(t)}`;
  }
}

/** The kind of a value as builtins name it in "got ..." (runtime `kindOf`), per alternative. */
export function kindOfTy(t: StaticType): string {
  const kinds = new Set<string>();
  for (const a of t.k === "unknown" ? [] : alternatives(t)) {
    switch (a.k) {
      case "empty":
        kinds.add("empty value");
        break;
      case "basic":
        kinds.add(a.name);
        break;
      case "structure":
        kinds.add("structure");
        break;
      case "sequence":
        kinds.add("sequence");
        break;
      case "variety":
        kinds.add("variety");
        break;
      case "host":
        kinds.add(`host value ${a.name}`);
        break;
    }
  }
  return kinds.size === 0 ? "a value" : [...kinds].join(" or ");
}

/** How a variety of this callee prints (D8, D28). */
export function calleeName(c: Callee): string {
  switch (c.k) {
    case "ko":
    case "host":
      return c.fn.displayName;
    case "wait":
      return "Wait";
    case "memory":
      return c.method;
    case "unknown":
      return "(a variety)";
  }
}

/** A type on one line, however long. */
export function showTyFlat(t: StaticType): string {
  return showTy(t, Infinity);
}

/** A specialisation as messages show it: `conf.Fib(n: Int64)`. */
export function showSignature(name: string, params: readonly { name: string }[], args: readonly StaticType[]): string {
  return `${name}(${params.map((p, i) => `${p.name}: ${showTyFlat(args[i]!)}`).join(", ")})`;
}
