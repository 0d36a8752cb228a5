/**
 * The pieces of a `Template` string: literal text and `{{ path }}` selectors. The builtin fills
 * them in; the checker reads them to type the selections ahead of the run.
 */
import { KoError } from "./failure.js";
import { quoteString } from "./print.js";

export type TemplatePiece = { readonly text: string } | { readonly path: readonly string[] };

const OPEN = "{{";
const CLOSE = "}}";

/**
 * Splits a template into pieces. Every `{{` must be closed by a `}}` before the next one; the
 * path inside may be surrounded by spaces (D32) and is made of dot-separated names of letters,
 * digits (D16) and underscores.
 */
export function parseTemplate(template: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let at = 0;
  for (;;) {
    const open = template.indexOf(OPEN, at);
    const text = template.slice(at, open < 0 ? template.length : open);
    if (text.includes(CLOSE)) throw unbalanced(template, `"${CLOSE}" without "${OPEN}"`);
    if (text !== "") pieces.push({ text });
    if (open < 0) return pieces;
    const close = template.indexOf(CLOSE, open + OPEN.length);
    if (close < 0) throw unbalanced(template, `"${OPEN}" without "${CLOSE}"`);
    pieces.push({ path: parseSelector(template.slice(open + OPEN.length, close)) });
    at = close + CLOSE.length;
  }
}

function unbalanced(template: string, what: string) {
  return templateError(`unbalanced braces in ${quoteString(template)}: ${what}`);
}

const NAME = /^[A-Za-z0-9_]+$/;

function parseSelector(selector: string): string[] {
  const path = selector.trim().split(".");
  for (const name of path) {
    if (!NAME.test(name)) throw templateError(`selector ${quoteString(selector)} is not a dotted path of names`);
  }
  return path;
}

function templateError(message: string): KoError {
  return new KoError(`Template: ${message}`, "runtime/builtin");
}
