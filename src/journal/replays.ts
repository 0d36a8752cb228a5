/**
 * What earlier attempts of a run completed, to answer the steps of a `--resume` with: the
 * recorded results by key, each kept only as long as what its step read is still the same.
 *
 * A record is found by the key of the step's own call (callee code and argument values). Before
 * it is used, the inputs the step read — itself or through its callees — are read again and
 * compared by content: a file that changed, appeared or went, an environment variable with
 * another value, and the step runs again. What depends on it then gets new argument values, so
 * new keys, and runs again too — unless the step returned what it returned before, in which
 * case there is nothing new downstream to compute.
 *
 * Identical calls are matched one for one, in order: a step that completed once is replayed
 * once. The records of the latest attempt come first: a step forced to run again (`--rerun`)
 * is replayed with what it returned the last time, not the first. A record whose inputs changed
 * is passed over for the next one of the same key (an earlier attempt that read what is there
 * now); a record that can no longer be read in this program (a variety of a function that is
 * gone) is passed over too.
 */
import { fromData, type CallableLookup } from "../value/serial.js";
import type { Value } from "../value/value.js";
import { firstChange } from "./inputs.js";
import { attemptsOf, type InputRecord, type JournalRecord, type StepRecord } from "./records.js";

/**
 * A recorded result to answer a step with, and what the step read to compute it; or why the step
 * runs again (nothing said: it never completed).
 */
export type Replay =
  { readonly value: Value; readonly reads: readonly InputRecord[] } | { readonly value?: undefined; readonly why?: string };

export class Replays {
  /** Completed steps with a key and a value, by key: the latest attempt's first, each in the order they completed. */
  private readonly byKey = new Map<string, StepRecord[]>();
  /** Every key a completed step had, even once its records are used up. */
  private readonly keys = new Set<string>();
  /** The steps (`fn:step`) that completed with a key in some attempt. */
  private readonly completed = new Set<string>();

  constructor(
    records: readonly JournalRecord[],
    private readonly lookup: CallableLookup,
  ) {
    const newestFirst = attemptsOf(records)
      .reverse()
      .flatMap((a) => a.records);
    for (const r of newestFirst) {
      if (r.t !== "step" || r.key === undefined || r.value === undefined) continue;
      if (r.status !== "done" && r.status !== "cached") continue;
      let queue = this.byKey.get(r.key);
      if (!queue) this.byKey.set(r.key, (queue = []));
      queue.push(r);
      this.keys.add(r.key);
      this.completed.add(`${r.fn}:${r.step}`);
    }
  }

  /**
   * The result recorded for the call of step `fn:step` with `key`, if it still holds. Answered
   * at once when no candidate record read anything (there is nothing to compare).
   */
  take(key: string, fn: string, step: string): Replay | Promise<Replay> {
    const queue = this.byKey.get(key);
    while (queue && queue.length > 0) {
      const record = queue.shift()!;
      const value = this.readable(record);
      if (value === undefined) continue;
      if (!record.reads || record.reads.length === 0) return { value, reads: [] };
      return this.checked(record, value, key, fn, step);
    }
    return this.runs(key, fn, step);
  }

  /** The record's value if what it read is unchanged; else the next candidate's, or why it runs. */
  private async checked(record: StepRecord, value: Value, key: string, fn: string, step: string): Promise<Replay> {
    const change = await firstChange(record.reads!);
    if (change === undefined) return { value, reads: record.reads! };
    const next = await this.take(key, fn, step);
    return next.value !== undefined ? next : { why: change };
  }

  private runs(key: string, fn: string, step: string): Replay {
    // A new key for a step that completed before: what it was called with, or its code, changed.
    return !this.keys.has(key) && this.completed.has(`${fn}:${step}`) ? { why: "its arguments or code changed" } : {};
  }

  private readable(record: StepRecord): Value | undefined {
    try {
      return fromData(record.value!, this.lookup);
    } catch {
      return undefined;
    }
  }
}
