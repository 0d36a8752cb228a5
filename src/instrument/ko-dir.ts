/**
 * Where a script's cache and run journals live: in `.ko/` next to the script (in the package
 * directory for `ko run DIR`), so that a project carries its own; `KO_CACHE_DIR` moves the cache
 * (to share one between projects, or to keep it off a slow disk).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The `.ko` directory for a script file or package directory (the current directory by default). */
export function koDirFor(target = "."): string {
  let base = target;
  try {
    if (!fs.statSync(target).isDirectory()) base = path.dirname(target);
  } catch {
    base = path.extname(target) === ".ko" ? path.dirname(target) : target;
  }
  return path.resolve(base, ".ko");
}

export function cacheDirFor(target = ".", env: NodeJS.ProcessEnv = process.env): string {
  const override = env.KO_CACHE_DIR;
  return override ? path.resolve(override) : path.join(koDirFor(target), "cache");
}

export function runsDirFor(target = "."): string {
  return path.join(koDirFor(target), "runs");
}
