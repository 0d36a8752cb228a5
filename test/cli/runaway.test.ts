/**
 * Runs that run away end with a Ko error at the step that was running — never a crash of V8
 * ("Reached heap limit"), nor "internal error: Invalid array length" — through the real `ko`:
 * a recursion that branches without a base case, a string or a sequence that doubles, a Memory
 * that grows in a Loop. And `ko fmt` lays out what it laid out the same again.
 *
 * How long a runaway run takes to stop is measured in bench/run.js; here the bound is on memory:
 * the process's peak resident set, read from /proc while it runs (on Linux).
 */
import * as fs from "node:fs";
import { spawn } from "node:child_process";
import { describe, expect, test } from "vitest";
import { ko, KO } from "../support/cli.js";
import { tempFile } from "../support/temp.js";

const file = (name: string, content: string) => tempFile(name, content, "ko-runaway-");

/** What a crash or an escaped JavaScript error looks like: never in a Ko run's output. */
const CRASH = /FATAL|heap limit|RangeError|internal error|Invalid (array|string) length|^\s+at .*\.(js|ts):\d+/m;

/** `ko ARGS`, with the peak resident set of the process in MB (undefined where /proc cannot tell). */
function watched(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number | null; stderr: string; peakMb?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KO, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let peakKb: number | undefined;
    const read = () => {
      try {
        const kb = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]);
        if (Number.isFinite(kb)) peakKb = Math.max(peakKb ?? 0, kb);
      } catch {
        // not Linux, or the process is gone
      }
    };
    const poll = setInterval(read, 50);
    const timer = setTimeout(() => child.kill("SIGKILL"), 80_000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("exit", () => read());
    child.on("close", (status) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ status, stderr, ...(peakKb !== undefined ? { peakMb: peakKb / 1024 } : {}) });
    });
  });
}

describe("runaway runs end with a Ko error", () => {
  test("a recursion that branches without a base case, called without its argument, within 1 GB", async () => {
    // The original's lesson `fibRecurse` without its base case: Fib() calls Fib(-1) and Fib(-2), and so on for ever.
    const fib = file("fib.ko", "Fib(n) { return: Sum(Fib(Sum(n, -1)), Fib(Sum(n, -2))) }\nMain() { return: Fib() }\n");
    const out = await watched(["run", fib, "--no-cache"]);
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/fib\.ko:1:\d+: error: out of memory at call depth \d+: the run's values take more than \d+ MB/);
    expect(out.stderr).toMatch(/at fib\.Fib:return/);
    expect(out.stderr).not.toMatch(CRASH);
    if (out.peakMb !== undefined) expect(out.peakMb).toBeLessThan(1024);
  }, 90_000);

  // With a smaller heap, so that the runs stop sooner: the run's budget is at most 55% of it.
  const small = { NODE_OPTIONS: "--max-old-space-size=200" };

  test("a string that doubles: at the step that makes it", async () => {
    const f = file(
      "str.ko",
      'import "strings"\nDouble(s?) {\n\treturn: Double(strings.Join(string: (s, s)))\n}\nMain() { return: Double("ab") }\n',
    );
    const out = await ko(["run", f, "--no-cache"], { env: small, timeoutMs: 80_000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/str\.ko:3:17: error: out of memory: /);
    expect(out.stderr).toMatch(/at str\.Double:return/);
    expect(out.stderr).not.toMatch(CRASH);
  }, 90_000);

  test("a sequence that doubles: at the step that makes it", async () => {
    const f = file("seq.ko", "Double(s?) {\n\treturn: Double(Merge(s, s))\n}\nMain() { return: Double((1, 2)) }\n");
    const out = await ko(["run", f, "--no-cache"], { env: small, timeoutMs: 80_000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/seq\.ko:2:17: error: out of memory: the run's values take more than \d+ MB/);
    expect(out.stderr).not.toMatch(CRASH);
  }, 90_000);

  test("a Memory that grows in a Loop: at the Loop", async () => {
    const f = file(
      "mem.ko",
      'grow(m, i?) {\n\tr: m.Remember(key: i, value: "a value remembered under a new key every time")\n\treturn: Sum(i, 1)\n}\nMain() {\n\tm: Memory()\n\treturn: Loop(start: 0, step: grow[m: m])\n}\n',
    );
    const out = await ko(["run", f, "--no-cache"], { env: small, timeoutMs: 80_000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(
      /mem\.ko:7:10: error: out of memory: the run's values take more than \d+ MB \(a value that keeps growing\?\)/,
    );
    expect(out.stderr).toMatch(/at mem\.Main:return/);
    expect(out.stderr).not.toMatch(CRASH);
  }, 90_000);
});

describe("ko fmt", () => {
  test("is idempotent on a block comment after a separator at the end of a line", async () => {
    const f = file("c.ko", "Main() {\n\treturn: Sum(1, /* c */\n2)\n}\n");
    expect((await ko(["fmt", f])).status).toBe(0);
    const once = fs.readFileSync(f, "utf8");
    expect(once).toBe("Main() {\n\treturn: Sum(1 /* c */, 2)\n}\n");
    const check = await ko(["fmt", "--check", f]);
    expect(check.status).toBe(0);
    expect((await ko(["fmt", f])).status).toBe(0);
    expect(fs.readFileSync(f, "utf8")).toBe(once);
  });
});
