/**
 * Host functions as the checker sees them (D17, D31): their declared parameters are checked
 * exactly as `defineHost` checks them at run time — the field of that name, else for the
 * monadic parameter the unnamed field; missing (or Empty) is an error unless the parameter is
 * optional; a value of another type than declared is an error — and their declared result type
 * is their static result.
 */
import type { HostFunction, Known, ParamSpec, Refinement } from "../host/binding.js";
import { closestField, noSuchField, showHostType, type HostType, type RecordSchema } from "../host/host-type.js";
import type { Fix } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import type { About, CallCtx } from "./context.js";
import { kindOfTy } from "./show.js";
import {
  EMPTY,
  INT64,
  INTEGER_TYPES,
  NEVER,
  UNKNOWN,
  UNKNOWN_VARIETY,
  alternatives,
  basic,
  emptiness,
  hostType,
  isIntegerType,
  join,
  maybeEmpty,
  sequence,
  structure,
  unionOf,
  withoutEmpty,
  type StaticType,
  type TyField,
  type TySchema,
} from "./static-type.js";

/**
 * The argument a parameter receives (reference 5.1, host `findArg`): the field of its name, else for
 * the monadic parameter the first unnamed field; undefined if there is none.
 */
export function findArgTy(fields: readonly TyField[], name: string, monadic: boolean): StaticType | undefined {
  for (const f of fields) if (f.name === name) return f.type;
  if (monadic) for (const f of fields) if (f.name === "") return f.type;
  return undefined;
}

/** The parameters' argument types, narrowed to what the function accepts, and whether it certainly fails. */
export interface CheckedArgs {
  readonly args: readonly StaticType[];
  /** Some argument certainly fails the declaration: the call never returns. */
  readonly failed: boolean;
}

/** Checks every declared parameter of `fn` (or the given ones) against the call's fields. */
export function checkParams(
  ctx: CallCtx,
  fn: HostFunction,
  fields: readonly TyField[],
  params: readonly ParamSpec[] = fn.params,
): CheckedArgs {
  const args: StaticType[] = [];
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
export function checkParam(ctx: CallCtx, fn: string, p: ParamSpec, t: StaticType | undefined, type: HostType = p.type): StaticType {
  const missing = `${fn}: argument ${p.name}: missing`;
  if (t === undefined || t.k === "empty") {
    if (p.optional) return EMPTY;
    ctx.fail("type/host-argument", missing, true);
    return NEVER;
  }
  if (t.k === "unknown") return t;
  const accepted: StaticType[] = [];
  let firstRejection: string | undefined;
  let about: About | undefined;
  for (const a of alternatives(t)) {
    if (a.k === "empty") {
      if (p.optional) accepted.push(a);
      else firstRejection ??= missing;
      continue;
    }
    const j = judge(a, type, "");
    if (j.verdict !== "no") accepted.push(a);
    if (j.verdict !== "yes" && firstRejection === undefined) {
      firstRejection = `${fn}: argument ${p.name}: ${j.problem}`;
      about = { ...(j.at ? { at: j.at } : {}), ...(j.fix ? { fix: j.fix } : {}) };
    }
  }
  if (firstRejection !== undefined) ctx.fail(codeFor(type), firstRejection, accepted.length === 0, about);
  return unionOf(accepted);
}

function codeFor(t: HostType): string {
  if (t.k === "basic" && t.t === "Bool") return "type/not-bool";
  if (t.k === "integer" || (t.k === "list" && t.of.k === "integer")) return "type/not-integer";
  if (t.k === "record" || (t.k === "list" && t.of.k === "record")) return "type/record-field";
  return "type/host-argument";
}

/** Whether values of `a` (one alternative, not Empty) have host type `t`. */
export function matches(a: StaticType, t: HostType): Verdict {
  return judge(a, t, "").verdict;
}

type Verdict = "yes" | "no" | "maybe";

/**
 * A verdict, and unless it is "yes" what may be wrong, worded as the run time words it, and
 * where in the source the wrong field is written, when the checker knows.
 */
interface Judgement {
  readonly verdict: Verdict;
  readonly problem?: string;
  readonly at?: Span;
  readonly fix?: Fix;
}

const YES: Judgement = { verdict: "yes" };

/**
 * Whether values of `a` (one alternative, not Empty) have host type `t`, mirroring host/host-type.ts
 * `problemWith`, down to its messages: `path` is the path of fields that led here.
 */
function judge(a: StaticType, t: HostType, path: string): Judgement {
  if (a.k === "unknown") return YES;
  switch (t.k) {
    case "any":
      return YES;
    case "basic":
      return a.k === "basic" && a.name === t.t ? YES : refuse(a, t, path);
    case "integer":
      return a.k === "basic" && isIntegerType(a.name) ? YES : refuse(a, t, path);
    case "variety":
      return a.k === "variety" ? YES : refuse(a, t, path);
    case "empty":
      return refuse(a, t, path);
    case "list": {
      if (a.k !== "sequence") {
        const one = judge(a, t.of, path);
        if (one.verdict === "yes") return YES;
        return structured(t.of) ? one : { verdict: one.verdict, problem: refuse(a, t, path).problem };
      }
      if (a.elem.k === "unknown") return YES;
      const each = alternatives(a.elem).map((e) => judge(e, t.of, path));
      const verdict = combine(each.map((j) => j.verdict));
      if (verdict === "yes") return YES;
      if (!structured(t.of)) {
        const wrong = unionOf(alternatives(a.elem).filter((_, i) => each[i]!.verdict !== "yes"));
        return { verdict, problem: `expects ${showHostType(t)}, got a sequence with elements of type ${kindOfTy(wrong)}` };
      }
      return { ...each.find((j) => j.verdict !== "yes")!, verdict }; // the first element's problem, the list's verdict
    }
    case "struct":
      return a.k === "structure" ? YES : refuse(a, t, path);
    case "record":
      if (a.k !== "structure") return refuse(a, t, path);
      if (a.schema && a.schema.record !== t.schema)
        return { verdict: "maybe", problem: `${path === "" ? "" : `field ${path}: `}expects ${t.schema.name}, got ${a.schema.name}` };
      return judgeFields(a.fields, (name) => (name === "" ? undefined : t.schema.field(name)), path, t.schema);
    case "map":
      if (a.k !== "structure") return refuse(a, t, path);
      return judgeFields(a.fields, () => t.of, path);
    case "oneOf": {
      const each = t.of.map((o) => judge(a, o, path));
      const verdict = each.some((j) => j.verdict === "yes") ? "yes" : combine(each.map((j) => j.verdict));
      return verdict === "yes" ? YES : { verdict, problem: refuse(a, t, path).problem };
    }
    case "opaque":
      return a.k === "host" && a.name === t.name ? YES : refuse(a, t, path);
  }
}

/** The fields of a structure against the types a record (`schema`) or map gives them. */
function judgeFields(
  fields: readonly TyField[],
  typeOf: (name: string) => HostType | undefined,
  path: string,
  schema?: RecordSchema,
): Judgement {
  const verdicts: Verdict[] = [];
  let problem: string | undefined;
  let where: Span | undefined;
  let fix: Fix | undefined;
  for (const f of fields) {
    const present = withoutEmpty(f.type);
    if (present.k === "never") continue; // an Empty field is an absent one
    const surely = emptiness(f.type) === "no";
    const ft = typeOf(f.name);
    if (ft === undefined) {
      // A field the record never has is a mistake in the script even where its value may be
      // Empty (or where a sequence's other elements lack it): always "no".
      verdicts.push("no");
      if (problem === undefined && schema) {
        problem = noSuchField(schema, f.name, path);
        where = f.at;
        const guess = closestField(schema, f.name);
        if (guess && f.at) fix = { span: f.at, oldText: f.name, newText: guess };
      }
      continue;
    }
    const fieldPath = path === "" ? f.name : `${path}.${f.name}`;
    const each = present.k === "unknown" ? [YES] : alternatives(present).map((e) => judge(e, ft, fieldPath));
    let v = combine(each.map((j) => j.verdict));
    if (v === "no" && !surely) v = "maybe";
    verdicts.push(v);
    if (v !== "yes" && problem === undefined) {
      const wrong = each.find((j) => j.verdict !== "yes")!;
      problem = wrong.problem;
      where = wrong.at ?? f.at; // the innermost place known
      fix = wrong.fix;
    }
  }
  const verdict = verdicts.includes("no") ? "no" : verdicts.includes("maybe") ? "maybe" : "yes";
  return verdict === "yes" ? YES : { verdict, problem, ...(where ? { at: where } : {}), ...(fix ? { fix } : {}) };
}

/** Whether what is wrong with a value of `t` is best said from inside it (a field's path). */
function structured(t: HostType): boolean {
  return t.k === "record" || t.k === "map";
}

/** All yes: yes; all no: no; else maybe. */
function combine(vs: readonly Verdict[]): Verdict {
  if (vs.every((v) => v === "yes")) return "yes";
  return vs.every((v) => v === "no") ? "no" : "maybe";
}

function refuse(a: StaticType, t: HostType, path: string): Judgement {
  const what = `expects ${showHostType(t)}, got ${mismatch(a)}`;
  return { verdict: "no", problem: path === "" ? what : `field ${path}: ${what}` };
}

/** What the run time's message names a mismatching argument (host/host-type.ts `describe`). */
function mismatch(a: StaticType): string {
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
 * one value or a sequence of them, or Empty for none (reference 6.6 has library lists be sequences,
 * but a binding may give one value alone, as `build.Exec`'s outputs do). The fields of a
 * declared structure may be absent (they are Empty in `ko.Eval`'s result, say), so each is
 * "maybe Empty"; Any is Unknown. A record is a structure that knows its schema; its values
 * are decoded from JSON, whose integers Ko reads as Int64. A map's field names are not known
 * statically: it is Unknown.
 */
export function hostResultTy(t: HostType, decoded = false): StaticType {
  switch (t.k) {
    case "any":
      return UNKNOWN;
    case "basic":
      return basic(t.t);
    case "integer":
      return decoded ? INT64 : unionOf(INTEGER_TYPES.map((n) => basic(n)));
    case "variety":
      return UNKNOWN_VARIETY;
    case "empty":
      return EMPTY;
    case "list": {
      const elem = hostResultTy(t.of, decoded);
      return join(EMPTY, join(elem, sequence(elem)));
    }
    case "struct":
      return structure(Object.entries(t.fields).map(([name, f]) => ({ name, type: maybeEmpty(hostResultTy(f, decoded)) })));
    case "record":
      return structure([], tySchema(t.schema));
    case "map":
      return UNKNOWN;
    case "oneOf":
      return unionOf(t.of.map((o) => hostResultTy(o, decoded)));
    case "opaque":
      return hostType(t.name);
  }
}

const tySchemas = new WeakMap<RecordSchema, TySchema>();

/** The checker's view of a record schema: one per schema, its field types built on demand. */
export function tySchema(record: RecordSchema): TySchema {
  let s = tySchemas.get(record);
  if (!s) {
    const fields = new Map<string, StaticType | undefined>();
    s = {
      name: record.name,
      record,
      fieldNames: () => record.fieldNames(),
      field(name) {
        if (!fields.has(name)) {
          const ft = record.field(name);
          fields.set(name, ft && maybeEmpty(hostResultTy(ft, true)));
        }
        return fields.get(name);
      },
    };
    tySchemas.set(record, s);
  }
  return s;
}

/** The parameter and result types of a call of `fn`, sharpened by what is known of its arguments. */
function refined(fn: HostFunction, fields: readonly TyField[]): Refinement | undefined {
  if (!fn.refine) return undefined;
  const known: Record<string, Known> = {};
  for (const p of fn.params) known[p.name] = knownOfTy(findArgTy(fields, p.name, p.monadic === true));
  return fn.refine(known);
}

/** What a static type tells a refinement: a literal, or the known fields of a structure. */
function knownOfTy(t: StaticType | undefined): Known {
  if (t === undefined) return undefined;
  if (t.k === "basic") return typeof t.literal === "bigint" ? Number(t.literal) : t.literal;
  if (t.k === "structure") {
    const out: Record<string, Known> = {};
    for (const f of t.fields) out[f.name] = knownOfTy(f.type);
    return out;
  }
  return undefined;
}

/**
 * The generic rule of a host function: check the declared parameters, return the declared
 * result. A function that reads its raw argument fields (`echoesArgs`) checks them itself, so
 * its parameters only document it: they are not held against the call.
 */
export function declaredRule(ctx: CallCtx, fn: HostFunction, fields: readonly TyField[]): StaticType {
  const sharper = refined(fn, fields);
  if (!fn.echoesArgs) {
    let failed = false;
    for (const p of fn.params) {
      const type = sharper?.params?.[p.name] ?? p.type;
      if (checkParam(ctx, fn.displayName, p, findArgTy(fields, p.name, p.monadic === true), type).k === "never") failed = true;
    }
    if (failed) return NEVER;
  }
  return hostResultTy(sharper?.result ?? fn.result);
}
