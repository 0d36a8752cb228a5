/**
 * Runs every chunked `.ko` file under test/testdata/run/ through the real `ko run` command and
 * checks output, located errors and exit status (see test/support/chunked.ts for the format).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { readChunks, reportedErrors } from "./support/chunked.js";
import { ko, REPO } from "./support/cli.js";
import { tempDir } from "./support/temp.js";

const DIR = path.join(REPO, "test/testdata/run");
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".ko"))
  .sort();

describe.each(files)("%s", (name) => {
  const chunks = readChunks(path.join(DIR, name));
  test.concurrent.each(chunks.map((c) => [c.line, c] as const))("program at line %i", async (_line, chunk) => {
    const dir = tempDir("ko-run-");
    const file = path.join(dir, name);
    fs.writeFileSync(file, chunk.text);
    const out = await ko(["run", name, ...chunk.runArgs], { cwd: dir });
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
  });
});
