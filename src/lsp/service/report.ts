/**
 * What the server publishes for one analysis, as plain data: it is made in the diagnostics
 * worker (worker.ts) and sent to the main thread, so it holds no syntax trees.
 */
import * as path from "node:path";
import { stdlibDir } from "../../api/program.js";
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { EntrySource } from "../../resolve/load.js";
import type { Analysis } from "./analysis.js";

export interface DiagnosticsReport {
  /** Names the analysed package, so that files fixed since can be cleared. */
  readonly key: string;
  /** The package's own files (not those of the packages it imports, nor the standard library's). */
  readonly ownFiles: readonly string[];
  /** Every file the analysis read. */
  readonly readFiles: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

export function reportOf(analysis: Analysis): DiagnosticsReport {
  const stdlib = stdlibDir();
  const inStdlib = (f: string) => !path.relative(stdlib, f).startsWith("..");
  return {
    key: entryKey(analysis.entry),
    ownFiles: analysis.program.entry.files.map((f) => f.path).filter((f) => !inStdlib(f)),
    readFiles: [...analysis.texts.keys()],
    diagnostics: analysis.diagnostics,
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
