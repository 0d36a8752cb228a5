/** `ko parse FILE...`: syntax only; `--ast` prints each file's AST as JSON. */
import * as fs from "node:fs";
import { renderDiagnostic } from "../diag/render.js";
import { parseFile } from "../syntax/index.js";
import { EXIT, UsageError } from "../diag/exit.js";
import type { CliIO } from "./io.js";

/** JSON for an AST: bigints as decimal strings. */
function astJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2);
}

export interface ParseFlags {
  /** Print the syntax tree as JSON. */
  readonly ast?: boolean;
}

export function parseCommand(files: string[], flags: ParseFlags, io: CliIO): number {
  let status: number = EXIT.ok;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    const { ast, diagnostics } = parseFile(file, text);
    for (const d of diagnostics) io.stderr(renderDiagnostic(d, () => text));
    if (diagnostics.length > 0) status = EXIT.compile;
    if (flags.ast) io.stdout(astJson(ast) + "\n");
  }
  return status;
}
