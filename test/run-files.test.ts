/**
 * Runs every chunked `.ko` file under test/testdata/run/ and test/testdata/unresolved/ (programs
 * with unresolved references, D33) through `ko run` and checks output, located errors and exit
 * status (see test/support/chunked.ts for the format). The programs run
 * in this process, through the command's own code (koInProcess); the first program of each file
 * also runs as a real `ko` process started in the program's directory, which must meet the same
 * expectations and print the same.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { readChunks, reportedErrors, type Chunk } from "./support/chunked.js";
import { ko, koInProcess, relativeLocations, REPO, type Outcome } from "./support/cli.js";
import { tempFile } from "./support/temp.js";

const DIRS = ["test/testdata/run", "test/testdata/unresolved"].map((d) => path.join(REPO, d));
const files = DIRS.flatMap((dir) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".ko"))
    .sort()
    .map((f) => path.join(dir, f)),
);

/** The chunk's expectations, held against an outcome of `ko run`. */
function expectRun(out: Outcome, name: string, chunk: Chunk): void {
  const where = `${name}:${chunk.line}\nstderr:\n${out.stderr}`;
  if (chunk.expectOut !== undefined) {
    expect(out.stdout, where).toBe(chunk.expectOut.map((l) => l + "\n").join(""));
  }
  const reported = reportedErrors(out.stderr);
  for (const e of chunk.errors) {
    const hit = reported.some((r) => r.line === e.line && e.pattern.test(r.message));
    expect(hit, `${where}\nexpected an error at line ${e.line} matching ${e.pattern}`).toBe(true);
  }
  if (chunk.errors.length > 0) {
    for (const r of reported) {
      const wanted = chunk.errors.some((e) => e.line === r.line && e.pattern.test(r.message));
      expect(wanted, `${where}\nunexpected error at line ${r.line}: ${r.message}`).toBe(true);
    }
  }
  for (const s of chunk.stderr) expect(out.stderr, where).toContain(s);
  expect(out.stderr, where).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
  const exit = chunk.exit ?? (chunk.errors.length === 0 ? 0 : undefined);
  if (exit !== undefined) expect(out.status, where).toBe(exit);
  else expect([1, 3], where).toContain(out.status);
}

describe.each(files.map((file) => [path.basename(file), file] as const))("%s", (name, file) => {
  const chunks = readChunks(file);

  test.concurrent.each(chunks.map((c) => [c.line, c] as const))("program at line %i", async (_line, chunk) => {
    const file = tempFile(name, chunk.text, "ko-run-");
    expectRun(await koInProcess(["run", file, ...chunk.runArgs]), name, chunk);
  });

  test(`the program at line ${chunks[0]!.line}, run by a ko process, gives the same`, async () => {
    const chunk = chunks[0]!;
    const file = tempFile(name, chunk.text, "ko-run-");
    const spawned = await ko(["run", name, ...chunk.runArgs], { cwd: path.dirname(file) });
    expectRun(spawned, name, chunk);
    // In this process the path is absolute, and so are the locations printed (koInProcess).
    const here = await koInProcess(["run", tempFile(name, chunk.text, "ko-run-"), ...chunk.runArgs]);
    expect(spawned).toEqual({ ...here, stderr: relativeLocations(here.stderr, name) });
  });
});
