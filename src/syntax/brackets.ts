/**
 * The bracket pass (spec 1.10), run on the token stream before parsing.
 *
 * It checks that (), [] and {} nest, reports each imbalance once at the offending bracket, and
 * repairs the stream (drops a closer nothing opened, inserts a zero-width closer where one is
 * missing) so the parser sees balanced brackets and does not bury the real problem under
 * follow-on errors. It also limits nesting depth, since the parser and every later stage recurse
 * once per level, and it records which `(` begin a function's parameters (see markOpensParams).
 */
import { createTokenInstance, type IToken, type TokenType } from "chevrotain";
import { error, type Diagnostic } from "../diag/diagnostic.js";
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

const closerFor = new Map<TokenType, TokenType>([
  [LParen, RParen],
  [LBracket, RBracket],
  [LBrace, RBrace],
]);
const openerFor = new Map<TokenType, TokenType>([...closerFor].map(([o, c]) => [c, o]));

export function balanceBrackets(tokens: readonly IToken[], lines: LineMap): BracketResult {
  const out: IToken[] = [];
  const diagnostics: Diagnostic[] = [];
  // Input such as a million stray `)` must not make a million diagnostics.
  const report = (d: () => Diagnostic): void => {
    if (diagnostics.length <= MAX_DIAGNOSTICS) diagnostics.push(d());
  };
  const stack: IToken[] = [];
  // How many of each opener are on the stack: tells in O(1) whether a closer matches any of them.
  const open = new Map<TokenType, number>([
    [LParen, 0],
    [LBracket, 0],
    [LBrace, 0],
  ]);
  // The `(` whose `)` is the last token pushed, if any: a `{` right after it marks a definition.
  let closedParen: IToken | undefined;
  let closedParenAt = -1;

  const closeTop = (closer: IToken): void => {
    const opener = stack.pop()!;
    open.set(opener.tokenType, open.get(opener.tokenType)! - 1);
    out.push(closer);
    if (opener.tokenType === LParen) {
      closedParen = opener;
      closedParenAt = out.length - 1;
    }
  };

  for (const tok of tokens) {
    const type = tok.tokenType;
    if (closerFor.has(type)) {
      if (type === LBrace && closedParen !== undefined && closedParenAt === out.length - 1) {
        markOpensParams(closedParen);
      }
      stack.push(tok);
      open.set(type, open.get(type)! + 1);
      out.push(tok);
      if (stack.length > MAX_NESTING) {
        const message = `brackets nested too deeply (more than ${MAX_NESTING} levels)`;
        diagnostics.push(error("syntax", "syntax/too-deep", message, tokenSpan(tok, lines)));
        return { tokens: out, diagnostics, tooDeep: true };
      }
      continue;
    }
    const opener = openerFor.get(type);
    if (opener === undefined) {
      out.push(tok);
      continue;
    }
    if (open.get(opener) === 0) {
      const message = `bracket imbalance: unexpected '${tok.image}'`;
      report(() => error("syntax", "syntax/unexpected-bracket", message, tokenSpan(tok, lines)));
      continue; // dropped
    }
    // Every opener above the matching one is left unclosed by this closer.
    while (stack[stack.length - 1]!.tokenType !== opener) {
      const unclosed = stack[stack.length - 1]!;
      const message = `bracket imbalance: '${unclosed.image}' is not closed before '${tok.image}'`;
      report(() =>
        error("syntax", "syntax/unclosed-bracket", message, tokenSpan(unclosed, lines), {
          related: [{ span: tokenSpan(tok, lines), message: `'${tok.image}' found here` }],
        }),
      );
      closeTop(virtualCloser(unclosed, tok.startOffset));
    }
    closeTop(tok);
  }

  const end = lines.text.length;
  while (stack.length > 0) {
    const unclosed = stack[stack.length - 1]!;
    const message = `bracket imbalance: '${unclosed.image}' is never closed`;
    report(() => error("syntax", "syntax/unclosed-bracket", message, tokenSpan(unclosed, lines)));
    closeTop(virtualCloser(unclosed, end));
  }
  return { tokens: out, diagnostics, tooDeep: false };
}

/** A zero-width closer for `opener`, placed at `offset`. */
function virtualCloser(opener: IToken, offset: number): IToken {
  const type = closerFor.get(opener.tokenType)!;
  return createTokenInstance(type, "", offset, offset - 1, NaN, NaN, NaN, NaN);
}

function tokenSpan(t: IToken, lines: LineMap) {
  return lines.span(t.startOffset, t.startOffset + t.image.length);
}
