/**
 * The programs a worker has been sent, compiled once each: a job names its program by the hash of
 * its sources, which the worker reads from the grid (grid/bundle.ts) the first time and compiles
 * with a session of its own. The few programs used last are kept.
 */
import type { Redis } from "ioredis";
import { createSession, type Session } from "../api/session.js";
import { KoCompileError, stdlibDir, type KoProgram } from "../api/program.js";
import { renderFailure } from "../api/failures.js";
import { programCallables } from "../instrument/callables.js";
import { DISK } from "../resolve/load.js";
import type { CallableLookup } from "../value/serial.js";
import { bundleTree, openBundle } from "../grid/bundle.js";
import type { GridKeys } from "../grid/keys.js";

export interface WorkerProgram {
  readonly session: Session;
  readonly program: KoProgram;
  readonly lookup: CallableLookup;
}

/** How many compiled programs a worker keeps. */
const KEEP = 16;

export class WorkerPrograms {
  private readonly loaded = new Map<string, Promise<WorkerProgram>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: GridKeys,
    /** The worker's own roots (`--root`), searched after the program's. */
    private readonly roots: readonly string[],
  ) {}

  /** The program of this hash; throws an Error if the grid does not have it or it does not compile here. */
  get(hash: string): Promise<WorkerProgram> {
    let p = this.loaded.get(hash);
    if (p) {
      // The most recently used last, so that the first is the one to drop.
      this.loaded.delete(hash);
      this.loaded.set(hash, p);
      return p;
    }
    p = this.load(hash);
    this.loaded.set(hash, p);
    p.catch(() => this.loaded.delete(hash));
    if (this.loaded.size > KEEP) {
      const [oldest, dropped] = this.loaded.entries().next().value!;
      this.loaded.delete(oldest);
      void dropped.then(
        (w) => w.session.close(),
        () => undefined,
      );
    }
    return p;
  }

  private async load(hash: string): Promise<WorkerProgram> {
    const text = await this.redis.get(this.keys.program(hash));
    if (text === null)
      throw new Error(`the grid has no program ${hash.slice(0, 12)} (its sources expire a week after the last run that sent them)`);
    const bundle = openBundle(text);
    const tree = bundleTree(bundle, DISK, [stdlibDir(), ...this.roots]);
    const session = createSession({ roots: [...bundle.roots, ...this.roots], tree, cache: false });
    try {
      const program = session.compile(bundle.entry);
      return { session, program, lookup: programCallables(program.compiled) };
    } catch (e) {
      await session.close();
      if (e instanceof KoCompileError)
        throw new Error(`program ${hash.slice(0, 12)} does not compile on this worker:\n${renderFailure(e, e.sources)}`);
      throw e;
    }
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.loaded.values());
    this.loaded.clear();
    for (const r of all) if (r.status === "fulfilled") await r.value.session.close();
  }
}
