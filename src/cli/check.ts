/**
 * `ko check FILE|DIR|PKG... [--entry FUNC] [--root DIR]` (reference 3.7, 8.5): parse, resolve, compile and
 * infer types, running nothing. Without `--entry`, every function of the package is checked
 * (D33): those a run may start from as they would be called, the others for arguments of any
 * type. Errors are failures certain to happen when the function runs; warnings are failures the
 * checker cannot rule out, and likely mistakes (D35). Exit status 0, or 3 if any error (D19).
 */
import type { KoProgram } from "../api/program.js";
import { renderFailure } from "../api/failures.js";
import { CompileFailure, type Diagnostic } from "../diag/diagnostic.js";
import { displayPath } from "../diag/render.js";
import { TypeQuery, type Entry } from "../types/index.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { cliSession, compileOrReport } from "./run.js";
import { fileDirOrPackage } from "./targets.js";
import type { CliIO } from "./io.js";

export interface CheckFlags {
  readonly entry: string[];
  readonly root: string[];
  /** Also print the inferred type of every function, parameter and labelled step. */
  readonly types?: boolean;
}

/** The entries named by --entry. */
function entriesOf(compiled: KoProgram, names: readonly string[]): Entry[] {
  return names.map((name) => {
    const fn = compiled.func(name);
    if (!fn) throw new UsageError(`function ${name} not found in package ${compiled.packagePath}`);
    return { fn, fields: [] };
  });
}

export function checkCommand(targets: string[], flags: CheckFlags, io: CliIO): number {
  let errors = 0;
  for (const target of targets) {
    const compiled = compileOrReport(cliSession(flags.root), fileDirOrPackage(target), io.stderr);
    if (typeof compiled === "number") return compiled;
    const report =
      flags.entry.length === 0
        ? compiled.types.checkPackage(compiled.compiled.functions.get(compiled.packagePath) ?? new Map())
        : compiled.types.check(entriesOf(compiled, flags.entry));
    errors += report.errors.length;
    print(report.diagnostics, compiled, io);
    if (flags.types) printTypes(new TypeQuery(report, compiled.program), compiled, io);
  }
  return errors > 0 ? EXIT.compile : EXIT.ok;
}

function print(diagnostics: readonly Diagnostic[], compiled: KoProgram, io: CliIO): void {
  if (diagnostics.length > 0) io.stderr(renderFailure(new CompileFailure(diagnostics), compiled.sources));
}

/** `FILE:LINE:COL: function|param|step NAME: TYPE`, for the entry package's files, in source order. */
function printTypes(query: TypeQuery, compiled: KoProgram, io: CliIO): void {
  for (const file of compiled.entryPackage.files) {
    const infos = query.inFile(file.path).filter((i) => i.name !== undefined);
    infos.sort((a, b) => a.span.start.offset - b.span.start.offset);
    for (const i of infos) {
      const where = `${displayPath(i.span.file)}:${i.span.start.line}:${i.span.start.col}`;
      const text = i.kind === "function" ? i.text.split("\n").join(`\n${where}: function `) : `${i.name}: ${i.text}`;
      io.stdout(`${where}: ${i.kind} ${text}\n`);
    }
  }
}
