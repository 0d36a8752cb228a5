/**
 * Real components for the grid's tests: a Redis server of the test's own (Debian's redis-server,
 * on a free loopback port, without persistence unless the test asks for AOF, its files in a
 * scratch directory) and real `ko worker` processes. Everything started here is stopped by
 * `stopAll` (the tests call it in afterAll), and killed when the test process exits.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { Redis } from "ioredis";
import { KO, REPO } from "./cli.js";
import { tempDir } from "./temp.js";
import { gridAddress, type GridAddress } from "../../src/grid/address.js";
import { GridKeys } from "../../src/grid/keys.js";
import { readWorkers, type WorkerRecord } from "../../src/grid/workers.js";

/** Processes started by this module and not yet ended. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

function track(p: ChildProcess): ChildProcess {
  running.add(p);
  p.once("exit", () => running.delete(p));
  return p;
}

/** A port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until `p`'s output (stdout and stderr) matches `pattern`; rejects if it exits first. */
function waitForOutput(p: ChildProcess, pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) done(() => resolve(text));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`${what} exited (${code}) before it was ready:\n${text}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`${what} was not ready after ${timeoutMs} ms:\n${text}`))), timeoutMs);
    const done = (then: () => void) => {
      clearTimeout(timer);
      p.stdout?.off("data", onData);
      p.stderr?.off("data", onData);
      p.off("exit", onExit);
      then();
    };
    p.stdout?.on("data", onData);
    p.stderr?.on("data", onData);
    p.once("exit", onExit);
  });
}

function exited(p: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    p.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly aof: boolean,
  ) {}

  /** Starts a server; with `aof`, every write is appended and synced (appendfsync always). */
  static async start(opts: { readonly aof?: boolean } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), tempDir("ko-redis-"), opts.aof === true);
    await server.launch();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private async launch(): Promise<void> {
    const persistence = this.aof ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--dir", this.dir, "--daemonize", "no", ...persistence];
    const p = track(spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] }));
    this.process = p;
    await waitForOutput(p, /Ready to accept connections/, `redis-server on port ${this.port}`);
  }

  /** Kills the server at once (SIGKILL): nothing is saved but what AOF already wrote. */
  async kill(): Promise<void> {
    const p = this.process;
    if (!p) return;
    p.kill("SIGKILL");
    await exited(p, 5_000);
    this.process = undefined;
  }

  /** Starts the server again on the same port and directory (with AOF, with the same data). */
  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    const p = this.process;
    if (!p) return;
    p.kill("SIGTERM");
    if (!(await exited(p, 5_000))) p.kill("SIGKILL");
    this.process = undefined;
  }
}

export interface WorkerProcess {
  readonly name: string;
  readonly process: ChildProcess;
  /** What it wrote to standard error so far. */
  readonly log: () => string;
}

/** A grid for a test: its Redis, its prefix, its workers, and a connection to look inside. */
export class TestGrid {
  readonly prefix: string;
  readonly address: GridAddress;
  readonly keys: GridKeys;
  readonly redis: Redis;
  private readonly workers = new Map<string, WorkerProcess>();

  constructor(
    readonly server: RedisServer,
    prefix: string,
  ) {
    this.prefix = prefix;
    this.address = gridAddress(server.url, prefix);
    this.keys = new GridKeys(prefix);
    this.redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 50 ? null : 100) });
    this.redis.on("error", () => {});
  }

  /** Starts a `ko worker` and waits until it serves. */
  async startWorker(name: string, opts: { readonly concurrency?: number; readonly lockMs?: number } = {}): Promise<WorkerProcess> {
    const args = [KO, "worker", "--redis", this.server.url, "--prefix", this.prefix, "--name", name];
    if (opts.concurrency !== undefined) args.push("--concurrency", String(opts.concurrency));
    if (opts.lockMs !== undefined) args.push("--lock-ms", String(opts.lockMs));
    const p = track(spawn(process.execPath, args, { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] }));
    let log = "";
    p.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    p.stdout!.resume();
    await waitForOutput(p, /serving/, `ko worker ${name}`);
    const worker = { name, process: p, log: () => log };
    this.workers.set(name, worker);
    return worker;
  }

  /** Kills a worker without warning. */
  async killWorker(name: string): Promise<void> {
    const w = this.workers.get(name);
    if (!w) throw new Error(`no worker ${name}`);
    w.process.kill("SIGKILL");
    await exited(w.process, 5_000);
    this.workers.delete(name);
  }

  /** How many times each key was computed. */
  async computations(): Promise<Map<string, number>> {
    const all = await this.redis.hgetall(this.keys.computed);
    return new Map(Object.entries(all).map(([k, n]) => [k, Number(n)]));
  }

  /** The sum of the computation counts. */
  async computed(): Promise<number> {
    return [...(await this.computations()).values()].reduce((a, b) => a + b, 0);
  }

  async workerRecords(): Promise<WorkerRecord[]> {
    return readWorkers(this.redis, this.keys);
  }

  /** The memo's entries' computation times, in milliseconds. */
  async computeTimes(): Promise<number[]> {
    const all = await this.redis.hvals(this.keys.memo);
    return all.map((text) => (JSON.parse(text) as { ms: number }).ms);
  }

  /** The number of jobs active in BullMQ right now. */
  async activeJobs(): Promise<number> {
    return this.redis.llen(`${this.prefix}:calls:active`);
  }

  /**
   * Stops the workers — SIGTERM, then SIGKILL if one takes long; SIGKILL at once with `kill` —
   * and closes the connection.
   */
  async stop(opts: { readonly kill?: boolean } = {}): Promise<void> {
    await Promise.all(
      [...this.workers.values()].map(async (w) => {
        w.process.kill(opts.kill ? "SIGKILL" : "SIGTERM");
        if (!(await exited(w.process, 8_000))) w.process.kill("SIGKILL");
      }),
    );
    this.workers.clear();
    this.redis.disconnect();
  }
}

/** Polls `sample` every `everyMs` until stopped; returns the largest value seen. */
export function watchMax(sample: () => Promise<number>, everyMs = 10): { stop: () => Promise<number> } {
  let max = 0;
  let on = true;
  const loop = (async () => {
    while (on) {
      max = Math.max(max, await sample().catch(() => 0));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return max;
    },
  };
}

/** Waits until `check` holds (polling), or fails after `timeoutMs`. */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A `ko` process the test can kill, with its output. */
export function koProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { process: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const p = track(
    spawn(process.execPath, [KO, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }),
  );
  let stdout = "";
  let stderr = "";
  p.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  p.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    p.once("close", (status) => resolve({ status, stdout, stderr })),
  );
  return { process: p, done };
}
