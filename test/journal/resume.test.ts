/**
 * Named runs: a run killed half-way (SIGKILL) and resumed re-executes only the steps that did not
 * complete; `ko runs` and `ko runs show` report what happened; a step whose inputs changed runs
 * again on resume.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko, KO } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

/** Step two waits for the file `go`, so the test can kill the run while two is running. */
const script = `
import "build"

Main() {
	one: build.Exec(command: "sh", args: ("-c", "echo one >> log; echo 1"))
	two: build.Exec(command: "sh", args: ("-c", "echo two >> log; while [ ! -f go ]; do sleep 0.05; done; echo 2"), _after: one)
	three: build.Exec(command: "sh", args: ("-c", "echo three >> log; echo 3"), _after: two)
	return: (one: one.stdout, two: two.stdout, three: three.stdout)
}
`;

async function waitFor(check: () => boolean, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
}

describe("ko run --name / --resume", () => {
  test("a run killed half-way resumes where it stopped", async () => {
    const dir = tempDir("ko-journal-");
    fs.writeFileSync(path.join(dir, "job.ko"), script);
    const log = path.join(dir, "log");
    const child = spawn(process.execPath, [KO, "run", "job.ko", "Main", "--name", "nightly"], { cwd: dir, stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    await waitFor(() => lines(log).includes("two"));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const listed = await ko(["runs"], { cwd: dir });
    expect(listed.stdout).toMatch(/nightly\s+interrupted\s+job\.Main/);
    const shown = await ko(["runs", "show", "nightly"], { cwd: dir });
    expect(shown.stdout).toMatch(/^run nightly: interrupted/);
    expect(shown.stdout).toMatch(/done\s+[\d.]+ ms\s+job\.Main:one/);
    expect(shown.stdout).toMatch(/interrupted\s+-\s+job\.Main:two/);

    fs.writeFileSync(path.join(dir, "go"), "");
    const resumed = await ko(["run", "job.ko", "Main", "--name", "nightly", "--resume"], { cwd: dir });
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toBe('(one: "1\\n", two: "2\\n", three: "3\\n")\n');
    // one completed before the kill and was not run again; two was cut short and ran again.
    expect(lines(log)).toEqual(["one", "two", "two", "three"]);

    const after = await ko(["runs", "show", "nightly"], { cwd: dir });
    expect(after.stdout).toMatch(/^run nightly: done, job\.Main, attempt 2/);
    expect(after.stdout).toMatch(/replayed\s+[\d.]+ ms\s+job\.Main:one/);
    expect(after.stdout).toMatch(/done\s+[\d.]+ (ms|s)\s+job\.Main:two/);
    expect((await ko(["runs"], { cwd: dir })).stdout).toMatch(/nightly\s+done/);
  }, 30000);

  test("a failed run resumes after the fix; a step whose inputs changed runs again", async () => {
    const dir = tempDir("ko-journal-");
    const file = path.join(dir, "job.ko");
    const failing = script.replace('while [ ! -f go ]; do sleep 0.05; done; echo 2"', 'exit 3"');
    fs.writeFileSync(file, failing);
    const first = await ko(["run", "job.ko", "Main", "--name", "fix"], { cwd: dir });
    expect(first.status).toBe(1);
    const shown = await ko(["runs", "show", "fix"], { cwd: dir });
    expect(shown.stdout).toMatch(/^run fix: failed/);
    expect(shown.stdout).toMatch(/failed\s+[\d.]+ ms\s+job\.Main:two\s+panic: \(error: "build\.Exec"/);

    // The fix changes two, and also one's command: one's inputs changed, so it runs again too.
    fs.writeFileSync(
      file,
      script.replace("echo one >> log; echo 1", "echo ONE >> log; echo 1").replace("while [ ! -f go ]; do sleep 0.05; done; ", ""),
    );
    const resumed = await ko(["run", "job.ko", "Main", "--name", "fix", "--resume"], { cwd: dir });
    expect(resumed.status).toBe(0);
    expect(lines(path.join(dir, "log"))).toEqual(["one", "two", "ONE", "two", "three"]);

    // Resumed once more, nothing runs: every step is replayed.
    const again = await ko(["run", "job.ko", "Main", "--name", "fix", "--resume"], { cwd: dir });
    expect(again.stdout).toBe(resumed.stdout);
    expect(lines(path.join(dir, "log"))).toEqual(["one", "two", "ONE", "two", "three"]);
  });

  test("a make-style step whose input file changed runs again on resume, even without the cache", async () => {
    const dir = tempDir("ko-journal-");
    fs.writeFileSync(path.join(dir, "in.txt"), "first\n");
    fs.writeFileSync(
      path.join(dir, "job.ko"),
      `import "build"\n\nMain() {\n\tcopy: build.Exec(command: "sh", args: ("-c", "cat in.txt; echo ran >> log"), inputs: "in.txt")\n\tfail: Panic(copy.stdout)\n\treturn: fail\n}\n`,
    );
    const run = () => ko(["run", "job.ko", "Main", "--name", "files", "--no-cache", "--resume"], { cwd: dir });
    expect((await ko(["run", "job.ko", "Main", "--name", "files", "--no-cache"], { cwd: dir })).stderr).toContain(
      'unrecovered panic: "first\\n"',
    );
    expect((await run()).stderr).toContain('unrecovered panic: "first\\n"');
    expect(lines(path.join(dir, "log"))).toEqual(["ran"]);
    fs.writeFileSync(path.join(dir, "in.txt"), "second\n");
    expect((await run()).stderr).toContain('unrecovered panic: "second\\n"');
    expect(lines(path.join(dir, "log"))).toEqual(["ran", "ran"]);
  });

  test("usage errors: --resume without --name, or of a run that does not exist", async () => {
    const dir = tempDir("ko-journal-");
    fs.writeFileSync(path.join(dir, "job.ko"), "Main() { return: 1 }\n");
    expect((await ko(["run", "job.ko", "--resume"], { cwd: dir })).status).toBe(2);
    const missing = await ko(["run", "job.ko", "--name", "nope", "--resume"], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no run nope to resume");
    expect((await ko(["run", "job.ko", "--name", "../x"], { cwd: dir })).status).toBe(2);
    expect((await ko(["runs", "show", "nope"], { cwd: dir })).status).toBe(2);
  });
});
