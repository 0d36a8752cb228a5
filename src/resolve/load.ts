/**
 * Finding and parsing the packages of a program (reference 3.1, 3.2, D20, D22): the entry package
 * (one file, or every `.ko` file of a directory), then, transitively, every package it imports,
 * plus the idiom package that every program can use.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { HostFunction } from "../host/binding.js";
import type { HostRegistry } from "../host/registry.js";
import { parseFile, type ParseResult } from "../syntax/index.js";
import type { ImportDecl } from "../syntax/ast.js";
import { IDIOM_PACKAGE, type KoPackage, type SourceFile } from "./packages.js";

/**
 * The prefix of the original's library paths. `github.com/kocircuit/kocircuit/lib/X` is the
 * original's package `X`: where a root holds it, its Ko files are the root's, and the host
 * functions bound for `X` belong to it; where none does, it names the standard package `X` (D20).
 */
const ORIGINAL_LIB_PREFIX = "github.com/kocircuit/kocircuit/lib/";

/** The code of the diagnostic of an import that finds no package. */
export const UNKNOWN_PACKAGE = "resolve/unknown-package";

export interface LoadOptions {
  readonly registry: HostRegistry;
  /** Repository roots (D20: `--root DIR`, then `KOPATH` entries as `d/src`). */
  readonly roots: readonly string[];
  /** Where the standard library's Ko packages live. */
  readonly stdlibDir: string;
  /** Reads a file; replaceable so the language server can supply unsaved editor buffers. */
  readonly readFile?: (file: string) => string | undefined;
  /**
   * Where packages are found and read: the disk by default. A grid worker compiles a program
   * from the sources its client sent (src/grid/bundle.ts), under the paths they had there.
   */
  readonly tree?: SourceTree;
  /** Parses a file; replaceable so the language server can reuse the parses of unchanged definitions. */
  readonly parse?: (file: string, text: string) => ParseResult;
}

/** Where the entry package comes from. */
export type EntrySource =
  | { readonly kind: "file"; readonly file: string }
  | { readonly kind: "dir"; readonly dir: string }
  | { readonly kind: "text"; readonly path: string; readonly text: string; readonly pkgPath: string }
  | { readonly kind: "package"; readonly pkgPath: string };

/** The file system as the loader sees it: which directories exist, their `.ko` files, and texts. */
export interface SourceTree {
  isDir(dir: string): boolean;
  /** The `.ko` files directly inside a directory, sorted. */
  koFiles(dir: string): string[];
  readFile(file: string): string | undefined;
}

/** The disk. */
export const DISK: SourceTree = { isDir, koFiles: koFilesOf, readFile: defaultRead };

/**
 * A tree that answers as `tree` does, and notes what it answered: which directories it found and
 * which files it listed in them. Loading the same entry again from what it noted (`asSeen`), with
 * the same roots and registry, asks the same questions, so it finds the same packages and files
 * (KoProgram.program derives its Program so, from the texts the compile read).
 */
export class NotingTree implements SourceTree {
  private readonly found = new Set<string>();
  private readonly listed = new Map<string, string[]>();

  constructor(private readonly tree: SourceTree) {}

  isDir(dir: string): boolean {
    const found = this.tree.isDir(dir);
    if (found) this.found.add(dir);
    return found;
  }

  koFiles(dir: string): string[] {
    const files = this.tree.koFiles(dir);
    this.listed.set(dir, files);
    return files;
  }

  readFile(file: string): string | undefined {
    return this.tree.readFile(file);
  }

  /** The tree as this one answered, with the texts that were read; it keeps nothing of the tree it noted. */
  asSeen(texts: (file: string) => string | undefined): SourceTree {
    const { found, listed } = this;
    return { isDir: (dir) => found.has(dir), koFiles: (dir) => listed.get(dir) ?? [], readFile: texts };
  }
}

/** The entry with its file or directory as an absolute path, which names the same entry from any working directory. */
export function absoluteEntry(entry: EntrySource): EntrySource {
  switch (entry.kind) {
    case "file":
      return { kind: "file", file: path.resolve(entry.file) };
    case "dir":
      return { kind: "dir", dir: path.resolve(entry.dir) };
    default:
      return entry;
  }
}

export interface Loaded {
  readonly packages: Map<string, KoPackage>;
  readonly entry: KoPackage;
  readonly imports: Map<ImportDecl, KoPackage>;
  readonly diagnostics: Diagnostic[];
}

/** The standard package a path names when no root has it: `X` for the original's long `…/lib/X`. */
export function standardPathOf(p: string): string {
  return p.startsWith(ORIGINAL_LIB_PREFIX) ? p.slice(ORIGINAL_LIB_PREFIX.length) : p;
}

function defaultRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The `.ko` files directly inside a directory, sorted so that compilation is deterministic. */
export function koFilesOf(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith(".ko"))
      .map((e) => path.join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

export class Loader {
  private readonly packages = new Map<string, KoPackage>();
  private readonly imports = new Map<ImportDecl, KoPackage>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly read: (file: string) => string | undefined;
  private readonly tree: SourceTree;

  constructor(private readonly opts: LoadOptions) {
    this.tree = opts.tree ?? DISK;
    this.read = opts.readFile ?? ((file) => this.tree.readFile(file));
  }

  load(entry: EntrySource): Loaded {
    const pkg = this.loadEntry(entry);
    this.ensure(IDIOM_PACKAGE, path.join(this.opts.stdlibDir, IDIOM_PACKAGE));
    return { packages: this.packages, entry: pkg, imports: this.imports, diagnostics: this.diagnostics };
  }

  private loadEntry(entry: EntrySource): KoPackage {
    switch (entry.kind) {
      case "file": {
        const abs = path.resolve(entry.file);
        const pkgPath = path.basename(abs).replace(/\.ko$/, "");
        return this.addPackage(pkgPath, path.dirname(abs), [abs]);
      }
      case "dir": {
        const abs = path.resolve(entry.dir);
        return this.addPackage(path.basename(abs), abs, this.tree.koFiles(abs));
      }
      case "text": {
        const pkg = this.newPackage(entry.pkgPath, undefined);
        this.addFile(pkg, entry.path, entry.text);
        this.followImports(pkg);
        return pkg;
      }
      case "package": {
        const found = this.findPackage(entry.pkgPath);
        if (found) return found;
        return this.newPackage(entry.pkgPath, undefined);
      }
    }
  }

  private newPackage(pkgPath: string, dir: string | undefined): KoPackage {
    const pkg: KoPackage = {
      path: pkgPath,
      ...(dir !== undefined ? { dir } : {}),
      files: [],
      funcs: new Map(),
      host: new Map(this.hostFunctionsOf(pkgPath).map((f) => [f.name, f])),
    };
    this.packages.set(pkgPath, pkg);
    return pkg;
  }

  /**
   * The host functions of a package: those bound for its path, and for the original's long path
   * of a library package found in a root, those of the standard package it stands for (D20).
   */
  private hostFunctionsOf(pkgPath: string): readonly HostFunction[] {
    const standard = standardPathOf(pkgPath);
    const own = this.opts.registry.functionsOf(pkgPath);
    return standard === pkgPath ? own : [...this.opts.registry.functionsOf(standard), ...own];
  }

  private addFile(pkg: KoPackage, file: string, text: string): void {
    const { ast, diagnostics } = (this.opts.parse ?? parseFile)(file, text);
    this.diagnostics.push(...diagnostics);
    const sf: SourceFile = { path: file, text, ast, aliases: new Map() };
    pkg.files.push(sf);
  }

  private addPackage(pkgPath: string, dir: string, files: readonly string[]): KoPackage {
    const existing = this.packages.get(pkgPath);
    if (existing) return existing;
    const pkg = this.newPackage(pkgPath, dir);
    for (const f of files) {
      const text = this.read(f);
      if (text !== undefined) this.addFile(pkg, f, text);
    }
    this.followImports(pkg);
    return pkg;
  }

  /**
   * Loads a package by path from the roots, then the standard library (D20); undefined if none
   * has it. The roots come first for every path, the original's long library paths included, so
   * that a root holding the original's sources supplies its own packages and their tests.
   */
  private findPackage(pkgPath: string): KoPackage | undefined {
    const existing = this.packages.get(pkgPath);
    if (existing) return existing;
    for (const root of this.opts.roots) {
      const dir = path.join(root, pkgPath);
      if (this.tree.isDir(dir)) return this.addPackage(pkgPath, dir, this.tree.koFiles(dir));
    }
    const standard = standardPathOf(pkgPath);
    return this.ensure(standard, path.join(this.opts.stdlibDir, standard));
  }

  /** A standard package: its Ko files in the stdlib directory and/or its host functions. */
  private ensure(pkgPath: string, dir: string): KoPackage | undefined {
    const existing = this.packages.get(pkgPath);
    if (existing) return existing;
    const files = this.tree.isDir(dir) ? this.tree.koFiles(dir) : [];
    if (files.length === 0 && !this.opts.registry.hasPackage(pkgPath)) return undefined;
    return this.addPackage(pkgPath, dir, files);
  }

  private followImports(pkg: KoPackage): void {
    for (const file of pkg.files) {
      for (const imp of file.ast.imports) {
        const target = this.resolveImport(pkg, file.path, imp);
        if (!target) {
          this.diagnostics.push(
            error("resolve", UNKNOWN_PACKAGE, `package "${imp.path}" not found (no root, and no standard package, has it)`, imp.pathSpan),
          );
          continue;
        }
        this.imports.set(imp, target);
      }
    }
  }

  private resolveImport(from: KoPackage, file: string, imp: ImportDecl): KoPackage | undefined {
    const p = imp.path;
    if (p.startsWith("./") || p.startsWith("../")) {
      const dir = path.resolve(path.dirname(file), p);
      if (!this.tree.isDir(dir)) return undefined;
      const base = from.dir ?? path.dirname(file);
      const pkgPath = path.relative(base, dir).split(path.sep).join("/") || path.basename(dir);
      return this.addPackage(pkgPath, dir, this.tree.koFiles(dir));
    }
    return this.findPackage(p);
  }
}

/** The default alias of an import: its last path element (reference 3.2). */
export function defaultAlias(importPath: string): string {
  const parts = importPath.split("/").filter((s) => s !== "" && s !== "." && s !== "..");
  return parts[parts.length - 1] ?? importPath;
}
