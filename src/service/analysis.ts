/**
 * One analysis: a package loaded and resolved through the compiler's own stages, kept even when
 * it has errors (an editor works on broken code all the time), with the index that the editor
 * features read.
 *
 * `compile` in src/api/program.ts throws on the first failing stage and drops the program, which
 * is right for `ko run` but leaves an editor with nothing while a file is half typed. So this
 * module drives the same stages in the same order (Loader, then resolveProgram, then the type
 * checker through types-bridge.ts), with the facade's registry and standard library, and keeps
 * both the program and every diagnostic. It adds no stage of its own. (Suggested home once the
 * lead agrees: an `analyze()` beside `compile()` in the facade.)
 *
 * Types are inferred only when something asks for them: the diagnostics worker always does,
 * the main thread only for hover, completion after `.` and the REPL's `:type`.
 */
import { defaultRegistry, stdlibDir } from "../api/program.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { Loader, type EntrySource } from "../resolve/load.js";
import type { Program } from "../resolve/packages.js";
import { resolveProgram } from "../resolve/resolve.js";
import { buildIndex, type Index } from "./occurrences.js";
import type { Parses } from "./parses.js";
import { typeQueries, type TypeQueries } from "./types-bridge.js";

export interface AnalysisOptions {
  readonly roots: readonly string[];
  /** Open editor buffers first, then the disk. */
  readonly readFile: (file: string) => string | undefined;
  /** Parses kept from earlier analyses, reused where the text has not changed. */
  readonly parses?: Parses;
  /** The last analysis of the same package: while this one does not compile, its types stand in. */
  readonly previous?: Analysis;
}

export interface Analysis {
  readonly entry: EntrySource;
  readonly program: Program;
  /** Lexical, syntax and resolution errors, every file. */
  readonly compileErrors: readonly Diagnostic[];
  /** The compile errors, or when there are none the type checker's errors and warnings (checked on first use). */
  readonly diagnostics: readonly Diagnostic[];
  /** Built on first use: publishing diagnostics, the most frequent use, does not need it. */
  readonly index: Index;
  /** The texts the analysis read, by file: what its offsets refer to. */
  readonly texts: ReadonlyMap<string, string>;
  /** Inferred types (inferred on first use); while the program does not compile, the previous analysis's. */
  readonly types: TypeQueries | undefined;
  /** How long the analysis took, in milliseconds (to decide whether to wait for a fresh one). */
  readonly millis: number;
}

export function analyze(entry: EntrySource, opts: AnalysisOptions): Analysis {
  const started = performance.now();
  const texts = new Map<string, string>();
  // No function made here may refer to `opts`: the analysis keeps what its functions refer to,
  // and `opts.previous` is the previous analysis, whose own functions would keep the one before
  // it, and so on — every analysis of an editing session, kept (+24 KB an edit in the server).
  const read = opts.readFile;
  const readFile = (file: string) => {
    const text = read(file);
    if (text !== undefined) texts.set(file, text);
    return text;
  };
  const registry = defaultRegistry();
  const parse = opts.parses?.parse;
  const loaded = new Loader({ registry, roots: opts.roots, stdlibDir: stdlibDir(), readFile, ...(parse ? { parse } : {}) }).load(entry);
  const resolved = resolveProgram(loaded, registry);
  for (const pkg of resolved.program.packages.values()) for (const f of pkg.files) texts.set(f.path, f.text);
  const compileErrors = [...loaded.diagnostics, ...resolved.diagnostics];
  // The previous analysis's types are taken now, so that it need not be kept for them.
  const previousTypes = compileErrors.length > 0 ? opts.previous?.types : undefined;
  let index: Index | undefined;
  let types: { value: TypeQueries | undefined } | undefined;
  const typesOnce = () => (types ??= { value: typeQueries(resolved.program, compileErrors.length > 0, previousTypes) }).value;
  let diagnostics: readonly Diagnostic[] | undefined;
  return {
    entry,
    program: resolved.program,
    compileErrors,
    get diagnostics() {
      return (diagnostics ??= compileErrors.length > 0 ? compileErrors : [...(typesOnce()?.diagnostics() ?? [])]);
    },
    get index() {
      return (index ??= buildIndex(resolved.program));
    },
    texts,
    get types() {
      return typesOnce();
    },
    millis: performance.now() - started,
  };
}
