/**
 * The REPL without a terminal: inputs are read from standard input (an input goes on while a
 * bracket is open), each one's result is printed on its own line, errors go to standard error.
 * The exit status is 0 if every input succeeded, else that of the last failure (D19: 1 run-time,
 * 3 compile error, 2 a misused command), so that a REPL session can be scripted and checked.
 */
import * as readline from "node:readline";
import { EXIT } from "../diag/exit.js";
import { isComplete } from "./input.js";
import type { ReplEvaluator } from "./evaluator.js";

export async function runScript(
  session: ReplEvaluator,
  input: NodeJS.ReadableStream,
  out: (t: string) => void,
  err: (t: string) => void,
): Promise<number> {
  const rl = readline.createInterface({ input, terminal: false, crlfDelay: Infinity });
  let pending = "";
  let status: number = EXIT.ok;
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  try {
    for await (const line of rl) {
      pending += (pending === "" ? "" : "\n") + line;
      if (!isComplete(pending)) continue;
      const text = pending;
      pending = "";
      if (text.trim() === "" || /^\s*\/\//.test(text)) continue;
      const outcome = await session.submit(text, controller.signal);
      if (outcome.kind === "quit") break;
      if (outcome.kind === "error") {
        err(outcome.text);
        status = outcome.status;
      } else if (outcome.text !== "") {
        out(`${outcome.text}\n`);
      }
    }
    if (pending.trim() !== "") {
      err("error: the input ends inside an open bracket, string or comment\n");
      status = EXIT.compile;
    }
  } finally {
    process.off("SIGINT", stop);
    rl.close();
  }
  return status;
}
