/**
 * Canonical printing of Ko values (reference section 7).
 *
 * Printing happens in two passes. First a value is turned into a layout document (`Doc`) that
 * knows, for every bracketed group, the width of its flat text; then the document is rendered
 * with the line-breaking rule of 7.3. Widths are computed once per node, bottom-up, so printing
 * is linear in the size of the output however deep or wide the value is.
 *
 * The same layout engine prints types (`showType` in types.ts).
 */
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, Variety, type Field, type Value } from "./value.js";

// ---------------------------------------------------------------------------------------------
// Layout documents (7.3)

/**
 * A layout document:
 * - a `string` is an atom, printed as is and never broken;
 * - a `Glue` is a fixed lead (`name: ` of a field, `*` of an optional type) followed by a body
 *   that is rendered in the same place, with the same prefix and budget as the glue itself;
 * - a `Group` is `header(item, item)` (or `header[...]`), which unfolds to one item per line
 *   when its flat width exceeds the budget.
 */
export type Doc = string | Glue | Group;

export class Glue {
  /** Width of the flat text in UTF-8 bytes. */
  readonly width: number;

  constructor(
    readonly lead: string,
    readonly body: Doc,
  ) {
    this.width = byteLength(lead) + docWidth(body);
  }
}

export class Group {
  /**
   * The layout estimate of 7.3: `len(header) + 2 + 2*n + Σ width(item)`. It over-counts the
   * flat text by 2 when there are items; the original's line breaking depends on exactly this.
   */
  readonly width: number;

  constructor(
    readonly header: string,
    readonly open: string,
    readonly close: string,
    readonly items: readonly Doc[],
  ) {
    let width = byteLength(header) + byteLength(open) + byteLength(close) + 2 * items.length;
    for (let i = 0; i < items.length; i++) width += docWidth(items[i]!);
    this.width = width;
  }
}

/** Width of the top level (7.3); each level of unfolding takes one column (the tab) from it. */
export const PRINT_WIDTH = 100;

const INDENT = "\t";

export function docWidth(doc: Doc): number {
  return typeof doc === "string" ? byteLength(doc) : doc.width;
}

/** Lays out a document with the rule of 7.3. */
export function renderDoc(doc: Doc, prefix = "", budget = PRINT_WIDTH): string {
  if (typeof doc === "string") return doc;
  const out: string[] = [];
  render(doc, prefix, budget, out);
  return out.join("");
}

function render(doc: Doc, prefix: string, budget: number, out: string[]): void {
  if (typeof doc === "string") {
    out.push(doc);
  } else if (doc instanceof Glue) {
    out.push(doc.lead);
    render(doc.body, prefix, budget, out);
  } else if (doc.width <= budget) {
    renderFlat(doc, out);
  } else {
    renderUnfolded(doc, prefix, budget, out);
  }
}

/** `header(a, b, c)`: used once a group is known to fit, so nothing inside it needs measuring. */
function renderFlat(doc: Doc, out: string[]): void {
  if (typeof doc === "string") {
    out.push(doc);
  } else if (doc instanceof Glue) {
    out.push(doc.lead);
    renderFlat(doc.body, out);
  } else {
    out.push(doc.header, doc.open);
    const items = doc.items;
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out.push(", ");
      renderFlat(items[i]!, out);
    }
    out.push(doc.close);
  }
}

/** `header(` then each item on its own line one tab deeper, no commas, then `)` on its own line. */
function renderUnfolded(group: Group, prefix: string, budget: number, out: string[]): void {
  out.push(group.header, group.open);
  const inner = prefix + INDENT;
  const lineStart = "\n" + inner;
  for (const item of group.items) {
    out.push(lineStart);
    render(item, inner, budget - INDENT.length, out);
  }
  if (group.items.length > 0) out.push("\n", prefix);
  out.push(group.close);
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

// ---------------------------------------------------------------------------------------------
// Values

/** The canonical text of a value (section 7), as `ko run` prints a result. */
export function printValue(v: Value): string {
  return renderDoc(valueDoc(v));
}

/** The layout document of a value. */
export function valueDoc(v: Value): Doc {
  switch (typeof v) {
    case "string":
      return quoteString(v);
    case "number": // a safe integer: String() never uses exponent form for it
      return String(v);
    case "bigint":
      return v.toString();
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof Struct) return new Group("", "(", ")", v.fields.map(fieldDoc));
  if (v instanceof Seq) return new Group("", "(", ")", v.items.map(valueDoc));
  if (v === EMPTY) return "empty";
  if (v instanceof IntVal) return v.v.toString();
  if (v instanceof FloatVal) return formatFloat(v.v); // a Float32 is already held widened (D9)
  if (v instanceof Variety) return varietyDoc(v);
  return `<${(v as Opaque).hostType}>`;
}

/** `name: value`; the monadic field's name is followed by `?`, so the unnamed one prints `?`. */
function fieldDoc(f: Field): Doc {
  return new Glue(fieldLabel(f.name, f.monadic) + ": ", valueDoc(f.value));
}

export function fieldLabel(name: string, monadic: boolean): string {
  return monadic || name === "" ? name + "?" : name;
}

/** A variety prints as its callable's name, followed by its fields in brackets if it has any. */
function varietyDoc(v: Variety): Doc {
  const name = v.callable.displayName;
  return v.fields.length === 0 ? name : new Group(name, "[", "]", v.fields.map(fieldDoc));
}

// ---------------------------------------------------------------------------------------------
// Floats (7.1, D9)

/**
 * Go's `strconv.FormatFloat(x, 'g', -1, 64)`, which is what `%v` prints: the shortest digits
 * that round-trip (the digits JavaScript also chooses), in exponent form iff the decimal
 * exponent is < -4 or >= 6 (JavaScript switches at 21 instead, hence the explicit rule).
 */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "+Inf";
  if (x === -Infinity) return "-Inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest round-tripping digits: "d.ddde±x".
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exp = Number(exponent);
  return sign + (exp < -4 || exp >= 6 ? exponentForm(digits, exp) : positionalForm(digits, exp));
}

/** `d.ddde±XX`: no point after a lone digit, at least two exponent digits. */
function exponentForm(digits: string, exp: number): string {
  const mantissa = digits.length === 1 ? digits : digits[0] + "." + digits.slice(1);
  const magnitude = String(Math.abs(exp)).padStart(2, "0");
  return `${mantissa}e${exp < 0 ? "-" : "+"}${magnitude}`;
}

/** Plain decimal notation without trailing zeros after the point nor a trailing point. */
function positionalForm(digits: string, exp: number): string {
  if (exp < 0) return "0." + "0".repeat(-exp - 1) + digits;
  const intLength = exp + 1;
  if (digits.length <= intLength) return digits + "0".repeat(intLength - digits.length);
  return digits.slice(0, intLength) + "." + digits.slice(intLength);
}

// ---------------------------------------------------------------------------------------------
// Strings (7.1)

/** Strings that need no escaping at all: printable ASCII other than `"` and `\`. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Go's `strconv.IsPrint` beyond ASCII: letters, marks, numbers, punctuation and symbols. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const CONTROL_ESCAPES: Readonly<Record<number, string>> = {
  0x07: "\\a",
  0x08: "\\b",
  0x09: "\\t",
  0x0a: "\\n",
  0x0b: "\\v",
  0x0c: "\\f",
  0x0d: "\\r",
  0x22: '\\"',
  0x5c: "\\\\",
};

/**
 * Go's `strconv.Quote`: printable characters stay as they are, `"` and `\` are escaped, control
 * characters use `\a \b \f \n \r \t \v` or `\xHH`, other non-printables `\uHHHH` or `\UHHHHHHHH`.
 */
export function quoteString(s: string): string {
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  let plainFrom = 0; // start of the current run of characters copied unchanged
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i)!;
    const units = cp > 0xffff ? 2 : 1;
    const escape = escapeOf(cp, s, i, units);
    if (escape !== undefined) {
      out += s.slice(plainFrom, i) + escape;
      plainFrom = i + units;
    }
    i += units;
  }
  return out + s.slice(plainFrom) + '"';
}

/** The escape for the character at `s[i]`, or undefined when it is printed as itself. */
function escapeOf(cp: number, s: string, i: number, units: number): string | undefined {
  if (cp < 0x80) {
    if (cp >= 0x20 && cp < 0x7f && cp !== 0x22 && cp !== 0x5c) return undefined;
    return CONTROL_ESCAPES[cp] ?? "\\x" + hex(cp, 2);
  }
  if (PRINTABLE.test(s.slice(i, i + units))) return undefined;
  // A lone surrogate (which no Ko string should hold, D32) lands here too and prints as \udXXX.
  return cp > 0xffff ? "\\U" + hex(cp, 8) : "\\u" + hex(cp, 4);
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, "0");
}
