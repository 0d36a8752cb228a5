/** Construction (reference 6.2) and the builtins that build their value the same way. */
import {
  EMPTY,
  EMPTY_STRUCTURE,
  NEVER,
  emptiness,
  maybeEmpty,
  structure,
  withoutEmpty,
  type StaticType,
  type TyField,
} from "../static-type.js";
import type { Rule } from "./support.js";

/** The value a bracket builds: its unnamed field's value, else the structure of the others. */
function construct(fields: readonly TyField[]): StaticType {
  const unnamed = fields.find((f) => f.name === "");
  if (unnamed) return unnamed.type;
  const kept = fields.filter((f) => emptiness(f.type) !== "yes");
  return kept.length === 0 ? EMPTY_STRUCTURE : structure(kept);
}

export const constructRule: Rule = (_ctx, _fn, fields) => construct(fields);

/** `All`: its argument structure when it has fields and none is Empty, else Empty. */
export const allRule: Rule = (_ctx, _fn, fields) => {
  if (fields.length === 0 || fields.some((f) => emptiness(f.type) === "yes")) return EMPTY;
  const whole = structure(fields.map((f) => ({ name: f.name, type: withoutEmpty(f.type) })));
  return fields.every((f) => emptiness(f.type) === "no") ? whole : maybeEmpty(whole);
};

export const neverReturns: Rule = () => NEVER;
