/**
 * A resumed run looks again at what its steps read from outside the program — files, the
 * environment, a command's declared inputs and executable — and runs again each step whose
 * inputs are not what they were, with everything that depends on it, saying why on standard
 * error. A step that read through a callee counts as having read itself, even with the same
 * arguments. `--events` tells which steps ran (done) and which were replayed (cached).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { runWithEvents, stepsWith } from "../support/events.js";
import { tempDir, writeFiles } from "../support/temp.js";

function lines(file: string): string[] {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n") : [];
}

describe("resuming after fixing a bad config file", () => {
  const script = `import "build"
import "os"
import "encoding/yaml"

Load(file?) {
	text: os.ReadFile(file)
	return: yaml.Unmarshal(text)
}

Check(config?) {
	return: Yield(if: Less(0, config.replicas), then: Return[config], else: Panic[(bad: "replicas must be positive")])()
}

Main() {
	prep: build.Exec(command: "sh", args: ("-c", "echo prep >> log"))
	config: Load(: "config.yaml", _after: prep)
	checked: Check(config)
	deploy: build.Exec(command: "sh", args: ("-c", "echo deploy >> log"), _after: checked)
	return: checked.replicas
}
`;

  test("the run fails on the bad file; once it is fixed, --resume runs only the reading step and what depends on it", async () => {
    const dir = writeFiles(tempDir("ko-inputs-"), { "cfg.ko": script, "config.yaml": "replicas: 0\n" });
    const first = await runWithEvents(["cfg.ko", "Main", "--name", "rollout"], { cwd: dir });
    expect(first.status).toBe(1);
    expect(first.stderr).toContain('unrecovered panic: (bad: "replicas must be positive")');

    // Resumed without a fix, it fails the same way, replaying what completed.
    const unfixed = await runWithEvents(["cfg.ko", "Main", "--name", "rollout", "--resume"], { cwd: dir });
    expect(unfixed.status).toBe(1);
    expect(unfixed.stderr).not.toContain("runs again");
    expect(stepsWith(unfixed.events, "cached", "cfg.Main")).toEqual(["config", "prep"]);

    fs.writeFileSync(path.join(dir, "config.yaml"), "replicas: 3\n");
    const fixed = await runWithEvents(["cfg.ko", "Main", "--name", "rollout", "--resume"], { cwd: dir });
    expect(fixed.status).toBe(0);
    expect(fixed.stdout).toBe("3\n");
    expect(fixed.stderr).toContain("ko: resume: step cfg.Main:config runs again: config.yaml changed\n");
    expect(fixed.stderr).toContain("ko: resume: step cfg.Load:text runs again: config.yaml changed\n");
    expect(stepsWith(fixed.events, "cached", "cfg.Main")).toEqual(["prep"]);
    expect(stepsWith(fixed.events, "done", "cfg.Main")).toEqual(["checked", "config", "deploy", "return"]);
    expect(lines(path.join(dir, "log"))).toEqual(["prep", "deploy"]);
  });
});

/**
 * Each case: `Main` calls `Read()` — no arguments, so its key never changes — whose step `value`
 * reads something; after the first run, `change` alters the world, and the resumed run must run
 * `Main:read` and `Read:value` again (saying `why`), or replay everything when `why` is absent.
 */
interface InputCase {
  readonly name: string;
  readonly imports: string;
  readonly value: string;
  readonly files?: Record<string, string>;
  readonly env?: NodeJS.ProcessEnv;
  readonly change: { readonly files?: Record<string, string>; readonly remove?: string; readonly env?: NodeJS.ProcessEnv };
  readonly why?: string;
  /** The resumed run's exit status, 0 unless said. */
  readonly status?: number;
  /** Run once without a name first, so that the named run finds its reads in the cache. */
  readonly warmCache?: boolean;
}

const REGION = "KO_TEST_REGION";

const cases: readonly InputCase[] = [
  {
    name: "a file read with os.ReadFile changed",
    imports: '"os"',
    value: 'os.ReadFile("settings.txt")',
    files: { "settings.txt": "one" },
    change: { files: { "settings.txt": "two" } },
    why: "settings.txt changed",
  },
  {
    name: "a file touched but not changed",
    imports: '"os"',
    value: 'os.ReadFile("settings.txt")',
    files: { "settings.txt": "one" },
    change: { files: { "settings.txt": "one" } },
  },
  {
    name: "a file read that is gone",
    imports: '"os"',
    value: 'os.ReadFile("settings.txt")',
    files: { "settings.txt": "one" },
    change: { remove: "settings.txt" },
    why: "settings.txt is gone",
    status: 1,
  },
  {
    name: "a file read with build.ReadFile, answered from the cache, changed",
    imports: '"build"',
    value: 'build.ReadFile("settings.txt")',
    files: { "settings.txt": "one" },
    warmCache: true,
    change: { files: { "settings.txt": "two" } },
    why: "settings.txt changed",
  },
  {
    name: "a declared input of build.Exec changed",
    imports: '"build"',
    value: 'build.Exec(command: "cat", args: "data.txt", inputs: "data.txt")',
    files: { "data.txt": "one" },
    change: { files: { "data.txt": "two" } },
    why: "data.txt changed",
  },
  {
    name: "an environment variable changed",
    imports: '"os"',
    value: `os.Env("${REGION}")`,
    env: { [REGION]: "eu" },
    change: { env: { [REGION]: "us" } },
    why: `$${REGION} changed`,
  },
  {
    name: "an environment variable was set",
    imports: '"os"',
    value: `os.Env("${REGION}")`,
    change: { env: { [REGION]: "us" } },
    why: `$${REGION} is set now`,
  },
  {
    name: "an environment variable was unset",
    imports: '"os"',
    value: `os.Env("${REGION}")`,
    env: { [REGION]: "eu" },
    change: { env: { [REGION]: undefined } },
    why: `$${REGION} is not set any more`,
  },
  {
    name: "an environment variable set to the same value",
    imports: '"os"',
    value: `os.Env("${REGION}")`,
    env: { [REGION]: "eu" },
    change: { env: { [REGION]: "eu" } },
  },
];

describe("a step whose inputs changed runs again, even when it read them through a callee", () => {
  test.each(cases)("$name", async (c) => {
    const script = `import ${c.imports}\n\nRead() {\n\tvalue: ${c.value}\n\treturn: value\n}\n\nMain() {\n\tread: Read()\n\treturn: read\n}\n`;
    const dir = writeFiles(tempDir("ko-inputs-"), { "job.ko": script, ...c.files });
    const env = { [REGION]: undefined, ...c.env };
    if (c.warmCache) expect((await runWithEvents(["job.ko"], { cwd: dir, env })).status).toBe(0);
    const first = await runWithEvents(["job.ko", "Main", "--name", "r"], { cwd: dir, env });
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);

    writeFiles(dir, c.change.files ?? {});
    if (c.change.remove) fs.rmSync(path.join(dir, c.change.remove));
    const resumed = await runWithEvents(["job.ko", "Main", "--name", "r", "--resume"], { cwd: dir, env: { ...env, ...c.change.env } });
    expect(resumed.status).toBe(c.status ?? 0);
    if (c.why === undefined) {
      expect(resumed.stderr).toBe("");
      expect(stepsWith(resumed.events, "cached", "job.Main")).toEqual(["read"]);
      return;
    }
    expect(resumed.stderr).toContain(`ko: resume: step job.Main:read runs again: ${c.why}\n`);
    // A step whose own call the cache answered has no result in the journal: it runs again unannounced.
    if (!c.warmCache) expect(resumed.stderr).toContain(`ko: resume: step job.Read:value runs again: ${c.why}\n`);
    expect(stepsWith(resumed.events, "cached")).toEqual([]);
  });
});
