/**
 * The formatter's safety check: the formatted text must parse, without errors, to the same tree
 * (positions aside) with the same comments in the same order. Doc comments are compared with
 * trailing white space removed, which is all the formatter takes from a comment.
 */
import type { ParseResult } from "../syntax/index.js";

/** Undefined when both parses hold the same program; otherwise what differs. */
export function sameProgram(before: ParseResult, after: ParseResult): string | undefined {
  if (after.diagnostics.length > 0) return `it does not parse: ${after.diagnostics[0]!.message}`;
  if (shape(before.ast) !== shape(after.ast)) return "the syntax tree changed";
  const a = before.comments.map((c) => tidy(c.text));
  const b = after.comments.map((c) => tidy(c.text));
  if (a.length !== b.length || a.some((t, i) => t !== b[i])) return "the comments changed";
  return undefined;
}

const POSITION_KEYS = new Set(["span", "pathSpan", "argsSpan", "bodySpan", "file"]);

/** The tree as JSON without positions. */
export function shape(ast: unknown): string {
  return JSON.stringify(ast, (key, value: unknown) => {
    if (POSITION_KEYS.has(key)) return undefined;
    if (typeof value === "bigint") return `${value}n`;
    if (key === "doc" && typeof value === "string") return tidy(value);
    return value;
  });
}

function tidy(text: string): string {
  return text
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n");
}
