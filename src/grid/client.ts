/**
 * The grid as a client sees it: a `ko run --grid URL` (or a session with `grid`) sends the calls
 * the selection picks (selection.ts) to the workers, and everything else runs here, as usual.
 *
 * A remote call, as the layer on the run's hooks answers it:
 *
 * 1. An identical call already on its way from this client shares its answer.
 * 2. The memo is asked: a call computed before, by anyone, is answered at once.
 * 3. Otherwise the call becomes a job of the queue (protocol.ts) and the layer waits for it
 *    (BullMQ's queue events). Done: the result is read from the memo. A Ko failure: raised here
 *    as it was raised there (failure-records.ts). A result that cannot travel: the call runs here.
 *
 * The local results cache stays the first level: it is stacked outside this layer, and counts a
 * remote call's time as work (OffloadedWork), so that what the grid computed is stored locally too.
 *
 * If Redis stops answering, the connections retry with backoff for `retryMs`; then every call in
 * flight fails with an error that says what was lost and lists them, and the run ends.
 */
import { randomBytes } from "node:crypto";
import type { Job, Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import type { KoFunction } from "../compile/circuit.js";
import { callKey } from "../instrument/call-keys.js";
import type { KoLayerCall, Layer, OffloadedWork, StepSite } from "../instrument/layers.js";
import type { KoCall, Next } from "../runtime/hooks.js";
import { KoCancelled, KoError } from "../value/failure.js";
import { fieldsToData, fromData, SerialError, type CallableLookup, type Data } from "../value/serial.js";
import type { Value } from "../value/value.js";
import type { GridAddress } from "./address.js";
import type { SealedBundle } from "./bundle.js";
import { DEFAULT_RETRY_MS, GridConnections } from "./connection.js";
import { failureFromRecord } from "./failure-records.js";
import { GridKeys, QUEUE } from "./keys.js";
import { GridMemo, type MemoEntry } from "./memo.js";
import { callSummary, clientJobId, JOB_OPTIONS, type CallOutcome, type CallRequest } from "./protocol.js";
import type { RemoteSelection } from "./selection.js";

/** How long a program's sources are kept in the grid after the last run that sent them. */
const PROGRAM_TTL_S = 7 * 24 * 3600;

export interface GridClientOptions {
  readonly address: GridAddress;
  /** How long a lost Redis is retried before the run fails (default 30 s). */
  readonly retryMs?: number;
}

/** The connections of a client to one grid: opened once per session, shared by its programs. */
export class GridClient {
  /** Distinguishes this client's job ids from any other's. */
  readonly tag = randomBytes(4).toString("hex");
  private jobs = 0;
  private lostWhy: string | undefined;
  private readonly lostListeners = new Set<(why: string) => void>();
  private readonly published = new Map<string, Promise<void>>();

  private constructor(
    private readonly conns: GridConnections,
    readonly queue: Queue<CallRequest, CallOutcome>,
    private readonly events: QueueEvents,
    private readonly redis: Redis,
    readonly memo: GridMemo,
  ) {}

  /** Connects (a UsageError if the grid cannot be reached) and starts listening to the queue. */
  static async open(opts: GridClientOptions): Promise<GridClient> {
    const holder: { client?: GridClient } = {};
    const conns = await GridConnections.open(opts.address, {
      name: "ko-client",
      retryMs: opts.retryMs ?? DEFAULT_RETRY_MS,
      onLost: (why) => holder.client?.lose(why),
    });
    try {
      const { Queue, QueueEvents } = conns.bullmq;
      const prefix = opts.address.prefix;
      const queue = new Queue<CallRequest, CallOutcome>(QUEUE, { connection: conns.connect("queue"), prefix });
      const events = new QueueEvents(QUEUE, { connection: conns.connect("events"), prefix });
      // Failures of the queue's own connections are reported through the calls they fail.
      queue.on("error", () => {});
      events.on("error", () => {});
      // Each call waiting for its job listens to both (BullMQ's waitUntilFinished): a run may
      // wait for any number of calls at once.
      queue.setMaxListeners(0);
      events.setMaxListeners(0);
      await events.waitUntilReady();
      const redis = conns.connect("memo");
      const memo = new GridMemo(redis, new GridKeys(prefix));
      return (holder.client = new GridClient(conns, queue, events, redis, memo));
    } catch (e) {
      conns.close();
      throw e;
    }
  }

  get address(): GridAddress {
    return this.conns.address;
  }

  /** A fresh id for a request of this client. */
  nextJobId(key: string): string {
    return clientJobId(key, this.tag, ++this.jobs);
  }

  /** Stores a program's sources for the workers, once per client. */
  publish(bundle: SealedBundle): Promise<void> {
    let p = this.published.get(bundle.hash);
    if (!p) {
      p = this.redis.set(this.memo.keys.program(bundle.hash), bundle.text, "EX", PROGRAM_TTL_S).then(() => undefined);
      this.published.set(bundle.hash, p);
    }
    return p;
  }

  /** What earlier runs measured of functions' calls (selection.ts), by code hash. */
  async knownCosts(): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.memo.keys.cost);
    return new Map(Object.entries(all).map(([h, ms]) => [h, Number(ms)]));
  }

  /** Keeps what this run measured, for later runs. */
  async storeCosts(costs: ReadonlyMap<string, number>): Promise<void> {
    if (costs.size === 0 || this.lostWhy !== undefined) return;
    await this.redis.hset(this.memo.keys.cost, Object.fromEntries([...costs].map(([h, ms]) => [h, ms.toFixed(3)])));
  }

  /** Waits for a job of this client to finish; rejects when the grid is lost. */
  finished(job: Job<CallRequest, CallOutcome>): Promise<CallOutcome> {
    return this.orLost(job.waitUntilFinished(this.events));
  }

  /** `p`, or a rejection with the reason once the grid is lost. */
  orLost<T>(p: Promise<T>): Promise<T> {
    if (this.lostWhy !== undefined) return Promise.reject(new GridLost(this.lostWhy));
    return new Promise<T>((resolve, reject) => {
      const onLost = (why: string) => reject(new GridLost(why));
      this.lostListeners.add(onLost);
      p.then(resolve, reject).finally(() => this.lostListeners.delete(onLost));
    });
  }

  private lose(why: string): void {
    this.lostWhy = why;
    for (const l of [...this.lostListeners]) l(why);
  }

  /** Closes the connections; never waits long for a Redis that is gone. */
  async close(): Promise<void> {
    const closing = Promise.allSettled([this.queue.close(), this.events.close()]);
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
    this.conns.close();
  }
}

/**
 * Stops callers waiting when their signals abort. One listener per signal, however many calls of
 * one body wait (a signal warns past ten listeners).
 */
class Cancellations {
  private readonly waiting = new WeakMap<AbortSignal, Set<() => void>>();

  /** `p`, or a cancellation once `signal` aborts. */
  abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(new KoCancelled("cancelled while waiting for the grid"));
    let set = this.waiting.get(signal);
    if (!set) {
      const callbacks = (set = new Set());
      this.waiting.set(signal, callbacks);
      signal.addEventListener("abort", () => callbacks.forEach((cancel) => cancel()), { once: true });
    }
    const waiting = set;
    return new Promise<T>((resolve, reject) => {
      const cancel = () => reject(new KoCancelled("cancelled while waiting for the grid"));
      waiting.add(cancel);
      p.then(resolve, reject).finally(() => waiting.delete(cancel));
    });
  }
}

/** The grid stopped answering: every call in flight fails with this, and the run with it. */
class GridLost extends Error {}

export interface GridLayerOptions {
  readonly client: GridClient;
  readonly bundle: SealedBundle;
  readonly selection: RemoteSelection;
  /** Reads varieties back in this program (instrument/callables.ts). */
  readonly lookup: CallableLookup;
  readonly offloaded?: OffloadedWork;
}

/** A call sent and not answered yet. */
class InFlight {
  /** The id of its job, once it has one. */
  job: string | undefined;
  readonly answer: Promise<Value>;

  constructor(
    readonly call: string,
    ask: (flight: InFlight) => Promise<Value>,
  ) {
    this.answer = ask(this);
  }
}

/** The layer of one program's runs on a grid client. */
export class GridLayer implements Layer {
  private readonly client: GridClient;
  private readonly flying = new Map<string, InFlight>();
  private readonly cancellations = new Cancellations();

  constructor(private readonly opts: GridLayerOptions) {
    this.client = opts.client;
  }

  readonly koCall: KoLayerCall = (call, next, site) => {
    const { selection } = this.opts;
    if (selection.wants(call.fn)) {
      const key = callKey(call.fn, call.fields, { pure: true });
      if (key !== undefined) return this.remote(call, key, next, site);
    } else if (selection.measures(call.fn)) {
      return this.measure(call.fn, next);
    }
    return next();
  };

  /** A local call of a function that may be worth sending, timed for the selection. */
  private measure(fn: KoFunction, next: Next): Value | Promise<Value> {
    const t0 = performance.now();
    const result = next();
    if (!(result instanceof Promise)) {
      this.opts.selection.measured(fn, performance.now() - t0);
      return result;
    }
    return result.then((v) => {
      this.opts.selection.measured(fn, performance.now() - t0);
      return v;
    });
  }

  /**
   * A remote call; the caller stops waiting when its body fails or the run is cancelled (D6),
   * though the job goes on, and its result lands in the memo for the next run.
   */
  private remote(call: KoCall, key: string, next: Next, site: StepSite | undefined): Promise<Value> {
    return this.cancellations.abortable((this.flying.get(key) ?? this.send(call, key, next, site)).answer, call.signal);
  }

  private send(call: KoCall, key: string, next: Next, site: StepSite | undefined): InFlight {
    const flight = new InFlight(callSummary(call.fn, call.fields), (f) =>
      this.ask(call, key, next, site, f).catch((e: unknown) => {
        throw e instanceof GridLost ? this.lostError(e.message) : e;
      }),
    );
    this.flying.set(key, flight);
    void flight.answer.then(
      () => this.flying.delete(key),
      () => this.flying.delete(key),
    );
    return flight;
  }

  private async ask(call: KoCall, key: string, next: Next, site: StepSite | undefined, flight: InFlight): Promise<Value> {
    const t0 = performance.now();
    const { client, lookup } = this.opts;
    await client.orLost(client.publish(this.opts.bundle));
    const known = await client.orLost(client.memo.get(key));
    if (known) {
      if (site) {
        site.answeredBy = "grid";
        site.worker = known.worker;
      }
      return this.valueOf(known, call);
    }
    let args: Data[];
    try {
      args = fieldsToData(call.fields, (c) => lookup(c.identity) === c);
    } catch (e) {
      if (e instanceof SerialError) return next();
      throw e;
    }
    const request: CallRequest = {
      program: this.opts.bundle.hash,
      fn: call.fn.identity,
      args,
      key,
      call: flight.call,
      remote: this.opts.selection.identities(),
      chain: [],
    };
    const jobId = client.nextJobId(key);
    flight.job = jobId;
    const job = await client.orLost(client.queue.add(call.fn.displayName, request, { ...JOB_OPTIONS, jobId }));
    let outcome: CallOutcome;
    try {
      outcome = await client.finished(job);
    } catch (e) {
      if (e instanceof GridLost) throw e;
      throw new KoError(
        `the grid could not compute ${flight.call}: job ${jobId} failed: ${e instanceof Error ? e.message : String(e)}`,
        "grid/failed",
      );
    }
    if ("failure" in outcome) throw failureFromRecord(outcome.failure, lookup);
    if ("local" in outcome) return next();
    const entry = await client.orLost(client.memo.get(key));
    if (!entry)
      throw new KoError(`the grid computed ${flight.call} (job ${jobId}) but its result is gone from the memo`, "grid/lost-result");
    if (site) site.worker = entry.worker;
    if (this.opts.offloaded) this.opts.offloaded.ms += performance.now() - t0;
    return this.valueOf(entry, call);
  }

  private valueOf(entry: MemoEntry, call: KoCall): Value {
    try {
      return fromData(entry.value, this.opts.lookup);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new KoError(`the grid's result of ${callSummary(call.fn, call.fields)} cannot be read in this program: ${why}`, "grid/result");
    }
  }

  private lostError(why: string): KoError {
    const flying = [...this.flying.values()].map((f) => (f.job ? `${f.call} (job ${f.job})` : f.call));
    const list = flying.length > 0 ? `; in flight: ${flying.join(", ")}` : "";
    return new KoError(`lost the grid: ${why}${list}`, "grid/lost");
  }

  /** Keeps what the run measured (`--remote auto`) for later runs. */
  async close(): Promise<void> {
    await this.opts.client.storeCosts(this.opts.selection.learnt()).catch(() => undefined);
  }
}
