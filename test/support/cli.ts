/** Runs the built `ko` command the way a user does, capturing its output and exit status. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const KO = path.join(REPO, "dist/cli/main.js");

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
