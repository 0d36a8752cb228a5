/**
 * The grid's memo: the results of calls, by call key, in Redis, and who is computing what.
 *
 * A result is written once — the first write wins (HSETNX) — and never changed, so that every
 * caller of a key, in whatever run, gets the same value. Every computation that ran to the end
 * is counted under its key, winning the write or not: a count above 1 means a key was computed
 * twice, which the grid exists to prevent, and the tests hold it to 1.
 *
 * Each key has at most one owner: the job computing it. A job that needs a key someone owns
 * waits, registered as a waiter of the key, and is woken when the owner finishes. The steps that
 * decide are Lua scripts, each atomic in Redis, so two jobs can never both become owners of a
 * key, nor a waiter slip in between an owner's last look and its end unseen:
 *
 *     claim     the memo has it: done | nobody owns it: now this job does | who owns it
 *     complete  write the result (if first), count the computation, drop the ownership, and
 *               hand back the waiters to wake
 *     fail      keep the Ko failure an hour for the waiters, drop the ownership, hand back the waiters
 *
 * Panics and errors are not memoized: the failure record is keyed by the job that failed, not by
 * the call, and a later request of the same call computes it again.
 */
import type { Redis } from "ioredis";
import type { Data } from "../value/serial.js";
import type { FailureRecord } from "./failure-records.js";
import type { GridKeys } from "./keys.js";

/** What the memo holds for a key. */
export interface MemoEntry {
  /** The result, in the faithful serialisation of value/serial.ts. */
  readonly value: Data;
  /** The function's printed name, for people reading the memo. */
  readonly fn: string;
  /** The worker and the job that computed it. */
  readonly worker: string;
  readonly job: string;
  /** How long the computation took, in milliseconds (its last run, with the sub-results at hand). */
  readonly ms: number;
}

export type Claim = { readonly state: "done" } | { readonly state: "mine" } | { readonly state: "owned"; readonly owner: string };

/** How long a Ko failure is kept for the jobs that were waiting on the job that failed. */
const FAILURE_TTL_S = 3600;

const CLAIM = `
if redis.call("HEXISTS", KEYS[1], ARGV[1]) == 1 then return {"done"} end
local owner = redis.call("GET", KEYS[2])
if not owner then
  redis.call("SET", KEYS[2], ARGV[2])
  return {"mine"}
end
if owner == ARGV[2] then return {"mine"} end
return {"owned", owner}
`;

/** Takes a key over from an owner that is gone, if nobody did first. */
const TAKE_OVER = `
if redis.call("GET", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("SET", KEYS[1], ARGV[2])
return 1
`;

/** Drops the job's ownership of the key, if it has it, and hands back the waiters. */
const SETTLE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("DEL", KEYS[1]) end
local waiters = redis.call("SMEMBERS", KEYS[2])
redis.call("DEL", KEYS[2])
return waiters
`;

const COMPLETE = `
redis.call("HSETNX", KEYS[1], ARGV[1], ARGV[3])
redis.call("HINCRBY", KEYS[2], ARGV[1], 1)
if redis.call("GET", KEYS[3]) == ARGV[2] then redis.call("DEL", KEYS[3]) end
local waiters = redis.call("SMEMBERS", KEYS[4])
redis.call("DEL", KEYS[4])
return waiters
`;

const FAIL = `
redis.call("SET", KEYS[1], ARGV[2], "EX", ARGV[3])
if redis.call("GET", KEYS[2]) == ARGV[1] then redis.call("DEL", KEYS[2]) end
local waiters = redis.call("SMEMBERS", KEYS[3])
redis.call("DEL", KEYS[3])
return waiters
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

/** A Lua script as a command of the connection (sent once, then run by its hash). */
function script(redis: Redis, name: string, keys: number, lua: string): Script {
  const commands = redis as unknown as Record<string, Script | undefined>;
  if (commands[name] === undefined) redis.defineCommand(name, { numberOfKeys: keys, lua });
  const command = commands[name]!;
  return (...args) => command.apply(redis, args);
}

export class GridMemo {
  private readonly claimScript: Script;
  private readonly takeOverScript: Script;
  private readonly settleScript: Script;
  private readonly completeScript: Script;
  private readonly failScript: Script;

  constructor(
    private readonly redis: Redis,
    readonly keys: GridKeys,
  ) {
    this.claimScript = script(redis, "koGridClaim", 2, CLAIM);
    this.takeOverScript = script(redis, "koGridTakeOver", 1, TAKE_OVER);
    this.settleScript = script(redis, "koGridSettle", 2, SETTLE);
    this.completeScript = script(redis, "koGridComplete", 4, COMPLETE);
    this.failScript = script(redis, "koGridFail", 3, FAIL);
  }

  /** The memo's entry for a key, if it has one. */
  async get(key: string): Promise<MemoEntry | undefined> {
    const text = await this.redis.hget(this.keys.memo, key);
    return text === null ? undefined : readEntry(text);
  }

  /** The entries of several keys at once (one round trip), by key; keys without one are left out. */
  async getMany(keys: readonly string[]): Promise<Map<string, MemoEntry>> {
    const out = new Map<string, MemoEntry>();
    if (keys.length === 0) return out;
    const texts = await this.redis.hmget(this.keys.memo, ...keys);
    texts.forEach((text, i) => {
      if (text !== null) out.set(keys[i]!, readEntry(text));
    });
    return out;
  }

  async has(key: string): Promise<boolean> {
    return (await this.redis.hexists(this.keys.memo, key)) === 1;
  }

  async claim(key: string, job: string): Promise<Claim> {
    const [state, owner] = (await this.claimScript(this.keys.memo, this.keys.owner(key), key, job)) as [string, string?];
    if (state === "owned") return { state, owner: owner! };
    return { state: state === "done" ? "done" : "mine" };
  }

  async ownerOf(key: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.owner(key))) ?? undefined;
  }

  /** Makes `job` the owner of `key` in place of `gone`; false if someone else did first. */
  async takeOver(key: string, gone: string, job: string): Promise<boolean> {
    return (await this.takeOverScript(this.keys.owner(key), gone, job)) === 1;
  }

  /** Registers a job waiting for the owner of `key`. */
  async addWaiter(key: string, job: string): Promise<void> {
    await this.redis.sadd(this.keys.waiters(key), job);
  }

  /** Drops the job's ownership of `key` (if any); returns the waiters to wake. */
  async settle(key: string, job: string): Promise<string[]> {
    return (await this.settleScript(this.keys.owner(key), this.keys.waiters(key), job)) as string[];
  }

  /** Stores the result computed by `job` (unless one is there) and counts the computation; returns the waiters. */
  async complete(key: string, job: string, entry: MemoEntry): Promise<string[]> {
    const k = this.keys;
    return (await this.completeScript(k.memo, k.computed, k.owner(key), k.waiters(key), key, job, JSON.stringify(entry))) as string[];
  }

  /** Keeps the Ko failure of `job` for its waiters; returns them. */
  async fail(key: string, job: string, failure: FailureRecord): Promise<string[]> {
    const k = this.keys;
    return (await this.failScript(k.failure(job), k.owner(key), k.waiters(key), job, JSON.stringify(failure), FAILURE_TTL_S)) as string[];
  }

  /** The Ko failure of a job that computed a key and failed, if it is still kept. */
  async failureOf(job: string): Promise<FailureRecord | undefined> {
    const text = await this.redis.get(this.keys.failure(job));
    return text === null ? undefined : (JSON.parse(text) as FailureRecord);
  }

  /** How many times each key was computed. */
  async computations(): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.keys.computed);
    return new Map(Object.entries(all).map(([k, n]) => [k, Number(n)]));
  }

  /** The number of results held. */
  async size(): Promise<number> {
    return this.redis.hlen(this.keys.memo);
  }
}

function readEntry(text: string): MemoEntry {
  return JSON.parse(text) as MemoEntry;
}
