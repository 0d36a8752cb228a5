/**
 * `ko run --resume --rerun STEP,...`: the named steps run again whatever the journal holds, with
 * all they run and everything downstream of them; the steps of callers that ran them run again
 * to reach them; the rest is replayed. A step is named `pkg.Func:step`, `Func:step` or `step`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

/** Each step appends its name to `log`. `report` needs only `compile`; `notify` needs `deploy`. */
const script = `import "build"
import "strings"

Log(line?) {
	return: build.Exec(command: "sh", args: ("-c", strings.Join("echo ", line, " >> log")))
}

Deploy() {
	apply: Log("apply")
	wait: Log(: "wait", _after: apply)
	return: "deployed"
}

Main() {
	compile: Log("compile")
	deploy: Deploy(_after: compile)
	notify: Log(: "notify", _after: deploy)
	report: Log(: "report", _after: compile)
	return: deploy
}
`;

/** A run of `script` that completed, in a fresh directory, with its log emptied. */
async function completedRun(): Promise<string> {
  const dir = writeFiles(tempDir("ko-rerun-"), { "job.ko": script });
  const first = await ko(["run", "job.ko", "Main", "--name", "r"], { cwd: dir });
  expect(first.stderr).toBe("");
  expect(first.status).toBe(0);
  fs.rmSync(path.join(dir, "log"));
  return dir;
}

function logged(dir: string): string[] {
  const file = path.join(dir, "log");
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").sort() : [];
}

const cases: readonly { readonly rerun: readonly string[]; readonly ran: readonly string[] }[] = [
  // apply, what depends on it (wait), the step that ran it (deploy) and what depends on that (notify).
  { rerun: ["apply"], ran: ["apply", "notify", "wait"] },
  { rerun: ["Deploy:apply"], ran: ["apply", "notify", "wait"] },
  { rerun: ["job.Deploy:apply"], ran: ["apply", "notify", "wait"] },
  // deploy, with everything it runs, and notify.
  { rerun: ["deploy"], ran: ["apply", "notify", "wait"] },
  { rerun: ["Main:report"], ran: ["report"] },
  // wait alone inside deploy (apply is replayed), and what follows deploy.
  { rerun: ["wait,report"], ran: ["notify", "report", "wait"] },
  { rerun: ["wait", "report"], ran: ["notify", "report", "wait"] },
  { rerun: ["compile"], ran: ["apply", "compile", "notify", "report", "wait"] },
];

describe("ko run --resume --rerun", () => {
  test.each(cases)("--rerun $rerun runs again $ran", async ({ rerun, ran }) => {
    const dir = await completedRun();
    const args = rerun.flatMap((r) => ["--rerun", r]);
    const out = await ko(["run", "job.ko", "Main", "--name", "r", "--resume", ...args], { cwd: dir });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('"deployed"\n');
    expect(logged(dir)).toEqual(ran);
  });

  test("says which steps run again and why", async () => {
    const dir = await completedRun();
    const out = await ko(["run", "job.ko", "Main", "--name", "r", "--resume", "--rerun", "apply"], { cwd: dir });
    const said = out.stderr.split("\n").filter((l) => l !== "");
    expect(said).toEqual(
      expect.arrayContaining([
        "ko: resume: step job.Main:deploy runs again: it runs job.Deploy:apply",
        "ko: resume: step job.Deploy:apply runs again: --rerun asks for it",
        "ko: resume: step job.Deploy:wait runs again: it depends on job.Deploy:apply",
        "ko: resume: step job.Main:notify runs again: it depends on job.Main:deploy",
      ]),
    );
    expect(out.stderr).not.toContain("job.Main:compile");
    expect(out.stderr).not.toContain("job.Main:report");
  });

  test("a later resume replays what a forced step returned the last time, not the first", async () => {
    const counter = `import "build"\n\nMain() {\n\tcount: build.Exec(command: "sh", args: ("-c", "echo x >> log; grep -c x log"))\n\treturn: count.stdout\n}\n`;
    const dir = writeFiles(tempDir("ko-rerun-"), { "count.ko": counter });
    const run = (...more: string[]) => ko(["run", "count.ko", "Main", "--name", "c", ...more], { cwd: dir });
    expect((await run()).stdout).toBe('"1\\n"\n');
    expect((await run("--resume", "--rerun", "count")).stdout).toBe('"2\\n"\n');
    expect((await run("--resume")).stdout).toBe('"2\\n"\n');
    expect(logged(dir)).toEqual(["x", "x"]);
  });

  test("an unknown step is a usage error listing the steps of the run", async () => {
    const dir = await completedRun();
    const out = await ko(["run", "job.ko", "Main", "--name", "r", "--resume", "--rerun", "apply,nope"], { cwd: dir });
    expect(out.status).toBe(2);
    expect(out.stderr).toBe(
      "ko: --rerun: no step nope in run r (its steps: job.Deploy:apply, job.Deploy:wait, job.Log:return, " +
        "job.Main:compile, job.Main:deploy, job.Main:notify, job.Main:report)\n",
    );
    expect(logged(dir)).toEqual([]);
  });

  test("--rerun without --resume is a usage error", async () => {
    const dir = await completedRun();
    const out = await ko(["run", "job.ko", "Main", "--name", "r", "--rerun", "apply"], { cwd: dir });
    expect(out.status).toBe(2);
    expect(out.stderr).toBe("ko: --rerun needs --resume: it picks steps of a run to resume\n");
  });
});
