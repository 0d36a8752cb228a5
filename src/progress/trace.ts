/**
 * `--trace FILE`: the run as a Chrome trace (JSON trace events), which Perfetto and
 * chrome://tracing open, so the concurrency of a run can be seen.
 *
 * Each labelled step is one complete event (`"ph": "X"`: begin and duration) named after the
 * step, with its function as the category. Steps running at the same time are put on different
 * lanes — trace "threads" named `lane N` — so nothing overlaps on a lane: a step takes the
 * lowest lane free when it starts and frees it when it ends, so the number of lanes used is
 * the most steps that ever ran at once.
 */
import * as fs from "node:fs";
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure } from "../value/describe-failure.js";

export interface TraceEvent {
  readonly name: string;
  readonly cat?: string;
  readonly ph: "X" | "M";
  readonly ts?: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: Record<string, unknown>;
}

const PID = 1;

export class TraceWriter implements Layer {
  private readonly events: TraceEvent[] = [];
  private readonly t0 = performance.now();
  /** Which lanes are taken (index = lane - 1). */
  private readonly taken: boolean[] = [];
  private readonly laneOf = new WeakMap<StepSite, number>();

  /** The file is opened at once, so that a path that cannot be written is reported before the run. */
  private readonly fd: number;

  constructor(file: string) {
    this.fd = fs.openSync(file, "w");
  }

  readonly stepStarted = (site: StepSite): void => {
    let lane = this.taken.indexOf(false);
    if (lane < 0) lane = this.taken.push(false) - 1;
    this.taken[lane] = true;
    this.laneOf.set(site, lane + 1);
  };

  readonly stepFinished = (site: StepSite, status: StepStatus, ms: number, error?: unknown): void => {
    const lane = this.laneOf.get(site);
    if (lane === undefined) return;
    this.taken[lane - 1] = false;
    // The start, from the end and the duration the evaluator measured.
    const start = performance.now() - ms - this.t0;
    this.events.push({
      name: site.step,
      cat: site.function,
      ph: "X",
      ts: micros(Math.max(0, start)),
      dur: micros(ms),
      pid: PID,
      tid: lane,
      args: {
        function: site.function,
        activation: site.activation,
        status,
        ...(status === "failed" ? { error: describeFailure(error) } : {}),
      },
    });
  };

  close(): void {
    const lanes: TraceEvent[] = this.taken.map((_, i) => ({
      name: "thread_name",
      ph: "M",
      pid: PID,
      tid: i + 1,
      args: { name: `lane ${i + 1}` },
    }));
    const process: TraceEvent = { name: "process_name", ph: "M", pid: PID, tid: 0, args: { name: "ko run" } };
    const trace = { traceEvents: [process, ...lanes, ...this.events], displayTimeUnit: "ms" };
    fs.writeFileSync(this.fd, JSON.stringify(trace));
    fs.closeSync(this.fd);
  }
}

function micros(ms: number): number {
  return Math.round(ms * 1000);
}
