/**
 * The operations of a circuit's steps, checked over static types: grouping bracket terms
 * (reference 5.3), selection (5.4), augmentation and invocation (5.5). Each mirrors the evaluator's
 * function of the same name in src/runtime/eval.ts and fails with its words.
 */
import type { CallCtx } from "./context.js";
import { hostRule } from "./rules.js";
import { describeTy, showTy } from "./show.js";
import type { Span } from "../diag/span.js";
import { closestField, noSuchField } from "../host/host-type.js";
import {
  EMPTY,
  NEVER,
  UNKNOWN,
  alternatives,
  basic,
  emptiness,
  fieldOf,
  fieldTy,
  join,
  joinAll,
  sequence,
  unionOf,
  variety,
  withoutEmpty,
  type Callee,
  type StaticType,
  type TyField,
  type VarietyTy,
} from "./static-type.js";
import { checkUnifiable } from "./unify.js";

// ---------------------------------------------------------------------------------------------
// Grouping (5.3, 4.4 rule a)

/**
 * The value of a group of two or more bracket terms: Empty ones dropped; none left is Empty, one
 * is that value itself, more make a sequence whose element types must unify. With terms that
 * may or may not be Empty, each of these outcomes may happen; the type covers them all.
 */
export function groupTy(ctx: CallCtx, types: readonly StaticType[]): StaticType {
  if (types.some((t) => t.k === "never")) return NEVER;
  const outcome = checkUnifiable(types);
  if (outcome.failure) {
    ctx.fail("type/unify", outcome.failure.message, outcome.failure.certain);
    if (outcome.failure.certain) return NEVER;
  }
  const definite = types.filter((t) => emptiness(t) === "no");
  const maybe = types.filter((t) => emptiness(t) === "maybe");
  if (definite.length + maybe.length === 0) return EMPTY;
  let out: StaticType = NEVER;
  if (definite.length === 0) out = join(out, EMPTY);
  if (definite.length <= 1) out = join(out, definite.length === 1 ? definite[0]! : joinAll(maybe.map(withoutEmpty)));
  if (definite.length + maybe.length >= 2) out = join(out, sequence(elementsTy([...definite, ...maybe].map(withoutEmpty)), 2));
  return out;
}

/**
 * The type of a sequence's elements, from the types of the values it is made of. Where some are
 * Unknown (a parameter of a function checked for arguments of any type, D33) and the others
 * Strings, or the others Bools, the elements still unify with those (4.3): in `(x, "a")` every
 * element is a String, whatever `x` is — or a sequence standing for one (`(("b", "c"), "a")`),
 * which is left out: a check that rejects a String rejects a sequence where one is expected
 * too (a list takes one value as a list of it, a sequence is no basic value), so what that makes
 * certain is. (Numbers widen within their family, `Int8` with `Int64`: there the elements stay
 * Unknown, rather than a union of widths that every later step would doubt.)
 */
function elementsTy(types: readonly StaticType[]): StaticType {
  let unknown = false;
  for (const t of types) if (t.k === "unknown") unknown = true;
  if (!unknown) return joinAll(types);
  const known = types.filter((t) => t.k !== "unknown");
  if (known.length === 0) return UNKNOWN;
  const names = new Set(known.flatMap((t) => alternatives(t).map((a) => (a.k === "basic" ? a.name : undefined))));
  if (names.size !== 1) return UNKNOWN;
  const [name] = names;
  return name === "String" || name === "Bool" ? basic(name) : UNKNOWN;
}

// ---------------------------------------------------------------------------------------------
// Selection (5.4)

/** `t.a.b`; `written(k)` is where field k is written, for fixing a misspelled one. */
export function selectTy(ctx: CallCtx, t: StaticType, fields: readonly string[], written?: (k: number) => Span): StaticType {
  for (let k = 0; k < fields.length; k++) {
    t = selectOne(ctx, t, fields[k]!, written && (() => written(k)));
    if (t.k === "never") return NEVER;
  }
  return t;
}

function selectOne(ctx: CallCtx, t: StaticType, name: string, written?: () => Span): StaticType {
  if (t.k === "unknown" || t.k === "never") return t;
  const results: StaticType[] = [];
  let failure: string | undefined;
  for (const a of alternatives(t)) {
    switch (a.k) {
      case "empty":
        results.push(EMPTY);
        break;
      case "structure": {
        const f = fieldTy(a, name);
        if (f) {
          results.push(f);
          break;
        }
        // A field a closed record never has is a mistake in the script whether or not this
        // value happens to be Empty when it runs: always an error.
        const record = a.schema!.record;
        const guess = closestField(record, name);
        const span = written?.();
        ctx.fail(
          "type/select",
          noSuchField(record, name, ""),
          true,
          guess && span ? { fix: { span, oldText: name, newText: guess } } : undefined,
        );
        return NEVER;
      }
      case "sequence":
        failure ??= `cannot select ${name} into sequence ${showTy(a)}`;
        break;
      default:
        failure ??= `${describeTy(a)} cannot be selected into (field ${name})`;
    }
  }
  if (failure !== undefined) ctx.fail("type/select", failure, results.length === 0);
  return unionOf(results);
}

// ---------------------------------------------------------------------------------------------
// Augmentation and invocation (5.5)

/** `callee[fields]`: a variety with the fields appended; a non-variety cannot be augmented. */
export function augmentTy(ctx: CallCtx, callee: StaticType, fields: readonly TyField[]): StaticType {
  if (callee.k === "never" || fields.some((f) => f.type.k === "never")) return NEVER;
  if (fields.length === 0 || callee.k === "unknown") return callee;
  const results: StaticType[] = [];
  const several = alternatives(callee).length > 1;
  for (const a of alternatives(callee)) {
    if (a.k !== "variety") {
      ctx.fail("type/augment", `${describeTy(a)} cannot be augmented`, !several);
      continue;
    }
    const merged = mergeFields(ctx.within(!several), a, fields);
    if (merged) results.push(variety(a.callee, merged));
  }
  if (several && results.length === 0) ctx.fail("type/augment", `${describeTy(callee)} cannot be augmented`, true);
  return unionOf(results);
}

/**
 * The fields of the variety with `added` appended, or undefined (and a failure) when a name is
 * given twice — including the unnamed one and fields whose value is Empty.
 */
function mergeFields(ctx: CallCtx, v: VarietyTy, added: readonly TyField[]): readonly TyField[] | undefined {
  for (const a of added) {
    if (fieldOf(v.fields, a.name)) {
      ctx.fail("type/duplicate-field", `augmenting duplicate field ${a.name === "" ? "? (the unnamed argument)" : a.name}`, true);
      return undefined;
    }
  }
  return v.fields.length === 0 ? added : added.length === 0 ? v.fields : [...v.fields, ...added];
}

/**
 * `callee(fields)`: augmentation, then the call. Invoking a union of varieties may invoke any
 * one of them, so each member is checked, none of them certainly.
 */
export function invokeTy(ctx: CallCtx, callee: StaticType, fields: readonly TyField[]): StaticType {
  if (callee.k === "never" || fields.some((f) => f.type.k === "never")) return NEVER;
  if (callee.k === "unknown") return UNKNOWN;
  const members = alternatives(callee);
  const varieties = members.filter((m): m is VarietyTy => m.k === "variety");
  if (varieties.length === 0) {
    ctx.fail("type/invoke", `${describeTy(callee)} cannot be invoked`, true);
    return NEVER;
  }
  const several = members.length > 1;
  if (varieties.length < members.length) {
    const other = members.find((m) => m.k !== "variety")!;
    ctx.fail("type/invoke", `${describeTy(other)} cannot be invoked`, false);
  }
  const memberCtx = ctx.within(!several);
  let result: StaticType = NEVER;
  for (const v of varieties) {
    const merged = mergeFields(memberCtx, v, fields);
    if (merged) result = join(result, call(memberCtx, v.callee, merged));
  }
  return result;
}

/**
 * Calls what a variety refers to with its accumulated fields (no type is made of the variety
 * with them: it exists only for the call).
 */
function call(ctx: CallCtx, c: Callee, fields: readonly TyField[]): StaticType {
  switch (c.k) {
    case "ko":
      return ctx.callKo(c.fn, fields);
    case "host":
      return hostRule(c.fn)(ctx, c.fn, fields);
    case "wait":
      // Waiting for a spun call returns what it returned, and fails as it failed (5.7).
      return ctx.invoke(c.spun, [], true);
    case "memory": // what a Memory holds is not tracked: its methods give Unknown
    case "unknown":
      return UNKNOWN;
  }
}
