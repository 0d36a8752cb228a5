/**
 * Output builtins. `Show` and `ShowType` print a value or its type to standard output, `Peek`
 * and `PeekType` to standard error after the Ko call chain of the call; all four build their
 * value from their arguments as a bracket would, and return it. `Print` and `Println` write
 * strings as they are and return the text they wrote (D10).
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { printValue } from "../value/print.js";
import { showType, typeOf } from "../value/value-type.js";
import { kindOf, lift, type Field, type Value } from "../value/value.js";
import { misuse } from "./common.js";
import { construct } from "./construct.js";
import { codePointText, isInteger } from "./integers.js";

type Render = (v: Value) => string;
type Destination = (ctx: HostContext, text: string) => void;

const toStdout: Destination = (ctx, text) => ctx.stdout(text);

/** Standard error, after the call chain, so one can tell which `Peek` printed what. */
const toStderrWithTrace: Destination = (ctx, text) => {
  const chain = ctx.callChain();
  ctx.stderr(chain === "" || chain.endsWith("\n") ? chain + text : `${chain}\n${text}`);
};

const renderValue: Render = printValue;
const renderType: Render = (v) => showType(typeOf(v));

/** A builtin that builds a value from its arguments, writes a rendering of it, and returns it. */
function display(name: string, doc: string, render: Render, destination: Destination): HostFunction {
  return defineHost({
    pkg: "",
    name,
    doc,
    params: [],
    result: T.any,
    effects: "io",
    dryRun: "runs",
    raw: (fields: readonly Field[], ctx) => {
      const v = construct(fields);
      destination(ctx, render(v) + "\n");
      return v;
    },
  });
}

export const show = display("Show", "Prints the value built from the arguments to stdout and returns it.", renderValue, toStdout);

export const showTypeBuiltin = display(
  "ShowType",
  "Prints the type of the value built from the arguments to stdout and returns the value.",
  renderType,
  toStdout,
);

export const peek = display(
  "Peek",
  "Prints the call chain and the value built from the arguments to stderr and returns the value.",
  renderValue,
  toStderrWithTrace,
);

export const peekType = display(
  "PeekType",
  "Prints the call chain and the type of the value built from the arguments to stderr; returns the value.",
  renderType,
  toStderrWithTrace,
);

/**
 * The text `Print` writes for its argument: the strings concatenated, an integer standing for
 * the character of that code point, as `String` converts it (D31).
 */
export function printedText(fn: string, v: Value): string {
  let text = "";
  for (const part of lift(v)) {
    if (typeof part === "string") text += part;
    else if (isInteger(part)) text += codePointText(part);
    else throw misuse(fn, `cannot print ${kindOf(part)}; expects strings`);
  }
  return text;
}

function printer(name: string, doc: string, ending: string): HostFunction {
  return defineHost({
    pkg: "",
    name,
    doc,
    params: [
      {
        name: "string",
        monadic: true,
        type: T.list(T.any),
        optional: true,
        doc: "the strings to write (an integer stands for its character)",
      },
    ],
    result: T.string,
    effects: "io",
    dryRun: "runs",
    impl: ([v], ctx) => {
      const text = printedText(name, v!) + ending;
      if (text !== "") ctx.stdout(text);
      return text;
    },
  });
}

export const print = printer("Print", "Writes the strings to stdout and returns the text written.", "");

export const println = printer("Println", "Writes the strings and a newline to stdout and returns the text written.", "\n");

export const printBuiltins: readonly HostFunction[] = [show, showTypeBuiltin, peek, peekType, print, println];
