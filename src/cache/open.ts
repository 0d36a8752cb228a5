/**
 * The cache of one `ko run`, assembled in one module: what the command needs of src/cache.
 */
import type { Compiled } from "../compile/compile.js";
import { programCallables } from "../instrument/callables.js";
import type { OffloadedWork } from "../instrument/layers.js";
import { CacheLayer } from "./layer.js";
import { cacheDirFor } from "../instrument/ko-dir.js";
import { cachePolicyOf } from "../host/cache-policy.js";
import type { HostFunction } from "../host/binding.js";
import { Variety, type Value } from "../value/value.js";
import { CacheStore } from "./store.js";

export interface OpenCacheOptions {
  readonly compiled: Compiled;
  /** The script or package directory run: its cache is `.ko/cache` next to it, unless KO_CACHE_DIR says otherwise. */
  readonly script?: string;
  /** The cache's directory, whatever the script. */
  readonly dir?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly warn?: (message: string) => void;
  /** Work the grid's workers do for this process's calls (instrument/layers.ts). */
  readonly offloaded?: OffloadedWork;
}

export function openCache(opts: OpenCacheOptions): CacheLayer {
  const env = opts.env ?? process.env;
  // KO_CACHE_MIN_MS lowers (or raises) the threshold below which results are not stored.
  const minMs = env.KO_CACHE_MIN_MS;
  return new CacheLayer({
    store: new CacheStore(opts.dir ?? cacheDirFor(opts.script ?? ".", env)),
    lookup: programCallables(opts.compiled),
    ...(minMs !== undefined && minMs !== "" && Number.isFinite(Number(minMs)) ? { minMs: Number(minMs) } : {}),
    makeStyle: reachesCacheable(opts.compiled),
    ...(opts.warn ? { warn: opts.warn } : {}),
    ...(opts.offloaded ? { offloaded: opts.offloaded } : {}),
  });
}

/** True if some function of the program names a cacheable host function (so host calls need watching). */
export function reachesCacheable(compiled: Compiled): boolean {
  const named = (v: Value): boolean =>
    v instanceof Variety && (cachePolicyOf(v.callable as HostFunction) !== undefined || v.fields.some((f) => named(f.value)));
  for (const pkg of compiled.functions.values()) {
    for (const fn of pkg.values()) for (const s of fn.circuit.steps) if (s.op.op === "const" && named(s.op.value)) return true;
  }
  return false;
}
