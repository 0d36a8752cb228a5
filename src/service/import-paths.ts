/**
 * The packages an `import "..."` can name (D20): the standard packages, from the registry `ko
 * list` and `ko doc` read (src/api/catalog.ts); packages below the repository roots; and, for a path
 * starting with `./` or `../`, the directories next to the importing file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { allEntries } from "../api/catalog.js";
import { CORE_PACKAGE, IDIOM_PACKAGE } from "../resolve/packages.js";
import { once } from "../syntax/once.js";

export interface PackageEntry {
  /** The path as written in the import. */
  readonly path: string;
  readonly detail: string;
}

/** Every standard package, with the names of its functions. */
export const standardPackages = once((): readonly PackageEntry[] => {
  const members = new Map<string, string[]>();
  for (const e of allEntries()) {
    if (e.pkg === CORE_PACKAGE || e.pkg === IDIOM_PACKAGE) continue;
    const names = members.get(e.pkg) ?? [];
    names.push(e.name);
    members.set(e.pkg, names);
  }
  return [...members].map(([p, names]) => ({ path: p, detail: `standard package: ${names.join(", ")}` }));
});

/** Package paths for an import being typed in `fromFile`, given what was typed so far. */
export function importCandidates(typed: string, fromFile: string, roots: readonly string[]): PackageEntry[] {
  if (typed.startsWith("./") || typed.startsWith("../")) return relativeCandidates(typed, fromFile);
  const out = [...standardPackages()];
  for (const root of roots) {
    for (const rel of packagesBelow(root)) out.push({ path: rel, detail: `package in ${root}` });
  }
  return out;
}

/** Directories next to the importing file, as `./name` or `../name/sub`. */
function relativeCandidates(typed: string, fromFile: string): PackageEntry[] {
  const slash = typed.lastIndexOf("/");
  const base = typed.slice(0, slash + 1);
  const dir = path.resolve(path.dirname(fromFile), base);
  return subdirectories(dir).map((name) => ({
    path: `${base}${name}`,
    detail: hasKoFiles(path.join(dir, name)) ? "package" : "directory",
  }));
}

/** Paths (relative to `root`) of the directories below it that hold `.ko` files. */
function packagesBelow(root: string, rel = "", depth = 0): string[] {
  if (depth > 6) return [];
  const dir = path.join(root, rel);
  const out = rel !== "" && hasKoFiles(dir) ? [rel] : [];
  for (const name of subdirectories(dir)) out.push(...packagesBelow(root, rel === "" ? name : `${rel}/${name}`, depth + 1));
  return out;
}

function subdirectories(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

function hasKoFiles(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((n) => n.endsWith(".ko"));
  } catch {
    return false;
  }
}
