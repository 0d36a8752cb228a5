/**
 * One process per state file. Two clusters appending to one file would interleave their writes
 * and each would serve a state without the other's, so a cluster that opens FILE holds
 * FILE.lock. The lock says who holds it — the process, what it is, its URL and its kubeconfig —
 * so that a second process can name it, or (`ko run --cluster-state`) connect to it instead.
 *
 * The lock file is made complete under another name and then linked into place, which fails if
 * a lock is there already: no one ever reads a lock half written. A lock whose process is gone
 * (killed before it could remove the lock) is stale and is taken over.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { ClusterSetupError } from "./setup-error.js";

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** What holds it: "ko cluster serve", "ko run". */
  readonly holder: string;
  readonly since: string;
  /** Set once the cluster listens. */
  readonly url?: string;
  readonly kubeconfig?: string;
}

export class StateLockedError extends ClusterSetupError {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
  ) {
    super(`cluster state ${file} is in use by ${describeHolder(holder)}; one process at a time keeps a state file`);
  }
}

/** "ko cluster serve (pid 4242, at http://127.0.0.1:40123, kubeconfig /tmp/kc)" */
export function describeHolder(h: LockHolder): string {
  const where = [
    `pid ${h.pid}${h.host === os.hostname() ? "" : ` on ${h.host}`}`,
    ...(h.url ? [`at ${h.url}`] : []),
    ...(h.kubeconfig ? [`kubeconfig ${h.kubeconfig}`] : []),
  ];
  return `${h.holder} (${where.join(", ")})`;
}

export const lockFileOf = (stateFile: string): string => `${stateFile}.lock`;

/** Who holds a state file now: undefined when no one does, or when the lock is stale. */
export function liveHolder(stateFile: string): LockHolder | undefined {
  const found = readLock(lockFileOf(stateFile));
  return found?.holder && isAlive(found.holder) ? found.holder : undefined;
}

/**
 * Locks still held when the process exits are removed then, so that they do not look taken. The
 * set and its one exit hook are the process's: a lock is held by a process, whatever session took it.
 */
const held = new Set<StateLock>();
process.on("exit", () => {
  for (const l of held) l.release();
});

export class StateLock {
  private constructor(
    readonly stateFile: string,
    private info: LockHolder,
    private text: string,
  ) {}

  /** Takes the lock of `stateFile` for this process; throws StateLockedError naming a live holder. */
  static acquire(stateFile: string, holder: string): StateLock {
    const file = lockFileOf(stateFile);
    const info: LockHolder = { pid: process.pid, host: os.hostname(), holder, since: new Date().toISOString() };
    const text = JSON.stringify(info) + "\n";
    // A few rounds: a stale lock removed here may be replaced by another process's before ours is in.
    for (let round = 0; round < 5; round++) {
      if (create(file, text)) {
        const lock = new StateLock(stateFile, info, text);
        held.add(lock);
        return lock;
      }
      const found = readLock(file);
      if (!found) continue; // released meanwhile
      if (found.holder && isAlive(found.holder)) throw new StateLockedError(stateFile, found.holder);
      removeStale(file, found.text);
    }
    throw new ClusterSetupError(`cannot take the lock ${file}: other processes keep taking it`);
  }

  get holder(): LockHolder {
    return this.info;
  }

  /** Adds what the cluster knows once it listens: its URL and where its kubeconfig is. */
  update(more: { url: string; kubeconfig?: string }): void {
    const file = lockFileOf(this.stateFile);
    this.info = { ...this.info, ...more };
    this.text = JSON.stringify(this.info) + "\n";
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, this.text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }

  /** Removes the lock, if it is still this one's. */
  release(): void {
    if (!held.delete(this)) return;
    const file = lockFileOf(this.stateFile);
    try {
      if (fs.readFileSync(file, "utf8") === this.text) fs.unlinkSync(file);
    } catch {
      /* gone already */
    }
  }
}

/** Creates the lock file with `text` if there is none; false if there is one. */
function create(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    // A file system without hard links: an exclusive create, written at once.
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS") throw e;
    try {
      fs.writeFileSync(file, text, { flag: "wx", mode: 0o600 });
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw e2;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** The lock's text and holder (none when it does not parse); undefined when there is no lock. */
function readLock(file: string): { text: string; holder?: LockHolder } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isInteger(h.pid) && typeof h.holder === "string" ? { text, holder: h } : { text };
  } catch {
    return { text };
  }
}

/** Whether the holder's process still runs. One on another host cannot be asked, so it counts as alive. */
function isAlive(h: LockHolder): boolean {
  if (h.host !== os.hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/**
 * Removes a stale lock — only the one that was read: it is moved aside first, and if what was
 * moved is not it (another process took the lock in between), it is put back.
 */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  try {
    if (fs.readFileSync(aside, "utf8") !== staleText) fs.linkSync(aside, file);
  } catch {
    /* a lock is in place again: the next round reads it */
  } finally {
    fs.rmSync(aside, { force: true });
  }
}
