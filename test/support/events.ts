/** Runs `ko run` with `--events` to a file and reads the events back, for tests of caching and runs. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ko, type Outcome } from "./cli.js";
import { tempDir } from "./temp.js";

export interface StepEvent {
  readonly type: "step";
  readonly function: string;
  readonly step: string;
  readonly status: "started" | "done" | "cached" | "failed";
  readonly activation: number;
  readonly t: number;
  readonly ms?: number;
  readonly error?: string;
}

export interface EventOutcome extends Outcome {
  readonly events: StepEvent[];
}

export function readEvents(file: string): StepEvent[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as StepEvent);
}

/** `ko run ARGS... --events FILE` in `cwd`. */
export async function runWithEvents(
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<EventOutcome> {
  const file = path.join(tempDir("ko-events-"), "events.jsonl");
  const out = await ko(["run", ...args, "--events", file], opts);
  return { ...out, events: fs.existsSync(file) ? readEvents(file) : [] };
}

/** The final status of each step of `fn` (the last activation's), as `step: status`. */
export function statuses(events: readonly StepEvent[], fn?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.status !== "started" && (fn === undefined || e.function === fn)) out[e.step] = e.status;
  return out;
}

/** The steps of `fn` that ended with `status`, sorted. */
export function stepsWith(events: readonly StepEvent[], status: string, fn?: string): string[] {
  return Object.entries(statuses(events, fn))
    .filter(([, s]) => s === status)
    .map(([step]) => step)
    .sort();
}
