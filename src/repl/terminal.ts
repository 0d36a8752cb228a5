/**
 * The REPL on a terminal: line editing, a prompt that says when an input goes on, tab
 * completion from the language service's completion engine, history kept in ~/.ko_history
 * (KO_HISTORY overrides the file), and Ctrl-C that cancels the running evaluation or the input
 * being typed, never the REPL (Ctrl-D or :quit leaves).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { KoCancelled } from "../value/failure.js";
import { isComplete } from "./input.js";
import type { ReplEvaluator } from "./evaluator.js";

const PROMPT = "ko> ";
const CONTINUATION = "... ";
const HISTORY_SIZE = 1000;

export function historyFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.KO_HISTORY ?? path.join(os.homedir(), ".ko_history");
}

export async function runTerminal(session: ReplEvaluator, input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Promise<number> {
  const historyPath = historyFile();
  let pending = ""; // the lines of an input that goes on
  let running: AbortController | undefined;
  const rl = readline.createInterface({
    input,
    output,
    prompt: PROMPT,
    terminal: true,
    history: loadHistory(historyPath),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    completer: (line: string) => {
      const { typed, candidates } = session.completions(pending + line);
      return [candidates, typed];
    },
  });
  const write = (text: string) => output.write(text);

  rl.on("SIGINT", () => {
    if (running) {
      running.abort(new KoCancelled("interrupted (Ctrl-C)"));
      return;
    }
    const hadInput = pending !== "" || rl.line !== "";
    pending = "";
    rl.write(null, { ctrl: true, name: "u" }); // clear the line being edited
    write(hadInput ? "\n" : "\n(to leave, press Ctrl-D or type :quit)\n");
    rl.setPrompt(PROMPT);
    rl.prompt();
  });

  write("Ko REPL. :help lists the commands, Tab completes, Ctrl-D leaves.\n");
  rl.prompt();
  for await (const line of rl) {
    appendHistory(historyPath, line);
    pending += (pending === "" ? "" : "\n") + line;
    if (!isComplete(pending)) {
      rl.setPrompt(CONTINUATION);
      rl.prompt();
      continue;
    }
    const text = pending;
    pending = "";
    running = new AbortController();
    const outcome = await session.submit(text, running.signal);
    running = undefined;
    if (outcome.kind === "quit") break;
    if (outcome.text !== "") write(outcome.text.endsWith("\n") ? outcome.text : `${outcome.text}\n`);
    rl.setPrompt(PROMPT);
    rl.prompt();
  }
  rl.close();
  return 0;
}

/** The history file's lines, newest first as readline wants them. */
function loadHistory(file: string): string[] {
  try {
    const lines = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    const kept = lines.slice(-HISTORY_SIZE);
    if (kept.length < lines.length) fs.writeFileSync(file, kept.join("\n") + "\n");
    return kept.reverse();
  } catch {
    return [];
  }
}

function appendHistory(file: string, line: string): void {
  if (line.trim() === "") return;
  try {
    fs.appendFileSync(file, `${line}\n`);
  } catch {
    // No history is better than no REPL.
  }
}
