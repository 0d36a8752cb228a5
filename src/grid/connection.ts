/**
 * Connections to a grid's Redis, through ioredis, and BullMQ on top of them.
 *
 * Both libraries are loaded when a grid is first used, never by a `ko run` without one
 * (test/cli/startup.test.ts checks what a start loads). BullMQ is given ioredis connections made
 * here rather than connection options: an ES module has no `require` for BullMQ to load ioredis
 * with, and the retry policy below is ours to choose.
 *
 * Before anything else a short-lived connection probes the server, so that a wrong URL or a
 * server that does not answer is reported before a run starts, not as a run that hangs. After
 * that a connection that drops is retried with backoff: for as long as it takes on a worker (a
 * restarted Redis finds its workers again), for `retryMs` on a client, which then gives up and
 * says so (`onLost`), so that a run whose grid is gone ends with a clear error instead of waiting
 * for ever.
 */
import type { Redis, RedisOptions } from "ioredis";
import { UsageError } from "../diag/exit.js";
import type { GridAddress } from "./address.js";

export type Bullmq = typeof import("bullmq");
type RedisClass = typeof Redis;

/** How long a client keeps retrying a lost Redis before it fails the run (KO_GRID_RETRY_MS). */
export const DEFAULT_RETRY_MS = 30_000;
/** How long the first connection may take to answer before the grid counts as unreachable. */
const PROBE_TIMEOUT_MS = 3_000;
/** Longest wait between two attempts to reconnect. */
const MAX_BACKOFF_MS = 1_000;
/**
 * How long a closed connection's socket may take to close before it is destroyed: ioredis waits
 * 2 s by default, which a socket that never connected spends in full, holding the process.
 */
const DISCONNECT_MS = 100;
/** BullMQ needs Redis 5 at least (its streams and scripts). */
const MIN_REDIS_MAJOR = 5;

export interface ConnectOptions {
  /** How long a dropped connection is retried before it is given up; undefined: for ever. */
  readonly retryMs?: number;
  /** Told once, when a connection is given up, why. */
  readonly onLost?: (why: string) => void;
  /** The name the connections show in Redis's CLIENT LIST. */
  readonly name: string;
}

/** ioredis and BullMQ, loaded on first use. */
export async function loadDrivers(): Promise<{ readonly Redis: RedisClass; readonly bullmq: Bullmq }> {
  const [ioredis, bullmqModule] = await Promise.all([import("ioredis"), import("bullmq")]);
  // Both are CommonJS: bundled, their exports may come as the module's default export only.
  const Redis = commonJs(ioredis).Redis;
  const bullmq = commonJs(bullmqModule);
  if (typeof Redis !== "function" || typeof bullmq.Queue !== "function")
    throw new Error("cannot load BullMQ and its Redis client (ioredis)");
  return { Redis, bullmq };
}

/** The exports of a CommonJS module loaded with `import()`, bundled or not. */
function commonJs<T extends object>(mod: T): T {
  const fallback = (mod as { readonly default?: T }).default;
  return Object.keys(mod).length > 1 || fallback === undefined ? mod : fallback;
}

/** The connections of one grid client or worker: made here, closed together. */
export class GridConnections {
  private readonly clients: Redis[] = [];
  private given = false;
  private readonly dropped = new Set<() => void>();

  private constructor(
    readonly address: GridAddress,
    readonly bullmq: Bullmq,
    private readonly RedisCtor: RedisClass,
    private readonly opts: ConnectOptions,
  ) {}

  /** Loads the drivers and probes the server; throws a UsageError if it cannot be reached. */
  static async open(address: GridAddress, opts: ConnectOptions): Promise<GridConnections> {
    const { Redis, bullmq } = await loadDrivers();
    await probe(Redis, address);
    return new GridConnections(address, bullmq, Redis, opts);
  }

  /** True once a connection was given up (on a client). */
  get lost(): boolean {
    return this.given;
  }

  /**
   * A new connection. BullMQ's workers and queue events block on theirs, so each of them gets
   * one of its own; every command waits through a reconnection rather than failing at once.
   */
  connect(role: string): Redis {
    const down: { since: number | undefined; why: string } = { since: undefined, why: "" };
    const options: RedisOptions = {
      connectionName: `${this.opts.name}:${role}`,
      disconnectTimeout: DISCONNECT_MS,
      maxRetriesPerRequest: null,
      enableAutoPipelining: true,
      retryStrategy: (times) => {
        const now = Date.now();
        down.since ??= now;
        if (this.opts.retryMs !== undefined && now - down.since >= this.opts.retryMs) {
          this.giveUp(
            `Redis at ${this.address.shown} did not answer for ${Math.round((now - down.since) / 1000)} s (${down.why || "connection closed"})`,
          );
          return null;
        }
        return Math.min(50 * 2 ** Math.min(times, 10), MAX_BACKOFF_MS);
      },
    };
    const client = new this.RedisCtor(this.address.url, options);
    // Errors are reported through the commands that fail and through `onLost`; without a
    // listener ioredis would print each one.
    client.on("error", (e: Error) => {
      down.why = e.message;
    });
    client.on("ready", () => {
      down.since = undefined;
    });
    // "reconnecting" comes only after a connection was lost, never after it was closed here.
    client.on("reconnecting", () => {
      for (const listener of this.dropped) listener();
    });
    this.clients.push(client);
    return client;
  }

  private giveUp(why: string): void {
    if (this.given) return;
    this.given = true;
    this.opts.onLost?.(why);
  }

  /** Resolves when one of the connections is lost (and being retried); never if none is. */
  whenDropped(): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        this.dropped.delete(listener);
        resolve();
      };
      this.dropped.add(listener);
    });
  }

  /** Closes every connection at once (queued commands fail; nothing is waited for). */
  close(): void {
    this.dropped.clear();
    for (const c of this.clients.splice(0)) c.disconnect();
  }
}

/** Connects once, without retrying, and checks the server is a Redis BullMQ can use. */
async function probe(Redis: RedisClass, address: GridAddress): Promise<void> {
  const client = new Redis(address.url, {
    lazyConnect: true,
    disconnectTimeout: DISCONNECT_MS,
    connectTimeout: PROBE_TIMEOUT_MS,
    commandTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let last: Error | undefined;
  client.on("error", (e: Error) => {
    last = e;
  });
  try {
    await client.connect();
    const info = await client.info("server");
    const version = /redis_version:(\d+)\.(\d+)/.exec(info);
    if (version && Number(version[1]) < MIN_REDIS_MAJOR) {
      throw new UsageError(
        `the Redis at ${address.shown} is version ${version[1]}.${version[2]}; the grid needs ${MIN_REDIS_MAJOR} or later`,
      );
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const why = (last ?? (e instanceof Error ? e : new Error(String(e)))).message;
    throw new UsageError(`cannot reach the grid's Redis at ${address.shown}: ${why}`);
  } finally {
    client.disconnect();
  }
}
