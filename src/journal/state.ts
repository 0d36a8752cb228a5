/**
 * What a journal says about its run: its state, and each step's latest status — for `ko runs`,
 * `ko runs show` and `ko graph --run`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { attemptsOf, readJournal, type AttemptRecord, type JournalRecord } from "./records.js";

/** `interrupted`: the last attempt neither ended nor is its process alive (killed, crashed). */
export type RunState = "none" | "running" | "done" | "failed" | "interrupted";

export function runState(records: readonly JournalRecord[]): RunState {
  const attempts = attemptsOf(records);
  const last = attempts[attempts.length - 1];
  if (!last) return "none";
  const end = last.records.find((r) => r.t === "end");
  if (end && end.t === "end") return end.status;
  return alive(last.attempt.pid) ? "running" : "interrupted";
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** `running`: started and not finished in an attempt still going on; `interrupted`: in one that is over. */
export type StepStatus = "done" | "cached" | "replayed" | "failed" | "running" | "interrupted";

export interface StepSummary {
  readonly function: string;
  readonly step: string;
  readonly activation: number;
  readonly status: StepStatus;
  /** Undefined while it runs or when it was cut short. */
  readonly ms?: number;
  readonly error?: string;
}

export interface RunSummary {
  readonly name: string;
  readonly state: RunState;
  readonly attempts: number;
  readonly first?: AttemptRecord;
  readonly last?: AttemptRecord;
  /** The steps of the last attempt, in the order they started. */
  readonly steps: readonly StepSummary[];
  readonly error?: string;
  /** How long the last attempt ran, if it ended. */
  readonly ms?: number;
}

export function summarize(name: string, records: readonly JournalRecord[]): RunSummary {
  const attempts = attemptsOf(records);
  const state = runState(records);
  const last = attempts[attempts.length - 1];
  const steps = new Map<string, StepSummary>();
  const cutShort: StepStatus = state === "running" ? "running" : "interrupted";
  let error: string | undefined;
  let ms: number | undefined;
  for (const r of last?.records ?? []) {
    if (r.t === "start")
      steps.set(`${r.fn}\u0000${r.step}\u0000${r.act}`, { function: r.fn, step: r.step, activation: r.act, status: cutShort });
    else if (r.t === "step") {
      steps.set(`${r.fn}\u0000${r.step}\u0000${r.act}`, {
        function: r.fn,
        step: r.step,
        activation: r.act,
        status: r.status,
        ms: r.ms,
        ...(r.error !== undefined ? { error: r.error } : {}),
      });
    } else if (r.t === "end") {
      error = r.error;
      ms = r.ms;
    }
  }
  return {
    name,
    state,
    attempts: attempts.length,
    ...(attempts[0] ? { first: attempts[0].attempt } : {}),
    ...(last ? { last: last.attempt } : {}),
    steps: [...steps.values()],
    ...(error !== undefined ? { error } : {}),
    ...(ms !== undefined ? { ms } : {}),
  };
}

/** The named runs in a runs directory, by name. */
export function listRuns(runsDir: string): RunSummary[] {
  let names: string[];
  try {
    names = fs.readdirSync(runsDir).sort();
  } catch {
    return [];
  }
  return names
    .filter((n) => fs.existsSync(path.join(runsDir, n, "journal.jsonl")))
    .map((n) => summarize(n, readJournal(path.join(runsDir, n))));
}

export function loadRun(runsDir: string, name: string): RunSummary | undefined {
  const records = readJournal(path.join(runsDir, name));
  return records.length === 0 ? undefined : summarize(name, records);
}
