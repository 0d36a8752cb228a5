/**
 * The original's gates that touch the local machine, through `ko run`: file.WriteLocalFile and
 * shell.GoShellCopy, in scratch directories.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { koInProcess } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";

/** Runs `Main` of a program with `dir` as its argument. */
function run(program: string, dir: string) {
  return koInProcess(["run", tempFile("gates.ko", program, "ko-gates-"), "--arg", `dir=${JSON.stringify(dir)}`]);
}

describe("file.WriteLocalFile", () => {
  test("writes the file, making its directories, and returns true", async () => {
    const dir = tempDir("ko-gates-");
    const out = await run(
      `import "file"\nimport "file/path"\nMain(dir) {\n\treturn: file.WriteLocalFile(path: path.Join(dir, "a/b/c.txt"), body: "héllo")\n}\n`,
      dir,
    );
    expect(out).toMatchObject({ stdout: "true\n", status: 0 });
    expect(fs.readFileSync(path.join(dir, "a/b/c.txt"), "utf8")).toBe("héllo");
  });

  test("writes an empty file when there is no body (Go's zero value)", async () => {
    const dir = tempDir("ko-gates-");
    const out = await run(
      `import "file"\nimport "file/path"\nMain(dir) {\n\treturn: file.WriteLocalFile(path: path.Join(dir, "e"))\n}\n`,
      dir,
    );
    expect(out.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "e"), "utf8")).toBe("");
  });

  test("a file that cannot be written is a recoverable panic", async () => {
    const dir = tempDir("ko-gates-");
    fs.writeFileSync(path.join(dir, "plain"), "");
    const out = await run(
      `import "file"\nimport "file/path"\nMain(dir) {\n\treturn: Recover(invoke: file.WriteLocalFile[path: path.Join(dir, "plain/x")], panic: Return)\n}\n`,
      dir,
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('error: "file.WriteLocalFile"');
    expect(out.stdout).toMatch(/code: "(ENOTDIR|EEXIST)"/);
  });
});

describe("shell.GoShellCopy", () => {
  test("copies a file and returns true", async () => {
    const dir = tempDir("ko-gates-");
    fs.writeFileSync(path.join(dir, "from name"), "content");
    const out = await run(
      `import "shell"\nimport "file/path"\nMain(dir) {\n\treturn: shell.GoShellCopy(source: path.Join(dir, "from name"), sink: path.Join(dir, "to $HOME"))\n}\n`,
      dir,
    );
    expect(out).toMatchObject({ stdout: "true\n", status: 0 });
    // No shell reads the paths: "$HOME" is part of the name.
    expect(fs.readFileSync(path.join(dir, "to $HOME"), "utf8")).toBe("content");
  });

  test("returns false, and says why on standard error, when cp fails", async () => {
    const dir = tempDir("ko-gates-");
    const out = await run(
      `import "shell"\nimport "file/path"\nMain(dir) {\n\treturn: shell.GoShellCopy(source: path.Join(dir, "missing"), sink: path.Join(dir, "x"))\n}\n`,
      dir,
    );
    expect(out).toMatchObject({ stdout: "false\n", status: 0 });
    expect(out.stderr).toMatch(/shell\.GoShellCopy: cp ".*missing" ".*x" failed \(exit status 1: /);
  });
});
