/**
 * Text assembly: `Template` splits a template at its `{{path}}` markers and `Format` (deprecated)
 * at its `%%` markers. Text pieces are passed through the `withString` variety, arguments
 * through `withArg`, and the results, in order, make the returned sequence.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/types.js";
import { quoteString } from "../runtime/print.js";
import { listToValue } from "../runtime/sequence.js";
import { EMPTY, Struct, kindOf, lift, type Value } from "../runtime/value.js";
import { misuse, monadic, namedParam } from "./common.js";
import { drive, type Steps } from "./drive.js";

/** A piece of a template: text to pass through `withString`, or a path selecting an argument. */
export type TemplatePiece = { readonly text: string } | { readonly path: readonly string[] };

const OPEN = "{{";
const CLOSE = "}}";

/**
 * Splits a template into pieces. Every `{{` must be closed by a `}}` before the next one; the
 * path inside may be surrounded by spaces (D32) and is made of dot-separated names of letters,
 * digits (D16) and underscores.
 */
export function parseTemplate(template: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let at = 0;
  for (;;) {
    const open = template.indexOf(OPEN, at);
    const text = template.slice(at, open < 0 ? template.length : open);
    if (text.includes(CLOSE)) throw unbalanced(template, `"${CLOSE}" without "${OPEN}"`);
    if (text !== "") pieces.push({ text });
    if (open < 0) return pieces;
    const close = template.indexOf(CLOSE, open + OPEN.length);
    if (close < 0) throw unbalanced(template, `"${OPEN}" without "${CLOSE}"`);
    pieces.push({ path: parseSelector(template.slice(open + OPEN.length, close)) });
    at = close + CLOSE.length;
  }
}

function unbalanced(template: string, what: string) {
  return misuse("Template", `unbalanced braces in ${quoteString(template)}: ${what}`);
}

const NAME = /^[A-Za-z0-9_]+$/;

function parseSelector(selector: string): string[] {
  const path = selector.trim().split(".");
  for (const name of path) {
    if (!NAME.test(name)) throw misuse("Template", `selector ${quoteString(selector)} is not a dotted path of names`);
  }
  return path;
}

/** `args.a.b`, with the rules of selection (spec 5.4): into a structure or Empty, nothing else. */
function select(args: Value, path: readonly string[]): Value {
  let v = args;
  for (const name of path) {
    if (v instanceof Struct) v = v.get(name);
    else if (v !== EMPTY) throw misuse("Template", `cannot select ${name} into a ${kindOf(v)}`);
  }
  return v;
}

const assemblyParams = (textName: string, textDoc: string) => [
  namedParam(textName, T.string, textDoc, false),
  namedParam("args", T.any, "the arguments the markers stand for"),
  namedParam("withString", T.variety, "called with each text piece as its unnamed argument", false),
  namedParam("withArg", T.variety, "called with each argument as its unnamed argument", false),
];

export const template: HostFunction = defineHost({
  pkg: "",
  name: "Template",
  doc: "Splits a template at its {{path}} markers; returns the results of withString and withArg, in order.",
  params: assemblyParams("template", "text with {{path}} markers selecting from args"),
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([text, args, withString, withArg], ctx) => {
    const pieces = parseTemplate(text as string);
    return drive(templating(ctx, pieces, args!, withString!, withArg!), ctx.signal);
  },
});

function* templating(
  ctx: HostContext,
  pieces: readonly TemplatePiece[],
  args: Value,
  withString: Value,
  withArg: Value,
): Steps<Value> {
  const results: Value[] = [];
  for (const piece of pieces) {
    const call =
      "text" in piece
        ? ctx.call(withString, [monadic(piece.text)])
        : ctx.call(withArg, [monadic(select(args, piece.path))]);
    results.push(yield call);
  }
  return listToValue(results);
}

export const format: HostFunction = defineHost({
  pkg: "",
  name: "Format",
  doc: "(Deprecated) Splits format at its %% markers, one per argument; returns the results of withString and withArg.",
  params: assemblyParams("format", "text with one %% marker per argument"),
  result: T.any,
  effects: "pure",
  async: true,
  impl: ([text, args, withString, withArg], ctx) => {
    const parts = (text as string).split("%%");
    const argList = lift(args!);
    if (parts.length !== argList.length + 1) {
      throw misuse("Format", `the format has ${parts.length - 1} %% markers but there are ${argList.length} arguments`);
    }
    return drive(formatting(ctx, parts, argList, withString!, withArg!), ctx.signal);
  },
});

function* formatting(
  ctx: HostContext,
  parts: readonly string[],
  args: readonly Value[],
  withString: Value,
  withArg: Value,
): Steps<Value> {
  const results: Value[] = [];
  for (let i = 0; i < parts.length; i++) {
    results.push(yield ctx.call(withString, [monadic(parts[i]!)]));
    if (i < args.length) results.push(yield ctx.call(withArg, [monadic(args[i]!)]));
  }
  return listToValue(results);
}

export const textBuiltins: readonly HostFunction[] = [template, format];
