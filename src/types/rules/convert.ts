/** Conversions between basic types (`Bool`, `String`, `Int8`…`Uint64`, `Float32`, `Float64`), with Go's rules. */
import { BASIC_TYPES, type BasicType } from "../../value/value.js";
import { checkParams } from "../host.js";
import { kindOfTy } from "../show.js";
import { NEVER, alternatives, basic, isIntegerType, join, type StaticType } from "../static-type.js";
import type { Rule } from "./support.js";

export function converter(target: BasicType): Rule {
  return (ctx, fn, fields) => {
    const { args, failed } = checkParams(ctx, fn, fields);
    if (failed) return NEVER;
    const v = args[0]!;
    if (v.k === "unknown") return basic(target);
    let legal: StaticType = NEVER;
    let refusal: string | undefined;
    for (const a of alternatives(v)) {
      if (converts(a, target)) legal = join(legal, a);
      else refusal ??= `${target}: cannot convert ${convertedThing(a)} to ${target}`;
    }
    if (refusal !== undefined) ctx.fail("type/convert", refusal, legal.k === "never");
    if (legal.k === "never") return NEVER;
    // A conversion to the value's own type gives the value back, literal and all.
    return legal.k === "basic" && legal.name === target ? legal : basic(target);
  };
}

/** The conversions of src/builtins/convert.ts `convertTo`. */
function converts(a: StaticType, target: BasicType): boolean {
  if (a.k !== "basic") return false;
  const numeric = isIntegerType(a.name) || a.name === "Float32" || a.name === "Float64";
  switch (target) {
    case "Bool":
      return a.name === "Bool";
    case "String":
      return a.name === "String" || isIntegerType(a.name);
    default:
      return numeric;
  }
}

function convertedThing(a: StaticType): string {
  if (a.k === "basic") {
    const v = a.literal;
    return v === undefined ? a.name : `${a.name} ${typeof v === "string" ? JSON.stringify(v) : String(v)}`;
  }
  return `a ${kindOfTy(a)}`;
}

/** A conversion builtin is named for each basic type: `Int8(x)`, `Float64(x)`, `String(x)`... */
export const CONVERSIONS: readonly BasicType[] = BASIC_TYPES;
