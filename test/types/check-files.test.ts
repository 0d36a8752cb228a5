/**
 * The type checker through the real CLI, on the chunked files of test/testdata/types/ (format:
 * test/support/chunked.ts). Each program is checked with `ko check` and run with `ko run`:
 *
 * - `### "regexp"` marks a line where `ko check` must report an error (and nothing else may
 *   be an error); `ko run` must then run nothing, print the same errors and exit with 3 (D19);
 * - `### unreached "regexp"` marks an error in code the run does not reach: `ko check` reports
 *   it as an error, `ko run` prints it as a warning and runs (D33);
 * - `// warning: "regexp"` at the end of a line marks a warning `ko check` must report there
 *   (and nothing else may be a warning); warnings never stop `ko run`, which prints only those
 *   about arguments no parameter takes (D35) and the errors it does not reach;
 * - `// run: FUNC --arg ...` runs FUNC with arguments; with arguments, only `ko run` checks
 *   (their types are what the entry is checked with), otherwise `ko check --entry FUNC`; without
 *   FUNC, `ko check FILE` checks every function (D33);
 * - `// expect:`, `// exit:`, `// stderr:` are about `ko run`, as in test/testdata/run/.
 *
 * The commands run in this process, through their own code (koInProcess); the first program of
 * each file is also checked and run by real `ko` processes started in the program's directory,
 * which must meet the same expectations and print the same.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { readChunks, type Chunk } from "../support/chunked.js";
import { ko, koInProcess, relativeLocations, REPO, type Outcome } from "../support/cli.js";
import { tempFile } from "../support/temp.js";

const DIR = path.join(REPO, "test/testdata/types");
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".ko"))
  .sort();

interface Reported {
  readonly severity: "error" | "warning";
  readonly line: number;
  readonly message: string;
}

/** The located diagnostics of standard error: `FILE:LINE:COL: error|warning: MESSAGE` (not notes). */
function reported(stderr: string, file: string): Reported[] {
  const out: Reported[] = [];
  for (const l of stderr.split("\n")) {
    const m = /^([^\s:][^:]*):(\d+):(\d+): (error|warning): (.*)$/.exec(l);
    if (m && path.basename(m[1]!) === file) out.push({ severity: m[4] as "error" | "warning", line: Number(m[2]), message: m[5]! });
  }
  return out;
}

/** `// warning: "regexp"` expectations, by line. */
function warningsOf(chunk: Chunk): { line: number; pattern: RegExp }[] {
  const out: { line: number; pattern: RegExp }[] = [];
  chunk.text.split("\n").forEach((l, i) => {
    const m = /\/\/ warning: "((?:[^"\\]|\\.)*)"\s*$/.exec(l);
    if (m) out.push({ line: i + 1, pattern: new RegExp(m[1]!.replace(/\\"/g, '"')) });
  });
  return out;
}

/** Every expectation is met by a report, and every report of that severity was expected. */
function matchExactly(got: Reported[], want: { line: number; pattern: RegExp }[], severity: string, where: string): void {
  for (const w of want) {
    const hit = got.some((r) => r.line === w.line && w.pattern.test(r.message));
    expect(hit, `${where}\nexpected a ${severity} at line ${w.line} matching ${w.pattern}`).toBe(true);
  }
  for (const r of got) {
    const wanted = want.some((w) => w.line === r.line && w.pattern.test(r.message));
    expect(wanted, `${where}\nunexpected ${severity} at line ${r.line}: ${r.message}`).toBe(true);
  }
}

/** Whether the chunk is checked with `ko check` (not when it passes arguments: only `ko run` checks those). */
const checked = (chunk: Chunk) => !chunk.runArgs.includes("--arg");

/** What `ko check` is told beyond the file: `--entry FUNC` when the chunk runs FUNC, else nothing (every function). */
function checkArgs(chunk: Chunk): string[] {
  return chunk.runArgs[0] !== undefined && !chunk.runArgs[0].startsWith("-") ? ["--entry", chunk.runArgs[0]] : [];
}

/** The chunk's expectations of `ko check`, held against its outcome. */
function expectCheck(out: Outcome, name: string, chunk: Chunk): void {
  const where = `ko check ${name}:${chunk.line}\nstderr:\n${out.stderr}`;
  const got = reported(out.stderr, name);
  matchExactly(
    got.filter((r) => r.severity === "error"),
    chunk.errors,
    "error",
    where,
  );
  matchExactly(
    got.filter((r) => r.severity === "warning"),
    warningsOf(chunk),
    "warning",
    where,
  );
  expect(out.status, where).toBe(chunk.errors.length > 0 ? 3 : 0);
  expect(out.stdout, where).toBe("");
}

/** The chunk's expectations of `ko run`, held against its outcome. */
function expectRun(out: Outcome, name: string, chunk: Chunk): void {
  const where = `ko run ${name}:${chunk.line}\nstderr:\n${out.stderr}`;
  const errors = reported(out.stderr, name).filter((r) => r.severity === "error");
  const reached = chunk.errors.filter((e) => e.unreached !== true);
  const unreached = chunk.errors.filter((e) => e.unreached === true);
  // Warnings: every unreached error is one, and every warning is one of those or a marked one (D35's).
  const warnings = reported(out.stderr, name).filter((r) => r.severity === "warning");
  for (const u of unreached) {
    const hit = warnings.some((r) => r.line === u.line && u.pattern.test(r.message));
    expect(hit, `${where}\nexpected the unreached error at line ${u.line} as a warning`).toBe(true);
  }
  for (const r of warnings) {
    const wanted = [...unreached, ...warningsOf(chunk)].some((w) => w.line === r.line && w.pattern.test(r.message));
    expect(wanted, `${where}\nunexpected warning at line ${r.line}: ${r.message}`).toBe(true);
  }
  if (reached.length > 0) {
    matchExactly(errors, reached, "error", where);
    expect(out.stdout, `${where}\nnothing may run`).toBe("");
  }
  if (chunk.expectOut !== undefined) expect(out.stdout, where).toBe(chunk.expectOut.map((l) => l + "\n").join(""));
  for (const s of chunk.stderr) expect(out.stderr, where).toContain(s);
  expect(out.stderr, where).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
  expect(out.status, where).toBe(chunk.exit ?? (reached.length > 0 ? 3 : 0));
}

describe.each(files)("%s", (name) => {
  const chunks = readChunks(path.join(DIR, name));

  test.concurrent.each(chunks.map((c) => [c.line, c] as const))("program at line %i", async (_line, chunk) => {
    const file = tempFile(name, chunk.text, "ko-types-");
    if (checked(chunk)) expectCheck(await koInProcess(["check", file, ...checkArgs(chunk)]), name, chunk);
    expectRun(await koInProcess(["run", file, ...chunk.runArgs]), name, chunk);
  });

  test(`the program at line ${chunks[0]!.line}, checked and run by ko processes, gives the same`, async () => {
    const chunk = chunks[0]!;
    const file = tempFile(name, chunk.text, "ko-types-");
    const cwd = path.dirname(file);
    // In this process the path is absolute, and so are the locations printed (koInProcess).
    const here = async (args: string[]) => {
      const out = await koInProcess([args[0]!, tempFile(name, chunk.text, "ko-types-"), ...args.slice(2)]);
      return { ...out, stderr: relativeLocations(out.stderr, name) };
    };
    if (checked(chunk)) {
      const args = ["check", name, ...checkArgs(chunk)];
      const spawned = await ko(args, { cwd });
      expectCheck(spawned, name, chunk);
      expect(spawned).toEqual(await here(args));
    }
    const args = ["run", name, ...chunk.runArgs];
    const spawned = await ko(args, { cwd });
    expectRun(spawned, name, chunk);
    expect(spawned).toEqual(await here(args));
  });
});
