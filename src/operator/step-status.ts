/**
 * The steps of a run as its status shows them: a layer on the run's hooks (instrument/layers.ts),
 * like the live view and the event log, that keeps one entry per labelled step and tells the
 * status writer when one changes.
 *
 * An entry's id is the step's function and label, `pkg.Func.step`, with `#2`, `#3`... for the
 * second and later activations of the same step in the order they start. Ids do not depend on
 * the evaluator's activation numbers, which a resumed attempt hands out afresh, so an attempt
 * that runs a step again updates the entry the earlier attempt wrote; and a step an attempt
 * replays from the journal is marked Replayed in the same entry.
 */
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure } from "../value/describe-failure.js";
import { KoCancelled } from "../value/failure.js";
import { now, type StepEntry, type StepPhase } from "./kinds.js";

/** At most this many entries are kept: the running and failed ones first, then the latest. */
export const MAX_STEPS = 400;

export class StepStatusLayer implements Layer {
  private readonly entries = new Map<string, StepEntry>();
  private readonly ids = new WeakMap<StepSite, string>();
  private readonly seen = new Map<string, number>();
  /** Entries the status no longer holds, for the count it shows. */
  private omitted: number;

  constructor(
    private readonly attempt: number,
    earlier: readonly StepEntry[],
    earlierOmitted: number,
    private readonly changed: () => void,
  ) {
    for (const e of earlier) this.entries.set(e.id, e);
    this.omitted = earlierOmitted;
  }

  readonly stepStarted = (site: StepSite): void => {
    const base = `${site.function}.${site.step}`;
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    const id = n === 1 ? base : `${base}#${n}`;
    this.ids.set(site, id);
    this.entries.delete(id); // re-inserted last: the latest steps are those kept
    this.entries.set(id, { id, function: site.function, step: site.step, phase: "Running", attempt: this.attempt, startTime: now() });
    this.changed();
  };

  readonly stepFinished = (site: StepSite, status: StepStatus, _ms: number, error?: unknown): void => {
    const id = this.ids.get(site);
    const entry = id === undefined ? undefined : this.entries.get(id);
    if (!entry) return;
    const phase: StepPhase =
      status === "done"
        ? "Succeeded"
        : status === "cached"
          ? site.answeredBy === "journal"
            ? "Replayed"
            : "Cached"
          : error instanceof KoCancelled
            ? "Interrupted"
            : "Failed";
    const message = status === "failed" ? describeFailure(error).slice(0, 1000) : undefined;
    this.entries.set(entry.id, { ...entry, phase, finishTime: now(), ...(message !== undefined ? { message } : {}) });
    this.changed();
  };

  /** The entries to show, bounded, and the progress: steps finished / steps started. */
  snapshot(): { steps: StepEntry[]; stepsOmitted: number; progress: string } {
    const all = [...this.entries.values()];
    const finished = all.filter((e) => e.phase !== "Running").length;
    let steps = all;
    if (all.length > MAX_STEPS) {
      const keep = new Set(all.filter((e) => e.phase === "Running" || e.phase === "Failed"));
      for (let i = all.length - 1; i >= 0 && keep.size < MAX_STEPS; i--) keep.add(all[i]!);
      steps = all.filter((e) => keep.has(e));
      for (const e of all) if (!keep.has(e)) this.entries.delete(e.id);
      this.omitted += all.length - steps.length;
    }
    return { steps, stepsOmitted: this.omitted, progress: `${finished + this.omitted}/${all.length + this.omitted}` };
  }
}
