/** What a command-line target names: a `.ko` file, a package directory, or a package path. */
import * as fs from "node:fs";
import type { EntrySource } from "../resolve/load.js";
import { UsageError } from "../diag/exit.js";

/** A file or directory that must exist (`ko run`, `ko graph`). */
export function fileOrDir(target: string): EntrySource {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`no such file or directory: ${target}`);
  }
  return stat.isDirectory() ? { kind: "dir", dir: target } : { kind: "file", file: target };
}

/** A file or directory if one exists by that name, otherwise a package path in the roots (`ko test`, `ko check`). */
export function fileDirOrPackage(target: string): EntrySource {
  try {
    return fileOrDir(target);
  } catch {
    return { kind: "package", pkgPath: target };
  }
}

/** The usage error (D19: exit 2) of a package path that no root and no standard package has. */
export function packageNotFound(pkgPath: string, roots: readonly string[]): UsageError {
  return new UsageError(
    `package ${pkgPath || '""'} not found (roots: ${roots.length > 0 ? roots.join(", ") : "none; use --root or KOPATH"})`,
  );
}
