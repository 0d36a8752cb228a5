/**
 * The token vocabulary of Ko (reference section 1) and the lexer.
 *
 * Whitespace is skipped; newlines, commas and semicolons are all one LINE token; comments go to
 * the "comments" group (kept for doc comments and tools); characters no token accepts go to the
 * "illegal" group and become `unrecognized token` errors. Literal tokens carry their decoded
 * value and any problems in their payload, so lexing never stops at a bad literal and the
 * parser still sees a literal where the user wrote one (fewer follow-on errors).
 *
 * Every non-trivial token uses a custom matcher rather than a regular expression: the matchers
 * run in linear time on any input (a 1 MB string, an unterminated comment), while regular
 * expressions with alternations can backtrack or overflow on such input.
 */
import { createToken, Lexer, type CustomPatternMatcherReturn, type IToken, type TokenType } from "chevrotain";
import {
  blockCommentEnd,
  lineCommentEnd,
  scanNumber,
  scanQuoted,
  scanRaw,
  startsNumber,
  visible,
  type LexProblem,
  type NumberScan,
} from "./literals.js";
import { once } from "./once.js";

// ---------------------------------------------------------------------------------------------
// Payloads

/** Payload of string-like tokens (interpreted, raw, and the rejected character literal). */
export interface StringPayload {
  readonly value: string;
  readonly problems: readonly LexProblem[];
}

/** Payload of malformed number tokens and unterminated comments (well-formed ones have none). */
export interface ProblemPayload {
  readonly problems: readonly LexProblem[];
}

/** Payload the bracket pass puts on a `(` whose matching `)` is directly followed by `{`. */
export interface ParenPayload {
  readonly beforeBody: true;
}

// ---------------------------------------------------------------------------------------------
// Custom matchers

function matched(image: string, payload?: unknown): CustomPatternMatcherReturn {
  const m = [image] as CustomPatternMatcherReturn;
  if (payload !== undefined) m.payload = payload;
  return m;
}

function matchByteOrderMark(text: string, offset: number): CustomPatternMatcherReturn | null {
  return offset === 0 && text.charCodeAt(0) === 0xfeff ? matched("\ufeff") : null;
}

function matchLineComment(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (!text.startsWith("//", offset)) return null;
  return matched(text.slice(offset, lineCommentEnd(text, offset)));
}

function matchBlockComment(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (!text.startsWith("/*", offset)) return null;
  const end = blockCommentEnd(text, offset);
  if (end >= 0) return matched(text.slice(offset, end));
  const problem: LexProblem = {
    offset,
    length: 2,
    code: "lex/unterminated-comment",
    message: "comment not terminated: '/*' has no matching '*/'",
    unterminated: true,
  };
  return matched(text.slice(offset), { problems: [problem] } satisfies ProblemPayload);
}

function matchString(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 0x22) return null;
  const s = scanQuoted(text, offset);
  return matched(text.slice(offset, s.end), { value: s.value, problems: s.problems } satisfies StringPayload);
}

function matchRawString(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 0x60) return null;
  const s = scanRaw(text, offset);
  return matched(text.slice(offset, s.end), { value: s.value, problems: s.problems } satisfies StringPayload);
}

/** A Go character literal: read like a string so the one error says what to do instead. */
function matchCharLiteral(text: string, offset: number): CustomPatternMatcherReturn | null {
  if (text.charCodeAt(offset) !== 0x27) return null;
  const s = scanQuoted(text, offset);
  const problem: LexProblem = {
    offset,
    length: s.end - offset,
    code: "lex/char-literal",
    message: "character literals are not Ko; use a string",
    ...(s.problems.some((p) => p.unterminated) && { unterminated: true }),
  };
  // The rejection makes any problem inside the quotes beside the point.
  return matched(text.slice(offset, s.end), { value: s.value, problems: [problem] } satisfies StringPayload);
}

/**
 * The Float matcher runs first and the Int matcher scans the same text again when it fails; this
 * one-entry cache per lexing makes that second scan free. A lexing is known by the array of tokens
 * it has matched so far, which Chevrotain hands every custom matcher: the entry goes with it.
 */
const lastScans = new WeakMap<IToken[], { offset: number; scan: NumberScan }>();

function scanNumberCached(text: string, offset: number, lexing: IToken[]): NumberScan {
  let last = lastScans.get(lexing);
  if (last?.offset !== offset) {
    last = { offset, scan: scanNumber(text, offset) };
    lastScans.set(lexing, last);
  }
  return last.scan;
}

function numberMatcher(wantFloat: boolean) {
  return (text: string, offset: number, lexing: IToken[]): CustomPatternMatcherReturn | null => {
    if (!startsNumber(text, offset)) return null;
    const s = scanNumberCached(text, offset, lexing);
    if (s.isFloat !== wantFloat) return null;
    const payload = s.problems.length > 0 ? ({ problems: s.problems } satisfies ProblemPayload) : undefined;
    return matched(text.slice(offset, s.end), payload);
  };
}

/** Go's identifier rule: a Unicode letter or `_`, then letters, decimal digits and `_`. */
const IDENT_RE = /[\p{L}_][\p{L}\p{Nd}_]*/uy;

function matchIdent(text: string, offset: number): CustomPatternMatcherReturn | null {
  IDENT_RE.lastIndex = offset;
  const m = IDENT_RE.exec(text);
  return m === null ? null : matched(m[0]);
}

/** Anything else: one code point (a surrogate pair stays whole), reported as unrecognized. */
function matchIllegal(text: string, offset: number): CustomPatternMatcherReturn | null {
  const cp = text.codePointAt(offset);
  if (cp === undefined) return null;
  return matched(text.slice(offset, offset + (cp > 0xffff ? 2 : 1)));
}

// ---------------------------------------------------------------------------------------------
// Start-character hints let Chevrotain pick candidate matchers by the first character.

function codes(from: number, to: number): number[] {
  const out: number[] = [];
  for (let c = from; c <= to; c++) out.push(c);
  return out;
}

/**
 * The characters `from`..`to` as a start-character hint. Chevrotain sorts the candidate matchers
 * by first character: each character below 256 on its own, the others by blocks (of 255 in
 * Chevrotain 11, see its charCodeToOptimizedIndex), so one character of a block stands for all
 * of it. Listing every character up to 0xffff cost about 10 ms at every start of `ko` (building
 * the lists, then Chevrotain reading them); this lists the characters below 256 and the first
 * character of every block of 255 and of every block of 256, a few hundred in all.
 * test/syntax/lexer-hints.test.ts checks that the lexer tokenises every character alike either way.
 */
export function startChars(from: number, to: number): number[] {
  const out = codes(from, Math.min(to, 0xff));
  for (let c = Math.max(from, 0x100); c <= to; c = Math.min((Math.floor(c / 255) + 1) * 255, (Math.floor(c / 256) + 1) * 256)) {
    out.push(c);
  }
  return out;
}

const DIGITS = codes(0x30, 0x39);
const ASCII_LETTERS = [...codes(0x41, 0x5a), ...codes(0x61, 0x7a)];

// ---------------------------------------------------------------------------------------------
// Token types. The order of `allTokens` is the order in which matchers are tried.

export const ByteOrderMark = createToken({
  name: "ByteOrderMark",
  pattern: { exec: matchByteOrderMark },
  start_chars_hint: [0xfeff],
  group: Lexer.SKIPPED,
});
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r]+/, group: Lexer.SKIPPED });
/** The separator: a newline, `,` or `;` (reference 1.2). */
export const Line = createToken({ name: "Line", pattern: /[\n,;]/, line_breaks: true, label: "a newline, ',' or ';'" });
export const LineComment = createToken({
  name: "LineComment",
  pattern: { exec: matchLineComment },
  start_chars_hint: ["/"],
  line_breaks: false,
  group: "comments",
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: { exec: matchBlockComment },
  start_chars_hint: ["/"],
  line_breaks: true,
  group: "comments",
});

/** Abstract: any string literal. The parser consumes this category. */
export const StringLit = createToken({ name: "StringLit", pattern: Lexer.NA, label: "a string" });
export const InterpretedString = createToken({
  name: "InterpretedString",
  pattern: { exec: matchString },
  start_chars_hint: ['"'],
  line_breaks: false,
  categories: [StringLit],
  label: "a string",
});
export const RawString = createToken({
  name: "RawString",
  pattern: { exec: matchRawString },
  start_chars_hint: ["`"],
  line_breaks: true,
  categories: [StringLit],
  label: "a string",
});
/** Rejected by the lexer (see matchCharLiteral) but parsed as a string to avoid follow-on errors. */
export const CharLiteral = createToken({
  name: "CharLiteral",
  pattern: { exec: matchCharLiteral },
  start_chars_hint: ["'"],
  line_breaks: false,
  categories: [StringLit],
  label: "a string",
});

/** Abstract: any number literal. */
export const NumberLit = createToken({ name: "NumberLit", pattern: Lexer.NA, label: "a number" });
export const Float = createToken({
  name: "Float",
  pattern: { exec: numberMatcher(true) },
  start_chars_hint: [...DIGITS, 0x2e],
  line_breaks: false,
  categories: [NumberLit],
  label: "a number",
});
export const Int = createToken({
  name: "Int",
  pattern: { exec: numberMatcher(false) },
  start_chars_hint: DIGITS,
  line_breaks: false,
  categories: [NumberLit],
  label: "a number",
});

/** Also the contextual words import, use, as, return, true and false (reference 1.5). */
export const Ident = createToken({
  name: "Ident",
  pattern: { exec: matchIdent },
  // Non-ASCII letters are too many to list; the matcher itself rejects non-letters.
  start_chars_hint: [...ASCII_LETTERS, 0x5f, ...startChars(0x80, 0xffff)],
  line_breaks: false,
  label: "a name",
});

export const Colon = createToken({ name: "Colon", pattern: ":", label: "':'" });
export const LBrace = createToken({ name: "LBrace", pattern: "{", label: "'{'" });
export const RBrace = createToken({ name: "RBrace", pattern: "}", label: "'}'" });
export const LBracket = createToken({ name: "LBracket", pattern: "[", label: "'['" });
export const RBracket = createToken({ name: "RBracket", pattern: "]", label: "']'" });
export const LParen = createToken({ name: "LParen", pattern: "(", label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", label: "')'" });
export const Dot = createToken({ name: "Dot", pattern: ".", label: "'.'" });
export const Minus = createToken({ name: "Minus", pattern: "-", label: "'-'" });
export const Question = createToken({ name: "Question", pattern: "?", label: "'?'" });

export const Illegal = createToken({
  name: "Illegal",
  pattern: { exec: matchIllegal },
  start_chars_hint: startChars(0, 0xffff),
  line_breaks: true,
  group: "illegal",
});

/** Every token type, in matching order (abstract categories included, as Chevrotain requires). */
export const allTokens: TokenType[] = [
  ByteOrderMark,
  WhiteSpace,
  Line,
  LineComment,
  BlockComment,
  StringLit,
  InterpretedString,
  RawString,
  CharLiteral,
  NumberLit,
  Float,
  Int,
  Ident,
  Colon,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  LParen,
  RParen,
  Dot,
  Minus,
  Question,
  Illegal,
];

export const OPENERS: ReadonlySet<TokenType> = new Set([LParen, LBracket, LBrace]);
export const CLOSERS: ReadonlySet<TokenType> = new Set([RParen, RBracket, RBrace]);

// ---------------------------------------------------------------------------------------------
// Lexing

export interface LexResult {
  /** The tokens the parser sees: no whitespace, no comments. */
  readonly tokens: IToken[];
  /** Line and block comments, in source order. */
  readonly comments: IToken[];
  /** Lexical errors, in source order. */
  readonly problems: LexProblem[];
}

/**
 * The lexer. `validate` checks the token definitions (the test suite does); `ko` skips that at
 * start-up. Offsets only: positions are computed on demand by LineMap, only `\n` ending a line.
 */
export function makeLexer(validate = false): Lexer {
  const lexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: validate, skipValidations: !validate });
  (lexer as unknown as TokenFactory).createTokenInstance = offsetToken;
  return lexer;
}

/** Where Chevrotain's lexer makes its tokens (not in its type declarations). */
interface TokenFactory {
  createTokenInstance: typeof offsetToken;
}

/**
 * A token with its end offset and payload among the fields it is made with. Chevrotain's
 * offset-only token has four fields, and adding the end offset the parser's node locations need,
 * or a payload, then gave each token a second object for the fields added later.
 */
function offsetToken(image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType): IToken {
  return { image, startOffset, endOffset: startOffset + image.length - 1, tokenTypeIdx, tokenType, payload: undefined };
}

/** The lexer `lex` uses: one for the process, as the token definitions are. */
const getLexer = once(() => makeLexer());

/** Splits `text` into tokens. Never throws; every problem is returned with its offset. */
export function lex(text: string): LexResult {
  const result = getLexer().tokenize(text);
  const comments = result.groups["comments"] ?? [];
  const problems: LexProblem[] = [];
  collectProblems(comments, problems);
  collectProblems(result.tokens, problems);
  collectUnrecognized(result.groups["illegal"] ?? [], problems);
  // Cannot happen with the catch-all Illegal token, but an error must never be lost.
  for (const e of result.errors) {
    problems.push({ offset: e.offset, length: e.length, code: "lex/unrecognized-token", message: e.message });
  }
  problems.sort((a, b) => a.offset - b.offset);
  return { tokens: result.tokens, comments, problems };
}

function collectProblems(tokens: readonly IToken[], into: LexProblem[]): void {
  for (const t of tokens) {
    const problems = (t.payload as Partial<ProblemPayload> | undefined)?.problems;
    if (problems !== undefined) for (const p of problems) into.push(p);
  }
}

/** One problem per run of adjacent illegal characters, naming the first (the original's wording). */
function collectUnrecognized(illegal: readonly IToken[], into: LexProblem[]): void {
  let runEnd = -1;
  for (const t of illegal) {
    const continues = t.startOffset === runEnd;
    runEnd = t.startOffset + t.image.length;
    if (continues) continue;
    into.push({
      offset: t.startOffset,
      length: t.image.length,
      code: "lex/unrecognized-token",
      message: `unrecognized token "${visible(t.image)}"`,
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Token facts used by the parser and the AST builder

export function stringPayload(t: IToken): StringPayload | undefined {
  return t.payload as StringPayload | undefined;
}

export function hasProblems(t: IToken): boolean {
  return ((t.payload as Partial<ProblemPayload> | undefined)?.problems?.length ?? 0) > 0;
}

/** Whether `t` is a `(` whose matching `)` is directly followed by `{`: a function's parameters. */
export function opensParams(t: IToken): boolean {
  return t.tokenType === LParen && (t.payload as ParenPayload | undefined)?.beforeBody === true;
}

export function markOpensParams(t: IToken): void {
  t.payload = { beforeBody: true } satisfies ParenPayload;
}

/** True for tokens invented by the bracket pass or by the parser's error recovery. */
export function isVirtual(t: IToken): boolean {
  return t.isInsertedInRecovery === true || Number.isNaN(t.startOffset) || t.image === "";
}
