/**
 * The type checker through the real CLI, on the chunked files of test/testdata/types/ (format:
 * test/support/chunked.ts). Each program is checked with `ko check` and run with `ko run`:
 *
 * - `### "regexp"` marks a line where `ko check` must report an error (and nothing else may
 *   be an error); `ko run` must then run nothing, print the same errors and exit with 3 (D19);
 * - `// warning: "regexp"` at the end of a line marks a warning `ko check` must report there
 *   (and nothing else may be a warning); warnings never stop `ko run`;
 * - `// run: FUNC --arg ...` runs FUNC with arguments; with arguments, only `ko run` checks
 *   (their types are what the entry is checked with), otherwise `ko check --entry FUNC`;
 * - `// expect:`, `// exit:`, `// stderr:` are about `ko run`, as in test/testdata/run/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { readChunks, type Chunk } from "../support/chunked.js";
import { ko, REPO } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

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

describe.each(files)("%s", (name) => {
  const chunks = readChunks(path.join(DIR, name));
  test.concurrent.each(chunks.map((c) => [c.line, c] as const))("program at line %i", async (_line, chunk) => {
    const dir = tempDir("ko-types-");
    const file = path.join(dir, name);
    fs.writeFileSync(file, chunk.text);
    const func = chunk.runArgs[0] !== undefined && !chunk.runArgs[0].startsWith("-") ? chunk.runArgs[0] : "Main";
    const warnings = warningsOf(chunk);

    if (!chunk.runArgs.includes("--arg")) {
      const checked = await ko(["check", name, "--entry", func], { cwd: dir });
      const where = `ko check ${name}:${chunk.line}\nstderr:\n${checked.stderr}`;
      const got = reported(checked.stderr, name);
      matchExactly(
        got.filter((r) => r.severity === "error"),
        chunk.errors,
        "error",
        where,
      );
      matchExactly(
        got.filter((r) => r.severity === "warning"),
        warnings,
        "warning",
        where,
      );
      expect(checked.status, where).toBe(chunk.errors.length > 0 ? 3 : 0);
      expect(checked.stdout, where).toBe("");
    }

    const ran = await ko(["run", name, ...chunk.runArgs], { cwd: dir });
    const where = `ko run ${name}:${chunk.line}\nstderr:\n${ran.stderr}`;
    const errors = reported(ran.stderr, name).filter((r) => r.severity === "error");
    expect(
      reported(ran.stderr, name).filter((r) => r.severity === "warning"),
      where,
    ).toEqual([]);
    if (chunk.errors.length > 0) {
      matchExactly(errors, chunk.errors, "error", where);
      expect(ran.stdout, `${where}\nnothing may run`).toBe("");
    }
    if (chunk.expectOut !== undefined) expect(ran.stdout, where).toBe(chunk.expectOut.map((l) => l + "\n").join(""));
    for (const s of chunk.stderr) expect(ran.stderr, where).toContain(s);
    expect(ran.stderr, where).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
    expect(ran.status, where).toBe(chunk.exit ?? (chunk.errors.length > 0 ? 3 : 0));
  });
});
