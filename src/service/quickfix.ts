/**
 * Quick fixes: a diagnostic that carries a suggestion ("did you mean Sum?") offers to replace the
 * name it points at with the suggestion.
 */
import type { Diagnostic, Fix } from "../diag/diagnostic.js";

export interface QuickFix {
  readonly title: string;
  /** Offsets in the file the diagnostic is about. */
  readonly start: number;
  readonly end: number;
  readonly newText: string;
}

/** The fix for a diagnostic, if it has a suggestion; `text` is the file's text. */
export function quickFix(d: Pick<Diagnostic, "suggestion" | "span">, text: string): QuickFix | undefined {
  if (d.suggestion === undefined) return undefined;
  const start = d.span.start.offset;
  const end = d.span.end.offset;
  const written = text.slice(start, end);
  // `alias.Nmae` is reported at `Nmae` with the suggestion `alias.Name`: replace only what is marked.
  const replacement =
    written.includes(".") || !d.suggestion.includes(".") ? d.suggestion : d.suggestion.slice(d.suggestion.lastIndexOf(".") + 1);
  return { title: `Change to ${d.suggestion}`, start, end, newText: replacement };
}

/**
 * A diagnostic's own fix (a manifest's misspelled field), if the text still reads what the fix
 * replaces: the diagnostic may be older than the text.
 */
export function carriedFix(fix: Fix, text: string): QuickFix | undefined {
  const { start, end } = { start: fix.span.start.offset, end: fix.span.end.offset };
  if (text.slice(start, end) !== fix.oldText) return undefined;
  return { title: `Change ${fix.oldText} to ${fix.newText}`, start, end, newText: fix.newText };
}
