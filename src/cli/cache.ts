/** `ko cache stats|clear [TARGET]`: the cache of a script or directory (or KO_CACHE_DIR). */
import { cacheDirFor } from "../instrument/ko-dir.js";
import { CacheStore } from "../cache/store.js";
import { EXIT, UsageError } from "../diag/exit.js";
import type { CliIO } from "./io.js";

export function cacheCommand(action: string, target: string | undefined, io: CliIO): number {
  const store = new CacheStore(cacheDirFor(target ?? "."));
  switch (action) {
    case "stats": {
      const s = store.stats();
      io.stdout(
        `cache:   ${s.dir}\n` +
          `entries: ${s.entries} (of ${s.groups} functions), ${bytes(s.entryBytes)}\n` +
          `files:   ${s.blobs}, ${bytes(s.blobBytes)}\n` +
          (s.leftovers > 0 ? `leftovers: ${s.leftovers} temporary files of interrupted writes (ko cache clear removes them)\n` : ""),
      );
      return EXIT.ok;
    }
    case "clear": {
      const s = store.stats();
      store.clear();
      io.stdout(`cleared ${s.dir}: ${s.entries} entries, ${s.blobs} files\n`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(`ko cache: unknown action ${JSON.stringify(action)} (stats or clear)`);
  }
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
