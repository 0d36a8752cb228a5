/**
 * The lexer: one pass over the text that dispatches on each token's first character. It makes
 * exactly the tokens Chevrotain's lexer makes from the token definitions of tokens.ts (which try
 * each definition in order; test/syntax/lexer-reference.test.ts compares the two on every
 * character), in a fraction of the time: Chevrotain's lexer calls each candidate matcher through
 * its pattern machinery and builds an array per match.
 *
 * Whitespace is skipped; newlines, commas and semicolons are all one LINE token; comments are
 * returned apart (kept for doc comments and tools); characters no token accepts become one
 * `unrecognized token` problem per run. Offsets only: positions are computed on demand by
 * LineMap, only `\n` ending a line.
 */
import type { IToken, TokenType } from "chevrotain";
import {
  blockCommentEnd,
  lineCommentEnd,
  scanNumber,
  scanQuoted,
  scanRaw,
  startsNumber,
  visible,
  type LexProblem,
  type StringScan,
} from "./literals.js";
import {
  BlockComment,
  CharLiteral,
  Colon,
  Dot,
  Float,
  Ident,
  IDENT_RE,
  Int,
  InterpretedString,
  LBrace,
  LBracket,
  Line,
  LineComment,
  LParen,
  Minus,
  offsetToken,
  Question,
  RawString,
  RBrace,
  RBracket,
  RParen,
  charLiteralPayload,
  unterminatedComment,
  type ProblemPayload,
  type StringPayload,
} from "./tokens.js";

export interface LexResult {
  /** The tokens the parser sees: no whitespace, no comments. */
  readonly tokens: IToken[];
  /** Line and block comments, in source order. */
  readonly comments: IToken[];
  /** Lexical errors, in source order. */
  readonly problems: LexProblem[];
}

/** The one-character tokens, by character code. */
const PUNCTUATION = new Map<number, TokenType>([
  [0x0a, Line],
  [0x2c, Line],
  [0x3b, Line],
  [0x3a, Colon],
  [0x7b, LBrace],
  [0x7d, RBrace],
  [0x5b, LBracket],
  [0x5d, RBracket],
  [0x28, LParen],
  [0x29, RParen],
  [0x2d, Minus],
  [0x3f, Question],
]);

/** The same, as an array indexed by character code (below 128), for the loop. */
const PUNCTUATION_BY_CODE: (TokenType | undefined)[] = Array.from({ length: 128 }, (_, c) => PUNCTUATION.get(c));

function isAsciiIdentStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isAsciiIdentPart(c: number): boolean {
  return isAsciiIdentStart(c) || (c >= 0x30 && c <= 0x39);
}

/** Splits `text` into tokens. Never throws; every problem is returned with its offset. */
export function lex(text: string): LexResult {
  return new Scanner(text).run();
}

class Scanner {
  private readonly tokens: IToken[] = [];
  private readonly comments: IToken[] = [];
  private readonly problems: LexProblem[] = [];
  /** Each name read so far (see pushName). */
  private readonly names = new Map<string, string>();
  /** Where the last run of unrecognized characters ends: a run is one problem. */
  private illegalEnd = -1;

  constructor(private readonly text: string) {}

  run(): LexResult {
    const text = this.text;
    // A byte order mark is skipped at the start only.
    let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    while (at < text.length) at = this.next(at, text.charCodeAt(at));
    this.problems.sort((a, b) => a.offset - b.offset);
    return { tokens: this.tokens, comments: this.comments, problems: this.problems };
  }

  /** Reads the token (or whitespace) at `at`, which starts with `c`; returns where it ends. */
  private next(at: number, c: number): number {
    const text = this.text;
    if (c === 0x20 || c === 0x09 || c === 0x0d) {
      let end = at + 1;
      for (let d = text.charCodeAt(end); d === 0x20 || d === 0x09 || d === 0x0d; d = text.charCodeAt(++end));
      return end;
    }
    const punctuation = c < 0x80 ? PUNCTUATION_BY_CODE[c] : undefined;
    if (punctuation !== undefined) return this.push(punctuation, at, at + 1);
    if (isAsciiIdentStart(c)) {
      let end = at + 1;
      while (isAsciiIdentPart(text.charCodeAt(end))) end++;
      // A name that goes on with other letters (`größe`) is read whole by the Unicode rule.
      return text.charCodeAt(end) < 0x80 || end === text.length ? this.pushName(at, end) : this.unicodeIdent(at);
    }
    if (startsNumber(text, at)) return this.number(at);
    switch (c) {
      case 0x2e:
        return this.push(Dot, at, at + 1);
      case 0x22:
        return this.string(InterpretedString, at, scanQuoted(text, at));
      case 0x60:
        return this.string(RawString, at, scanRaw(text, at));
      case 0x27:
        return this.charLiteral(at);
      case 0x2f:
        if (text.charCodeAt(at + 1) === 0x2f) return this.comment(LineComment, at, lineCommentEnd(text, at));
        if (text.charCodeAt(at + 1) === 0x2a) return this.blockComment(at);
        return this.illegal(at);
      default:
        return c >= 0x80 ? this.unicodeIdent(at) : this.illegal(at);
    }
  }

  private push(type: TokenType, start: number, end: number, payload?: unknown): number {
    const t = offsetToken(this.text.slice(start, end), start, type.tokenTypeIdx!, type);
    if (payload !== undefined) t.payload = payload;
    this.tokens.push(t);
    return end;
  }

  /**
   * A name, whose image is the one string of the text for it: a name such as `Sum` or `x` is
   * written many times, and every token lives as long as the parse (the AST keeps these strings).
   */
  private pushName(start: number, end: number): number {
    const image = this.text.slice(start, end);
    let kept = this.names.get(image);
    if (kept === undefined) this.names.set(image, (kept = image));
    this.tokens.push(offsetToken(kept, start, Ident.tokenTypeIdx!, Ident));
    return end;
  }

  /** Go's identifier rule: a Unicode letter or `_`, then letters, decimal digits and `_`. */
  private unicodeIdent(at: number): number {
    IDENT_RE.lastIndex = at;
    const m = IDENT_RE.exec(this.text);
    return m === null ? this.illegal(at) : this.pushName(at, at + m[0].length);
  }

  private number(at: number): number {
    const s = scanNumber(this.text, at);
    if (s.problems.length === 0) return this.push(s.isFloat ? Float : Int, at, s.end);
    this.problems.push(...s.problems);
    return this.push(s.isFloat ? Float : Int, at, s.end, { problems: s.problems } satisfies ProblemPayload);
  }

  private string(type: TokenType, at: number, s: StringScan): number {
    if (s.problems.length > 0) this.problems.push(...s.problems); // a spread of none costs an array
    return this.push(type, at, s.end, { value: s.value, problems: s.problems } satisfies StringPayload);
  }

  /** A Go character literal: read like a string so the one error says what to do instead. */
  private charLiteral(at: number): number {
    const s = scanQuoted(this.text, at);
    return this.string(CharLiteral, at, { end: s.end, ...charLiteralPayload(at, s) });
  }

  private comment(type: TokenType, at: number, end: number, payload?: ProblemPayload): number {
    const t = offsetToken(this.text.slice(at, end), at, type.tokenTypeIdx!, type);
    if (payload !== undefined) {
      t.payload = payload;
      this.problems.push(...payload.problems);
    }
    this.comments.push(t);
    return end;
  }

  private blockComment(at: number): number {
    const end = blockCommentEnd(this.text, at);
    if (end >= 0) return this.comment(BlockComment, at, end);
    return this.comment(BlockComment, at, this.text.length, unterminatedComment(at));
  }

  /** Anything else: one code point (a surrogate pair stays whole), reported once per run. */
  private illegal(at: number): number {
    const end = at + (this.text.codePointAt(at)! > 0xffff ? 2 : 1);
    if (at !== this.illegalEnd) {
      const image = this.text.slice(at, end);
      this.problems.push({
        offset: at,
        length: end - at,
        code: "lex/unrecognized-token",
        message: `unrecognized token "${visible(image)}"`,
      });
    }
    this.illegalEnd = end;
    return end;
  }
}
