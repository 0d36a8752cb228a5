/**
 * A job's run on a worker, and its remote calls: the layer on that run's hooks.
 *
 * A Ko body cannot be suspended in the middle and resumed in another process, but a pure call
 * can be run again and will do exactly the same. So a job runs its function; each call it makes
 * of a function that is sent (the request's `remote`) is answered
 *
 * - from the job's children that have finished (their outcomes, and the memo's entries for them,
 *   read before the run): at once, synchronously, so a run again after its children finished
 *   goes as fast as a local one;
 * - from the memo, if the call was computed before by anyone;
 * - or not at all: the call is added as a child job (or, if someone computes it already, the
 *   child will wait for that — worker/processor.ts) and its branch of the run stops there,
 *   while every other branch goes on as far as it can.
 *
 * When nothing moves any more — no call was made through the hooks and no look-up of the memo
 * was pending for two turns of the event loop — the run is `stalled`: the worker cancels it,
 * moves the job to BullMQ's waiting-children state, which frees its slot, and returns. BullMQ
 * queues the job again when its children are done, and the run starts over, now finding their
 * results. No processor ever waits for a child, so a tree deeper than the number of slots
 * completes on one slot. Each run answers every child of the one before it, so the job ends
 * after at most as many runs as its calls depend on each other in a chain.
 *
 * Stopping too early is harmless — the run is simply made again later — so the test for "nothing
 * moves" can be a simple one; never stopping would not be, which is why every branch that waits
 * for a child counts, and the run can only stall once one does.
 */
import { callKey } from "../instrument/call-keys.js";
import type { KoLayerCall, Layer } from "../instrument/layers.js";
import type { KoCall, Next } from "../runtime/hooks.js";
import { KoCancelled, KoError } from "../value/failure.js";
import { fieldsToData, fromData, SerialError, type CallableLookup } from "../value/serial.js";
import type { Value } from "../value/value.js";
import { failureFromRecord } from "./failure-records.js";
import type { GridMemo, MemoEntry } from "./memo.js";
import { callSummary, MAX_CHAIN, type CallOutcome, type CallRequest } from "./protocol.js";

export interface ReplayOptions {
  readonly memo: GridMemo;
  /** The job's own request. */
  readonly request: CallRequest;
  /** How the job's finished children ended, by key. */
  readonly answers: ReadonlyMap<string, CallOutcome>;
  /** The memo's entries of the children that are done, read before the run. */
  readonly known: ReadonlyMap<string, MemoEntry>;
  /** Reads varieties back in the job's program. */
  readonly lookup: CallableLookup;
  /** Adds a request as a child of the job. */
  readonly addChild: (request: CallRequest) => Promise<void>;
}

/** How long the run must have been still, in turns of the event loop, to count as stalled. */
const STILL_TURNS = 2;

export class ReplayLayer implements Layer {
  /** Resolves when the run can go no further without its children's results. */
  readonly stalled: Promise<void>;
  /** The first failure of the grid itself (Redis) met during the run. */
  private broken: Error | undefined;
  private readonly remote: ReadonlySet<string>;
  private readonly chain: ReadonlySet<string>;
  /** Calls of this run answered or being answered, by key: a call made twice is asked once. */
  private readonly asked = new Map<string, Value | Promise<Value>>();
  private readonly added: Promise<void>[] = [];
  private readonly blockers: ((e: unknown) => void)[] = [];
  private activity = 0;
  private lookups = 0;
  private watching: ReturnType<typeof setTimeout> | undefined;
  private over = false;
  private onStalled!: () => void;

  constructor(private readonly opts: ReplayOptions) {
    this.remote = new Set(opts.request.remote);
    this.chain = new Set([...opts.request.chain, opts.request.key]);
    this.stalled = new Promise<void>((resolve) => (this.onStalled = resolve));
  }

  /** How many children this run added. */
  get children(): number {
    return this.added.length;
  }

  readonly koCall: KoLayerCall = (call, next) => {
    this.activity++;
    // The run's entry call is the job itself, computed here.
    if (call.depth === 1 || !this.remote.has(call.fn.identity)) return next();
    const key = callKey(call.fn, call.fields, { pure: true });
    if (key === undefined) return next();
    const asked = this.asked.get(key);
    if (asked !== undefined) return asked;
    const answer = this.answer(call, key, next);
    this.asked.set(key, answer);
    return answer;
  };

  private answer(call: KoCall, key: string, next: Next): Value | Promise<Value> {
    if (this.chain.has(key)) {
      throw new KoError(
        `${callSummary(call.fn, call.fields)} calls itself with the same arguments through the grid: it would wait for itself for ever`,
        "grid/cycle",
      );
    }
    const outcome = this.opts.answers.get(key);
    if (outcome !== undefined) {
      if ("failure" in outcome) throw failureFromRecord(outcome.failure, this.opts.lookup);
      if ("local" in outcome) return next();
      const entry = this.opts.known.get(key);
      if (entry) return this.valueOf(entry);
    }
    this.lookups++;
    return this.opts.memo.get(key).then(
      (entry) => {
        this.lookups--;
        this.activity++;
        return entry ? this.valueOf(entry) : this.request(call, key, next);
      },
      (e: unknown) => {
        this.lookups--;
        this.broken ??= asError(e);
        throw e;
      },
    );
  }

  private valueOf(entry: MemoEntry): Value {
    return fromData(entry.value, this.opts.lookup);
  }

  /** Adds the call as a child job; its branch of the run waits until the run is stopped. */
  private request(call: KoCall, key: string, next: Next): Value | Promise<Value> {
    const own = this.opts.request;
    if (own.chain.length >= MAX_CHAIN) {
      throw new KoError(
        `remote calls nested more than ${MAX_CHAIN} deep (a runaway recursion?) at ${callSummary(call.fn, call.fields)}`,
        "grid/depth",
      );
    }
    let args;
    try {
      args = fieldsToData(call.fields, (c) => this.opts.lookup(c.identity) === c);
    } catch (e) {
      // Arguments that cannot travel: the call is made here.
      if (e instanceof SerialError) return next();
      throw e;
    }
    const child: CallRequest = {
      program: own.program,
      fn: call.fn.identity,
      args,
      key,
      call: callSummary(call.fn, call.fields),
      remote: own.remote,
      chain: [...own.chain, own.key],
    };
    this.added.push(
      this.opts.addChild(child).catch((e: unknown) => {
        this.broken ??= asError(e);
      }),
    );
    this.watch();
    return new Promise<Value>((_resolve, reject) => this.blockers.push(reject));
  }

  /** Looks, once per turn of the event loop, whether the run still moves. */
  private watch(): void {
    if (this.watching !== undefined || this.over) return;
    let seen = -1;
    let still = 0;
    const look = () => {
      this.watching = undefined;
      if (this.over) return;
      if (this.lookups > 0 || this.activity !== seen) {
        seen = this.activity;
        still = 0;
      } else if (++still >= STILL_TURNS) {
        this.onStalled();
        return;
      }
      this.watching = setTimeout(look, 1);
    };
    this.watching = setTimeout(look, 1);
  }

  /** Stops the run's waiting branches (they fail with a cancellation, which unwinds the run). */
  suspend(): void {
    this.end();
    const stop = new KoCancelled("waiting for the results of its remote calls");
    for (const reject of this.blockers.splice(0)) reject(stop);
  }

  /** The run is over: nothing to watch any more. */
  end(): void {
    this.over = true;
    if (this.watching !== undefined) clearTimeout(this.watching);
    this.watching = undefined;
  }

  /** Throws the first failure of the grid itself (Redis) met during the run: the job must be tried again. */
  throwIfBroken(): void {
    if (this.broken) throw this.broken;
  }

  /** Waits until every child the run added is in the queue. */
  async sent(): Promise<void> {
    await Promise.all(this.added);
  }
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
