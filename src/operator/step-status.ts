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

export class StepStatusLayer implements Layer {
  private readonly entries = new Map<string, StepEntry>();
  private readonly ids = new WeakMap<StepSite, string>();
  private readonly seen = new Map<string, number>();
  /** Entries the status no longer holds (offloaded to ConfigMaps), for the progress it shows. */
  private offloaded: number;

  constructor(
    private readonly attempt: number,
    earlier: readonly StepEntry[],
    earlierOffloaded: number,
    private readonly changed: () => void,
  ) {
    for (const e of earlier) this.entries.set(e.id, e);
    this.offloaded = earlierOffloaded;
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

  /**
   * The entries to show, within `budget` bytes of JSON, and the progress: steps finished / steps
   * started. When they would not fit, finished entries — not the running or failed ones — are
   * taken out, oldest first, until they fill three quarters of the budget (so that the next
   * snapshots need not take out more at once), and returned as `evicted`.
   */
  snapshot(budget: number): { steps: StepEntry[]; evicted: StepEntry[]; progress: string } {
    const all = [...this.entries.values()];
    const sizes = all.map((e) => JSON.stringify(e).length + 1);
    let total = sizes.reduce((a, b) => a + b, 0);
    const evicted: StepEntry[] = [];
    if (total > budget) {
      for (let i = 0; i < all.length && total > budget * 0.75; i++) {
        const e = all[i]!;
        if (e.phase === "Running" || e.phase === "Failed") continue;
        evicted.push(e);
        this.entries.delete(e.id);
        total -= sizes[i]!;
      }
      this.offloaded += evicted.length;
    }
    const steps = evicted.length === 0 ? all : [...this.entries.values()];
    const finished = steps.filter((e) => e.phase !== "Running").length;
    return { steps, evicted, progress: `${finished + this.offloaded}/${steps.length + this.offloaded}` };
  }
}
