/**
 * `ko repl` (and `ko` with no arguments on a terminal): the interactive session of src/repl. On
 * a terminal it edits lines, completes and keeps history; otherwise it reads inputs from standard
 * input and prints one result per input, so that it can be scripted.
 */
import { cliSession } from "./run.js";
import { ReplEvaluator } from "../repl/evaluator.js";

export interface ReplFlags {
  readonly root: string[];
}

export async function replCommand(flags: ReplFlags): Promise<number> {
  const out = (t: string) => void process.stdout.write(t);
  const err = (t: string) => void process.stderr.write(t);
  // The session outlives every input: a cluster an input connected to (an embedded one would keep
  // the process alive) is closed when the REPL ends.
  const session = cliSession(flags.root, { stdout: out, stderr: err });
  const repl = new ReplEvaluator({ session });
  try {
    if (process.stdin.isTTY && process.stdout.isTTY) {
      const { runTerminal } = await import("../repl/terminal.js");
      return await runTerminal(repl, process.stdin, process.stdout);
    }
    const { runScript } = await import("../repl/script.js");
    return await runScript(repl, process.stdin, out, err);
  } finally {
    await session.close();
  }
}
