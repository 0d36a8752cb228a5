/**
 * The token vocabulary of Ko (reference section 1), as Chevrotain token definitions: the parser
 * reads these types, and the definitions, tried in order, say what the lexer (lexer.ts) reads.
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
  type LexProblem,
  type StringScan,
} from "./literals.js";

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
  return matched(text.slice(offset), unterminatedComment(offset));
}

/** The payload of a block comment that starts at `offset` and has no end. */
export function unterminatedComment(offset: number): ProblemPayload {
  const problem: LexProblem = {
    offset,
    length: 2,
    code: "lex/unterminated-comment",
    message: "comment not terminated: '/*' has no matching '*/'",
    unterminated: true,
  };
  return { problems: [problem] };
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
  return matched(text.slice(offset, s.end), charLiteralPayload(offset, s));
}

/** The payload of a character literal at `offset`, scanned as a string: its rejection. */
export function charLiteralPayload(offset: number, s: StringScan): StringPayload {
  const problem: LexProblem = {
    offset,
    length: s.end - offset,
    code: "lex/char-literal",
    message: "character literals are not Ko; use a string",
    ...(s.problems.some((p) => p.unterminated) && { unterminated: true }),
  };
  // The rejection makes any problem inside the quotes beside the point.
  return { value: s.value, problems: [problem] };
}

function numberMatcher(wantFloat: boolean) {
  return (text: string, offset: number): CustomPatternMatcherReturn | null => {
    if (!startsNumber(text, offset)) return null;
    const s = scanNumber(text, offset);
    if (s.isFloat !== wantFloat) return null;
    const payload = s.problems.length > 0 ? ({ problems: s.problems } satisfies ProblemPayload) : undefined;
    return matched(text.slice(offset, s.end), payload);
  };
}

/** Go's identifier rule: a Unicode letter or `_`, then letters, decimal digits and `_`. */
export const IDENT_RE = /[\p{L}_][\p{L}\p{Nd}_]*/uy;

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
// Token types. The order of `allTokens` is the order in which matchers are tried.

export const ByteOrderMark = createToken({
  name: "ByteOrderMark",
  pattern: { exec: matchByteOrderMark },
  group: Lexer.SKIPPED,
});
export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r]+/, group: Lexer.SKIPPED });
/** The separator: a newline, `,` or `;` (reference 1.2). */
export const Line = createToken({ name: "Line", pattern: /[\n,;]/, line_breaks: true, label: "a newline, ',' or ';'" });
export const LineComment = createToken({
  name: "LineComment",
  pattern: { exec: matchLineComment },
  line_breaks: false,
  group: "comments",
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: { exec: matchBlockComment },
  line_breaks: true,
  group: "comments",
});

/** Abstract: any string literal. The parser consumes this category. */
export const StringLit = createToken({ name: "StringLit", pattern: Lexer.NA, label: "a string" });
export const InterpretedString = createToken({
  name: "InterpretedString",
  pattern: { exec: matchString },
  line_breaks: false,
  categories: [StringLit],
  label: "a string",
});
export const RawString = createToken({
  name: "RawString",
  pattern: { exec: matchRawString },
  line_breaks: true,
  categories: [StringLit],
  label: "a string",
});
/** Rejected by the lexer (see matchCharLiteral) but parsed as a string to avoid follow-on errors. */
export const CharLiteral = createToken({
  name: "CharLiteral",
  pattern: { exec: matchCharLiteral },
  line_breaks: false,
  categories: [StringLit],
  label: "a string",
});

/** Abstract: any number literal. */
export const NumberLit = createToken({ name: "NumberLit", pattern: Lexer.NA, label: "a number" });
export const Float = createToken({
  name: "Float",
  pattern: { exec: numberMatcher(true) },
  line_breaks: false,
  categories: [NumberLit],
  label: "a number",
});
export const Int = createToken({
  name: "Int",
  pattern: { exec: numberMatcher(false) },
  line_breaks: false,
  categories: [NumberLit],
  label: "a number",
});

/** Also the contextual words import, use, as, return, true and false (reference 1.5). */
export const Ident = createToken({
  name: "Ident",
  pattern: { exec: matchIdent },
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

/**
 * A token as the lexer makes it, with its payload among the fields it is made with (one added
 * later gave each token a second object for it). It has no end offset: nothing reads one, and
 * a 10,000-line file has two hundred thousand tokens.
 */
export function offsetToken(image: string, startOffset: number, tokenTypeIdx: number, tokenType: TokenType): IToken {
  return { image, startOffset, tokenTypeIdx, tokenType, payload: undefined };
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
