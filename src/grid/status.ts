/**
 * What `ko grid status` shows of a grid: its queue and the jobs in each state, its workers (from
 * the register, workers.ts), and its memo — how many results, how big, how many computations and
 * whether any key was computed twice. `ko grid clear` forgets the memo, the counts, the programs
 * and the queue's jobs.
 */
import type { GridAddress } from "./address.js";
import { GridConnections } from "./connection.js";
import { GridKeys, QUEUE } from "./keys.js";
import { GridMemo } from "./memo.js";
import { isLive, readWorkers, type WorkerRecord } from "./workers.js";

export const JOB_STATES = ["active", "waiting", "waiting-children", "delayed", "prioritized", "completed", "failed"] as const;

export interface GridStatus {
  readonly grid: string;
  readonly prefix: string;
  readonly queue: { readonly name: string; readonly jobs: Record<(typeof JOB_STATES)[number], number> };
  readonly workers: readonly (WorkerRecord & { readonly live: boolean })[];
  readonly memo: {
    readonly results: number;
    readonly bytes: number;
    /** Computations counted, of how many keys, and how many keys were computed more than once. */
    readonly computations: number;
    readonly keys: number;
    readonly computedTwice: number;
  };
  readonly programs: number;
}

/** A status command's connections: it retries a lost Redis only briefly. */
async function connect(address: GridAddress): Promise<GridConnections> {
  return GridConnections.open(address, { name: "ko-status", retryMs: 2_000 });
}

export async function gridStatus(address: GridAddress): Promise<GridStatus> {
  const conns = await connect(address);
  const keys = new GridKeys(address.prefix);
  const redis = conns.connect("status");
  const queue = new conns.bullmq.Queue(QUEUE, { connection: redis, prefix: address.prefix });
  try {
    queue.on("error", () => {});
    const memo = new GridMemo(redis, keys);
    const [jobs, workers, results, bytes, computations, programs] = await Promise.all([
      queue.getJobCounts(...JOB_STATES),
      readWorkers(redis, keys),
      memo.size(),
      redis.memory("USAGE", keys.memo).then((n) => n ?? 0),
      memo.computations(),
      countKeys(redis, keys.programs),
    ]);
    const counts = [...computations.values()];
    const now = Date.now();
    return {
      grid: address.shown,
      prefix: address.prefix,
      queue: { name: QUEUE, jobs: Object.fromEntries(JOB_STATES.map((s) => [s, jobs[s] ?? 0])) as GridStatus["queue"]["jobs"] },
      workers: workers.map((w) => ({ ...w, live: isLive(w, now) })),
      memo: {
        results,
        bytes,
        computations: counts.reduce((a, b) => a + b, 0),
        keys: counts.length,
        computedTwice: counts.filter((n) => n > 1).length,
      },
      programs,
    };
  } finally {
    await queue.close().catch(() => undefined);
    conns.close();
  }
}

/** Forgets everything the grid holds: its jobs (running ones too), results, counts and programs. */
export async function clearGrid(address: GridAddress): Promise<{ readonly results: number; readonly jobs: number }> {
  const conns = await connect(address);
  const keys = new GridKeys(address.prefix);
  const redis = conns.connect("clear");
  const queue = new conns.bullmq.Queue(QUEUE, { connection: redis, prefix: address.prefix });
  try {
    queue.on("error", () => {});
    const results = await redis.hlen(keys.memo);
    const counts = await queue.getJobCounts(...JOB_STATES);
    await queue.obliterate({ force: true });
    for (const key of await scanKeys(redis, keys.all)) if (!key.endsWith(":workers")) await redis.del(key);
    return { results, jobs: Object.values(counts).reduce((a, b) => a + b, 0) };
  } finally {
    await queue.close().catch(() => undefined);
    conns.close();
  }
}

type Redis = ReturnType<GridConnections["connect"]>;

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    out.push(...found);
    cursor = next;
  } while (cursor !== "0");
  return out;
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  return (await scanKeys(redis, pattern)).length;
}
