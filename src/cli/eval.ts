/**
 * `ko eval [-e EXPR]` (reference 8.3): evaluates one expression, given with `-e` or read from
 * standard input, as the `return:` of a function in an otherwise empty package, and prints its
 * value in canonical form as `ko play` does. Errors point into the expression (`<input>:1:5`).
 */
import * as fs from "node:fs";
import { EXIT, UsageError } from "../diag/exit.js";
import { KoCancelled } from "../value/failure.js";
import { ReplEvaluator } from "../repl/evaluator.js";
import { cliSession } from "./run.js";
import type { CliIO } from "./io.js";

export interface EvalFlags {
  readonly e?: string;
  readonly root: string[];
  readonly maxDepth?: number;
}

export async function evalCommand(flags: EvalFlags, io: CliIO): Promise<number> {
  const text = flags.e ?? standardInput();
  if (text.trim() === "") throw new UsageError("ko eval needs an expression: -e EXPR, or the expression on standard input");
  const session = cliSession(flags.root, {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
  });
  const controller = new AbortController();
  const interrupt = () => controller.abort(new KoCancelled("interrupted (Ctrl-C)"));
  if (io.standalone) process.once("SIGINT", interrupt);
  try {
    const outcome = await new ReplEvaluator({ session }).expression(text, controller.signal);
    if (outcome.kind === "value") {
      io.stdout(`${outcome.text}\n`);
      return EXIT.ok;
    }
    if (outcome.kind === "error") {
      io.stderr(outcome.text);
      return controller.signal.aborted ? EXIT.interrupted : outcome.status;
    }
    return EXIT.ok;
  } finally {
    process.off("SIGINT", interrupt);
    await session.close();
  }
}

/** The expression piped in; on a terminal there is none to wait for. */
function standardInput(): string {
  if (process.stdin.isTTY) throw new UsageError("ko eval needs an expression: -e EXPR, or the expression on standard input");
  return fs.readFileSync(0, "utf8");
}
