/**
 * Scratch directories for tests. Every one is removed when the test file that made it is done,
 * whether its tests passed or failed: setup.ts registers removeTempDirs as an afterAll hook of
 * every test file. Should a file not get that far (a worker that crashes or is stopped), they
 * are removed when the process exits. Tests never call mkdtempSync or os.tmpdir themselves, so
 * that nothing they make is forgotten; a `ko-*` directory left in the temp dir after the suite
 * is then a leak of the product (.ci/run fails on one).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * The directories made and not yet removed, kept once per process (not per module instance:
 * vitest may load this module afresh for each test file in one worker).
 */
const made: Set<string> = ((globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for("ko.test.tempDirs")] ??= (() => {
  const dirs = new Set<string>();
  process.once("exit", () => removeAll(dirs));
  return dirs;
})());

/**
 * A fresh empty directory in the OS temp dir, named PREFIX and random characters. Its real path
 * (without symbolic links, /private/var rather than /var on macOS), as `ko` reports paths.
 */
export function tempDir(prefix = "ko-test-"): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.add(dir);
  return dir;
}

/** Writes FILES (relative path → content) into DIR, making subdirectories as needed; returns DIR. */
export function writeFiles(dir: string, files: Record<string, string | Buffer>): string {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** A file NAME holding CONTENT, alone in a fresh scratch directory. */
export function tempFile(name: string, content: string | Buffer, prefix = "ko-test-"): string {
  return path.join(writeFiles(tempDir(prefix), { [name]: content }), name);
}

/** Removes every scratch directory made so far in this process. */
export function removeTempDirs(): void {
  removeAll(made);
}

function removeAll(dirs: Set<string>): void {
  for (const dir of dirs) {
    // Retries: a process a test started may still be finishing a write into the directory.
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    dirs.delete(dir);
  }
}
