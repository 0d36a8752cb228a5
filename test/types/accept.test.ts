/**
 * The checker never rejects a program that runs to completion. Checked here on every program
 * we have that does: each conformance case with exit status 0 (with its function and
 * arguments), and every `.ko` file of the repository — examples, the standard library's
 * packages, the `ko test` data, and the programs of test/testdata/run/ that exit 0.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { compile, type KoProgram } from "../../src/api/index.js";
import { argField } from "../../src/cli/args.js";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import type { Field } from "../../src/value/value.js";
import { readChunks } from "../support/chunked.js";
import { REPO } from "../support/cli.js";
import { CONFORMANCE } from "../support/conformance.js";
import { tempFile } from "../support/temp.js";

function show(ds: readonly Diagnostic[]): string {
  return ds.map((d) => `${d.span.file}:${d.span.start.line}:${d.span.start.col}: ${d.severity}: ${d.message}`).join("\n");
}

/** The arguments of a conformance case (`--arg` lines of NAME.args), as `ko run` passes them. */
function caseArguments(base: string): { func: string; fields: Field[] } {
  const func = fs.existsSync(`${base}.func`) ? fs.readFileSync(`${base}.func`, "utf8").trim() : "Main";
  const lines = fs.existsSync(`${base}.args`)
    ? fs
        .readFileSync(`${base}.args`, "utf8")
        .split("\n")
        .map((l) => l.trim())
    : [];
  const fields: Field[] = [];
  for (let i = 0; i < lines.length; i++) if (lines[i] === "--arg") fields.push(argField(lines[++i]!));
  return { func, fields };
}

describe("conformance programs that exit 0 are accepted, without a warning", () => {
  const cases = fs
    .readdirSync(CONFORMANCE, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ko"))
    .map((e) => e.name.slice(0, -3))
    .filter(
      (n) => !fs.existsSync(path.join(CONFORMANCE, `${n}.rc`)) || fs.readFileSync(path.join(CONFORMANCE, `${n}.rc`), "utf8").trim() === "0",
    );

  test("there are many", () => expect(cases.length).toBeGreaterThan(50));

  test.each(cases)("%s", (name) => {
    const base = path.join(CONFORMANCE, name);
    const program = compile({ kind: "file", file: `${base}.ko` });
    const { func, fields } = caseArguments(base);
    const report = program.check(program.func(func)!, fields);
    expect(show(report.diagnostics)).toBe("");
  });
});

/** Every function of a package is accepted, as `ko check` checks it (D33: those with parameters too). */
function expectAccepted(program: KoProgram): void {
  const report = program.types.checkPackage(program.compiled.functions.get(program.packagePath) ?? new Map());
  expect(show(report.errors)).toBe("");
}

describe("the repository's Ko files are accepted", () => {
  const roots = ["examples", "stdlib", "test/testdata/ko-test"].map((d) => path.join(REPO, d));
  const dirs = new Set<string>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith(".ko")) dirs.add(dir);
    }
  };
  roots.forEach(walk);

  test.each([...dirs].map((d) => path.relative(REPO, d)))("%s", (dir) => {
    expectAccepted(compile({ kind: "dir", dir: path.join(REPO, dir) }));
  });

  const runFiles = fs.readdirSync(path.join(REPO, "test/testdata/run")).filter((f) => f.endsWith(".ko"));
  const programs = runFiles.flatMap((file) =>
    readChunks(path.join(REPO, "test/testdata/run", file))
      .filter((c) => c.errors.length === 0 && (c.exit ?? 0) === 0)
      .map((c) => [`${file}:${c.line}`, file, c] as const),
  );

  test.each(programs)("test/testdata/run/%s", (_where, file, chunk) => {
    const program = compile({ kind: "file", file: tempFile(file, chunk.text, "ko-accept-") });
    const func = chunk.runArgs[0] !== undefined && !chunk.runArgs[0].startsWith("-") ? chunk.runArgs[0] : "Main";
    const fields: Field[] = [];
    for (let i = 0; i < chunk.runArgs.length; i++) if (chunk.runArgs[i] === "--arg") fields.push(argField(chunk.runArgs[++i]!));
    const report = program.check(program.func(func)!, fields);
    expect(show(report.errors)).toBe("");
  });
});
