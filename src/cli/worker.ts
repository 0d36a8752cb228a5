/**
 * `ko worker --redis URL [--concurrency N] [--name NAME] [--root DIR]... [--prefix P] [--lock-ms MS]`:
 * computes the grid's requests until SIGINT or SIGTERM, then finishes the jobs it runs and leaves.
 * Programs arrive through Redis with the requests; `--root` only adds roots for what a program
 * may import at run time (`ko.Eval`).
 */
import * as os from "node:os";
import { rootsFromEnv } from "../api/program.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { gridAddress } from "../grid/address.js";
import type { CliIO } from "./io.js";

export interface WorkerFlags {
  readonly redis?: string;
  readonly concurrency?: string;
  readonly name?: string;
  readonly root: string[];
  readonly prefix?: string;
  readonly lockMs?: string;
}

export async function workerCommand(flags: WorkerFlags, io: CliIO): Promise<number> {
  if (flags.redis === undefined) throw new UsageError("ko worker needs --redis URL: the grid's Redis");
  const address = gridAddress(flags.redis, flags.prefix);
  const concurrency = wholeNumber("--concurrency", flags.concurrency ?? "1", 1);
  const name = flags.name ?? `${os.hostname()}-${process.pid}`;
  if (!/^[^\s:]+$/.test(name)) throw new UsageError(`--name ${JSON.stringify(name)}: a worker's name has no spaces or colons`);
  const { GridWorker, DEFAULT_LOCK_MS } = await import("../worker/worker.js");
  const lockMs = flags.lockMs === undefined ? DEFAULT_LOCK_MS : wholeNumber("--lock-ms", flags.lockMs, 100);
  const say = (line: string) => io.stderr(`ko worker ${name}: ${line}\n`);
  const worker = await GridWorker.start({
    address,
    concurrency,
    name,
    roots: [...flags.root, ...rootsFromEnv()],
    lockMs,
    log: say,
  });
  say(`serving ${address.shown} (prefix ${address.prefix}), ${concurrency} job${concurrency === 1 ? "" : "s"} at a time`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  say(`${signal}: finishing the jobs it runs (${signal} again to leave them at once)`);
  const again = () => worker.abandon();
  process.once("SIGINT", again).once("SIGTERM", again);
  const ended = await worker.close();
  process.off("SIGINT", again).off("SIGTERM", again);
  say(ended === "finished" ? "stopped" : "stopped without finishing its jobs: they go back to the queue when their locks lapse");
  return EXIT.ok;
}

function wholeNumber(flag: string, text: string, least: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`${flag} takes a whole number of at least ${least}, not ${JSON.stringify(text)}`);
  return n;
}
