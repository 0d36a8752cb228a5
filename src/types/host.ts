/**
 * Host functions as the checker sees them (D17, D31): their declared parameters are checked
 * exactly as `defineHost` checks them at run time — the field of that name, else for the
 * monadic parameter the unnamed field; missing (or Empty) is an error unless the parameter is
 * optional; a value of another type than declared is an error — and their declared result type
 * is their static result.
 */
import type { HostFunction, ParamSpec } from "../host/binding.js";
import { showHostType, type HostType } from "../host/types.js";
import type { CallCtx } from "./context.js";
import { kindOfTy } from "./show.js";
import {
  EMPTY,
  INTEGER_TYPES,
  NEVER,
  UNKNOWN,
  UNKNOWN_VARIETY,
  alternatives,
  basic,
  hostType,
  isIntegerType,
  join,
  maybeEmpty,
  sequence,
  structure,
  unionOf,
  type Ty,
  type TyField,
} from "./ty.js";

/**
 * The argument a parameter receives (spec 5.1, host `findArg`): the field of its name, else for
 * the monadic parameter the first unnamed field; undefined if there is none.
 */
export function findArgTy(fields: readonly TyField[], name: string, monadic: boolean): Ty | undefined {
  for (const f of fields) if (f.name === name) return f.type;
  if (monadic) for (const f of fields) if (f.name === "") return f.type;
  return undefined;
}

/** The parameters' argument types, narrowed to what the function accepts, and whether it certainly fails. */
export interface CheckedArgs {
  readonly args: readonly Ty[];
  /** Some argument certainly fails the declaration: the call never returns. */
  readonly failed: boolean;
}

/** Checks every declared parameter of `fn` (or the given ones) against the call's fields. */
export function checkParams(ctx: CallCtx, fn: HostFunction, fields: readonly TyField[], params: readonly ParamSpec[] = fn.params): CheckedArgs {
  const args: Ty[] = [];
  let failed = false;
  for (const p of params) {
    const t = checkParam(ctx, fn.displayName, p, findArgTy(fields, p.name, p.monadic === true));
    args.push(t);
    if (t.k === "never") failed = true;
  }
  return { args, failed };
}

/**
 * One parameter: its argument's type narrowed to the alternatives the declaration accepts
 * (Empty for an absent optional one), or Never when no alternative is accepted.
 */
export function checkParam(ctx: CallCtx, fn: string, p: ParamSpec, t: Ty | undefined): Ty {
  const missing = `${fn}: argument ${p.name}: missing`;
  if (t === undefined || t.k === "empty") {
    if (p.optional) return EMPTY;
    ctx.fail("type/host-argument", missing, true);
    return NEVER;
  }
  if (t.k === "unknown") return t;
  const accepted: Ty[] = [];
  let firstRejection: string | undefined;
  for (const a of alternatives(t)) {
    if (a.k === "empty") {
      if (p.optional) accepted.push(a);
      else firstRejection ??= missing;
      continue;
    }
    const m = matches(a, p.type);
    if (m !== "no") accepted.push(a);
    if (m !== "yes") firstRejection ??= `${fn}: argument ${p.name}: expects ${showHostType(p.type)}, got ${mismatch(a, p.type)}`;
  }
  if (firstRejection !== undefined) ctx.fail(codeFor(p.type), firstRejection, accepted.length === 0);
  return unionOf(accepted);
}

function codeFor(t: HostType): string {
  if (t.k === "basic" && t.t === "Bool") return "type/not-bool";
  if (t.k === "integer" || (t.k === "list" && t.of.k === "integer")) return "type/not-integer";
  return "type/host-argument";
}

/** Whether values of `a` (one alternative, not Empty) have host type `t`. */
export function matches(a: Ty, t: HostType): "yes" | "no" | "maybe" {
  if (a.k === "unknown") return "yes";
  switch (t.k) {
    case "any":
      return "yes";
    case "basic":
      return a.k === "basic" && a.name === t.t ? "yes" : "no";
    case "integer":
      return a.k === "basic" && isIntegerType(a.name) ? "yes" : "no";
    case "variety":
      return a.k === "variety" ? "yes" : "no";
    case "empty":
      return "no";
    case "list": {
      if (a.k !== "sequence") return matches(a, t.of);
      if (a.elem.k === "unknown") return "yes";
      const each = alternatives(a.elem).map((e) => matches(e, t.of));
      if (each.every((m) => m === "yes")) return "yes";
      return each.every((m) => m === "no") ? "no" : "maybe";
    }
    case "struct":
      return a.k === "structure" ? "yes" : "no";
    case "opaque":
      return a.k === "host" && a.name === t.name ? "yes" : "no";
  }
}

/** What the run time's message names a mismatching argument (host/types.ts `describeMismatch`). */
function mismatch(a: Ty, t: HostType): string {
  if (t.k === "list" && a.k === "sequence") {
    const wrong = unionOf(alternatives(a.elem).filter((e) => matches(e, t.of) !== "yes"));
    return `a sequence with elements of type ${kindOfTy(wrong)}`;
  }
  switch (a.k) {
    case "basic":
      return a.name;
    case "sequence":
      return "a sequence";
    case "structure":
      return "a structure";
    case "variety":
      return "a variety";
    case "host":
      return a.name;
    default:
      return "a value";
  }
}

/**
 * The static type of a declared host type, as a result. A declared list is what `T.list` means:
 * one value or a sequence of them, or Empty for none (spec 6.6 has library lists be sequences,
 * but a binding may give one value alone, as `build.Exec`'s outputs do). The fields of a
 * declared structure may be absent (they are Empty in `ko.Eval`'s result, say), so each is
 * "maybe Empty"; Any is Unknown.
 */
export function hostResultTy(t: HostType): Ty {
  switch (t.k) {
    case "any":
      return UNKNOWN;
    case "basic":
      return basic(t.t);
    case "integer":
      return unionOf(INTEGER_TYPES.map((n) => basic(n)));
    case "variety":
      return UNKNOWN_VARIETY;
    case "empty":
      return EMPTY;
    case "list": {
      const elem = hostResultTy(t.of);
      return join(EMPTY, join(elem, sequence(elem)));
    }
    case "struct":
      return structure(Object.entries(t.fields).map(([name, f]) => ({ name, type: maybeEmpty(hostResultTy(f)) })));
    case "opaque":
      return hostType(t.name);
  }
}

/**
 * The generic rule of a host function: check the declared parameters, return the declared
 * result. A function that reads its raw argument fields (`echoesArgs`) checks them itself, so
 * its parameters only document it: they are not held against the call.
 */
export function declaredRule(ctx: CallCtx, fn: HostFunction, fields: readonly TyField[]): Ty {
  if (!fn.echoesArgs && checkParams(ctx, fn, fields).failed) return NEVER;
  return hostResultTy(fn.result);
}
