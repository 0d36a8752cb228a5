/**
 * `ko repl` (and `ko` with no arguments on a terminal): the interactive session of src/repl. On
 * a terminal it edits lines, completes and keeps history; otherwise it reads inputs from standard
 * input and prints one result per input, so that it can be scripted.
 */
import { rootsFromEnv } from "../api/program.js";
import { ReplSession } from "../repl/session.js";

export interface ReplFlags {
  readonly root: string[];
}

export async function replCommand(flags: ReplFlags): Promise<number> {
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  const session = new ReplSession({ roots: [...flags.root, ...rootsFromEnv()], stdout: out, stderr: err });
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const { runTerminal } = await import("../repl/terminal.js");
    return runTerminal(session, process.stdin, process.stdout);
  }
  const { runScript } = await import("../repl/script.js");
  return runScript(session, process.stdin, out, err);
}
