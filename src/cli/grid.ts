/** `ko grid status|clear --redis URL [--prefix P] [--json]`: what a grid holds and does, or forgetting it. */
import { EXIT, UsageError } from "../diag/exit.js";
import { gridAddress } from "../grid/address.js";
import type { GridStatus } from "../grid/status.js";
import type { CliIO } from "./io.js";

export interface GridCommandFlags {
  readonly redis?: string;
  readonly prefix?: string;
  readonly json?: boolean;
}

export async function gridCommand(action: string, flags: GridCommandFlags, io: CliIO): Promise<number> {
  if (action !== "status" && action !== "clear")
    throw new UsageError(`ko grid: unknown action ${JSON.stringify(action)} (status or clear)`);
  if (flags.redis === undefined) throw new UsageError(`ko grid ${action} needs --redis URL: the grid's Redis`);
  const address = gridAddress(flags.redis, flags.prefix);
  const { gridStatus, clearGrid } = await import("../grid/status.js");
  if (action === "clear") {
    const { results, jobs } = await clearGrid(address);
    io.stdout(`cleared ${address.shown} (prefix ${address.prefix}): ${results} results, ${jobs} jobs\n`);
    return EXIT.ok;
  }
  const status = await gridStatus(address);
  io.stdout(flags.json ? JSON.stringify(status, null, 2) + "\n" : describe(status));
  return EXIT.ok;
}

function describe(s: GridStatus): string {
  const jobs = Object.entries(s.queue.jobs)
    .map(([state, n]) => `${n} ${state}`)
    .join(", ");
  const live = s.workers.filter((w) => w.live).length;
  let out = `grid ${s.grid} (prefix ${s.prefix})\n`;
  out += `queue ${s.queue.name}: ${jobs}\n`;
  out += `workers: ${live} live${s.workers.length > live ? `, ${s.workers.length - live} gone` : ""}\n`;
  const now = Date.now();
  for (const w of s.workers) {
    const seen = `${((now - w.seen) / 1000).toFixed(1)} s ago`;
    out +=
      `  ${w.name}: concurrency ${w.concurrency}, busy ${w.live ? w.busy : 0} (at most ${w.maxBusy}), computed ${w.computed}, ` +
      `${w.live ? `seen ${seen}` : `gone (last seen ${seen})`}, pid ${w.pid} on ${w.host}\n`;
  }
  const m = s.memo;
  const twice = m.computedTwice === 0 ? "none computed twice" : `${m.computedTwice} computed more than once`;
  out += `memo: ${m.results} results, ${bytes(m.bytes)}; ${m.computations} computations of ${m.keys} keys (${twice})\n`;
  out += `programs: ${s.programs}\n`;
  return out;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
