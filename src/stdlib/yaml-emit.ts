/**
 * YAML text laid out as go-yaml v2 lays it out, which is what the original's `yaml.Marshal` writes
 * (reference D34). go-yaml v2's emitter is a port of libyaml's; this module follows the part of it
 * that a data tree reaches, decision for decision, so that the same value gives the same text:
 *
 * * block style with two-space indentation, except that a sequence that is the value of a
 *   mapping is not indented (`x:\n- a\n- b\n`), and an empty sequence or mapping is written in
 *   flow style (`[]`, `{}`);
 * * a string is double-quoted when go-yaml's YAML 1.1 resolver would read it back as something
 *   else (`"y"`, `"true"`, `"1.5"`, `"0x1F"`, `""`, `"~"`), written as a literal block (`|-`) when
 *   it holds a line break, and plain otherwise — unless libyaml finds plain style unsafe for it
 *   (a leading `-` or `: `, a ` #`, leading or trailing spaces...), then single-quoted, or, when
 *   even that cannot hold it (tabs, characters outside the Basic Multilingual Plane, a space after
 *   a line break), double-quoted with escapes;
 * * plain and quoted strings are folded at a space past column 80, as libyaml does;
 * * a mapping key longer than 128 bytes, or one holding a line break, is written as a complex key
 *   (`? key` then `: value`).
 *
 * Numbers are Ko for Node's choice: integers in decimal, floats in Go's shortest form (`5.6`,
 * `1e+21`) with a fraction kept on a whole one (`2.0`), so that the text reads back as a float.
 * (The original's vendored go-yaml formats floats at float32 precision and writes `2`.)
 */
import { formatFloat } from "../value/print.js";
import { type Data, isDataList } from "./data.js";

/** The indentation step and the column past which scalars are folded, as go-yaml v2's defaults. */
const BEST_INDENT = 2;
const BEST_WIDTH = 80;
/** The longest key (in UTF-8 bytes) written as a simple `key: value`. */
const MAX_SIMPLE_KEY_LENGTH = 128;

type ScalarStyle = "plain" | "single" | "double" | "literal";

/** The text of a data tree as go-yaml v2's Marshal writes it. */
export function emitYaml(d: Data): string {
  const e = new Emitter();
  e.node(d, { root: true, sequence: false, mapping: false, simpleKey: false });
  e.writeIndent();
  return e.text();
}

/** Where a node stands, which decides its layout (libyaml's emitter contexts). */
interface Context {
  readonly root: boolean;
  readonly sequence: boolean;
  readonly mapping: boolean;
  readonly simpleKey: boolean;
}

/** The emitter's state, named as libyaml names it. */
class Emitter {
  private readonly out: string[] = [];
  private column = 0;
  /** The last thing written was white space (or nothing). */
  private whitespace = true;
  /** The current line holds only indentation so far. */
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  private flowLevel = 0;
  private context: Context = { root: true, sequence: false, mapping: false, simpleKey: false };

  text(): string {
    return this.out.join("");
  }

  node(d: Data, context: Context): void {
    this.context = context;
    if (isDataList(d)) this.sequence(d);
    else if (d instanceof Map) this.mapping(d);
    else this.scalar(...scalarOf(d as Scalar));
  }

  private sequence(items: readonly Data[]): void {
    if (this.flowLevel > 0 || items.length === 0) return this.emptyFlow("[", "]");
    // A sequence that is a mapping's value starts at the mapping's own indentation.
    this.increaseIndent(false, this.context.mapping && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator("-", true, false, true);
      this.node(item, { root: false, sequence: true, mapping: false, simpleKey: false });
    }
    this.indent = this.indents.pop()!;
  }

  private mapping(members: ReadonlyMap<string, Data>): void {
    if (this.flowLevel > 0 || members.size === 0) return this.emptyFlow("{", "}");
    this.increaseIndent(false, false);
    for (const [key, value] of members) {
      this.writeIndent();
      if (isSimpleKey(key)) {
        this.node(key, { root: false, sequence: false, mapping: true, simpleKey: true });
        this.writeIndicator(":", false, false, false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.node(key, { root: false, sequence: false, mapping: true, simpleKey: false });
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      this.node(value, { root: false, sequence: false, mapping: true, simpleKey: false });
    }
    this.indent = this.indents.pop()!;
  }

  /** `[]` or `{}`: the only flow collections a data tree gives (nothing is ever inside one). */
  private emptyFlow(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.increaseIndent(true, false);
    this.indent = this.indents.pop()!;
    this.writeIndicator(close, false, false, false);
  }

  private scalar(value: string, requested: ScalarStyle): void {
    const analysis = analyze(value);
    const style = this.selectStyle(requested, value, analysis);
    this.increaseIndent(true, false);
    const allowBreaks = !this.context.simpleKey;
    switch (style) {
      case "plain":
        this.writePlain(value, allowBreaks);
        break;
      case "single":
        this.writeSingleQuoted(value, allowBreaks);
        break;
      case "double":
        this.writeDoubleQuoted(value, allowBreaks);
        break;
      case "literal":
        this.writeLiteral(value);
        break;
    }
    this.indent = this.indents.pop()!;
  }

  /** libyaml's yaml_emitter_select_scalar_style, for untagged scalars. */
  private selectStyle(requested: ScalarStyle, value: string, a: Analysis): ScalarStyle {
    let style = requested;
    if (this.context.simpleKey && a.multiline) style = "double";
    if (style === "plain") {
      if ((this.flowLevel > 0 && !a.flowPlainAllowed) || (this.flowLevel === 0 && !a.blockPlainAllowed)) style = "single";
      if (value === "" && (this.flowLevel > 0 || this.context.simpleKey)) style = "single";
    }
    if (style === "single" && !a.singleQuotedAllowed) style = "double";
    if (style === "literal" && (!a.blockAllowed || this.flowLevel > 0 || this.context.simpleKey)) style = "double";
    return style;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  // --- Writing ---------------------------------------------------------------------------------

  private put(text: string): void {
    this.out.push(text);
    this.column++;
  }

  private putBreak(): void {
    this.out.push("\n");
    this.column = 0;
  }

  /** A line break of the value: a newline as the output's line break, any other as itself. */
  private writeBreak(c: string): void {
    if (c === "\n") this.putBreak();
    else {
      this.out.push(c);
      this.column = 0;
    }
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(" ");
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(" ");
    for (const c of indicator) this.put(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private writePlain(value: string, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(" ");
    this.writeFolding([...value], (i, chars) => allowBreaks && chars[i + 1] !== " ", "");
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    this.writeFolding([...value], (i, chars) => allowBreaks && i > 0 && i < chars.length - 1 && chars[i + 1] !== " ", "'");
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  /**
   * The characters of a plain or single-quoted scalar: a space past the best width where `mayFold`
   * allows becomes a line break, line breaks are written doubled as the style needs, and `quote`
   * (the single quote, in that style) is written twice.
   */
  private writeFolding(chars: readonly string[], mayFold: (i: number, chars: readonly string[]) => boolean, quote: string): void {
    let spaces = false;
    let breaks = false;
    chars.forEach((c, i) => {
      if (c === " ") {
        if (!spaces && this.column > BEST_WIDTH && mayFold(i, chars)) this.writeIndent();
        else this.put(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === "\n") this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === quote) this.put(c);
        this.put(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    });
  }

  private writeDoubleQuoted(value: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const chars = [...value];
    let spaces = false;
    chars.forEach((c, i) => {
      if (!isPrintable(c) || isBreak(c) || c === '"' || c === "\\") {
        for (const e of escape(c)) this.put(e);
        spaces = false;
      } else if (c === " ") {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < chars.length - 1) {
          this.writeIndent();
          // A space that starts a folded line would be taken for indentation: it is escaped.
          if (chars[i + 1] === " ") this.put("\\");
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    });
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(value: string): void {
    this.writeIndicator("|", true, false, false);
    this.writeBlockScalarHints(value);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of value) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }

  /** The indentation indicator (when the text starts with a space or break) and the chomping one. */
  private writeBlockScalarHints(value: string): void {
    const chars = [...value];
    if (chars[0] === " " || isBreak(chars[0] ?? "")) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const last = chars.length - 1;
    let chomp = "";
    if (chars.length === 0 || !isBreak(chars[last]!)) chomp = "-";
    else if (last === 0 || isBreak(chars[last - 1]!)) chomp = "+";
    if (chomp !== "") this.writeIndicator(chomp, false, false, false);
  }
}

// --- Scalars ---------------------------------------------------------------------------------

type Scalar = Exclude<Data, readonly Data[] | ReadonlyMap<string, Data>>;

/** The text of a scalar and the style go-yaml's encoder asks for it. */
function scalarOf(d: Scalar): [string, ScalarStyle] {
  if (d === null) return ["null", "plain"];
  switch (typeof d) {
    case "boolean":
      return [d ? "true" : "false", "plain"];
    case "bigint":
      return [String(d), "plain"];
    case "number":
      return [floatText(d), "plain"];
    case "string":
      if (!resolvesToString(d) || isBase60Float(d)) return [d, "double"];
      return [d, d.includes("\n") ? "literal" : "plain"];
  }
}

/** Go's shortest form, YAML's names for the non-finite, and a fraction on a whole number. */
function floatText(x: number): string {
  if (Number.isNaN(x)) return ".nan";
  if (!Number.isFinite(x)) return x > 0 ? ".inf" : "-.inf";
  const text = formatFloat(x);
  return /^-?\d+$/.test(text) ? `${text}.0` : text;
}

/** The plain words go-yaml v2's resolver reads as booleans, nulls, special floats or a merge key. */
const RESOLVED_WORDS = new Set([
  ...["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"],
  ...["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"],
  ...["", "~", "null", "Null", "NULL"],
  ...[".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"],
  "<<",
]);

/** A float as go-yaml v2's resolver recognises one (after underscores are removed). */
const YAML_STYLE_FLOAT = /^[-+]?[0-9]*\.?[0-9]+([eE][-+][0-9]+)?$/;

/**
 * Whether go-yaml v2 would read the plain text back as a string: its resolver looks at the first
 * character, then at the words above, then tries an integer (Go's ParseInt with base prefixes,
 * underscores dropped), an unsigned integer, then a float.
 */
function resolvesToString(s: string): boolean {
  const first = s[0];
  const hint = first === undefined ? "N" : hintOf(first);
  if (hint === "") return true;
  if (RESOLVED_WORDS.has(s)) return false;
  if (hint === "M") return true;
  if (hint === ".") return !isGoFloat(s);
  const plain = s.replace(/_/g, "");
  return !isGoInteger(plain) && !(YAML_STYLE_FLOAT.test(plain) && isGoFloat(plain));
}

/** The resolver's class of a first character: sign, digit, in the word table, dot, or nothing. */
function hintOf(c: string): string {
  if (c === "+" || c === "-") return "S";
  if (c >= "0" && c <= "9") return "D";
  if ("yYnNtTfFoO~".includes(c)) return "M";
  if (c === ".") return ".";
  return "";
}

/**
 * Go's strconv.ParseInt(s, 0, 64) or ParseUint(s, 0, 64) accepts the text: decimal, `0x`, `0o`
 * or a leading `0` (octal), `0b`, within 64 bits. (A wider one fails there and is tried as a float.)
 */
function isGoInteger(s: string): boolean {
  const m = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.exec(s);
  if (!m) return false;
  const sign = m[1]!;
  const body = m[2]!;
  const digits = /^0[oO]/.test(body) ? `0o${body.slice(2)}` : /^0[0-7]/.test(body) ? `0o${body.slice(1)}` : body;
  const n = BigInt(digits) * (sign === "-" ? -1n : 1n);
  // ParseInt takes the signed range; ParseUint (no sign allowed) the unsigned one.
  return (n >= -(2n ** 63n) && n < 2n ** 63n) || (sign === "" && n < 2n ** 64n);
}

/** Go's strconv.ParseFloat(s, 64) accepts the text (decimal forms; hexadecimal floats aside). */
function isGoFloat(s: string): boolean {
  return /^[-+]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN])$/.test(s);
}

/** A YAML 1.1 sexagesimal float (`190:20:30.15`), which go-yaml quotes for older readers. */
function isBase60Float(s: string): boolean {
  return /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s);
}

// --- Character classes and the analysis of a scalar (libyaml's) -------------------------------

function isBreak(c: string): boolean {
  return c === "\r" || c === "\n" || c === "\u0085" || c === "\u2028" || c === "\u2029";
}

function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/**
 * libyaml's printable characters: newline, ASCII from space to tilde, and the Basic Multilingual
 * Plane from U+00A0 except surrogates, U+FEFF, U+FFFE and U+FFFF. A tab is not printable, nor is
 * anything beyond U+FFFF.
 */
function isPrintable(c: string): boolean {
  const code = c.codePointAt(0)!;
  if (code === 0x0a || (code >= 0x20 && code <= 0x7e)) return true;
  if (code >= 0xa0 && code <= 0xd7ff) return true;
  return code >= 0xe000 && code <= 0xfffd && code !== 0xfeff;
}

/** A character as a double-quoted escape: the short forms, else `\xHH`, `\uHHHH` or `\UHHHHHHHH`. */
function escape(c: string): string {
  const short: Record<string, string> = {
    "\0": "0",
    "\x07": "a",
    "\b": "b",
    "\t": "t",
    "\n": "n",
    "\v": "v",
    "\f": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\u0085": "N",
    "\u00a0": "_",
    "\u2028": "L",
    "\u2029": "P",
  };
  const s = short[c];
  if (s !== undefined) return `\\${s}`;
  const code = c.codePointAt(0)!;
  const hex = code.toString(16).toUpperCase();
  if (code <= 0xff) return `\\x${hex.padStart(2, "0")}`;
  if (code <= 0xffff) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}

interface Analysis {
  readonly multiline: boolean;
  readonly flowPlainAllowed: boolean;
  readonly blockPlainAllowed: boolean;
  readonly singleQuotedAllowed: boolean;
  readonly blockAllowed: boolean;
}

/** libyaml's yaml_emitter_analyze_scalar: which styles can hold the text faithfully. */
function analyze(value: string): Analysis {
  if (value === "") {
    return { multiline: false, flowPlainAllowed: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith("---") || value.startsWith("...")) {
    blockIndicators = true;
    flowIndicators = true;
  }
  const chars = [...value];
  let precededByWhitespace = true;
  chars.forEach((c, i) => {
    const followedByWhitespace = i + 1 >= chars.length || isBlank(chars[i + 1]);
    if (i === 0) {
      if ("#,[]{}&*!|>'\"%@`".includes(c)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (c === "?" || c === ":") {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (c === "-" && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (",?[]{}".includes(c)) {
      flowIndicators = true;
    } else if (c === ":") {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (c === "#" && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (c === " ") {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlank(c) || isBreak(c) || c === "\0";
  });
  let flowPlainAllowed = true;
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
  }
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks) {
    flowPlainAllowed = false;
    blockPlainAllowed = false;
  }
  if (flowIndicators) flowPlainAllowed = false;
  if (blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, flowPlainAllowed, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

/** Whether a mapping key can be written as a simple `key:` (libyaml's check_simple_key). */
function isSimpleKey(key: string): boolean {
  return !analyze(key).multiline && Buffer.byteLength(key, "utf8") <= MAX_SIMPLE_KEY_LENGTH;
}
