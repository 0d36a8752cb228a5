/**
 * A grid worker (`ko worker`): a BullMQ worker on the grid's queue that computes the requests of
 * any client (processor.ts), `concurrency` at a time, and keeps its record in the grid's register
 * of workers (grid/workers.ts) for `ko grid status`.
 *
 * Locks: BullMQ holds a lock on each active job and renews it every half `lockMs`; a worker that
 * dies stops renewing, and once the lock has expired the stalled-job check of any worker (every
 * `lockMs`) puts the job back in the queue. A shorter lock finds dead workers sooner; too short
 * a lock, on a machine so busy that a renewal comes late, would hand a live worker's job to a
 * second worker as well. A Ko run gives way to the event loop every 50 ms at least (reference
 * D5's scheduler, runtime/eval.ts), so renewals are not held up by a long computation.
 *
 * A worker's connections to Redis are retried for as long as it takes: a Redis that restarts
 * (with its data, AOF) finds its workers again, and they go on where they were.
 */
import * as os from "node:os";
import type { Queue, Worker } from "bullmq";
import type { GridAddress } from "../grid/address.js";
import { GridConnections } from "../grid/connection.js";
import { GridKeys, QUEUE } from "../grid/keys.js";
import { GridMemo } from "../grid/memo.js";
import type { CallOutcome, CallRequest } from "../grid/protocol.js";
import { HEARTBEAT_MS, removeWorker, writeWorker, type WorkerRecord } from "../grid/workers.js";
import { CallProcessor } from "./processor.js";
import { WorkerPrograms } from "./programs.js";

export const DEFAULT_LOCK_MS = 10_000;

export interface GridWorkerOptions {
  readonly address: GridAddress;
  readonly concurrency: number;
  readonly name: string;
  /** Repository roots of this worker, searched after a program's own (for `ko.Eval`). */
  readonly roots: readonly string[];
  readonly lockMs: number;
  /** Where the worker says what happens to it (lost connections, failed jobs). */
  readonly log: (line: string) => void;
}

export class GridWorker {
  private record: WorkerRecord;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private writing: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private abandonNow: () => void = () => undefined;
  private readonly abandoned = new Promise<void>((resolve) => (this.abandonNow = resolve));

  private constructor(
    private readonly opts: GridWorkerOptions,
    private readonly conns: GridConnections,
    private readonly keys: GridKeys,
    private readonly redis: ReturnType<GridConnections["connect"]>,
    private readonly queue: Queue<CallRequest, CallOutcome>,
    private readonly programs: WorkerPrograms,
    private worker: Worker<CallRequest, CallOutcome> | undefined,
  ) {
    const now = Date.now();
    this.record = {
      name: opts.name,
      host: os.hostname(),
      pid: process.pid,
      concurrency: opts.concurrency,
      busy: 0,
      maxBusy: 0,
      computed: 0,
      started: now,
      seen: now,
    };
  }

  /** Connects (a UsageError if the grid cannot be reached) and starts taking jobs. */
  static async start(opts: GridWorkerOptions): Promise<GridWorker> {
    const conns = await GridConnections.open(opts.address, { name: `ko-worker:${opts.name}` });
    try {
      return await GridWorker.serve(opts, conns);
    } catch (e) {
      conns.close();
      throw e;
    }
  }

  private static async serve(opts: GridWorkerOptions, conns: GridConnections): Promise<GridWorker> {
    const { Queue, Worker } = conns.bullmq;
    const prefix = opts.address.prefix;
    const keys = new GridKeys(prefix);
    const redis = conns.connect("memo");
    const queue = new Queue<CallRequest, CallOutcome>(QUEUE, { connection: conns.connect("queue"), prefix });
    const programs = new WorkerPrograms(redis, keys, opts.roots);
    const self = new GridWorker(opts, conns, keys, redis, queue, programs, undefined);
    const processor = new CallProcessor({
      bullmq: conns.bullmq,
      queue,
      memo: new GridMemo(redis, keys),
      programs,
      worker: opts.name,
      started: () => self.started(),
      ended: (computed) => self.ended(computed),
    });
    const worker = new Worker<CallRequest, CallOutcome>(QUEUE, processor.process, {
      connection: conns.connect("worker"),
      prefix,
      name: opts.name,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      // A job is put back this many times after workers died with it before it counts as failed.
      maxStalledCount: 5,
    });
    self.worker = worker;
    self.watch(worker, queue);
    await worker.waitUntilReady();
    await self.write();
    self.heartbeat = setInterval(() => void self.write(), HEARTBEAT_MS);
    return self;
  }

  /** Reports what goes wrong, once per kind of trouble rather than once per retry. */
  private watch(worker: Worker<CallRequest, CallOutcome>, queue: Queue<CallRequest, CallOutcome>): void {
    const { log, address } = this.opts;
    const said = new Set<string>();
    const once = (line: string) => {
      if (said.has(line)) return;
      said.add(line);
      log(line);
    };
    const onError = (e: Error) => once(`Redis at ${address.shown}: ${e.message}; retrying`);
    worker.on("error", onError);
    queue.on("error", onError);
    this.redis.on("ready", () => said.clear());
    worker.on("failed", (job, e) => {
      if (job) log(`job ${job.id} (${job.data.call}) failed: ${e.message}`);
    });
  }

  private started(): void {
    const busy = this.record.busy + 1;
    this.update({ busy, maxBusy: Math.max(this.record.maxBusy, busy) });
  }

  private ended(computed: boolean): void {
    this.update({ busy: this.record.busy - 1, computed: this.record.computed + (computed ? 1 : 0) });
  }

  private update(change: Partial<WorkerRecord>): void {
    this.record = { ...this.record, ...change };
    void this.write();
  }

  /** Writes the record, coalescing changes that come while a write is under way. */
  private write(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.writing) {
      this.again = true;
      return this.writing;
    }
    this.record = { ...this.record, seen: Date.now() };
    this.writing = writeWorker(this.redis, this.keys, this.record)
      .catch(() => undefined)
      .finally(() => {
        this.writing = undefined;
        if (this.again) {
          this.again = false;
          void this.write();
        }
      });
    return this.writing;
  }

  /**
   * Stops taking jobs, lets the running ones finish, and leaves the register. If Redis is lost
   * meanwhile, or `abandon` is called, it leaves at once instead: a job it was running cannot
   * report its result without Redis anyway, and goes back to the queue when its lock lapses.
   * Resolves with how it ended.
   */
  async close(): Promise<"finished" | "abandoned"> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    const finishing = this.finish();
    finishing.catch(() => undefined);
    const ended = await Promise.race([
      finishing.then(() => "finished" as const),
      Promise.race([this.abandoned, this.conns.whenDropped()]).then(() => "abandoned" as const),
    ]);
    this.closed = true;
    // Closing the connections first fails the commands still waiting for Redis, on which the
    // programs being loaded may wait.
    this.conns.close();
    await this.programs.close();
    return ended;
  }

  /** Makes a `close` under way (or the next one) leave at once, without waiting for the jobs. */
  abandon(): void {
    this.abandonNow();
  }

  private async finish(): Promise<void> {
    await this.worker?.close();
    await this.writing;
    this.closed = true;
    await removeWorker(this.redis, this.keys, this.opts.name).catch(() => undefined);
    await this.queue.close().catch(() => undefined);
  }
}
