import type { CallFrame, Diagnostic } from "./diagnostic.js";
import type { Span } from "./span.js";
import * as path from "node:path";

/** Supplies source text by file name, for excerpts. */
export type SourceLookup = (file: string) => string | undefined;

/** Shows a file name relative to the working directory when it lies below it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}

function location(span: Span): string {
  return `${displayPath(span.file)}:${span.start.line}:${span.start.col}`;
}

/** The source line of a span with a caret under its column, indented by two spaces. */
export function excerpt(span: Span, sources: SourceLookup): string {
  const text = sources(span.file);
  if (text === undefined) return "";
  const lines = text.split("\n");
  const raw = lines[span.start.line - 1];
  if (raw === undefined) return "";
  const limit = 200;
  let line = raw.replace(/\r$/, "");
  let col = span.start.col - 1;
  if (line.length > limit) {
    const from = Math.max(0, col - limit / 2);
    line = line.slice(from, from + limit);
    col -= from;
  }
  // Keep tabs so the caret lines up under the same characters in a terminal.
  const pad = line.slice(0, col).replace(/[^\t]/g, " ");
  const width = Math.max(1, Math.min(span.end.line === span.start.line ? span.end.col - span.start.col : 1, line.length - col));
  return `  ${line}\n  ${pad}${"^".repeat(width)}\n`;
}

/** One line of a call chain: a frame, a run of frames left out, or the hop of a grid call. */
function frameLine(f: CallFrame): string {
  if (f.elided !== undefined) return `  ... ${f.elided} more frames ...\n`;
  if (f.hop !== undefined) return `  in ${f.hop.call}: job ${f.hop.job} on worker ${f.hop.worker}\n`;
  if (f.host) return `  at ${f.func} (host function)\n`;
  return `  at ${f.func}:${f.step} (${location(f.span)})\n`;
}

/**
 * Renders a diagnostic in the form of decision D18:
 * `FILE:LINE:COL: error: MESSAGE`, the source line with a caret, related notes, then the call chain.
 * A panic's message already starts with "unrecovered panic:", so no "error:" is added before it.
 */
export function renderDiagnostic(d: Diagnostic, sources: SourceLookup): string {
  const head = d.message.startsWith("unrecovered panic:") ? d.message : `${d.severity}: ${d.message}`;
  let out = `${location(d.span)}: ${head}\n` + excerpt(d.span, sources);
  if (d.suggestion !== undefined) out += `  (did you mean ${d.suggestion}?)\n`;
  for (const r of d.related ?? []) out += `${location(r.span)}: note: ${r.message}\n` + (r.excerpt ? excerpt(r.span, sources) : "");
  for (const f of d.frames ?? []) out += frameLine(f);
  return out;
}
