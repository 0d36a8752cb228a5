/**
 * What a session needs of the grid (src/grid/): its connections, opened when a session with a
 * `grid` runs its first call, and a layer for each program it runs there. Loaded only then, with
 * BullMQ and ioredis, so a session without a grid never loads any of it.
 *
 * Here the session's words become the grid's: `remote` names are looked up in the program and
 * refused (a usage error) unless the function can run on a worker — pure, and calling only host
 * functions every `ko` has, not the embedding application's own.
 */
import { KoFunction } from "../compile/circuit.js";
import { reachable } from "../compile/circuit-hash.js";
import { UsageError } from "../diag/exit.js";
import type { HostFunction } from "../host/binding.js";
import { programCallables } from "../instrument/callables.js";
import type { Layer, OffloadedWork } from "../instrument/layers.js";
import { gridAddress } from "../grid/address.js";
import { bundleProgram } from "../grid/bundle.js";
import { GridClient, GridLayer } from "../grid/client.js";
import { DEFAULT_AUTO_MS, RemoteSelection, type RemoteChoice } from "../grid/selection.js";
import { defaultRegistry, stdlibDir, type KoProgram } from "./program.js";
import type { GridOptions } from "./session.js";

export interface SessionGrid {
  layerFor(program: KoProgram, offloaded: OffloadedWork): Promise<Layer>;
  close(): Promise<void>;
}

/** Connects to the grid; a UsageError, before any run, if its URL is wrong or it does not answer. */
export async function openSessionGrid(options: GridOptions, env: NodeJS.ProcessEnv): Promise<SessionGrid> {
  const address = gridAddress(options.redis, options.prefix);
  const retryMs = options.retryMs ?? numberFrom(env, "KO_GRID_RETRY_MS");
  const client = await GridClient.open({ address, ...(retryMs !== undefined ? { retryMs } : {}) });
  const autoMs = numberFrom(env, "KO_GRID_AUTO_MS") ?? DEFAULT_AUTO_MS;
  return {
    async layerFor(program, offloaded) {
      const eligible = (fn: KoFunction) => whyNotRemote(fn) === undefined;
      const remote = options.remote ?? "auto";
      const choice: RemoteChoice =
        remote === "auto" ? { auto: { minMs: autoMs } } : { names: remote.map((n) => remoteFunction(program, n)) };
      const known = "auto" in choice ? await client.knownCosts() : new Map<string, number>();
      const functions = [...program.compiled.functions.values()].flatMap((pkg) => [...pkg.values()]);
      return new GridLayer({
        client,
        bundle: bundleProgram(program, program.entry, program.roots, stdlibDir()),
        selection: new RemoteSelection(choice, eligible, known, functions),
        lookup: programCallables(program.compiled),
        offloaded,
      });
    },
    close: () => client.close(),
  };
}

/** The function `--remote NAME` names: `F` of the program's package, or `pkg.F`; refused unless it can run remotely. */
function remoteFunction(program: KoProgram, name: string): KoFunction {
  const dot = name.lastIndexOf(".");
  const fn = dot < 0 ? program.func(name) : program.func(name.slice(dot + 1), name.slice(0, dot));
  if (!fn) {
    const known = program.functionNames().sort().join(", ") || "none";
    throw new UsageError(`--remote ${name}: no such function in package ${program.packagePath} (its functions: ${known})`);
  }
  const why = whyNotRemote(fn);
  if (why !== undefined) throw new UsageError(`--remote ${name}: ${fn.displayName} cannot run on the grid: ${why}`);
  return fn;
}

/** Why calls of `fn` cannot be sent to a worker, or undefined if they can. */
function whyNotRemote(fn: KoFunction): string | undefined {
  const host = reachable(fn).host;
  const effect = host.find((h) => h.effects !== "pure");
  if (effect) return `it has effects (it can reach ${effect.displayName}, which is ${effect.effects})`;
  const registry = defaultRegistry();
  const foreign = host.find((h: HostFunction) => registry.lookup(h.pkg, h.name) !== h);
  if (foreign) return `it calls ${foreign.displayName}, a host function of this application that the workers do not have`;
  return undefined;
}

function numberFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a number of milliseconds, not ${JSON.stringify(text)}`);
  return n;
}
