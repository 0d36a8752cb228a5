/**
 * The formatter, shared by `ko fmt` and the language server: one canonical layout for Ko source
 * (see print.ts for the rules), with every comment kept.
 *
 * A file with syntax errors is not formatted: its tree may be partial, and formatting it could
 * lose what the parser skipped. Every result is checked before it is returned: the output must
 * parse to the same tree with the same comments, or the formatter refuses (and says so) rather
 * than change a program's meaning.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import { error } from "../diag/diagnostic.js";
import { lex, parseFile } from "../syntax/index.js";
import { UnplaceableComment } from "./comments.js";
import { render, type CommentLine } from "./doc.js";
import { fileDoc, type TopItem } from "./layout.js";
import { sameProgram } from "./verify.js";

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

/** Formats the text of one file; `file` names it in diagnostics. */
export function formatSource(file: string, text: string): FormatResult {
  const parsed = parseFile(file, text);
  if (parsed.diagnostics.length > 0) return { ok: false, diagnostics: parsed.diagnostics };
  let out: string;
  try {
    const { items, tail } = fileDoc({ text, ast: parsed.ast, comments: parsed.comments, tokens: lex(text).tokens });
    out = layoutFile(items, tail);
  } catch (e) {
    if (!(e instanceof UnplaceableComment)) throw e;
    return refuse(file, text, e.comment.span.start.offset, "cannot format: a line comment sits where the layout cannot keep it");
  }
  const problem = sameProgram(parsed, parseFile(file, out));
  if (problem !== undefined)
    return refuse(file, text, 0, `cannot format: the result would differ from the source (${problem}); please report this`);
  return { ok: true, text: out, changed: out !== text };
}

function refuse(file: string, text: string, offset: number, message: string): FormatResult {
  const lines = text.slice(0, offset).split("\n");
  const pos = { line: lines.length, col: lines[lines.length - 1]!.length + 1, offset };
  return { ok: false, diagnostics: [error("syntax", "fmt/refused", message, { file, start: pos, end: pos })] };
}

/**
 * The file: one item per line; a blank line before and after each function, and between imports
 * where the source had one. Comments keep their lines and, at most one, their blank lines.
 */
function layoutFile(items: readonly TopItem[], tail: readonly CommentLine[]): string {
  const out: string[] = [];
  const line = (text: string, blankBefore: boolean) => {
    if (out.length > 0 && blankBefore) out.push("");
    out.push(text);
  };
  items.forEach((item, i) => {
    const setOff = i > 0 && (item.kind === "func" || items[i - 1]!.kind === "func");
    item.leading.forEach((c, k) => line(c.text, c.blankBefore || (k === 0 && setOff)));
    const trailing = item.trailing.map((c) => ` ${c}`).join("");
    line(render(item.doc) + trailing, item.blankBefore || (item.leading.length === 0 && setOff));
  });
  for (const c of tail) line(c.text, c.blankBefore);
  return out.length === 0 ? "" : out.join("\n") + "\n";
}
