/**
 * The one facade every front end uses (CLI, REPL, language server, embedding apps):
 * load → resolve → compile, then check → run. No front end re-implements a stage.
 *
 * `compile` rejects a program only for errors of the compile-time stages; type errors depend on
 * what a function is called with, so each call is checked (once per function and argument
 * types) before it runs, and refused with a KoTypeError if it would certainly fail.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CompileFailure, type Diagnostic } from "../diag/diagnostic.js";
import { appHostFunction, type HostFunction } from "../host/binding.js";
import { HostRegistry } from "../host/registry.js";
import { compileProgram, type Compiled } from "../compile/compile.js";
import { unresolvedFunction, type UnresolvedFunction } from "../compile/unresolved.js";
import { certainlyUnresolved } from "./deferred.js";
import type { KoFunction } from "../compile/circuit.js";
import {
  absoluteEntry,
  DISK,
  Loader,
  NotingTree,
  UNKNOWN_PACKAGE,
  type EntrySource,
  type Loaded,
  type LoadOptions,
  type SourceTree,
} from "../resolve/load.js";
import type { PackageSources, Program } from "../resolve/packages.js";
import { resolveProgram, type Resolved, type Unresolved } from "../resolve/resolve.js";
import type { Ref } from "../syntax/ast.js";
import type { ParseResult } from "../syntax/index.js";
import { Run, type RunOptions } from "../runtime/eval.js";
import { KoError, KoFailure } from "../value/failure.js";
import type { Field, Value } from "../value/value.js";
import { registerCoreBuiltins } from "../builtins/index.js";
import { registerStdlib } from "../stdlib/index.js";
import { ClusterAccess, K8S, registerK8s } from "../k8s/index.js";
import { Services } from "../host/services.js";
import { KoTypeError, TypeChecker, fieldTypes, type TypeReport } from "../types/index.js";
import { fieldsFromJs, toJs } from "./js-values.js";
import { COMPILER, metaPackages, type CompilerService } from "./meta.js";
import { once } from "../syntax/once.js";

export interface CompileOptions {
  /** Repository roots searched for imported packages (D20), before the standard library. */
  readonly roots?: readonly string[];
  /** The host functions to compile against; defaults to the core builtins and the stdlib. */
  readonly registry?: HostRegistry;
  /** Extra host functions of the embedding application. */
  readonly bind?: readonly HostFunction[];
  /** Supplies file contents (for unsaved editor buffers); defaults to reading the disk. */
  readonly readFile?: (file: string) => string | undefined;
  /**
   * Compile a program whose only problems are unresolved references (unknown names, imports that
   * find no package) rather than refuse it: each such reference fails when it runs, and the
   * program tells which of them a checked call certainly executes (`deferredErrors`, D33).
   */
  readonly deferUnresolved?: boolean;
  /** Where packages are found and read (a grid worker's program sent by its client); default the disk. */
  readonly tree?: SourceTree;
  /** Parses a file; default parseFile (a session that caches keeps parses between runs, parse-cache.ts). */
  readonly parse?: (file: string, text: string) => ParseResult;
}

/** The directory of the standard library's Ko packages, found from this module's location. */
export const stdlibDir = once((): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "stdlib");
    if (fs.existsSync(path.join(candidate, "idiom"))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("cannot find the Ko standard library (stdlib/) next to the installed package");
});

/**
 * The core builtins, the standard library's host functions, `k8s`, and the packages that need
 * the compiler (meta.ts). Built once: it is the same for every program, since whatever differs
 * between runs (roots, the cluster) reaches the functions as services of the run.
 */
export const defaultRegistry = once((): HostRegistry => {
  const registry = new HostRegistry();
  registerCoreBuiltins(registry);
  registerStdlib(registry);
  registerK8s(registry);
  registry.register(...metaPackages());
  return registry;
});

/** Repository roots from `KOPATH` (each entry `d` gives the root `d/src`, reference 8.1). */
export function rootsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.KOPATH ?? "")
    .split(":")
    .filter((d) => d !== "")
    .map((d) => path.join(d, "src"));
}

function registryFor(opts: CompileOptions): HostRegistry {
  const base = opts.registry ?? defaultRegistry();
  if (!opts.bind || opts.bind.length === 0) return base;
  return base.clone().register(...opts.bind.map(appHostFunction));
}

/**
 * Loads, resolves and compiles a program. Throws `CompileFailure` (with every diagnostic found,
 * and `sources` for excerpts) when anything is wrong; nothing of a failing program ever runs.
 */
export function compile(entry: EntrySource, opts: CompileOptions = {}): KoProgram {
  const registry = registryFor(opts);
  const roots = opts.roots ?? [];
  const tree = new NotingTree(opts.tree ?? DISK);
  const { loaded, program, diagnostics, unresolved } = loadAndResolve(entry, {
    registry,
    roots,
    tree,
    ...(opts.readFile ? { readFile: opts.readFile } : {}),
    ...(opts.parse ? { parse: opts.parse } : {}),
  });
  const all = [...loaded.diagnostics, ...diagnostics];
  const packages = packageSources(program);
  const sources = sourceLookup(packages.values());
  const deferrable = new Set<Diagnostic>(opts.deferUnresolved ? deferrableOf(loaded.diagnostics, unresolved) : []);
  const fatal = all.filter((d) => !deferrable.has(d));
  if (fatal.length > 0) throw new KoCompileError(sortDiagnostics(fatal), sources);
  const stands = new Map<Ref, UnresolvedFunction>();
  if (deferrable.size > 0)
    for (const [ref, u] of unresolved) stands.set(ref, unresolvedFunction(ref.path.map((n) => n.text).join("."), u.diagnostic));
  // Each circuit is built when a check or a call first needs it (a run leaves most of what it imports unbuilt).
  const compiled = compileProgram(program, registry.lookup("", "")!, { unresolved: stands, lazy: true });
  const origin = { entry, registry, roots, ...(opts.tree ? { tree: opts.tree } : {}) };
  const kept = { packages, entryPath: program.entry.path, loadedFrom: absoluteEntry(entry), tree: tree.asSeen(sources), sources };
  return new KoProgram(kept, compiled, origin, sortDiagnostics([...deferrable]));
}

/** Loads the entry's packages and resolves their references: the stages before compilation. */
function loadAndResolve(entry: EntrySource, opts: Omit<LoadOptions, "stdlibDir">): Resolved & { loaded: Loaded } {
  const loaded = new Loader({ ...opts, stdlibDir: stdlibDir() }).load(entry);
  return { loaded, ...resolveProgram(loaded, opts.registry) };
}

/** The program's packages as a compiled program keeps them: paths, directories, files and texts, host functions; no trees. */
function packageSources(program: Program): Map<string, PackageSources> {
  const out = new Map<string, PackageSources>();
  for (const pkg of program.packages.values()) {
    const files = pkg.files.map((f) => ({ path: f.path, text: f.text }));
    out.set(pkg.path, { path: pkg.path, ...(pkg.dir !== undefined ? { dir: pkg.dir } : {}), files, host: pkg.host });
  }
  return out;
}

/** The diagnostics D33 lets a run defer: imports that found no package and unresolved references. */
function deferrableOf(loading: readonly Diagnostic[], unresolved: ReadonlyMap<Ref, Unresolved>): Diagnostic[] {
  return [...loading.filter((d) => d.code === UNKNOWN_PACKAGE), ...[...unresolved.values()].map((u) => u.diagnostic)];
}

/**
 * Lexical and syntax errors first, then the rest, each in source order: a syntax error (an
 * unclosed bracket) is the likely cause of what the later stages found, so it is read first.
 */
function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) => (d.stage === "lex" || d.stage === "syntax" ? 0 : 1);
  return [...ds].sort((a, b) => rank(a) - rank(b) || a.span.file.localeCompare(b.span.file) || a.span.start.offset - b.span.start.offset);
}

function sourceLookup(packages: Iterable<PackageSources>): (file: string) => string | undefined {
  const texts = new Map<string, string>();
  for (const pkg of packages) for (const f of pkg.files) texts.set(f.path, f.text);
  return (file) => texts.get(file);
}

/** A compile failure that can show source excerpts of its diagnostics. */
export class KoCompileError extends CompileFailure {
  constructor(
    diagnostics: readonly Diagnostic[],
    readonly sources: (file: string) => string | undefined,
  ) {
    super(diagnostics);
  }
}

export interface CallOptions extends Partial<RunOptions> {
  /** Check the call's types first and refuse to run one that would fail (default true). */
  readonly check?: boolean;
  /**
   * How `run` returns integers: `"number"` (the default) a number when it is a safe integer and a
   * bigint otherwise, `"bigint"` always a bigint (toJs).
   */
  readonly integers?: "number" | "bigint";
}

/** Where a program came from and what it was compiled against (which `ko.Eval` compiles with too). */
export interface ProgramOrigin {
  /** The file, directory, package or text compiled. */
  readonly entry: EntrySource;
  readonly registry: HostRegistry;
  readonly roots: readonly string[];
  /** Where its packages were read, when not from the disk. */
  readonly tree?: SourceTree;
}

/**
 * What a compiled program keeps of what it was compiled from: its packages' sources, not their
 * syntax trees, which a tool that needs them derives again (KoProgram.program).
 */
export interface KeptSources {
  readonly packages: ReadonlyMap<string, PackageSources>;
  /** The entry package's path. */
  readonly entryPath: string;
  /** The entry as loaded, its file or directory an absolute path. */
  readonly loadedFrom: EntrySource;
  /** The sources as the loading saw them, to load them again from. */
  readonly tree: SourceTree;
  /** The text of each file of the program. */
  readonly sources: (file: string) => string | undefined;
}

/**
 * A compiled program, ready to run any of its functions any number of times. It keeps its
 * circuits and its sources, not their syntax trees: a tree is most of the heap a program keeps,
 * and only tools read it (`program`).
 */
export class KoProgram {
  private checker?: TypeChecker;
  /** The Program last derived for a tool, while anything holds it. */
  private derived?: WeakRef<Program>;

  constructor(
    private readonly kept: KeptSources,
    readonly compiled: Compiled,
    readonly origin: ProgramOrigin,
    /** The problems compiled as failures when they run (`deferUnresolved`), in source order. */
    readonly deferred: readonly Diagnostic[] = [],
  ) {}

  /** The program's packages by path, with their files and host functions (not their syntax trees). */
  get packages(): ReadonlyMap<string, PackageSources> {
    return this.kept.packages;
  }

  /** The entry package, as `packages` has it. */
  get entryPackage(): PackageSources {
    return this.kept.packages.get(this.kept.entryPath)!;
  }

  /** The text of a file of the program (for excerpts of diagnostics). */
  get sources(): (file: string) => string | undefined {
    return this.kept.sources;
  }

  /**
   * The resolved program, syntax trees and all, for tools (`ko doc`, `ko check --types`, the
   * REPL): loaded and resolved again from the sources it was compiled from, the first time it is
   * asked for after the last one was collected, so a tool that holds it gets the same objects each
   * time. It is the program compiled: the same packages, files, functions and spans.
   */
  get program(): Program {
    let program = this.derived?.deref();
    if (program === undefined) this.derived = new WeakRef((program = this.derive()));
    return program;
  }

  private derive(): Program {
    const { registry, roots } = this.origin;
    return loadAndResolve(this.kept.loadedFrom, { registry, roots, tree: this.kept.tree }).program;
  }

  /**
   * The deferred problems (D33) that a checked call certainly meets: the unresolved references
   * that run whenever the call runs, by the checker's account of which calls and steps are
   * certain (3.7). A run of the call must refuse them; the others fail only if they run.
   */
  deferredErrors(report: TypeReport): Diagnostic[] {
    return this.deferred.length === 0 ? [] : certainlyUnresolved(report);
  }

  /** The repository roots the program was compiled with (D20). */
  get roots(): readonly string[] {
    return this.origin.roots;
  }

  /** What was compiled: a file, a directory, a package of the roots, or text. */
  get entry(): EntrySource {
    return this.origin.entry;
  }

  /** The program's type checker; its specialisations are shared by every check. */
  get types(): TypeChecker {
    return (this.checker ??= new TypeChecker(this.compiled));
  }

  /** What would fail if `fn` ran with these arguments (memoised per function and argument types). */
  check(fn: KoFunction, fields: readonly Field[] = []): TypeReport {
    return this.types.checkCall(fn, fields);
  }

  /**
   * What a run of these calls is told before it starts, besides the errors that refuse it: the
   * errors of the package's functions the calls cannot reach, as warnings (D33), and arguments
   * that no parameter takes (D35).
   */
  runWarnings(calls: readonly { fn: KoFunction; fields: readonly Field[] }[]): Diagnostic[] {
    const entries = calls.map(({ fn, fields }) => ({ fn, fields: fieldTypes(fields) }));
    return this.types.runWarnings(entries, this.compiled.functions.get(this.packagePath) ?? new Map());
  }

  /** The entry package's path (`conf` for `conf.ko`). */
  get packagePath(): string {
    return this.kept.entryPath;
  }

  /** A function of the entry package (or of another package, given its path). */
  func(name: string, pkg = this.packagePath): KoFunction | undefined {
    return this.compiled.functions.get(pkg)?.get(name);
  }

  /** Names of the entry package's functions. */
  functionNames(pkg = this.packagePath): string[] {
    return [...(this.compiled.functions.get(pkg)?.keys() ?? [])];
  }

  /**
   * Runs a function of the entry package with JavaScript arguments (`fromJs`) and returns its
   * result as a JavaScript value (`toJs`, with `opts.integers`). Rejects with a KoPanic (its
   * value as JavaScript in `data`), a KoError, a KoCancelled when `opts.signal` aborts, or a
   * KoTypeError (a KoError) when the checker proves the call would fail.
   */
  async run(name: string, args: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<unknown> {
    const fn = this.func(name);
    if (!fn) throw new Error(`function ${name} not found in package ${this.packagePath}`);
    return toJs(await this.call(fn, fieldsFromJs(args), opts), opts);
  }

  /**
   * Runs a function with Ko argument fields and returns its Ko result. Failures reject with a
   * KoError, KoPanic or KoCancelled that carries its Ko location (see `renderFailure`); a call
   * the checker proves would fail is not run and rejects with a KoTypeError (a KoError).
   *
   * The run's services are those given (a session's: its cluster access), plus the compiler
   * service of this program. Without a cluster access the call gets one of its own, with the
   * default cluster selection, closed when the call ends.
   */
  async call(fn: KoFunction, fields: readonly Field[], opts: CallOptions = {}): Promise<Value> {
    if (opts.check !== false) {
      const { errors } = this.check(fn, fields);
      if (errors.length > 0) throw new KoTypeError(errors);
    }
    const given = opts.services ?? Services.none;
    const ownAccess = given.get(K8S) === undefined ? new ClusterAccess(opts.stderr ? { stderr: opts.stderr } : {}) : undefined;
    const services = (ownAccess ? given.with(K8S, ownAccess) : given).with(COMPILER, this.compilerService());
    const run = new Run({
      services,
      stdout: opts.stdout ?? ((t) => process.stdout.write(t)),
      stderr: opts.stderr ?? ((t) => process.stderr.write(t)),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.maxDepth !== undefined ? { maxDepth: opts.maxDepth } : {}),
      ...(opts.maxMemory !== undefined ? { maxMemory: opts.maxMemory } : {}),
      ...(opts.hooks ? { hooks: opts.hooks } : {}),
    });
    try {
      return await run.callEntry(fn, fields);
    } catch (e) {
      // Once the run is cancelled, a failure with no Ko location, or an exception a host function
      // threw because its signal aborted (an AbortError), is the cancellation.
      if (run.signal.aborted && (!(e instanceof KoFailure && e.site) || (e instanceof KoError && e.code === "runtime/internal")))
        throw run.cancelledError();
      throw e;
    } finally {
      run.finish();
      reportLostSpins(run, opts.stderr ?? ((t) => process.stderr.write(t)));
      await ownAccess?.close();
    }
  }

  /** Compiles text as a package of its own, against this program's registry and roots (`ko.Eval`). */
  private compilerService(): CompilerService {
    return {
      roots: this.roots,
      compileText: (text) => compile({ kind: "text", text, pkgPath: "eval", path: "<eval>" }, this.origin),
    };
  }
}

/** D32: a spun call that failed and was never waited for is a warning, not a failure. */
function reportLostSpins(run: Run, stderr: (t: string) => void): void {
  for (const s of run.spawned) {
    if (s.failure !== undefined && !s.waited && !(s.failure instanceof Error && s.failure.name === "KoCancelled")) {
      stderr(`warning: a spun call failed and was never waited for: ${(s.failure as Error).message}\n`);
    }
  }
}
