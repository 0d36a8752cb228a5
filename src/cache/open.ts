/**
 * The cache of one `ko run`, assembled in one module: what the command needs of src/cache.
 */
import type { Compiled } from "../compile/compile.js";
import { programCallables } from "./callables.js";
import { CacheLayer } from "./layer.js";
import { cacheDirFor } from "./location.js";
import { reachesCacheable } from "./policy.js";
import { CacheStore } from "./store.js";

export interface OpenCacheOptions {
  readonly compiled: Compiled;
  /** The script or package directory run: its cache is `.ko/cache` next to it, unless KO_CACHE_DIR says otherwise. */
  readonly script: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly warn?: (message: string) => void;
}

export function openCache(opts: OpenCacheOptions): CacheLayer {
  const env = opts.env ?? process.env;
  // KO_CACHE_MIN_MS lowers (or raises) the threshold below which results are not stored.
  const minMs = env.KO_CACHE_MIN_MS;
  return new CacheLayer({
    store: new CacheStore(cacheDirFor(opts.script, env)),
    lookup: programCallables(opts.compiled),
    ...(minMs !== undefined && minMs !== "" && Number.isFinite(Number(minMs)) ? { minMs: Number(minMs) } : {}),
    makeStyle: reachesCacheable(opts.compiled),
    ...(opts.warn ? { warn: opts.warn } : {}),
  });
}
