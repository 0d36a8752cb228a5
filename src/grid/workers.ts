/**
 * The grid's register of workers, for `ko grid status`: each worker keeps a record of itself in
 * Redis (its name, concurrency, how many jobs it runs now and at most, how many calls it
 * computed), written when that changes and at least every HEARTBEAT_MS. A worker killed without
 * a word stops writing; its record is shown as gone once it is three heartbeats old, and dropped
 * after an hour.
 */
import type { Redis } from "ioredis";
import type { GridKeys } from "./keys.js";

export interface WorkerRecord {
  readonly name: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  /** Jobs running now. */
  readonly busy: number;
  /** The most jobs it ever ran at once. */
  readonly maxBusy: number;
  /** Calls it computed (ran to a result or a Ko failure). */
  readonly computed: number;
  /** When it started and when it last wrote its record (milliseconds since the epoch). */
  readonly started: number;
  readonly seen: number;
}

export const HEARTBEAT_MS = 2_000;
/** A record older than this is a worker that is gone. */
const LIVE_MS = 3 * HEARTBEAT_MS;
/** A record older than this is removed by the next worker that starts. */
const FORGET_MS = 3600_000;

export function isLive(r: WorkerRecord, now = Date.now()): boolean {
  return now - r.seen < LIVE_MS;
}

export async function writeWorker(redis: Redis, keys: GridKeys, r: WorkerRecord): Promise<void> {
  await redis.hset(keys.workers, r.name, JSON.stringify(r));
}

export async function removeWorker(redis: Redis, keys: GridKeys, name: string): Promise<void> {
  await redis.hdel(keys.workers, name);
}

/** Every record, by name; records of workers gone for long are removed on the way. */
export async function readWorkers(redis: Redis, keys: GridKeys, now = Date.now()): Promise<WorkerRecord[]> {
  const all = await redis.hgetall(keys.workers);
  const records = Object.values(all).map((text) => JSON.parse(text) as WorkerRecord);
  const forgotten = records.filter((r) => now - r.seen > FORGET_MS).map((r) => r.name);
  if (forgotten.length > 0) await redis.hdel(keys.workers, ...forgotten);
  return records.filter((r) => now - r.seen <= FORGET_MS).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
