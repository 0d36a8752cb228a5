/**
 * The journal of a named run: `.ko/runs/NAME/journal.jsonl`, one JSON record a line, only ever
 * appended. A run may take several attempts (the first, then each `--resume`); each begins
 * with an `attempt` record and, unless it was killed, ends with an `end` record.
 *
 *     {"t":"attempt","n":1,"pid":4242,"at":"2025-…","resume":false,"function":"build.Main","script":"/…/build.ko","argv":[…]}
 *     {"t":"start","fn":"build.Main","step":"world","act":1,"ms":0.4}
 *     {"t":"start","fn":"build.Compile","step":"cc","act":2,"ms":0.6,"in":{"fn":"build.Main","step":"world","act":1}}
 *     {"t":"step","fn":"build.Compile","step":"cc","act":2,"status":"done","ms":811.9,"key":"…","value":…,
 *      "reads":[{"file":"/usr/bin/cc","hash":"…"},{"file":"/…/world.c","hash":"…"},{"env":"CFLAGS","hash":null}]}
 *     {"t":"step","fn":"build.Main","step":"world","act":1,"status":"done","ms":812.5,"key":"…","value":…,"reads":[…]}
 *     {"t":"step","fn":"build.Main","step":"link","act":1,"status":"failed","ms":3.1,"error":"…"}
 *     {"t":"end","status":"failed","ms":830.2,"error":"…"}
 *
 * A `step` record with a `key` and a `value` can be replayed: on `--resume`, a labelled step
 * whose own call has the same key (the same callee code and the same argument values,
 * instrument/call-keys.ts) is answered with the value instead of being run again — unless
 * something it read has changed since. Its `reads` are what the step read from outside the
 * program, itself or through the functions it called (host/inputs.ts): each file or environment
 * variable with the SHA-256 of its content or value then (`null`: there was none). A `start`
 * record's `in` names the labelled step it ran inside, whose result depends on it.
 *
 * A run cut short by Ctrl-C ends with `"status":"interrupted"`, and so do the steps it cut
 * short. Journals written before `reads` and `in` existed are read as they are: their steps are
 * replayed on their keys alone, as they were then.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Data } from "../value/serial.js";

export type StepRecordStatus = "done" | "cached" | "replayed" | "failed" | "interrupted";

/** A labelled step of one activation, by name. */
export interface StepName {
  readonly fn: string;
  readonly step: string;
  readonly act: number;
}

/** An input a step read, with the SHA-256 of its content or value at the time (host/inputs.ts). */
export type InputRecord = { readonly file: string; readonly hash: string | null } | { readonly env: string; readonly hash: string | null };

export interface AttemptRecord {
  readonly t: "attempt";
  readonly n: number;
  readonly pid: number;
  readonly at: string;
  readonly resume: boolean;
  readonly function: string;
  readonly script: string;
  readonly argv: readonly string[];
}

export interface StartRecord {
  readonly t: "start";
  readonly fn: string;
  readonly step: string;
  readonly act: number;
  /** Since the attempt began. */
  readonly ms: number;
  /** The labelled step this one runs inside (a step of a caller, waiting for it). */
  readonly in?: StepName;
}

export interface StepRecord {
  readonly t: "step";
  readonly fn: string;
  readonly step: string;
  readonly act: number;
  readonly status: StepRecordStatus;
  readonly ms: number;
  readonly key?: string;
  readonly value?: Data;
  /** What the step read from outside the program, given with `key` and `value`. */
  readonly reads?: readonly InputRecord[];
  readonly error?: string;
}

export interface EndRecord {
  readonly t: "end";
  readonly status: "done" | "failed" | "interrupted";
  readonly ms: number;
  readonly error?: string;
}

export type JournalRecord = AttemptRecord | StartRecord | StepRecord | EndRecord;

export const JOURNAL_FILE = "journal.jsonl";

export function journalPath(runDir: string): string {
  return path.join(runDir, JOURNAL_FILE);
}

/**
 * The records of a journal. A last line cut short by a kill is ignored, as is any line that is
 * not a record: the journal is only a record of what finished.
 */
export function readJournal(runDir: string): JournalRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(journalPath(runDir), "utf8");
  } catch {
    return [];
  }
  const out: JournalRecord[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const r = JSON.parse(line) as JournalRecord;
      if (r && typeof r === "object" && typeof r.t === "string") out.push(r);
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** The records grouped by attempt, in order. */
export function attemptsOf(records: readonly JournalRecord[]): { attempt: AttemptRecord; records: JournalRecord[] }[] {
  const out: { attempt: AttemptRecord; records: JournalRecord[] }[] = [];
  for (const r of records) {
    if (r.t === "attempt") out.push({ attempt: r, records: [] });
    else out[out.length - 1]?.records.push(r);
  }
  return out;
}
