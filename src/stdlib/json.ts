/**
 * Package `encoding/json`: JSON text to and from Ko values, through the data trees of data.ts.
 *
 * Encoding follows Go's encoding/json: compact output with no spaces (`{"x":5,"y":[1,2]}`),
 * structure fields in order, integers exact, floats in their shortest form (`5.6`, `2`, `1e+21`).
 * Unlike Go, `<`, `>` and `&` are not escaped. Decoding reads every number as a Float64, as Go's
 * decoder does into an interface value (D34): `5` becomes the Float64 5, printed `5.0`, and
 * `9007199254740993` the nearest double. The JSON parser is written here, rather than taken from
 * `JSON.parse`, to report the byte offset of a syntax error and to bound the nesting depth.
 *
 * A text that is not JSON is an operational failure: `Unmarshal` panics with
 * `(error: "encoding/json.Unmarshal", message: "...", offset: <byte offset of the problem>)`;
 * so is JSON with no Ko form, an array mixing kinds such as `[1, "a"]` (it panics with
 * `(error, message)`). Encoding a variety, a host value or a non-finite float is an error.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { type Data, decodedValue, isDataList, toData } from "./data.js";
import { failure, misuse, stringOr } from "./helpers.js";

const PKG = "encoding/json";

// --- Encoding ---------------------------------------------------------------------------------

/** Layout of the encoded text: compact when `indent` is undefined, else one member per line. */
interface Layout {
  readonly prefix: string;
  readonly indent: string;
}

/** Encodes a data tree as JSON; `fn` names the calling function in error messages. */
export function encodeJson(d: Data, fn: string, layout?: Layout): string {
  const out: string[] = [];
  write(d, 0);
  return out.join("");

  function newline(depth: number): void {
    out.push("\n", layout!.prefix, layout!.indent.repeat(depth));
  }

  function write(d: Data, depth: number): void {
    if (d === null) out.push("null");
    else if (typeof d === "boolean" || typeof d === "bigint") out.push(String(d));
    else if (typeof d === "number") out.push(number(d));
    else if (typeof d === "string") out.push(JSON.stringify(d));
    else if (isDataList(d))
      group(
        "[",
        "]",
        d.length,
        depth,
        d.map((item) => () => write(item, depth + 1)),
      );
    else {
      const members = [...d].map(([name, value]) => () => {
        out.push(JSON.stringify(name), layout ? ": " : ":");
        write(value, depth + 1);
      });
      group("{", "}", members.length, depth, members);
    }
  }

  /** An array or object: its items separated by commas, each on its own line when indenting. */
  function group(open: string, close: string, count: number, depth: number, items: (() => void)[]): void {
    out.push(open);
    items.forEach((item, i) => {
      if (i > 0) out.push(",");
      if (layout) newline(depth + 1);
      item();
    });
    if (layout && count > 0) newline(depth);
    out.push(close);
  }

  function number(x: number): string {
    if (!Number.isFinite(x)) throw misuse(fn, `the float ${x} has no JSON form`);
    // JavaScript's shortest form and its exponent thresholds (1e-7, 1e21) are Go's as well.
    return Object.is(x, -0) ? "-0" : String(x);
  }
}

// --- Decoding ---------------------------------------------------------------------------------

/** A JSON syntax error at a UTF-16 offset of the text. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** How deeply arrays and objects may nest in a decoded text (Go's decoder allows 10000). */
const MAX_DEPTH = 1000;

/** Parses a JSON text (RFC 8259) into a data tree, every number a double (D34). */
export function parseJson(text: string): Data {
  let pos = 0;
  let depth = 0;
  skipSpace();
  const value = parseValue();
  skipSpace();
  if (pos < text.length) fail("unexpected text after the JSON value");
  return value;

  function fail(message: string): never {
    throw new JsonSyntaxError(message, pos);
  }

  function describeHere(): string {
    return pos < text.length ? `character ${JSON.stringify(String.fromCodePoint(text.codePointAt(pos)!))}` : "end of text";
  }

  function skipSpace(): void {
    while (pos < text.length) {
      const c = text[pos];
      if (c !== " " && c !== "\t" && c !== "\n" && c !== "\r") break;
      pos++;
    }
  }

  function expect(c: string): void {
    if (text[pos] !== c) fail(`expected ${JSON.stringify(c)}, found ${describeHere()}`);
    pos++;
  }

  function parseValue(): Data {
    const c = text[pos];
    if (c === "{" || c === "[") {
      if (++depth > MAX_DEPTH) fail(`arrays and objects nested deeper than ${MAX_DEPTH} levels`);
      const collection = c === "{" ? parseObject() : parseArray();
      depth--;
      return collection;
    }
    if (c === '"') return parseString();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return fail(`unexpected ${describeHere()} where a value should begin`);
  }

  function parseObject(): Data {
    expect("{");
    const members = new Map<string, Data>();
    skipSpace();
    if (text[pos] === "}") {
      pos++;
      return members;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail(`expected a member name, found ${describeHere()}`);
      const name = parseString();
      skipSpace();
      expect(":");
      skipSpace();
      // A repeated name keeps its first position and takes its last value, as Go's decoder.
      members.set(name, parseValue());
      skipSpace();
      if (text[pos] === "}") {
        pos++;
        return members;
      }
      expect(",");
    }
  }

  function parseArray(): Data {
    expect("[");
    const items: Data[] = [];
    skipSpace();
    if (text[pos] === "]") {
      pos++;
      return items;
    }
    for (;;) {
      skipSpace();
      items.push(parseValue());
      skipSpace();
      if (text[pos] === "]") {
        pos++;
        return items;
      }
      expect(",");
    }
  }

  function parseNumber(): Data {
    const match = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    match.lastIndex = pos;
    const m = match.exec(text);
    if (!m) return fail(`malformed number at ${describeHere()}`);
    // Number() rounds the decimal to the nearest double, as Go's strconv.ParseFloat does; a
    // number beyond the doubles is an error there too.
    const x = Number(m[0]);
    if (!Number.isFinite(x)) return fail(`number ${m[0]} is out of the range of a Float64`);
    pos = match.lastIndex;
    return x;
  }

  function parseString(): string {
    expect('"');
    let result = "";
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      result += text.slice(start, pos);
      pos++;
      result += parseEscape();
      start = pos;
    }
    result += text.slice(start, pos);
    pos++;
    return result;
  }

  /** One escape sequence after its backslash. */
  function parseEscape(): string {
    const c = text[pos++];
    switch (c) {
      case '"':
      case "\\":
      case "/":
        return c;
      case "b":
        return "\b";
      case "f":
        return "\f";
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "u": {
        const hex = text.slice(pos, pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("malformed \\u escape in string");
        pos += 4;
        return String.fromCharCode(parseInt(hex, 16));
      }
      default:
        pos--;
        return fail(`invalid escape in string: \\${c ?? ""}`);
    }
  }
}

/** The UTF-8 byte offset of a UTF-16 offset, for error reports. */
function byteOffset(text: string, at: number): number {
  return Buffer.byteLength(text.slice(0, at), "utf8");
}

// --- Functions --------------------------------------------------------------------------------

const Marshal = defineHost({
  pkg: PKG,
  name: "Marshal",
  doc: "Marshal(value?) encodes the value as compact JSON text: structures as objects, sequences as arrays, Empty as null.",
  params: [{ name: "value", type: T.any, monadic: true, optional: true }],
  result: T.string,
  effects: "pure",
  impl: ([value]) => encodeJson(toData(value!, "encoding/json.Marshal"), "encoding/json.Marshal"),
});

const MarshalIndent = defineHost({
  pkg: PKG,
  name: "MarshalIndent",
  doc:
    "MarshalIndent(value?, prefix, indent) encodes the value as JSON with one member or element per line; " +
    'each line after the first starts with prefix (default "") and one indent (default a tab) per level.',
  params: [
    { name: "value", type: T.any, monadic: true, optional: true },
    { name: "prefix", type: T.string, optional: true },
    { name: "indent", type: T.string, optional: true },
  ],
  result: T.string,
  effects: "pure",
  impl: ([value, prefix, indent]) =>
    encodeJson(toData(value!, "encoding/json.MarshalIndent"), "encoding/json.MarshalIndent", {
      prefix: stringOr(prefix!, ""),
      indent: stringOr(indent!, "\t"),
    }),
});

const Unmarshal = defineHost({
  pkg: PKG,
  name: "Unmarshal",
  doc:
    "Unmarshal(value?) decodes a JSON text: objects become structures, arrays sequences (Empty when empty), " +
    "numbers Float64 (D34), null Empty. A text that is not JSON panics with (error, message, offset).",
  params: [{ name: "value", type: T.string, monadic: true, optional: true }],
  result: T.any,
  effects: "pure",
  impl: ([value]) => {
    // No text is the empty text, which is not JSON (the original's gate takes Go's zero value).
    const text = stringOr(value!, "");
    let data: Data;
    try {
      data = parseJson(text);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      const offset = byteOffset(text, e.at);
      throw failure("encoding/json.Unmarshal", `invalid JSON at byte ${offset}: ${e.message}`, { offset });
    }
    return decodedValue(data, "encoding/json.Unmarshal");
  },
});

export const jsonFunctions: readonly HostFunction[] = [Marshal, MarshalIndent, Unmarshal];
