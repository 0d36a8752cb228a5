/**
 * Text assembly: `Template` splits a template at its `{{path}}` markers and `Format` (deprecated)
 * at its `%%` markers. Text pieces are passed through the `withString` variety, arguments
 * through `withArg`, and the results, in order, make the returned sequence.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, Struct, kindOf, lift, type Value } from "../value/value.js";
import { misuse, monadic, namedParam } from "./common.js";
import { parseTemplate, type TemplatePiece } from "../value/template.js";
import { drive, type Steps } from "./drive.js";

/** A piece of a template: text to pass through `withString`, or a path selecting an argument. */
/** `args.a.b`, with the rules of selection (reference 5.4): into a structure or Empty, nothing else. */
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

function* templating(ctx: HostContext, pieces: readonly TemplatePiece[], args: Value, withString: Value, withArg: Value): Steps<Value> {
  const results: Value[] = [];
  for (const piece of pieces) {
    const call = "text" in piece ? ctx.call(withString, [monadic(piece.text)]) : ctx.call(withArg, [monadic(select(args, piece.path))]);
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

function* formatting(ctx: HostContext, parts: readonly string[], args: readonly Value[], withString: Value, withArg: Value): Steps<Value> {
  const results: Value[] = [];
  for (let i = 0; i < parts.length; i++) {
    results.push(yield ctx.call(withString, [monadic(parts[i]!)]));
    if (i < args.length) results.push(yield ctx.call(withArg, [monadic(args[i]!)]));
  }
  return listToValue(results);
}

export const textBuiltins: readonly HostFunction[] = [template, format];
