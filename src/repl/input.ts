/**
 * When an input is complete: the REPL keeps reading lines while a bracket is open, or a raw
 * string or block comment is not yet closed, so that a formula or a definition can span lines.
 * Brackets are counted with the compiler's own lexer, so those inside strings and comments do
 * not count.
 */
import { BlockComment, lex, LBrace, LBracket, LParen, RawString, RBrace, RBracket, RParen } from "../syntax/index.js";

export function isComplete(text: string): boolean {
  const { tokens, comments } = lex(text);
  let depth = 0;
  for (const t of tokens) {
    if (t.tokenType === LParen || t.tokenType === LBracket || t.tokenType === LBrace) depth++;
    else if (t.tokenType === RParen || t.tokenType === RBracket || t.tokenType === RBrace) depth--;
  }
  if (depth > 0) return false;
  const last = tokens[tokens.length - 1];
  if (last?.tokenType === RawString && (last.image.length < 2 || !last.image.endsWith("`"))) return false;
  const comment = comments[comments.length - 1];
  if (comment?.tokenType === BlockComment && !(comment.image.length >= 4 && comment.image.endsWith("*/"))) return false;
  return true;
}
