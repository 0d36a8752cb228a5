/**
 * Programs on the grid: a client sends the sources of the program it runs through Redis, keyed by
 * their content hash, and a worker compiles them from there — workers need no copy of the script.
 *
 * A bundle holds every package of the program that is not the standard library's (which each
 * worker has, with its own `ko`), each file under the absolute path it has on the client, and the
 * client's repository roots. A worker compiles it with a source tree made of those files (the
 * loader's SourceTree, resolve/load.ts), so its packages resolve exactly as they did on the client
 * and its failures name the client's files. Anything it does not hold is read from the worker's
 * disk only under the standard library and the worker's own `--root`s (for what `ko.Eval` may
 * import at run time).
 *
 * The same program always makes the same bundle and hash. A worker whose `ko` differs from the
 * client's (another standard library) computes other call keys, which it notices and reports.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { absoluteEntry, type EntrySource, type SourceTree } from "../resolve/load.js";
import type { PackageSources } from "../resolve/packages.js";

export interface ProgramBundle {
  readonly format: typeof FORMAT;
  /** What the client compiled, with absolute paths. */
  readonly entry: EntrySource;
  readonly roots: readonly string[];
  readonly packages: readonly BundledPackage[];
}

export interface BundledPackage {
  readonly path: string;
  readonly dir?: string;
  readonly files: readonly { readonly path: string; readonly text: string }[];
}

const FORMAT = "ko-program/1";

/** A bundle as sent: its JSON text and the SHA-256 of it. */
export interface SealedBundle {
  readonly hash: string;
  readonly text: string;
}

/** The bundle of a compiled program (a KoProgram, or a Program): every package with sources outside the standard library. */
export function bundleProgram(
  program: { readonly packages: ReadonlyMap<string, PackageSources> },
  entry: EntrySource,
  roots: readonly string[],
  stdlibDir: string,
): SealedBundle {
  const stdlib = path.resolve(stdlibDir);
  const packages: BundledPackage[] = [];
  for (const pkg of [...program.packages.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (pkg.files.length === 0 || (pkg.dir !== undefined && within(stdlib, path.resolve(pkg.dir)))) continue;
    packages.push({
      path: pkg.path,
      ...(pkg.dir !== undefined ? { dir: path.resolve(pkg.dir) } : {}),
      files: pkg.files.map((f) => ({ path: f.path, text: f.text })),
    });
  }
  const bundle: ProgramBundle = { format: FORMAT, entry: absoluteEntry(entry), roots: roots.map((r) => path.resolve(r)), packages };
  const text = JSON.stringify(bundle);
  return { hash: createHash("sha256").update(text).digest("hex"), text };
}

/** Reads a bundle's text; throws an Error saying what is wrong with it. */
export function openBundle(text: string): ProgramBundle {
  const bundle = JSON.parse(text) as ProgramBundle;
  const format: unknown = bundle.format;
  if (format !== FORMAT) throw new Error(`a program of format ${String(format)}, not ${FORMAT}: this worker's ko is older or newer`);
  return bundle;
}

/**
 * The sources of a bundle as the loader reads them: its packages' directories and files, and the
 * disk below `onDisk` directories (the standard library, the worker's roots).
 */
export function bundleTree(bundle: ProgramBundle, disk: SourceTree, onDisk: readonly string[]): SourceTree {
  const dirs = new Map<string, string[]>();
  const files = new Map<string, string>();
  for (const pkg of bundle.packages) {
    if (pkg.dir !== undefined) dirs.set(pkg.dir, pkg.files.map((f) => f.path).sort());
    for (const f of pkg.files) files.set(f.path, f.text);
  }
  const allowed = onDisk.map((d) => path.resolve(d));
  const readable = (p: string) => allowed.some((d) => within(d, path.resolve(p)));
  return {
    isDir: (dir) => dirs.has(path.resolve(dir)) || (readable(dir) && disk.isDir(dir)),
    koFiles: (dir) => dirs.get(path.resolve(dir)) ?? (readable(dir) ? disk.koFiles(dir) : []),
    readFile: (file) => files.get(file) ?? (readable(file) ? disk.readFile(file) : undefined),
  };
}

function within(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
