/**
 * Ctrl-C during a named run: the run ends within a second even when a command has children of
 * its own (`sh -c 'sleep 20'`), leaves no process behind, exits 130, is recorded as interrupted
 * rather than failed, and resumes where it stopped. A second Ctrl-C exits at once, and still
 * leaves no process behind. SIGTERM still ends `ko` at once, and reaches the commands too.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { interrupt, ko } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

/**
 * `slow` writes its shell's process id — the id of the command's process group — to `group`,
 * then sleeps in a child process, unless the file `go` exists.
 */
const script = (shell: string) => `import "build"

Main() {
	first: build.Exec(command: "sh", args: ("-c", "echo first >> log"))
	slow: build.Exec(command: "sh", args: ("-c", "${shell}"), _after: first)
	return: slow.stdout
}
`;

const SLEEPER = "echo $$ > group; [ -f go ] || sleep 20; echo slow >> log; echo slept";

/** The process group of the slow command, once it has written it. */
function groupOf(dir: string): number | undefined {
  const file = path.join(dir, "group");
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : "";
  return text === "" ? undefined : Number(text);
}

/** The processes of a group still running (zombies, which have ended, aside). */
function running(group: number): string[] {
  return execFileSync("ps", ["-eo", "pid=,pgid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([, pgid, stat]) => Number(pgid) === group && !stat!.startsWith("Z"))
    .map((fields) => fields.join(" "));
}

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
}

describe("Ctrl-C during a named run", () => {
  test("ends the run and the command's children within a second; the run is interrupted, and resumes", async () => {
    const dir = writeFiles(tempDir("ko-interrupt-"), { "job.ko": script(SLEEPER) });
    const out = await interrupt(["run", "job.ko", "Main", "--name", "night"], { cwd: dir, when: () => groupOf(dir) !== undefined });
    expect(out.ms).toBeLessThan(1000);
    expect(out.status).toBe(130);
    expect(out.stderr).toContain("cancelled: interrupted (Ctrl-C)");
    expect(out.stderr).toMatch(/job\.Main:slow \(job\.ko:5:/);
    // The run waited for the command's group to be gone: nothing of it is left now.
    expect(running(groupOf(dir)!)).toEqual([]);

    expect((await ko(["runs"], { cwd: dir })).stdout).toMatch(/night\s+interrupted\s+job\.Main\s+1\s+1 done, 1 interrupted/);
    const shown = (await ko(["runs", "show", "night"], { cwd: dir })).stdout;
    expect(shown).toMatch(/^run night: interrupted, job\.Main, attempt 1/);
    expect(shown).toContain("error: interrupted (Ctrl-C)\n");
    expect(shown).toMatch(/interrupted\s+[\d.]+ ms\s+job\.Main:slow/);

    fs.writeFileSync(path.join(dir, "go"), "");
    const resumed = await ko(["run", "job.ko", "Main", "--name", "night", "--resume"], { cwd: dir });
    expect(resumed.stderr).toBe("");
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toBe('"slept\\n"\n');
    // first completed before Ctrl-C and was replayed; slow was cut short and ran again.
    expect(lines(path.join(dir, "log"))).toEqual(["first", "slow"]);
    expect((await ko(["runs"], { cwd: dir })).stdout).toMatch(/night\s+done\s+job\.Main\s+2/);
  }, 30000);

  test("a second Ctrl-C exits at once, even while a command ignores SIGTERM, and kills it on the way out", async () => {
    const stubborn = "trap '' TERM; echo $$ > group; sleep 20";
    const dir = writeFiles(tempDir("ko-interrupt-"), { "job.ko": script(stubborn) });
    const out = await interrupt(["run", "job.ko", "Main", "--name", "night"], {
      cwd: dir,
      when: () => groupOf(dir) !== undefined,
      again: 100,
    });
    expect(out.status).toBe(130);
    // Well before the group's grace after SIGTERM would have run out.
    expect(out.ms).toBeLessThan(450);
    // SIGKILL was sent on the way out; the processes take a moment to be torn down.
    const group = groupOf(dir)!;
    for (let waited = 0; running(group).length > 0 && waited < 1000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(running(group)).toEqual([]);
    expect((await ko(["runs"], { cwd: dir })).stdout).toMatch(/night\s+interrupted/);
  }, 30000);

  test("SIGTERM ends ko as it always did, and is passed on to the commands' groups", async () => {
    const dir = writeFiles(tempDir("ko-interrupt-"), { "job.ko": script(SLEEPER) });
    const out = await interrupt(["run", "job.ko", "Main", "--name", "night"], {
      cwd: dir,
      when: () => groupOf(dir) !== undefined,
      signal: "SIGTERM",
    });
    expect(out.signal).toBe("SIGTERM");
    const group = groupOf(dir)!;
    for (let waited = 0; running(group).length > 0 && waited < 1000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(running(group)).toEqual([]);
  }, 30000);
});
