/**
 * The conformance suite (spec, D18, D19), through the real built `ko` exactly as the shared
 * runner ../shared/conformance/run runs it: each case NAME.ko (see test/support/conformance.ts
 * for its files) as `ko run NAME.ko [FUNC] [ARGS...]` from the case's directory, with standard
 * input empty; standard output must equal NAME.out byte for byte, the exit status NAME.rc, and
 * standard error must contain every line of NAME.err. Results are cached, as in any `ko run`,
 * but in a scratch directory rather than test/conformance/.ko.
 */
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { KO } from "../support/cli.js";
import { CONFORMANCE, conformanceCase, conformanceNames, type ConformanceCase } from "../support/conformance.js";
import { tempDir } from "../support/temp.js";

/** Seconds a case may take, as the shared runner's default KO_TIMEOUT. */
const TIMEOUT_S = 60;

const cacheDir = tempDir("ko-conformance-cache-");

interface Ran {
  readonly stdout: Buffer;
  readonly stderr: string;
  readonly status: number | null;
}

function run(c: ConformanceCase): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KO, "run", `${c.name}.ko`, ...c.args], {
      cwd: CONFORMANCE,
      env: { ...process.env, KO_CACHE_DIR: cacheDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => stdout.push(d));
    child.stderr.on("data", (d: Buffer) => stderr.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_S * 1000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString("utf8"), status });
    });
  });
}

const names = conformanceNames();

test("the suite is all there", () => expect(names.length).toBeGreaterThanOrEqual(110));

describe("conformance", () => {
  // The time each case is allowed (TIMEOUT_S) is well within vitest.config.ts's testTimeout.
  test.concurrent.each(names)("%s", async (name) => {
    const c = conformanceCase(name);
    const ran = await run(c);
    const where = `${name}.ko\nstderr:\n${ran.stderr}`;
    expect(ran.status, `${where}\n(null: killed after ${TIMEOUT_S} s)`).toBe(c.status);
    // A readable diff first; then byte for byte, which decoding could hide.
    expect(ran.stdout.toString("utf8"), where).toBe(c.stdout.toString("utf8"));
    expect(ran.stdout.equals(c.stdout), `${where}\nstdout differs in its bytes`).toBe(true);
    for (const line of c.stderrLines) expect(ran.stderr, where).toContain(line);
  });
});
