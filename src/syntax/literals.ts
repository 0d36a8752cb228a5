/**
 * Scanning and decoding of Ko's literal tokens (reference 1.3, 1.6-1.8, decisions D1, D2, D26, D32).
 *
 * These are plain functions over (text, offset) so the lexer's custom token matchers stay small
 * and so the rules can be tested without a lexer. They never throw: a malformed literal is still
 * scanned to a sensible end, and its problems are returned with their own offsets, so that one
 * bad escape or digit is reported where it is and lexing simply goes on.
 */

/** A lexical problem found inside a token, located by absolute offset into the source text. */
export interface LexProblem {
  readonly offset: number;
  readonly length: number;
  readonly code: string;
  readonly message: string;
  /** A string or comment that runs on to the end of its line or file, taking what is there. */
  readonly unterminated?: boolean;
}

const CH_NEWLINE = 0x0a;
const CH_UNDERSCORE = 0x5f;
const CH_DOT = 0x2e;

function isDecimal(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDecimal(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function isOctal(c: number): boolean {
  return c >= 0x30 && c <= 0x37;
}

function lower(c: number): number {
  return c | 0x20;
}

// ---------------------------------------------------------------------------------------------
// Numbers

export interface NumberScan {
  /** Offset just after the literal. */
  readonly end: number;
  readonly isFloat: boolean;
  readonly problems: readonly LexProblem[];
}

const BASE_NAMES: Record<number, string> = { 2: "binary", 8: "octal", 10: "decimal", 16: "hexadecimal" };

/** True when a number literal starts at `offset`: a digit, or a `.` followed by a digit. */
export function startsNumber(text: string, offset: number): boolean {
  const c = text.charCodeAt(offset);
  return isDecimal(c) || (c === CH_DOT && isDecimal(text.charCodeAt(offset + 1)));
}

/**
 * Scans a number literal with Go's rules: an optional base prefix, digits and `_`, then for
 * base 10 an optional fraction and exponent. Like Go's scanner, digits of the wrong base and
 * radix points after a prefix are consumed (so that the error is about the whole literal) and
 * reported; letters after the digits are not consumed (`12ab` is the number 12, then a name).
 */
export function scanNumber(text: string, start: number): NumberScan {
  const problems: LexProblem[] = [];
  let i = start;
  let base = 10;
  let isFloat = false;
  let digitCount = 0;
  let badDigit = -1;

  // Consumes digits of the current base (and `_`); remembers the first digit the base forbids.
  const digits = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === CH_UNDERSCORE) {
        i++;
      } else if (base === 16 ? isHex(c) : isDecimal(c)) {
        if (base < 10 && c - 0x30 >= base && badDigit < 0) badDigit = i;
        digitCount++;
        i++;
      } else {
        return;
      }
    }
  };

  if (text.charCodeAt(i) !== CH_DOT) {
    if (text.charCodeAt(i) === 0x30) {
      const p = lower(text.charCodeAt(i + 1));
      if (p === 0x78 /* x */) base = 16;
      else if (p === 0x6f /* o */) base = 8;
      else if (p === 0x62 /* b */) base = 2;
      if (base !== 10) i += 2;
    }
    digits();
    if (base !== 10 && digitCount === 0) {
      problems.push(problem(start, i - start, "lex/bad-number", `${BASE_NAMES[base]} literal has no digits`));
    }
  }

  if (text.charCodeAt(i) === CH_DOT) {
    isFloat = true;
    i++;
    digits();
  }

  const e = lower(text.charCodeAt(i));
  if (e === 0x65 /* e */ || (e === 0x70 /* p */ && base === 16)) {
    isFloat = true;
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    const expStart = i;
    while (isDecimal(text.charCodeAt(i)) || text.charCodeAt(i) === CH_UNDERSCORE) i++;
    if (!hasDigit(text, expStart, i)) {
      problems.push(problem(start, i - start, "lex/bad-number", "exponent has no digits"));
    }
  }

  if (badDigit >= 0) {
    const digit = text[badDigit];
    problems.push(problem(badDigit, 1, "lex/bad-number", `invalid digit '${digit}' in ${BASE_NAMES[base]} literal`));
  }
  if (isFloat && base !== 10) {
    problems.push(problem(start, i - start, "lex/bad-number", `${BASE_NAMES[base]} floating-point literals are not supported in Ko`));
  }
  const sep = invalidSeparator(text.slice(start, i));
  if (sep >= 0) {
    problems.push(problem(start + sep, 1, "lex/bad-number", "'_' must separate successive digits"));
  }
  // One error per literal: the first found is the most basic (`0x_` lacks digits, whatever else).
  return { end: i, isFloat, problems: problems.slice(0, 1) };
}

function hasDigit(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (isDecimal(text.charCodeAt(k))) return true;
  return false;
}

/**
 * Returns the index of the first misplaced `_` in a number literal, or -1. An underscore must
 * stand between two digits, where a base prefix counts as a digit (`0x_1` is fine; `1__0`, `1_`,
 * `_1` after a point, `1_.5` are not).
 */
export function invalidSeparator(lit: string): number {
  const hex = lit.length >= 2 && lit[0] === "0" && lower(lit.charCodeAt(1)) === 0x78;
  const prefixed = lit.length >= 2 && lit[0] === "0" && "xob".includes(String.fromCharCode(lower(lit.charCodeAt(1))));
  // What came before: 'd' a digit (or the prefix), '_' an underscore, 'o' anything else.
  let prev: "d" | "_" | "o" = prefixed ? "d" : "o";
  for (let k = prefixed ? 2 : 0; k < lit.length; k++) {
    const c = lit.charCodeAt(k);
    if (c === CH_UNDERSCORE) {
      if (prev !== "d") return k;
      prev = "_";
    } else if (isDecimal(c) || (hex && isHex(c))) {
      prev = "d";
    } else {
      if (prev === "_") return k - 1;
      prev = "o";
    }
  }
  return prev === "_" ? lit.length - 1 : -1;
}

/** The exact value of a well-formed integer literal (any base, `017` being decimal 17). */
export function intValue(image: string): bigint {
  // BigInt() reads 0x/0o/0b prefixes (either case) and treats leading zeros as decimal.
  return BigInt(image.replace(/_/g, ""));
}

/** The value of a well-formed decimal float literal. */
export function floatValue(image: string): number {
  return Number(image.replace(/_/g, ""));
}

// ---------------------------------------------------------------------------------------------
// Strings and comments

export interface StringScan {
  readonly end: number;
  /** The decoded value (best effort when there are problems). */
  readonly value: string;
  readonly problems: readonly LexProblem[];
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
};

/**
 * Scans a quoted literal starting at the quote `text[start]` (`"` for strings, `'` for Go
 * character literals, which Ko rejects but still reads so that the error is clean). It ends at
 * the matching quote; a newline or the end of the text before it is an error.
 */
export function scanQuoted(text: string, start: number): StringScan {
  const quote = text[start]!;
  const problems: LexProblem[] = [];
  let value = "";
  let i = start + 1;
  let runStart = i;
  for (;;) {
    if (i >= text.length || text.charCodeAt(i) === CH_NEWLINE) {
      value += text.slice(runStart, i);
      const where = i >= text.length ? "end of file" : "end of line";
      const what = quote === '"' ? "string literal" : "character literal";
      const message = `${what} not terminated before ${where}`;
      problems.push({ ...problem(start, i - start, "lex/unterminated-string", message), unterminated: true });
      return { end: i, value, problems };
    }
    const c = text[i];
    if (c === quote) {
      value += text.slice(runStart, i);
      return { end: i + 1, value, problems };
    }
    if (c === "\\") {
      value += text.slice(runStart, i);
      const esc = decodeEscape(text, i, quote);
      if (esc.problem) problems.push(esc.problem);
      value += esc.value;
      i = esc.end;
      runStart = i;
      continue;
    }
    i++;
  }
}

interface EscapeResult {
  readonly end: number;
  readonly value: string;
  readonly problem?: LexProblem;
}

/** Decodes the escape sequence whose backslash is at `at` (Go rules; \x and octal give U+00HH per D32). */
function decodeEscape(text: string, at: number, quote: string): EscapeResult {
  const c = text[at + 1];
  if (c === undefined || c === "\n") {
    return { end: at + 1, value: "", problem: problem(at, 1, "lex/bad-escape", "escape sequence not terminated") };
  }
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { end: at + 2, value: simple };
  if (c === quote) return { end: at + 2, value: quote };
  switch (c) {
    case "x":
      return numericEscape(text, at, 2, 16, 0xff);
    case "u":
      return numericEscape(text, at, 4, 16, 0x10ffff);
    case "U":
      return numericEscape(text, at, 8, 16, 0x10ffff);
    default:
      if (isOctal(c.charCodeAt(0))) return numericEscape(text, at, 3, 8, 0xff);
      return unknownEscape(text, at);
  }
}

function unknownEscape(text: string, at: number): EscapeResult {
  const ch = String.fromCodePoint(text.codePointAt(at + 1)!);
  const end = at + 1 + ch.length;
  return { end, value: "", problem: problem(at, end - at, "lex/bad-escape", `unknown escape sequence '\\${visible(ch)}'`) };
}

/** `\xHH`, `\uHHHH`, `\UHHHHHHHH` or `\ooo`: exactly `count` digits of `radix`, at most `max`. */
function numericEscape(text: string, at: number, count: number, radix: number, max: number): EscapeResult {
  const octal = radix === 8;
  const digitsStart = octal ? at + 1 : at + 2;
  let k = digitsStart;
  while (k < digitsStart + count && (octal ? isOctal(text.charCodeAt(k)) : isHex(text.charCodeAt(k)))) k++;
  const seq = text.slice(at, k);
  if (k < digitsStart + count) {
    const kind = octal ? "octal" : "hexadecimal";
    return {
      end: k,
      value: "",
      problem: problem(at, k - at, "lex/bad-escape", `escape sequence ${seq} needs ${count} ${kind} digits`),
    };
  }
  const code = parseInt(text.slice(digitsStart, k), radix);
  if (code > max || (code >= 0xd800 && code <= 0xdfff)) {
    const why = octal ? "octal escape value > 255" : `escape sequence ${seq} is not a valid Unicode code point`;
    return { end: k, value: "", problem: problem(at, k - at, "lex/bad-escape", why) };
  }
  return { end: k, value: String.fromCodePoint(code) };
}

/** Scans a raw string starting at its back-quote. Its value is the contents with `\r` dropped (D1). */
export function scanRaw(text: string, start: number): StringScan {
  const close = text.indexOf("`", start + 1);
  if (close < 0) {
    return {
      end: text.length,
      value: dropCR(text.slice(start + 1)),
      problems: [
        {
          ...problem(start, 1, "lex/unterminated-string", "raw string literal not terminated before end of file"),
          unterminated: true,
        },
      ],
    };
  }
  return { end: close + 1, value: dropCR(text.slice(start + 1, close)), problems: [] };
}

function dropCR(s: string): string {
  return s.includes("\r") ? s.replace(/\r/g, "") : s;
}

/** End of a `//` comment starting at `start`: just before the newline, or the end of the text. */
export function lineCommentEnd(text: string, start: number): number {
  const nl = text.indexOf("\n", start + 2);
  return nl < 0 ? text.length : nl;
}

/** End of a block comment starting at `start`, or -1 when it is never closed. */
export function blockCommentEnd(text: string, start: number): number {
  const close = text.indexOf("*/", start + 2);
  return close < 0 ? -1 : close + 2;
}

/** Text as Go's %q would show it inside quotes: printable characters as they are, others escaped. */
export function visible(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (/[\p{L}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

function problem(offset: number, length: number, code: string, message: string): LexProblem {
  return { offset, length, code, message };
}
