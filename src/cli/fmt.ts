/**
 * `ko fmt [--check] [FILE|DIR ...]`: lays out Ko files in the canonical form (src/fmt). Files are
 * rewritten in place when they change; a directory means every `.ko` file below it. With no
 * file, standard input is formatted to standard output. With `--check` nothing is written: the
 * files that are not formatted are listed, and the exit status is 1 if there are any.
 * A file with syntax errors is left alone and reported (exit status 3).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderDiagnostic } from "../diag/render.js";
import { formatSource } from "../fmt/index.js";
import { EXIT, UsageError } from "../diag/exit.js";
import type { CliIO } from "./io.js";

export interface FmtFlags {
  readonly check?: boolean;
}

export async function fmtCommand(targets: string[], flags: FmtFlags, io: CliIO): Promise<number> {
  if (targets.length === 0) {
    // Standard input is the process's: a caller with writers of its own has none to give.
    if (!io.standalone || process.stdin.isTTY) throw new UsageError("give the files to format, or pipe Ko source into ko fmt");
    return formatStdin(io);
  }
  let status: number = EXIT.ok;
  for (const file of targets.flatMap(koFilesBelow)) {
    const text = fs.readFileSync(file, "utf8");
    const result = formatSource(file, text);
    if (!result.ok) {
      for (const d of result.diagnostics) io.stderr(renderDiagnostic(d, () => text));
      status = EXIT.compile;
      continue;
    }
    if (!result.changed) continue;
    if (flags.check) {
      io.stdout(`${file}\n`);
      if (status === EXIT.ok) status = EXIT.runtime;
    } else {
      fs.writeFileSync(file, result.text);
    }
  }
  return status;
}

async function formatStdin(io: CliIO): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const result = formatSource("<stdin>", text);
  if (!result.ok) {
    for (const d of result.diagnostics) io.stderr(renderDiagnostic(d, () => text));
    return EXIT.compile;
  }
  io.stdout(result.text);
  return EXIT.ok;
}

/** A file as given, or every `.ko` file below a directory (hidden directories and node_modules skipped). */
function koFilesBelow(target: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`no such file or directory: ${target}`);
  }
  if (!stat.isDirectory()) return [target];
  const out: string[] = [];
  for (const e of fs.readdirSync(target, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(target, e.name);
    if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") out.push(...koFilesBelow(p));
    else if (e.isFile() && e.name.endsWith(".ko")) out.push(p);
  }
  return out;
}
