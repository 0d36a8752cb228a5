/**
 * Package `encoding/yaml`: YAML text to and from Ko values, through the data trees of data.ts,
 * using the `yaml` library (YAML 1.2, core schema).
 *
 * `Marshal` writes the text go-yaml v2 writes, as the original does (yaml-emit.ts, D34): block
 * style with two-space indentation, structure fields in order, a mapping's sequence not indented
 * (`x:\n- a\n`), and strings quoted where a YAML 1.1 reader would take them for something else
 * (`"y"`, `"1.5"`).
 *
 * `Unmarshal` reads one document: mappings become structures (keys as strings), sequences
 * sequences (Empty when empty), integers Int64 exactly, floats Float64, null Empty; aliases are
 * resolved. A text that is not valid YAML (or holds several documents), or whose data has no Ko
 * form (a sequence mixing kinds such as `[1, a]`), panics with
 * `(error: "encoding/yaml.Unmarshal", message: "...")`.
 */
import { createRequire } from "node:module";
import type * as YamlLib from "yaml";
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { once } from "../syntax/once.js";
import { type Data, decodedValue, toData } from "./data.js";
import { failure, messageOf } from "./helpers.js";
import { emitYaml } from "./yaml-emit.js";

const PKG = "encoding/yaml";

/** The yaml library, loaded on first use: it is large, and most scripts never touch YAML. */
const yamlLib = once(() => createRequire(import.meta.url)("yaml") as typeof YamlLib);

/** The YAML text of a data tree, as go-yaml v2 lays it out. */
export function encodeYaml(d: Data): string {
  return emitYaml(d);
}

/** An operational failure of Unmarshal. */
class YamlError extends Error {}

/** The data tree of a one-document YAML text. */
export function parseYaml(text: string): Data {
  const doc = yamlLib().parseDocument(text, { intAsBigInt: true });
  if (doc.errors.length > 0) throw new YamlError(doc.errors[0]!.message);
  let js: unknown;
  try {
    js = doc.toJS({ mapAsMap: true });
  } catch (e) {
    // toJS fails on excessive aliasing (a "billion laughs" text) and similar abuse.
    throw new YamlError(messageOf(e));
  }
  return asData(js);
}

/** Checks a value made by the yaml library and brings mapping keys to strings. */
function asData(v: unknown): Data {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "boolean":
    case "string":
    case "bigint":
    case "number":
      return v;
  }
  if (Array.isArray(v)) return v.map(asData);
  if (v instanceof Map) {
    const members = new Map<string, Data>();
    for (const [key, value] of v) members.set(keyText(key), asData(value));
    return members;
  }
  throw new YamlError(`unsupported YAML value ${Object.prototype.toString.call(v)}`);
}

/** A mapping key as a structure field name: scalars by their text, anything else is refused. */
function keyText(key: unknown): string {
  if (key === null || key === undefined) return "null";
  switch (typeof key) {
    case "string":
      return key;
    case "boolean":
    case "bigint":
    case "number":
      return String(key);
  }
  throw new YamlError("a mapping key must be a scalar (string, number or boolean)");
}

const Marshal = defineHost({
  pkg: PKG,
  name: "Marshal",
  doc: "Marshal(value?) encodes the value as a YAML document: structures as mappings, sequences as sequences, Empty as null.",
  params: [{ name: "value", type: T.any, monadic: true, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([value]) => encodeYaml(toData(value!, "encoding/yaml.Marshal")),
});

const Unmarshal = defineHost({
  pkg: PKG,
  name: "Unmarshal",
  doc:
    "Unmarshal(value?) decodes a one-document YAML text: mappings become structures, sequences sequences, " +
    "integers Int64, floats Float64, null Empty. Invalid YAML panics with (error, message).",
  params: [{ name: "value", type: T.string, monadic: true }],
  result: T.any,
  effects: "pure",
  impl: ([value]) => {
    let data: Data;
    try {
      data = parseYaml(value as string);
    } catch (e) {
      if (!(e instanceof YamlError)) throw e;
      throw failure("encoding/yaml.Unmarshal", `invalid YAML: ${e.message}`);
    }
    return decodedValue(data, "encoding/yaml.Unmarshal");
  },
});

export const yamlFunctions: readonly HostFunction[] = [Marshal, Unmarshal];
