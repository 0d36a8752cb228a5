/**
 * Commands run in a process group of their own, so that stopping one stops everything it started.
 *
 * A command is often a shell that runs other programs (`sh -c 'sleep 20'` has a child): killing
 * the shell alone would leave its children running, holding the output pipes open, and the run
 * would wait for them. So `build.Exec` spawns each command detached — the leader of a new group
 * (and session) — and a cancelled command is signalled as a group: SIGTERM to every process of
 * the group, then, for whatever is still there after a short grace, SIGKILL. The command settles
 * only once its group is gone, so nothing a cancelled call started outlives it (D6).
 *
 * Being the leader of its own group also takes the command out of the terminal's: Ctrl-C reaches
 * `ko` alone, which decides what it means (cancel the run, and so the commands). Should `ko` exit
 * while commands still run — a second Ctrl-C exits at once — their groups are killed on the way
 * out. The signals that end `ko` outright, SIGTERM and SIGHUP (the terminal closed), reached the
 * commands with it when they shared its group; they are passed on to the commands' groups, so
 * that it stays so. (A `ko` killed with SIGKILL can do neither; its commands are left running.)
 */
import * as fs from "node:fs";
import { once } from "../syntax/once.js";
import { nodeChildProcess } from "./node-builtins.js";

/** How long a cancelled command's group has to end after SIGTERM before it gets SIGKILL. */
export const KILL_GRACE_MS = 500;

/** How often the group of a cancelled command is looked at while it ends. */
const POLL_MS = 10;

/** How a command ended: its status or the signal that killed it, and its output. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Signals that end `ko` by default, which the commands would have had too in its group. */
const PASSED_ON = ["SIGTERM", "SIGHUP"] as const;

/**
 * The groups of the commands running now, in this process. They are the process's, not a run's
 * (the process's exit is what they must not outlive), hence held once per process.
 */
class RunningGroups {
  private readonly groups = new Set<number>();

  constructor() {
    process.once("exit", () => {
      for (const group of this.groups) signalGroup(group, "SIGKILL");
    });
  }

  add(group: number): void {
    // Listening to a signal replaces its default action: only while there are groups to pass it on to.
    if (this.groups.size === 0) for (const sig of PASSED_ON) process.on(sig, this.passOn);
    this.groups.add(group);
  }

  delete(group: number): void {
    if (!this.groups.delete(group) || this.groups.size > 0) return;
    for (const sig of PASSED_ON) process.off(sig, this.passOn);
  }

  /** Gives the signal to every group, then lets it do to `ko` what it would have done. */
  private readonly passOn = (sig: NodeJS.Signals): void => {
    for (const group of this.groups) signalGroup(group, sig);
    for (const s of PASSED_ON) process.off(s, this.passOn);
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
  };
}

const runningGroups = once(() => new RunningGroups());

/**
 * Runs `command` with `args` in a group of its own. Resolves when it has ended, or with
 * "cancelled" once `signal` aborted it and its whole group is gone; rejects if it cannot start.
 */
export function runInGroup(
  command: string,
  args: readonly string[],
  opts: { readonly cwd: string; readonly env: NodeJS.ProcessEnv },
  signal: AbortSignal,
): Promise<Finished | "cancelled"> {
  if (signal.aborted) return Promise.resolve("cancelled");
  return new Promise((resolve, reject) => {
    const child = nodeChildProcess().spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    // The group's id is its leader's process id; there is none if the command could not start.
    const group = child.pid;
    if (group !== undefined) runningGroups().add(group);
    let settled = false;
    const done = (settle: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (group !== undefined) runningGroups().delete(group);
      settle();
    };
    const onAbort = () => {
      if (group === undefined) return;
      void endGroup(group).then(() =>
        done(() => {
          // Whatever still holds the pipes escaped the group; the command's output is of no use now.
          child.stdout.destroy();
          child.stderr.destroy();
          resolve("cancelled");
        }),
      );
    };
    signal.addEventListener("abort", onAbort, { once: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => done(() => reject(e)));
    child.on("close", (code, killedBy) => {
      // A cancelled command settles when its group is gone (onAbort), not when its pipes close.
      if (signal.aborted) return;
      done(() =>
        resolve({ code, signal: killedBy, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }),
      );
    });
  });
}

/** SIGTERM to the group, then SIGKILL to what is left of it after the grace; resolves when it is gone. */
async function endGroup(group: number): Promise<void> {
  if (!signalGroup(group, "SIGTERM")) return;
  const deadline = performance.now() + KILL_GRACE_MS;
  while (groupAlive(group)) {
    if (performance.now() >= deadline) {
      signalGroup(group, "SIGKILL");
      return;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Sends `sig` to every process of the group; false if there is none left. */
function signalGroup(group: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a process of the group is still running. A killed process stays in the process table
 * as a zombie until its parent reaps it; a child's grandchildren are reaped by process 1, which
 * in some containers never does. Where /proc tells (Linux), zombies do not count, so the run
 * need not wait out the grace for processes that have already ended.
 */
function groupAlive(group: number): boolean {
  if (!signalGroup(group, 0)) return false;
  let pids: string[];
  try {
    pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  return pids.some((pid) => runningIn(pid, group));
}

/** Whether process `pid` is in the group and not a zombie, by /proc/PID/stat ("pid (comm) state ppid pgrp ..."). */
function runningIn(pid: string, group: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(pgrp) === group && state !== "Z" && state !== "X";
}
