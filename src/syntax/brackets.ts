/**
 * The bracket pass (reference 1.10), run on the token stream before parsing.
 *
 * It checks that (), [] and {} nest, reports each imbalance once at the offending bracket, and
 * repairs the stream (drops a closer nothing opened, inserts a zero-width closer where one is
 * missing) so the parser sees balanced brackets and does not bury the real problem under
 * follow-on errors. It also limits nesting depth, since the parser and every later stage recurse
 * once per level, and it records which `(` begin a function's parameters (see markOpensParams).
 */
import { createTokenInstance, type IToken, type TokenType } from "chevrotain";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { MAX_DIAGNOSTICS, MAX_NESTING } from "./limits.js";
import type { LineMap } from "./lines.js";
import { LBrace, LBracket, LParen, markOpensParams, RBrace, RBracket, RParen } from "./tokens.js";

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

/** Checks and repairs bracket nesting in `tokens` (see the file comment). */
export function balanceBrackets(tokens: readonly IToken[], lines: LineMap): BracketResult {
  const balancer = new Balancer(lines);
  for (const tok of tokens) {
    if (closerFor.has(tok.tokenType)) {
      if (!balancer.open(tok)) return balancer.result(true);
    } else if (openerFor.has(tok.tokenType)) {
      balancer.close(tok);
    } else {
      balancer.out.push(tok);
    }
  }
  balancer.closeAll();
  return balancer.result(false);
}

class Balancer {
  readonly out: IToken[] = [];
  private readonly diagnostics: Diagnostic[] = [];
  private readonly stack: IToken[] = [];
  /** How many of each opener are on the stack: tells in O(1) whether a closer matches any. */
  private readonly openCount = new Map<TokenType, number>([
    [LParen, 0],
    [LBracket, 0],
    [LBrace, 0],
  ]);
  /** The `(` whose `)` is the last token output, if any: a `{` right after marks a definition. */
  private closedParen: IToken | undefined;
  private closedParenAt = -1;

  constructor(private readonly lines: LineMap) {}

  /** Takes an opener; false when it nests too deeply. */
  open(tok: IToken): boolean {
    if (tok.tokenType === LBrace && this.closedParen !== undefined && this.closedParenAt === this.out.length - 1) {
      markOpensParams(this.closedParen);
    }
    this.stack.push(tok);
    this.count(tok.tokenType, +1);
    this.out.push(tok);
    if (this.stack.length <= MAX_NESTING) return true;
    const message = `brackets nested too deeply (more than ${MAX_NESTING} levels)`;
    this.diagnostics.push(error("syntax", "syntax/too-deep", message, this.span(tok)));
    return false;
  }

  /** Takes a closer: drops it if nothing it closes is open, else closes what it leaves open. */
  close(tok: IToken): void {
    const opener = openerFor.get(tok.tokenType)!;
    if (this.openCount.get(opener) === 0) {
      const message = `bracket imbalance: unexpected '${tok.image}'`;
      this.report(() => error("syntax", "syntax/unexpected-bracket", message, this.span(tok)));
      return;
    }
    while (this.top().tokenType !== opener) {
      const unclosed = this.top();
      const message = `bracket imbalance: '${unclosed.image}' is not closed before '${tok.image}'`;
      const related = [{ span: this.span(tok), message: `'${tok.image}' found here` }];
      this.report(() => error("syntax", "syntax/unclosed-bracket", message, this.span(unclosed), { related }));
      this.closeTop(virtualCloser(unclosed, tok.startOffset));
    }
    this.closeTop(tok);
  }

  /** At the end of the text: closes every bracket still open. */
  closeAll(): void {
    const end = this.lines.text.length;
    while (this.stack.length > 0) {
      const unclosed = this.top();
      const message = `bracket imbalance: '${unclosed.image}' is never closed`;
      this.report(() => error("syntax", "syntax/unclosed-bracket", message, this.span(unclosed)));
      this.closeTop(virtualCloser(unclosed, end));
    }
  }

  result(tooDeep: boolean): BracketResult {
    return { tokens: this.out, diagnostics: this.diagnostics, tooDeep };
  }

  private closeTop(closer: IToken): void {
    const opener = this.stack.pop()!;
    this.count(opener.tokenType, -1);
    this.out.push(closer);
    if (opener.tokenType === LParen) {
      this.closedParen = opener;
      this.closedParenAt = this.out.length - 1;
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
