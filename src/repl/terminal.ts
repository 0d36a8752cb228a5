/**
 * The REPL on a terminal: line editing, a prompt that says when an input goes on, tab
 * completion from the language service's completion engine (on a continuation line too, with
 * the lines before it), history kept in ~/.ko_history (KO_HISTORY overrides the file), an input
 * of several lines one entry in it, and Ctrl-C that cancels the running evaluation or the input
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
  let pendingLines = 0;
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
      const { typed, candidates } = session.completions(pending === "" ? line : `${pending}\n${line}`);
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
    pendingLines = 0;
    rl.write(null, { ctrl: true, name: "u" }); // clear the line being edited
    write(hadInput ? "\n" : "\n(to leave, press Ctrl-D or type :quit)\n");
    rl.setPrompt(PROMPT);
    rl.prompt();
  });

  write("Ko REPL. :help lists the commands, Tab completes, Ctrl-D leaves.\n");
  rl.prompt();
  for await (const line of rl) {
    pending = pending === "" ? line : `${pending}\n${line}`;
    pendingLines++;
    if (!isComplete(pending)) {
      rl.setPrompt(CONTINUATION);
      rl.prompt();
      continue;
    }
    const text = pending;
    pending = "";
    // Readline took each line as an entry: the input is one, which Up brings back whole.
    if (pendingLines > 1) joinHistory(rl, pendingLines, text);
    pendingLines = 0;
    appendHistory(historyPath, text);
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

/**
 * In the history file, an entry of one line is that line; one of several lines is one line too:
 * this mark, then the entry as a JSON string. No input starts with the mark (an ASCII record
 * separator), so files written before multi-line entries read the same.
 */
const MULTI_LINE = "\x1e";

/** Replaces the last `count` entries readline added, an input's lines, by the whole input. */
function joinHistory(rl: readline.Interface, count: number, input: string): void {
  const history = (rl as unknown as { history: string[] }).history;
  history.splice(0, count);
  const again = history.indexOf(input);
  if (again >= 0) history.splice(again, 1);
  history.unshift(input);
}

/** The history file's entries, newest first as readline wants them. */
function loadHistory(file: string): string[] {
  try {
    const lines = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    const kept = lines.slice(-HISTORY_SIZE);
    if (kept.length < lines.length) fs.writeFileSync(file, kept.join("\n") + "\n");
    return kept.map(decodeEntry).reverse();
  } catch {
    return [];
  }
}

function decodeEntry(line: string): string {
  if (!line.startsWith(MULTI_LINE)) return line;
  try {
    const entry: unknown = JSON.parse(line.slice(MULTI_LINE.length));
    return typeof entry === "string" ? entry : line;
  } catch {
    return line;
  }
}

function appendHistory(file: string, input: string): void {
  if (input.trim() === "") return;
  try {
    fs.appendFileSync(file, `${input.includes("\n") ? MULTI_LINE + JSON.stringify(input) : input}\n`);
  } catch {
    // No history is better than no REPL.
  }
}
