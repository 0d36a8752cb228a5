/**
 * `--events FILE`: one JSON object a line for each labelled step starting and ending,
 *
 *     {"type":"step","function":"build.Main","step":"world","status":"started","activation":1,"t":3.2}
 *     {"type":"step","function":"build.Main","step":"world","status":"done","activation":1,"t":45.1,"ms":41.9}
 *
 * `status` is `started`, then `done`, `cached` (the step's own call was answered from the cache
 * or a run's journal) or `failed` (with `error`); `ms` is the step's duration, `t` the time since
 * the run started, both in milliseconds; `activation` tells apart the calls of one function.
 * A step whose call ran on the grid (src/grid/) names the `worker` that computed it, at its end.
 */
import type { Layer, StepSite, StepStatus } from "../instrument/layers.js";
import { describeFailure } from "../value/describe-failure.js";
import { LineSink } from "./sink.js";

export interface StepEventRecord {
  readonly type: "step";
  readonly function: string;
  readonly step: string;
  readonly status: "started" | StepStatus;
  readonly activation: number;
  readonly t: number;
  readonly ms?: number;
  readonly error?: string;
  readonly worker?: string;
}

export class EventLog implements Layer {
  private readonly sink: LineSink;
  private readonly t0 = performance.now();

  constructor(target: string) {
    this.sink = new LineSink(target);
  }

  private emit(record: StepEventRecord): void {
    this.sink.write(JSON.stringify(record) + "\n");
  }

  private since(): number {
    return round(performance.now() - this.t0);
  }

  readonly stepStarted = (site: StepSite): void => {
    this.emit({ type: "step", function: site.function, step: site.step, status: "started", activation: site.activation, t: this.since() });
  };

  readonly stepFinished = (site: StepSite, status: StepStatus, ms: number, error?: unknown): void => {
    this.emit({
      type: "step",
      function: site.function,
      step: site.step,
      status,
      activation: site.activation,
      t: this.since(),
      ms: round(ms),
      ...(status === "failed" ? { error: describeFailure(error) } : {}),
      ...(site.worker !== undefined ? { worker: site.worker } : {}),
    });
  };

  close(): void {
    this.sink.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
