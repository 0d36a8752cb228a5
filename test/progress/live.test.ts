/**
 * The live view, seen as a person sees it: `ko run` in a pseudo-terminal (tmux), the screen read
 * while the run goes on and after it ended. Needs tmux (`apt-get install tmux`; .ci/run installs
 * it); without it the test fails, saying so, rather than being skipped.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { KO, REPO } from "../support/cli.js";
import { tempDir } from "../support/temp.js";
import { newTmuxSession } from "../repl/tmux.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux) console.warn("test/progress/live.test.ts: tmux is not installed (apt-get install tmux), so the live view is NOT tested");

const session = `ko-live-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", args, { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-t", session);
/** The screen with all the scrollback above it. */
const history = () => tmux("capture-pane", "-p", "-S", "-", "-t", session);

async function waitForScreen(check: (text: string) => boolean, ms = 15000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = screen();
    if (check(text)) return text;
    if (Date.now() > end) throw new Error(`timed out; the screen was:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function start(dir: string, args: string, rows = 24): void {
  // The shell waits after ko is done so that the screen can still be read; `done` marks the end.
  newTmuxSession(["-d", "-s", session, "-x", "100", "-y", String(rows), "-c", dir, `node ${KO} ${args}; echo "[exit $?]"; sleep 60`]);
}

afterAll(() => {
  if (hasTmux) spawnSync("tmux", ["kill-session", "-t", session]);
});

describe("the live view on a terminal", () => {
  test("tmux is available", () => {
    expect(hasTmux, "tmux is needed for this test: apt-get install tmux").toBe(true);
  });

  test("shows the steps running now with their durations, failures as they happen, then steps aside", async () => {
    const dir = tempDir("ko-live-");
    fs.writeFileSync(
      path.join(dir, "live.ko"),
      `import "time"

Main() {
	slow: time.Sleep(time.Millisecond(1500))
	slower: time.Sleep(time.Millisecond(2500))
	said: Println("hello from the program")
	caught: Recover(invoke: Oops, panic: Return)
	return: (slow: slow, slower: slower)
}

Oops() {
	return: Panic("recovered, so not shown")
}
`,
    );
    start(dir, "run live.ko --no-cache");
    try {
      const during = await waitForScreen((t) => t.includes("running ·"));
      expect(during).toContain("hello from the program");
      expect(during).toMatch(/live\.Main:slow\s+\d+\.\ds/);
      expect(during).toMatch(/live\.Main:slower\s+\d+\.\ds/);
      // time.Sleep is a Ko function over the gate GoSleep (D20): its step runs inside each of the
      // two, and the two are told apart by the steps that called them.
      expect(during).toMatch(/time\.Sleep:return ← live\.Main:slow\s+\d+\.\ds/);
      expect(during).toMatch(/time\.Sleep:return ← live\.Main:slower\s+\d+\.\ds/);
      expect(during).toMatch(/4 running · \d+ done · 0 cached · 1 failed/);
      expect(during).not.toContain("recovered, so not shown");
      const after = await waitForScreen((t) => t.includes("[exit 0]"));
      expect(after).not.toContain("running ·");
      expect(after).toContain("(slow: 1500000000, slower: 2500000000)");
      expect(after).toMatch(/ko: \d+ steps: \d+ done, 0 cached, 1 failed in 2\.\ds/);
      // Each frame was drawn over the last: none of them is left in the scrollback.
      expect(history()).not.toContain("running ·");
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
  }, 30000);

  test("steps of the same name are told apart by their callers, as far up as it takes", async () => {
    const dir = tempDir("ko-live-");
    fs.writeFileSync(
      path.join(dir, "same.ko"),
      `import "time"\n\nMain() {\n\ta: Nap()\n\tb: Nap()\n\treturn: (a: a, b: b)\n}\n\nNap() {\n\ts: time.Sleep(time.Millisecond(2000))\n\treturn: s\n}\n`,
    );
    start(dir, "run same.ko --no-cache");
    try {
      const during = await waitForScreen((t) => t.includes("running ·"));
      const rows = during
        .split("\n")
        .filter((l) => /\d\.\ds$/.test(l) && !l.includes("running ·"))
        .map((l) => l.slice(2).replace(/\s+\d+\.\ds$/, ""));
      expect(rows).toEqual([
        "same.Main:a",
        "same.Nap:s ← same.Main:a",
        "time.Sleep:return ← same.Nap:s ← same.Main:a",
        "same.Main:b",
        "same.Nap:s ← same.Main:b",
        "time.Sleep:return ← same.Nap:s ← same.Main:b",
      ]);
      await waitForScreen((t) => t.includes("[exit 0]"));
      expect(history()).not.toContain("running ·");
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
  }, 30000);

  test("on a screen of 6 rows the view keeps to 5 lines, and leaves no frame behind in the scrollback", async () => {
    const dir = tempDir("ko-live-");
    const naps = Array.from({ length: 10 }, (_, i) => `\tn${i}: time.Sleep(time.Millisecond(2000))`).join("\n");
    fs.writeFileSync(path.join(dir, "many.ko"), `import "time"\n\nMain() {\n${naps}\n\treturn: "rested"\n}\n`);
    start(dir, "run many.ko --no-cache", 6);
    try {
      const during = await waitForScreen((t) => t.includes("running ·"));
      const lines = during.split("\n").filter((l) => l.trim() !== "");
      expect(lines.filter((l) => /\d\.\ds$/.test(l) && !l.includes("running ·"))).toHaveLength(3);
      expect(lines).toContainEqual(expect.stringMatching(/^ {2}… and 17 more$/));
      expect(lines).toContainEqual(expect.stringMatching(/^20 running · 0 done/));
      await waitForScreen((t) => t.includes("[exit 0]"));
      const all = history();
      expect(all).not.toContain("running ·");
      expect(all).not.toContain("… and");
      expect(all).toContain('"rested"');
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
  }, 30000);

  test("a failure that ends the run is printed as it happens; a quick run shows nothing extra", async () => {
    const dir = tempDir("ko-live-");
    fs.writeFileSync(
      path.join(dir, "fail.ko"),
      `import "time"\n\nMain() {\n\tslow: time.Sleep(time.Millisecond(3000))\n\tbad: Deep(_after: time.Sleep(time.Millisecond(500)))\n\treturn: (slow: slow, bad: bad)\n}\n\nDeep() {\n\tinner: Panic("boom")\n\treturn: inner\n}\n`,
    );
    start(dir, "run fail.ko --no-cache");
    try {
      const failed = await waitForScreen((t) => t.includes("✗"));
      expect(failed).toMatch(/✗ fail\.Main:bad failed after 0\.\ds \(in fail\.Deep:inner\): panic: "boom"/);
      await waitForScreen((t) => t.includes("[exit 1]"));
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
    start(REPO, "run examples/hello.ko");
    try {
      const quick = await waitForScreen((t) => t.includes("[exit 0]"));
      expect(
        quick
          .trim()
          .split("\n")
          .filter((l) => l.trim() !== ""),
      ).toEqual(["Hello, Ko", '(greeting: "Hello, world", shouted: "HELLO, WORLD", words: 2)', "[exit 0]"]);
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
    }
  }, 30000);
});
