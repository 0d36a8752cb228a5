/**
 * A pseudo-terminal for REPL tests: runs a command in a detached tmux session, types into it
 * (send-keys) and reads the screen (capture-pane), as a user at a terminal would.
 */
import { execFileSync } from "node:child_process";

let counter = 0;

/**
 * `tmux new-session ARGS`. A tmux server whose last session just ended may still be exiting
 * ("server exited unexpectedly"): then it is tried again shortly.
 */
export function newTmuxSession(args: string[]): void {
  for (let attempt = 1; ; attempt++) {
    try {
      execFileSync("tmux", ["new-session", ...args], { stdio: "pipe" });
      return;
    } catch (e) {
      if (attempt === 5) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
}

export class Terminal {
  private constructor(readonly session: string) {}

  static start(command: string, env: Record<string, string> = {}): Terminal {
    const session = `ko-repl-test-${process.pid}-${counter++}`;
    const exports = Object.entries(env)
      .map(([k, v]) => `export ${k}=${shellQuote(v)}; `)
      .join("");
    newTmuxSession(["-d", "-s", session, "-x", "160", "-y", "50", `${exports}${command}; echo "[exited $?]"; sleep 30`]);
    return new Terminal(session);
  }

  /** Types text (literally), then presses the given keys (tmux key names: Enter, Tab, C-c, C-d, Up). */
  type(text: string, ...keys: string[]): void {
    if (text !== "") execFileSync("tmux", ["send-keys", "-t", this.session, "-l", text]);
    for (const k of keys) execFileSync("tmux", ["send-keys", "-t", this.session, k]);
  }

  screen(): string {
    return execFileSync("tmux", ["capture-pane", "-p", "-t", this.session], { encoding: "utf8" });
  }

  /** Waits until the screen matches `pattern`; returns the screen. */
  async waitFor(pattern: RegExp, timeoutMs = 10000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (pattern.test(s)) return s;
      if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; screen:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  stop(): void {
    try {
      execFileSync("tmux", ["kill-session", "-t", this.session]);
    } catch {
      // already gone
    }
  }
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
