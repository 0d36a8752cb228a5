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
import { KoError } from "../value/failure.js";
import { listToValue } from "../value/sequence.js";
import { type Data, decodedValue, fromData, toData, UnrepresentableData } from "./data.js";
import { failure, messageOf } from "./helpers.js";
import { emitYaml } from "./yaml-emit.js";

const PKG = "encoding/yaml";

/** The yaml library, loaded on first use: it is large, and most scripts never touch YAML. */
const yamlLib = once(() => createRequire(import.meta.url)("yaml") as typeof YamlLib);

/** The YAML text of a data tree, as go-yaml v2 lays it out. */
export function encodeYaml(d: Data): string {
  return emitYaml(d);
}

/**
 * A data tree laid out as kubectl lays out `-o yaml`: two-space indentation, the items of a
 * list at the indentation of its key (`containers:` then `- name: web`), no folding of long
 * lines, multi-line text as a literal block (`|`). Strings are quoted wherever a YAML 1.1
 * reader — kubectl's, PyYAML — would read them as something else (`"yes"`,
 * `"2026-01-02T03:04:05Z"`, `"1:20"`, `"010"`), as well as where a YAML 1.2 reader would, and
 * floats are written as both read them (`2.0`, `1.0e+21`), so the text reads back the same in
 * both.
 */
export function kubectlYaml(d: Data): string {
  const doc = new (yamlLib().Document)(d);
  // Built with the 1.2 core schema (a 1.1 document would make mappings !!omap), written with
  // the 1.1 one, whose wider notion of a plain scalar decides what to quote.
  doc.setSchema("1.1", { customTags: (tags) => [FLOAT_FOR_BOTH, ...tags] });
  doc.directives!.yaml.explicit = false;
  return doc.toString({ indent: 2, indentSeq: false, lineWidth: 0, blockQuote: "literal" });
}

/**
 * Writes floats with a fraction: YAML 1.1 reads `2` as an integer and `1e+21` as a string, and
 * only `2.0` and `1.0e+21` as the floats they are. Only for writing: its `test` matches nothing.
 */
const FLOAT_FOR_BOTH: YamlLib.ScalarTag = {
  tag: "tag:yaml.org,2002:float",
  identify: (value) => typeof value === "number",
  default: true,
  test: /^(?!)/,
  resolve: (text) => Number(text),
  stringify: ({ value }) => {
    const x = value as number;
    if (!Number.isFinite(x)) return Number.isNaN(x) ? ".nan" : x < 0 ? "-.inf" : ".inf";
    const text = Object.is(x, -0) ? "-0" : JSON.stringify(x);
    return /[.e]/.test(text) ? text.replace(/^(-?\d+)e/, "$1.0e") : `${text}.0`;
  },
};

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

/** One document of a YAML stream: its data (null for an empty one), and where it starts. */
export interface YamlDocument {
  readonly data: Data;
  /** Its number in the stream, from 1. */
  readonly number: number;
  /** The 1-based line of its first line (its `---`, when it has one). */
  readonly line: number;
}

/** A stream's document that is not valid YAML: the message says which document and where. */
export class YamlDocumentError extends YamlError {
  constructor(
    readonly document: number,
    readonly line: number,
    problem: string,
  ) {
    super(`document ${document} (line ${line}): ${problem}`);
  }
}

/**
 * The documents of a YAML stream (documents separated by `---` lines), empty ones included, so
 * that the numbers in messages are the stream's own. Throws a YamlDocumentError for the first
 * document that is not valid YAML.
 */
export function parseYamlDocuments(text: string): YamlDocument[] {
  const { LineCounter, parseAllDocuments } = yamlLib();
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { intAsBigInt: true, lineCounter: lines });
  return docs.map((doc, i) => {
    const number = i + 1;
    const line = lines.linePos(doc.range[0]).line;
    // The library's message ends with an excerpt of the text; its first line says it all.
    const problem = (message: string) => new YamlDocumentError(number, line, message.split("\n")[0]!.replace(/:$/, ""));
    if (doc.errors.length > 0) throw problem(doc.errors[0]!.message);
    try {
      return { data: asData(doc.toJS({ mapAsMap: true })), number, line };
    } catch (e) {
      throw problem(messageOf(e)); // excessive aliasing, a mapping as a key
    }
  });
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

const UnmarshalAll = defineHost({
  pkg: PKG,
  name: "UnmarshalAll",
  doc:
    "UnmarshalAll(value?) decodes a YAML text of several documents, separated by --- lines (a manifest file), " +
    "into the sequence of their values, each decoded as Unmarshal decodes one; empty documents are left out, and a text " +
    "of none gives Empty. A document that is not valid YAML panics with (error, message, document, line), and so do " +
    "documents whose types do not unify (a number and a mapping), as the elements of a sequence must.",
  params: [{ name: "value", type: T.string, monadic: true }],
  result: T.list(T.any),
  effects: "pure",
  impl: ([value]) => {
    const fn = "encoding/yaml.UnmarshalAll";
    let documents: YamlDocument[];
    try {
      documents = parseYamlDocuments(value as string);
    } catch (e) {
      if (!(e instanceof YamlDocumentError)) throw e;
      throw failure(fn, `invalid YAML: ${e.message}`, { document: e.document, line: e.line });
    }
    const values = documents.map((d) => {
      try {
        return fromData(d.data);
      } catch (e) {
        if (!(e instanceof UnrepresentableData)) throw e;
        throw failure(fn, `document ${d.number} (line ${d.line}): the data has no Ko form: ${e.message}`, {
          document: d.number,
          line: d.line,
        });
      }
    });
    try {
      return listToValue(values);
    } catch (e) {
      // Like the elements of an array (data.ts), the documents make one sequence only if their types unify.
      if (!(e instanceof KoError)) throw e;
      throw failure(fn, `the documents have no Ko form as one sequence: ${e.message}`);
    }
  },
});

export const yamlFunctions: readonly HostFunction[] = [Marshal, Unmarshal, UnmarshalAll];
