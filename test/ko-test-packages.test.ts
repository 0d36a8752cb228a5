/**
 * Runs `ko test --root test/testdata/ko-root PKG` for every package of that root whose files
 * hold `// expect:` lines (test/support/chunked.ts), and holds the output, standard error and exit
 * status to them. The packages mirror what the original's library needs (D20, D33).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { readChunks, type Chunk } from "./support/chunked.js";
import { koInProcess, REPO } from "./support/cli.js";

const ROOT = path.join(REPO, "test/testdata/ko-root");

/** Every package of the root (a directory path relative to it) with the expectations of its files. */
function packages(): { pkg: string; expectations: Chunk }[] {
  const found: { pkg: string; expectations: Chunk }[] = [];
  const visit = (dir: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) visit(full);
      else if (e.name.endsWith(".ko")) {
        const chunk = readChunks(full)[0];
        if (chunk?.expectOut !== undefined) found.push({ pkg: path.relative(ROOT, dir).split(path.sep).join("/"), expectations: chunk });
      }
    }
  };
  visit(ROOT);
  return found;
}

describe("ko test over a repository root", () => {
  test.each(packages().map((p) => [p.pkg, p.expectations] as const))("%s", async (pkg, chunk) => {
    const out = await koInProcess(["test", "--root", ROOT, pkg]);
    const where = `${pkg}\nstderr:\n${out.stderr}`;
    expect(out.stdout, where).toBe(chunk.expectOut!.map((l) => l + "\n").join(""));
    for (const s of chunk.stderr) expect(out.stderr, where).toContain(s);
    expect(out.stderr, where).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
    expect(out.status, where).toBe(chunk.exit ?? 0);
  });

  test("a package that no root and no standard package has is a usage error (exit 2)", async () => {
    const out = await koInProcess(["test", "--root", ROOT, "github.com/kocircuit/kocircuit/lib/nothing"]);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain(`package github.com/kocircuit/kocircuit/lib/nothing not found (roots: ${ROOT})`);
    expect(out.status).toBe(2);
  });

  test("without the root, the original's long path names the standard package", async () => {
    const out = await koInProcess(["test", "github.com/kocircuit/kocircuit/lib/strings"]);
    expect(out.stdout).toContain("No tests found in package strings");
    expect(out.status).toBe(0);
  });
});
