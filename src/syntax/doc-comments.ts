/**
 * Doc comments: the comment block directly above a definition, and a comment's text without its
 * markers.
 */
import type { IToken } from "chevrotain";
import type { LineMap } from "./lines.js";
import { BlockComment, Line } from "./tokens.js";

/**
 * The comment block directly above the definition named by `nameToken` when the definition
 * starts its line: consecutive comments, each first on its line, the last ending on the line just
 * above, no blank line between. `tokens` and `comments` are the file's, in source order.
 */
export function docFor(nameToken: IToken, tokens: readonly IToken[], comments: readonly IToken[], lines: LineMap): string | undefined {
  const at = nameToken.startOffset;
  let i = tokenIndexAt(tokens, at) - 1;
  while (i >= 0 && isNewline(tokens[i]!)) i--;
  // Text before the definition on its own line means it is not a documented definition.
  const before = tokens[i];
  const codeEnd = before ? before.startOffset + before.image.length : 0;
  const codeLine = before ? lines.lineIndex(codeEnd) : -1;
  let topLine = lines.lineIndex(at);
  if (before && codeLine === topLine) return undefined;

  const block: IToken[] = [];
  for (let c = tokenIndexAt(comments, at) - 1; c >= 0; c--) {
    const comment = comments[c]!;
    const startLine = lines.lineIndex(comment.startOffset);
    const endLine = lines.lineIndex(comment.startOffset + comment.image.length - 1);
    const adjacent = endLine === topLine - 1 || (block.length > 0 && endLine === topLine);
    if (!adjacent || startLine <= codeLine) break;
    block.push(comment);
    topLine = startLine;
  }
  if (block.length === 0) return undefined;
  return block.reverse().map(commentText).join("\n");
}

/**
 * A comment's text without its markers: `// x` gives "x"; a block comment gives its lines,
 * without the ` * ` margin if every line after the first has one, and without blank lines
 * around them.
 */
export function commentText(c: IToken): string {
  if (c.tokenType !== BlockComment) return c.image.slice(2).replace(/\r$/, "").replace(/^ /, "");
  const closed = c.image.length >= 4 && c.image.endsWith("*/");
  const inner = c.image.slice(2, closed ? -2 : undefined).replace(/^ /, "");
  let lines = inner.split("\n").map((l) => l.replace(/\s+$/, ""));
  if (lines.slice(1).every((l) => /^\s*(\*|$)/.test(l))) {
    lines = lines.map((l, k) => (k === 0 ? l : l.replace(/^\s*\* ?/, "")));
  }
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.join("\n");
}

function isNewline(t: IToken): boolean {
  return t.tokenType === Line && t.image === "\n";
}

/** Index of the first token starting at or after `offset` (tokens sorted by offset). */
export function tokenIndexAt(toks: readonly IToken[], offset: number): number {
  let lo = 0;
  let hi = toks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (toks[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
