/**
 * What a worker does with a job (a request, grid/protocol.ts). BullMQ hands the processor a job,
 * possibly again: after the job's children are done, after a wait, after the worker that had it
 * died. Every step is safe to take twice.
 *
 * 1. Claim the key (grid/memo.ts). The memo has it: done. Nobody owns it: this job does, and
 *    computes it. Another job owns it:
 *    - if that job is still alive, this one waits for it: it registers as a waiter of the key and
 *      moves itself to BullMQ's delayed state, freeing its slot; the owner promotes it when done
 *      (and a timer does, should that wake-up be lost). It then starts over, and finds the result,
 *      or the owner's Ko failure;
 *    - if that job is gone (failed, removed), this one takes the key over.
 *    So identical requests from different parents, which BullMQ cannot give one job, share one
 *    computation.
 * 2. Compute: run the function (grid/replay.ts), answering its remote calls from the job's
 *    children and the memo, and adding children for the rest; when the run stalls, move the job
 *    to waiting-children (BullMQ queues it again when they are done) and return. Never wait for a
 *    child inside the processor: the slot would be held idle, and a tree deeper than the slots
 *    would never finish.
 * 3. End: the result goes to the memo (first write wins) and the computation is counted; a Ko
 *    panic or error is returned as the outcome, with this job's hop added, and not memoized.
 *    Either way the key's waiters are woken.
 *
 * A worker killed mid-job loses nothing: its lock expires, BullMQ's stalled-job check gives the
 * job to another worker, which starts over at 1 — the job still owns its key — and a job whose
 * result was already written finds it there and is done without computing it again.
 */
import type { Job, Queue } from "bullmq";
import { KoFunction } from "../compile/circuit.js";
import { callKey, isPureCallable } from "../instrument/call-keys.js";
import { fieldsFromData, SerialError, toData, type Data } from "../value/serial.js";
import type { Field, Value } from "../value/value.js";
import type { Bullmq } from "../grid/connection.js";
import { isKoRaised, recordFailure } from "../grid/failure-records.js";
import type { GridMemo, MemoEntry } from "../grid/memo.js";
import { childJobId, JOB_OPTIONS, type CallOutcome, type CallRequest } from "../grid/protocol.js";
import { ReplayLayer } from "../grid/replay.js";
import type { WorkerProgram, WorkerPrograms } from "./programs.js";

/** A waiter looks again after this long even if nobody woke it (a wake-up lost with a dead owner). */
const WAKE_FALLBACK_MS = 5_000;

export interface ProcessorOptions {
  readonly bullmq: Bullmq;
  readonly queue: Queue<CallRequest, CallOutcome>;
  readonly memo: GridMemo;
  readonly programs: WorkerPrograms;
  /** The worker's name, for the memo's entries and failure chains. */
  readonly worker: string;
  /** Told when a job starts and ends, and whether it computed its call. */
  readonly started: () => void;
  readonly ended: (computed: boolean) => void;
}

/** A job of the grid's queue, with the data it carries while it waits for another job. */
type CallJob = Job<CallRequest & { readonly waitedFor?: string }, CallOutcome>;

export class CallProcessor {
  constructor(private readonly opts: ProcessorOptions) {}

  readonly process = async (job: CallJob, token?: string): Promise<CallOutcome> => {
    if (token === undefined) throw new Error("BullMQ gave the job no lock token");
    this.opts.started();
    let computed = false;
    try {
      const outcome = await this.claimAndCompute(job, token);
      computed = "failure" in outcome || ("computed" in outcome && outcome.computed);
      return strip(outcome);
    } finally {
      this.opts.ended(computed);
    }
  };

  private async claimAndCompute(job: CallJob, token: string): Promise<Outcome> {
    const { memo } = this.opts;
    const req = job.data;
    const id = job.id!;
    if (req.waitedFor !== undefined) {
      // Woken: the job this one waited for may have failed; its failure is this one's too.
      const failure = await memo.failureOf(req.waitedFor);
      if (failure) return { key: req.key, failure };
    }
    const claim = await memo.claim(req.key, id);
    switch (claim.state) {
      case "done":
        return this.finish(req.key, id);
      case "mine":
        return this.compute(job, token);
      case "owned":
        return this.waitFor(job, token, claim.owner);
    }
  }

  /** The result is in the memo: let go of the key and wake whoever waits for it. */
  private async finish(key: string, id: string): Promise<Outcome> {
    await this.wake(await this.opts.memo.settle(key, id));
    return { key, done: true, computed: false };
  }

  private async waitFor(job: CallJob, token: string, owner: string): Promise<Outcome> {
    const { memo, queue } = this.opts;
    const req = job.data;
    const id = job.id!;
    const state = await queue.getJobState(owner);
    if (state === "completed" || state === "failed" || state === "unknown") {
      // The owner ended without letting go of the key (it was removed, or failed in Ko's code).
      const failure = await memo.failureOf(owner);
      if (failure) return { key: req.key, failure };
      if (await memo.has(req.key)) return this.finish(req.key, id);
      if (await memo.takeOver(req.key, owner, id)) return this.compute(job, token);
      return this.claimAndCompute(job, token);
    }
    await job.updateData({ ...req, waitedFor: owner });
    await memo.addWaiter(req.key, id);
    await job.moveToDelayed(Date.now() + WAKE_FALLBACK_MS, token);
    // The owner may have ended between the claim and now, and found this job not yet delayed.
    if ((await memo.has(req.key)) || (await memo.ownerOf(req.key)) !== owner) await this.wake([id]);
    throw new this.opts.bullmq.DelayedError();
  }

  private async compute(job: CallJob, token: string): Promise<Outcome> {
    const { memo, programs } = this.opts;
    const req = job.data;
    const id = job.id!;
    const program = await programs.get(req.program);
    const fn = program.lookup(req.fn);
    if (!(fn instanceof KoFunction)) throw new Error(`program ${req.program.slice(0, 12)} has no function ${req.call}`);
    // A worker computes pure calls only, whatever a request asks: nothing else may run here.
    if (!isPureCallable(fn))
      throw new this.opts.bullmq.UnrecoverableError(`${fn.displayName} has effects: a worker computes pure calls only`);
    const fields = fieldsFromData(req.args, program.lookup);
    if (callKey(fn, fields, { pure: true }) !== req.key) {
      throw new Error(`this worker computes another key for ${req.call} than its client did: their ko versions differ`);
    }
    for (;;) {
      const answers = new Map<string, CallOutcome>();
      for (const o of Object.values(await job.getChildrenValues<CallOutcome>())) answers.set(o.key, o);
      const known = await memo.getMany([...answers.values()].filter((o) => "done" in o).map((o) => o.key));
      const ended = await this.run(job, program, fn, fields, answers, known);
      if (ended.kind === "stalled") {
        // Every child is in the queue: wait for them without holding the slot.
        if (await job.moveToWaitingChildren(token)) throw new this.opts.bullmq.WaitingChildrenError();
        continue; // they all finished meanwhile: run again with their answers
      }
      if (ended.kind === "failed") {
        const hop = { call: req.call, job: id, worker: this.opts.worker };
        const failure = recordFailure(ended.error, hop, fn.span, (c) => program.lookup(c.identity) === c);
        await this.wake(await memo.fail(req.key, id, failure));
        return { key: req.key, failure };
      }
      let value: Data;
      try {
        value = toData(ended.value, (c) => program.lookup(c.identity) === c);
      } catch (e) {
        if (!(e instanceof SerialError)) throw e;
        await this.wake(await memo.settle(req.key, id));
        return { key: req.key, local: `its result cannot be sent: ${e.message}` };
      }
      const entry: MemoEntry = { value, fn: fn.displayName, worker: this.opts.worker, job: id, ms: Math.round(ended.ms * 1000) / 1000 };
      await this.wake(await memo.complete(req.key, id, entry));
      return { key: req.key, done: true, computed: true };
    }
  }

  /** One run of the job's function, to its end or until it stalls waiting for children. */
  private async run(
    job: CallJob,
    program: WorkerProgram,
    fn: KoFunction,
    fields: readonly Field[],
    answers: ReadonlyMap<string, CallOutcome>,
    known: ReadonlyMap<string, MemoEntry>,
  ): Promise<RunEnd> {
    const layer = new ReplayLayer({
      memo: this.opts.memo,
      request: job.data,
      answers,
      known,
      lookup: program.lookup,
      addChild: (child) => this.addChild(job, child),
    });
    const controller = new AbortController();
    const t0 = performance.now();
    const call = program.session.call(program.program, fn, fields, { signal: controller.signal, check: false, layers: [layer] });
    const settled = call.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const stalled = await Promise.race([settled.then(() => false), layer.stalled.then(() => true)]);
    if (stalled) {
      layer.suspend();
      controller.abort();
    } else {
      layer.end();
    }
    const end = await settled;
    layer.throwIfBroken();
    if ("value" in end) return { kind: "value", value: end.value, ms: performance.now() - t0 };
    // A Ko failure is the outcome even when the run stalled: the body failed and only waited for
    // its other branches, which the suspension stopped (D6).
    if (isKoRaised(end.error)) return { kind: "failed", error: end.error };
    const error: unknown = end.error;
    if (!stalled) throw error instanceof Error ? error : new Error(String(error));
    await layer.sent();
    layer.throwIfBroken();
    return { kind: "stalled" };
  }

  private async addChild(parent: CallJob, child: CallRequest): Promise<void> {
    const fnName = child.call.slice(0, child.call.indexOf("("));
    await this.opts.queue.add(fnName, child, {
      ...JOB_OPTIONS,
      jobId: childJobId(child.key, parent.id!),
      parent: { id: parent.id!, queue: parent.queueQualifiedName },
      failParentOnFailure: true,
    });
  }

  /** Moves waiting jobs back to the queue (a job that is not waiting any more is left alone). */
  private async wake(ids: readonly string[]): Promise<void> {
    const { Job } = this.opts.bullmq;
    await Promise.all(
      ids.map(async (id) => {
        const waiter = await Job.fromId(this.opts.queue, id);
        await waiter?.promote().catch(() => undefined);
      }),
    );
  }
}

/** How a job ended, with whether this processor computed its call (for the worker's counts). */
type Outcome = CallOutcome | { readonly key: string; readonly done: true; readonly computed: boolean };

function strip(o: Outcome): CallOutcome {
  return "computed" in o ? { key: o.key, done: true } : o;
}

type RunEnd =
  | { readonly kind: "value"; readonly value: Value; readonly ms: number }
  | { readonly kind: "failed"; readonly error: Parameters<typeof recordFailure>[0] }
  | { readonly kind: "stalled" };
