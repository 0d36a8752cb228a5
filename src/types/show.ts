/**
 * Printing static types as reference 7.4 prints types, and describing them in messages with the
 * words the evaluator uses for values (`structure (a: 1) cannot be invoked`).
 *
 * Every type that has a run-time counterpart is laid out as the runtime's own `showType` lays it
 * out (src/value/value-type.ts `typeDoc`), so a type reads the same in a checker's message as in
 * `ShowType` output. Only what the run time never prints has a form of its own: a union
 * `Int64 | String`, `Unknown` and `Never`.
 *
 * Types share their parts (static-type.ts), so a type of a few dozen distinct parts can unfold
 * into a tree of billions: printing is bounded (see `showTy`), and every question asked here of
 * a type is remembered per type.
 */
import { Glue, Group, PRINT_WIDTH, printValue, renderDoc, type Doc } from "../value/print.js";
import { EMPTY, Seq, Struct, Variety, type Field, type Value } from "../value/value.js";
import { alternatives, withoutEmpty, type Callee, type StaticType } from "./static-type.js";

/** At most this many parts of a type are printed; the rest is elided as `...`. */
const SHOWN_PARTS = 200;
/** Parts nested deeper than this are elided. */
const SHOWN_DEPTH = 12;
/** A part printed once already is elided the next time if it has more parts than this. */
const REPEATED_PARTS = 16;
export const ELIDED = "...";

/**
 * A static type as reference 7.4 prints types (with its line breaking, within `budget` columns);
 * unions as `A | B`. Printing is bounded whatever the type: past SHOWN_PARTS parts, past
 * SHOWN_DEPTH levels of nesting, and where a large part is repeated, the text says `...`.
 */
export function showTy(t: StaticType, budget = PRINT_WIDTH): string {
  return renderDoc(new Printer().doc(t, 0), "", budget);
}

/**
 * Builds the layout of a type as value-type.ts `typeDoc` does for a run-time type, and as
 * one line of text for what the run time never prints (Never, Unknown, unions, records),
 * counting the parts it prints.
 */
class Printer {
  private left = SHOWN_PARTS;
  private readonly printed = new Set<StaticType>();

  doc(t: StaticType, depth: number): Doc {
    if (this.left <= 0 || depth > SHOWN_DEPTH) return ELIDED;
    this.left--;
    if (this.printed.has(t)) return ELIDED;
    if (treeSize(t) > REPEATED_PARTS) this.printed.add(t);
    if (printsAsRuntime(t)) return this.runtimeDoc(t, depth);
    return this.flat(t, depth);
  }

  /** The layout of a type with a run-time counterpart, as `typeDoc` lays that out. */
  private runtimeDoc(t: StaticType, depth: number): Doc {
    switch (t.k) {
      case "empty":
        return "Empty";
      case "basic":
        return t.name;
      case "variety":
        return "Variety";
      case "host":
        return t.name;
      case "sequence":
        return new Group("", "(", ")", [this.doc(t.elem, depth + 1)]);
      case "structure":
        return new Group(
          "",
          "(",
          ")",
          t.fields.map((f) => new Glue((f.name === "" ? "?" : f.name) + ": ", this.doc(f.type, depth + 1))),
        );
      case "union": {
        // `*T`; a sequence is optional already (value-type.ts `optionalType`).
        const present = withoutEmpty(t);
        const inner = this.doc(present, depth + 1);
        return present.k === "sequence" ? inner : new Glue("*", inner);
      }
      default:
        return "?";
    }
  }

  /** One line: what the run time does not print. */
  private flat(t: StaticType, depth: number): string {
    const inner = (u: StaticType) => renderDoc(this.doc(u, depth + 1), "", Infinity);
    switch (t.k) {
      case "never":
        return "Never";
      case "unknown":
        return "Unknown";
      case "sequence":
        return `(${inner(t.elem)})`;
      case "structure":
        if (t.schema && t.fields.length === 0) return t.schema.name;
        return `(${t.fields.map((f) => `${f.name === "" ? "?" : f.name}: ${inner(f.type)}`).join(", ")})${t.schema ? ` ${t.schema.name}` : ""}`;
      case "union": {
        const present = withoutEmpty(t);
        const shown = alternatives(present).map(inner).join(" | ");
        return present === t ? shown : `*(${shown})`;
      }
      default:
        return "?";
    }
  }
}

const runtimeLike = new WeakMap<StaticType, boolean>();

/**
 * Whether `t` prints as a run-time type: every kind but Never, Unknown, records and unions
 * other than "T or Empty" (the optional `*T`), and no part of it one of those.
 */
function printsAsRuntime(t: StaticType): boolean {
  switch (t.k) {
    case "never":
    case "unknown":
      return false;
    case "empty":
    case "basic":
    case "variety":
    case "host":
      return true;
  }
  let r = runtimeLike.get(t);
  if (r === undefined) {
    switch (t.k) {
      case "sequence":
        r = printsAsRuntime(t.elem);
        break;
      case "structure":
        r = t.schema === undefined && t.fields.every((f) => printsAsRuntime(f.type));
        break;
      case "union":
        r = t.members.length === 2 && t.members.some((m) => m.k === "empty") && printsAsRuntime(withoutEmpty(t));
        break;
    }
    runtimeLike.set(t, r);
  }
  return r;
}

const sizes = new WeakMap<StaticType, number>();
/** Sizes are counted up to this: beyond it, only "large" matters. */
const LARGE = 1 << 20;

/** How many parts `t` has unfolded as a tree (saturating at LARGE); remembered per type. */
export function treeSize(t: StaticType): number {
  switch (t.k) {
    case "sequence":
    case "structure":
    case "variety":
    case "union":
      break;
    default:
      return 1;
  }
  let n = sizes.get(t);
  if (n === undefined) {
    const parts = t.k === "sequence" ? [t.elem] : t.k === "union" ? t.members : t.fields.map((f) => f.type);
    n = 1;
    for (const p of parts) n = Math.min(LARGE, n + treeSize(p));
    sizes.set(t, n);
  }
  return n;
}

const literalValues = new WeakMap<StaticType, Value | null>();

/** The one value of `t`, if the checker knows it exactly (literals, structures of them, Empty). */
export function literalValue(t: StaticType): Value | undefined {
  if (t.k !== "structure" && t.k !== "variety") return literalValueOf(t);
  let v = literalValues.get(t);
  if (v === undefined) literalValues.set(t, (v = literalValueOf(t) ?? null));
  return v ?? undefined;
}

function literalValueOf(t: StaticType): Value | undefined {
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
  // A value is printed in full: only a small one (the type says how large the value is).
  const v = treeSize(t) <= SHOWN_PARTS ? literalValue(t) : undefined;
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
