/** Runs the built `ko` command the way a user does, capturing its output and exit status. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const KO = path.join(REPO, "dist/cli/ko.cjs");

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

export function ko(
  args: string[],
  opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KO, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60000);
    child.on("error", reject);
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, status, signal });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** How an interrupted `ko` ended, and how long after the (first) SIGINT. */
export interface Interrupted extends Outcome {
  readonly ms: number;
}

/**
 * Starts `ko ARGS...` and sends it SIGINT, as Ctrl-C does on a terminal (or `signal`), once `when`
 * says so: after that many milliseconds, or as soon as the predicate holds. With `again`, the
 * signal is sent again that many milliseconds later. `ms` is how long it took to end after the first.
 */
export async function interrupt(
  args: string[],
  opts: { cwd?: string; when: number | (() => boolean); again?: number; signal?: NodeJS.Signals; env?: NodeJS.ProcessEnv },
): Promise<Interrupted> {
  const sig = opts.signal ?? "SIGINT";
  const child = spawn(process.execPath, [KO, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const closed = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (status, signal) => resolve({ status, signal })),
  );
  const { when } = opts;
  if (typeof when === "number") await new Promise((r) => setTimeout(r, when));
  else {
    const giveUp = Date.now() + 15000;
    while (!when() && Date.now() < giveUp) await new Promise((r) => setTimeout(r, 20));
  }
  const t0 = Date.now();
  child.kill(sig);
  const second = opts.again === undefined ? undefined : setTimeout(() => child.kill(sig), opts.again);
  // Never leave the child behind, even if the interrupt were ignored.
  const killer = setTimeout(() => child.kill("SIGKILL"), 10000);
  const { status, signal } = await closed;
  clearTimeout(killer);
  clearTimeout(second);
  return { stdout, stderr, status, signal, ms: Date.now() - t0 };
}

/**
 * Runs `ko ARGS...` in this process, through the function the `ko` command runs (main of
 * src/cli/commands.ts) with its output captured: the same parsing of the command line, the same
 * messages and exit status, without the cost of starting Node and loading `ko` (most of the time
 * of a small program). For corpora of programs, where what is tested is the language rather than
 * the process; tests of the command itself (signals, terminals, start-up, environment) run `ko`.
 *
 * A test worker may not change its working directory, so paths in ARGS are absolute, and `ko`
 * prints locations in files outside the working directory as absolute paths, where `ko` started
 * in the file's directory prints them relative to it.
 */
export async function koInProcess(args: string[]): Promise<Outcome> {
  const { main } = await import("../../src/cli/commands.js");
  let stdout = "";
  let stderr = "";
  const status = await main([process.execPath, KO, ...args], {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    standalone: false,
  });
  return { stdout, stderr, status, signal: null };
}

/**
 * Locations `/dir/NAME:LINE:COL` in TEXT made relative (`NAME:LINE:COL`), as `ko` started in the
 * file's directory prints them: to compare the output of koInProcess with a `ko` process's.
 */
export function relativeLocations(text: string, name: string): string {
  return text.replace(new RegExp(`(?:/[^\\s:/]+)+/${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`, "g"), `${name}:`);
}
