/**
 * Text builtins: `Print` and `Println`; `Template` and `Format`, which assemble the results of
 * withString and withArg into a sequence.
 */
import { parseTemplate, type TemplatePiece } from "../../value/template.js";
import { KoError } from "../../value/failure.js";
import type { CallCtx } from "../context.js";
import { checkParams } from "../host.js";
import { kindOfTy, literalValue } from "../show.js";
import {
  EMPTY,
  NEVER,
  STRING,
  UNKNOWN,
  alternatives,
  basic,
  emptiness,
  fieldTy,
  isIntegerType,
  join,
  joinAll,
  narrow,
  withoutEmpty,
  type StaticType,
} from "../static-type.js";
import { checkUnifiable } from "../unify.js";
import { assembled, lifted, monadic, type Rule } from "./support.js";

/** Print, Println: strings, or integers standing for their characters (D31). */
export const printRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const elem = lifted(args[0]!).elem;
  if (elem.k !== "unknown" && elem.k !== "never") {
    const printable = (a: StaticType) => a.k === "basic" && (a.name === "String" || isIntegerType(a.name));
    const bad = narrow(elem, (a) => !printable(a));
    if (bad.k !== "never") {
      const none = !alternatives(elem).some(printable);
      ctx.fail("type/builtin", `${fn.displayName}: cannot print ${kindOfTy(bad)}; expects strings`, none);
      if (none) return NEVER;
    }
  }
  return STRING;
};

/**
 * `Template`: text pieces go through withString, `{{path}}` selections of args through withArg;
 * the results make a sequence (they must unify). With a literal template the pieces are known.
 */
export const templateRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [text, argsTy, withString, withArg] = args as [StaticType, StaticType, StaticType, StaticType];
  const template = literalValue(text);
  if (typeof template !== "string") {
    const results = join(ctx.invoke(withString, [monadic(STRING)], false), ctx.invoke(withArg, [monadic(UNKNOWN)], false));
    return assembled(results, 0);
  }
  let pieces: TemplatePiece[];
  try {
    pieces = parseTemplate(template);
  } catch (e) {
    if (!(e instanceof KoError)) throw e;
    ctx.fail("type/builtin", e.message, true);
    return NEVER;
  }
  const results: StaticType[] = [];
  for (const piece of pieces) {
    if ("text" in piece) results.push(ctx.invoke(withString, [monadic(basic("String", piece.text))], true));
    else {
      const selected = templateSelect(ctx, argsTy, piece.path);
      results.push(selected.k === "never" ? NEVER : ctx.invoke(withArg, [monadic(selected)], true));
    }
  }
  return listOfResults(ctx, results);
};

/** `args.a.b` as Template selects: into a structure or Empty, nothing else. */
function templateSelect(ctx: CallCtx, t: StaticType, path: readonly string[]): StaticType {
  for (const name of path) {
    if (t.k === "unknown") return t;
    let next: StaticType = NEVER;
    let refused: StaticType = NEVER;
    for (const a of alternatives(t)) {
      if (a.k === "structure") next = join(next, fieldTy(a, name) ?? EMPTY);
      else if (a.k === "empty") next = join(next, EMPTY);
      else refused = join(refused, a);
    }
    if (refused.k !== "never") ctx.fail("type/builtin", `Template: cannot select ${name} into a ${kindOfTy(refused)}`, next.k === "never");
    t = next;
    if (t.k === "never") return NEVER;
  }
  return t;
}

/** The sequence of results a builtin assembles in order (4.4 rule b): they must unify. */
function listOfResults(ctx: CallCtx, results: readonly StaticType[]): StaticType {
  if (results.some((r) => r.k === "never")) return NEVER;
  const unify = checkUnifiable(results);
  if (unify.failure) {
    ctx.fail("type/unify", unify.failure.message, unify.failure.certain);
    if (unify.failure.certain) return NEVER;
  }
  const present = results.filter((r) => emptiness(r) === "no").length;
  return assembled(joinAll(results.map(withoutEmpty)), present);
}

/** `Format` (deprecated): like Template, with `%%` markers taking the arguments in order. */
export const formatRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [text, argsTy, withString, withArg] = args as [StaticType, StaticType, StaticType, StaticType];
  const format = literalValue(text);
  const items = lifted(argsTy);
  const count = knownCount(argsTy);
  if (typeof format !== "string" || count === undefined) {
    const results = join(ctx.invoke(withString, [monadic(STRING)], false), ctx.invoke(withArg, [monadic(items.elem)], false));
    return assembled(results, 0);
  }
  const parts = format.split("%%");
  if (parts.length !== count + 1) {
    ctx.fail("type/builtin", `Format: the format has ${parts.length - 1} %% markers but there are ${count} arguments`, true);
    return NEVER;
  }
  const results: StaticType[] = [];
  parts.forEach((part, i) => {
    results.push(ctx.invoke(withString, [monadic(basic("String", part))], true));
    if (i < count) results.push(ctx.invoke(withArg, [monadic(items.elem)], true));
  });
  return listOfResults(ctx, results);
};

/** The number of elements a lifted list certainly has, if the type says: 0 for Empty, 1 for a single value. */
function knownCount(t: StaticType): number | undefined {
  if (t.k === "empty") return 0;
  if (t.k === "unknown" || t.k === "union" || t.k === "sequence" || t.k === "never") return undefined;
  return 1;
}
