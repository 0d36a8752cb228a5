/**
 * What the server publishes for one analysis, as plain data: it is made in the diagnostics
 * worker (worker.ts) and sent to the main thread, so it holds no syntax trees.
 */
import * as path from "node:path";
import { stdlibDir } from "../api/program.js";
import { plainDiagnostic, type Diagnostic } from "../diag/diagnostic.js";
import { displayPath } from "../diag/render.js";
import type { EntrySource } from "../resolve/load.js";
import type { Analysis } from "./analysis.js";

export interface DiagnosticsReport {
  /** Names the analysed package, so that files fixed since can be cleared. */
  readonly key: string;
  /** The package's own files (not those of the packages it imports, nor the standard library's). */
  readonly ownFiles: readonly string[];
  /** Every file the analysis read. */
  readonly readFiles: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** An internal error of the type checker (the other diagnostics are still reported), for the log. */
  readonly failure?: string;
}

export function reportOf(analysis: Analysis): DiagnosticsReport {
  const stdlib = stdlibDir();
  const inStdlib = (f: string) => !path.relative(stdlib, f).startsWith("..");
  const ownFiles = analysis.program.entry.files.map((f) => f.path).filter((f) => !inStdlib(f));
  const own = new Set(ownFiles);
  let diagnostics: readonly Diagnostic[];
  let failure: string | undefined;
  try {
    diagnostics = analysis.diagnostics;
  } catch (e) {
    // A bug in the checker must not cost the user the syntax and resolution diagnostics.
    diagnostics = analysis.compileErrors;
    failure = `type checking failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
  }
  return {
    key: entryKey(analysis.entry),
    ownFiles,
    readFiles: [...analysis.texts.keys()],
    diagnostics: diagnostics.map((d) => plainDiagnostic(own.has(d.span.file) ? d : atCallSite(d, own))),
    ...(failure !== undefined ? { failure } : {}),
  };
}

/**
 * A type error found in another package (the standard library, an import) happens because this
 * package calls it so: it is shown at the outermost call in this package's files as well, since
 * the editor shows only this package's diagnostics (and those of open files).
 */
function atCallSite(d: Diagnostic, own: ReadonlySet<string>): Diagnostic {
  if (d.stage !== "type") return d;
  const frames = d.frames ?? [];
  const inside = frames.findIndex((f) => own.has(f.span.file));
  if (inside <= 0) return d;
  const callee = frames[inside - 1]!;
  return {
    ...d,
    span: frames[inside]!.span,
    message: `${d.message} (in ${callee.func} at ${displayPath(d.span.file)}:${d.span.start.line}:${d.span.start.col})`,
    related: [{ span: d.span, message: "fails here" }, ...(d.related ?? [])],
  };
}

export function entryKey(e: EntrySource): string {
  switch (e.kind) {
    case "dir":
      return `dir:${e.dir}`;
    case "file":
      return `file:${e.file}`;
    case "text":
      return `text:${e.path}`;
    case "package":
      return `package:${e.pkgPath}`;
  }
}
