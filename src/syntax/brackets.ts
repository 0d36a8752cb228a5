/**
 * The bracket pass (reference 1.10), run on the token stream before parsing.
 *
 * It checks that (), [] and {} nest, reports each imbalance once at the offending bracket, and
 * repairs the stream (drops a closer nothing opened, inserts a zero-width closer where one is
 * missing) so the parser sees balanced brackets and does not bury the real problem under
 * follow-on errors. A missing closer goes where the bracket's term most likely ends: before the
 * first later line that starts no deeper than the line the bracket opened on (the next term of
 * the same body), else where the imbalance shows; so `a: Sum(1, 2` followed by `return: a` is
 * one error, not a `return` swallowed into Sum's arguments. It also limits nesting depth, since the parser and every later stage recurse
 * once per level, and it records which `(` begin a function's parameters (see markOpensParams).
 */
import { createTokenInstance, type IToken, type TokenType } from "chevrotain";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { MAX_DIAGNOSTICS, MAX_NESTING } from "./limits.js";
import type { LineMap } from "./lines.js";
import { LBrace, LBracket, Line, LParen, markOpensParams, RBrace, RBracket, RParen } from "./tokens.js";

export interface BracketResult {
  /** The repaired token stream. */
  readonly tokens: IToken[];
  readonly diagnostics: Diagnostic[];
  /** Nesting went beyond MAX_NESTING: the stream must not be parsed. */
  readonly tooDeep: boolean;
}

/** Each opener's closer (so also: which token types open a bracket). */
const closerFor = new Map<TokenType, TokenType>([
  [LParen, RParen],
  [LBracket, RBracket],
  [LBrace, RBrace],
]);
const openerFor = new Map<TokenType, TokenType>([...closerFor].map(([o, c]) => [c, o]));

function isOpener(type: TokenType): boolean {
  return type === LParen || type === LBracket || type === LBrace;
}

function isCloser(type: TokenType): boolean {
  return type === RParen || type === RBracket || type === RBrace;
}

/** Checks and repairs bracket nesting in `tokens` (see the file comment). */
export function balanceBrackets(tokens: IToken[], lines: LineMap): BracketResult {
  const balancer = new Balancer(tokens, lines);
  for (const tok of tokens) {
    if (isOpener(tok.tokenType)) {
      if (!balancer.open(tok)) return balancer.result(true);
    } else if (isCloser(tok.tokenType)) {
      balancer.close(tok);
    } else {
      balancer.pass(tok);
    }
  }
  balancer.closeAll();
  return balancer.result(false);
}

class Balancer {
  /**
   * The repaired stream, made at the first repair: until then it is the input's first `length`
   * tokens, and most files need no repair.
   */
  private repaired: IToken[] | undefined;
  /** How many tokens the stream has so far. */
  private length = 0;
  private readonly diagnostics: Diagnostic[] = [];
  private readonly stack: IToken[] = [];
  /** Where each opener on the stack is in `out`. */
  private readonly stackAt: number[] = [];
  /** How many of each opener are on the stack: tells in O(1) whether a closer matches any. */
  private readonly openCount = new Map<TokenType, number>([
    [LParen, 0],
    [LBracket, 0],
    [LBrace, 0],
  ]);
  /** The `(` whose `)` is the last token output, if any: a `{` right after marks a definition. */
  private closedParen: IToken | undefined;
  private closedParenAt = -1;

  constructor(
    private readonly tokens: IToken[],
    private readonly lines: LineMap,
  ) {}

  /** Takes a token that is no bracket. */
  pass(tok: IToken): void {
    if (this.repaired === undefined) this.length++;
    else this.length = this.repaired.push(tok);
  }

  /** Takes an opener; false when it nests too deeply. */
  open(tok: IToken): boolean {
    if (tok.tokenType === LBrace && this.closedParen !== undefined && this.closedParenAt === this.length - 1) {
      markOpensParams(this.closedParen);
    }
    this.stack.push(tok);
    this.stackAt.push(this.length);
    this.count(tok.tokenType, +1);
    this.pass(tok);
    if (this.stack.length <= MAX_NESTING) return true;
    const message = `brackets nested too deeply (more than ${MAX_NESTING} levels)`;
    this.diagnostics.push(error("syntax", "syntax/too-deep", message, this.span(tok)));
    return false;
  }

  /** Takes a closer: drops it if nothing it closes is open, else closes what it leaves open. */
  close(tok: IToken): void {
    const opener = openerFor.get(tok.tokenType)!;
    if (this.openCount.get(opener) === 0) {
      this.out(); // the closer is left out
      const message = `bracket imbalance: unexpected '${tok.image}'`;
      this.report(() => error("syntax", "syntax/unexpected-bracket", message, this.span(tok)));
      return;
    }
    while (this.top().tokenType !== opener) {
      const unclosed = this.top();
      const nextTerm = this.closeUnclosed(tok.startOffset);
      this.reportUnclosed(unclosed, nextTerm, () => ({
        message: `bracket imbalance: '${unclosed.image}' is not closed before '${tok.image}'`,
        related: [{ span: this.span(tok), message: `'${tok.image}' found here` }],
      }));
    }
    this.closeTop(tok);
  }

  /** At the end of the text: closes every bracket still open. */
  closeAll(): void {
    const end = this.lines.text.length;
    while (this.stack.length > 0) {
      const unclosed = this.top();
      const nextTerm = this.closeUnclosed(end);
      this.reportUnclosed(unclosed, nextTerm, () => ({ message: `bracket imbalance: '${unclosed.image}' is never closed`, related: [] }));
    }
  }

  /** Reports `unclosed`, naming the next term's line when the repair closed it before that. */
  private reportUnclosed(
    unclosed: IToken,
    nextTerm: number | undefined,
    otherwise: () => { message: string; related: { span: Span; message: string }[] },
  ): void {
    this.report(() => {
      const { message, related } =
        nextTerm === undefined
          ? otherwise()
          : {
              message: `bracket imbalance: '${unclosed.image}' is not closed before the next line's term`,
              related: [{ span: this.lines.span(nextTerm, nextTerm), message: "the next term starts here" }],
            };
      return error("syntax", "syntax/unclosed-bracket", message, this.span(unclosed), related.length > 0 ? { related } : {});
    });
  }

  result(tooDeep: boolean): BracketResult {
    return { tokens: this.repaired ?? this.tokens, diagnostics: this.diagnostics, tooDeep };
  }

  /** The stream, to be repaired. */
  private out(): IToken[] {
    return (this.repaired ??= this.tokens.slice(0, this.length));
  }

  /**
   * Closes the bracket on top of the stack, which is never closed, with a zero-width closer: at
   * the end of its term's last line when a later line starts no deeper than the line it opened
   * on (see the file comment), else at `offset`. Returns where that later line's term starts.
   */
  private closeUnclosed(offset: number): number | undefined {
    const opener = this.top();
    const from = this.stackAt[this.stackAt.length - 1]!;
    const indent = this.indentOf(opener.startOffset);
    const out = this.out();
    let depth = 0;
    for (let i = from + 1; i < out.length; i++) {
      const t = out[i]!;
      if (isOpener(t.tokenType)) depth++;
      else if (isCloser(t.tokenType)) depth--;
      if (depth !== 0 || t.tokenType !== Line || t.image !== "\n") continue;
      const next = out[i + 1];
      if (next === undefined || next.tokenType === Line || this.columnOf(next.startOffset) > indent) continue;
      const opened = this.stack.pop()!;
      this.stackAt.pop();
      this.count(opened.tokenType, -1);
      out.splice(i, 0, virtualCloser(opened, t.startOffset));
      this.length = out.length;
      this.closedParen = undefined;
      return next.startOffset;
    }
    this.out();
    this.closeTop(virtualCloser(opener, offset));
    return undefined;
  }

  /** How far into its line `offset` is. */
  private columnOf(offset: number): number {
    return offset - this.lines.offsetOfLine(this.lines.lineIndex(offset));
  }

  /** How far the first non-blank character of the line holding `offset` is into it. */
  private indentOf(offset: number): number {
    const start = this.lines.offsetOfLine(this.lines.lineIndex(offset));
    let at = start;
    while (this.lines.text[at] === " " || this.lines.text[at] === "\t") at++;
    return at - start;
  }

  private closeTop(closer: IToken): void {
    const opener = this.stack.pop()!;
    this.stackAt.pop();
    this.count(opener.tokenType, -1);
    this.pass(closer);
    if (opener.tokenType === LParen) {
      this.closedParen = opener;
      this.closedParenAt = this.length - 1;
    }
  }

  private top(): IToken {
    return this.stack[this.stack.length - 1]!;
  }

  private count(opener: TokenType, delta: number): void {
    this.openCount.set(opener, this.openCount.get(opener)! + delta);
  }

  /** Input such as a million stray `)` must not make a million diagnostics. */
  private report(make: () => Diagnostic): void {
    if (this.diagnostics.length <= MAX_DIAGNOSTICS) this.diagnostics.push(make());
  }

  private span(t: IToken): Span {
    return this.lines.span(t.startOffset, t.startOffset + t.image.length);
  }
}

/** A zero-width closer for `opener`, placed at `offset`. */
function virtualCloser(opener: IToken, offset: number): IToken {
  const type = closerFor.get(opener.tokenType)!;
  return createTokenInstance(type, "", offset, offset - 1, NaN, NaN, NaN, NaN);
}
