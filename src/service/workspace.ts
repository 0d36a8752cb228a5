/**
 * The files an editor works on and the analyses made of them.
 *
 * A file belongs to the package of its directory (reference 3.1), so a file is analysed together with
 * the other `.ko` files beside it, and go to definition, references and rename see them all. A
 * directory of separate scripts (several files each with its own `Main`, as in examples/ or the
 * conformance suite) is not a package anyone imports: compiled as one it would only report
 * duplicate functions, so there each file is analysed alone, as `ko run FILE` does.
 *
 * Analyses are cached and reused while none of the texts they read has changed. Open editor
 * buffers take the place of the files on disk.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { koFilesOf, type EntrySource } from "../resolve/load.js";
import { analyze, type Analysis } from "./analysis.js";
import { OffsetMap, type Edit } from "./edits.js";
import { Parses } from "./parses.js";
import { entryKey } from "./report.js";

export interface WorkspaceOptions {
  /** Repository roots for imports (D20), as `--root` and KOPATH give them to `ko run`. */
  readonly roots: readonly string[];
  /** Folders opened in the editor: searched for packages by workspace symbols and references. */
  readonly folders: readonly string[];
}

interface OpenDocument {
  text: string;
  version: number;
  /** Edits made to the buffer, each with the version it produced (for stale analyses). */
  history: { version: number; edit: Edit }[];
}

/** An analysis, and how offsets in the editor's text map onto the text it analysed. */
export interface View {
  readonly analysis: Analysis;
  /** The file's text as the editor has it now. */
  readonly text: string;
  readonly map: OffsetMap;
}

/** How many edits of a buffer are kept to map offsets onto an older analysis. */
const MAX_HISTORY = 2000;
/** An analysis faster than this is simply redone when stale; slower ones are read stale while typing. */
const FAST_ENOUGH_MS = 25;
/** Workspace folders are searched this deep, and for this many packages at most. */
const MAX_DEPTH = 8;
const MAX_PACKAGES = 500;

export class Workspace {
  private readonly documents = new Map<string, OpenDocument>();
  private readonly analyses = new Map<string, Cached>();
  /** Directories found to hold separate scripts rather than one package. */
  private readonly scriptDirs = new Set<string>();
  /** Bumped when files change on disk, which invalidates every analysis. */
  private diskGeneration = 0;
  /** Syntax trees kept across analyses (a changed file is parsed again only where it changed). */
  private readonly parses = new Parses();

  constructor(readonly opts: WorkspaceOptions) {}

  // -------------------------------------------------------------------------------------------
  // Buffers

  open(file: string, text: string, version: number): void {
    this.documents.set(file, { text, version, history: [] });
  }

  /** The buffer after `edits` (offsets in the text before each edit, applied in order). */
  change(file: string, text: string, version: number, edits: readonly Edit[] | undefined): void {
    const doc = this.documents.get(file);
    if (doc === undefined || edits === undefined) return this.open(file, text, version);
    for (const edit of edits) doc.history.push({ version, edit });
    if (doc.history.length > MAX_HISTORY) doc.history.splice(0, doc.history.length - MAX_HISTORY);
    doc.text = text;
    doc.version = version;
  }

  close(file: string): void {
    this.documents.delete(file);
  }

  /** Files changed on disk (not through an open buffer). */
  diskChanged(): void {
    this.diskGeneration++;
  }

  isOpen(file: string): boolean {
    return this.documents.has(file);
  }

  /** The version of an open buffer. */
  versionOf(file: string): number | undefined {
    return this.documents.get(file)?.version;
  }

  /** Drops every cached analysis (the diagnostics worker keeps none between requests). */
  forgetAnalyses(): void {
    this.analyses.clear();
  }

  openFiles(): string[] {
    return [...this.documents.keys()];
  }

  /** A file's text: its open buffer, else the disk. */
  readonly readFile = (file: string): string | undefined => {
    const doc = this.documents.get(file);
    if (doc) return doc.text;
    try {
      return fs.readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  };

  // -------------------------------------------------------------------------------------------
  // Analyses

  /** An analysis of the package holding `file` that reflects every buffer as it is now. */
  analysisFor(file: string): Analysis {
    const entry = this.entryFor(file);
    const cached = this.analyses.get(entryKey(entry));
    if (cached && this.isCurrent(cached)) return cached.analysis;
    return this.run(entry, file);
  }

  /**
   * An analysis for a request that must answer quickly: the current one if there is one, a fresh
   * one if that is cheap, and otherwise the last one with offsets mapped across the edits since.
   */
  viewFor(file: string): View {
    const text = this.readFile(file) ?? "";
    const entry = this.entryFor(file);
    const key = entryKey(entry);
    const cached = this.analyses.get(key);
    if (cached && (this.isCurrent(cached) || cached.analysis.millis >= FAST_ENOUGH_MS)) {
      const map = this.mapSince(file, cached.versions.get(file));
      if (map !== undefined) return { analysis: cached.analysis, text, map };
    }
    return { analysis: this.analysisFor(file), text, map: OffsetMap.identity };
  }

  /** A fresh view: offsets are those of the current text. */
  freshViewFor(file: string): View {
    return { analysis: this.analysisFor(file), text: this.readFile(file) ?? "", map: OffsetMap.identity };
  }

  /** Analyses of every package in the workspace folders and every open file, for cross-package searches. */
  allAnalyses(): Analysis[] {
    const files = new Set<string>(this.openFiles());
    for (const dir of this.packageDirs()) for (const f of koFilesOf(dir)) files.add(f);
    const seen = new Set<string>();
    const out: Analysis[] = [];
    for (const f of files) {
      const key = entryKey(this.entryFor(f));
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(this.analysisFor(f));
    }
    return out;
  }

  /** Directories holding `.ko` files below the workspace folders. */
  packageDirs(): string[] {
    const out: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (out.length >= MAX_PACKAGES || depth > MAX_DEPTH) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      if (entries.some((e) => e.isFile() && e.name.endsWith(".ko"))) out.push(dir);
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules") walk(path.join(dir, e.name), depth + 1);
      }
    };
    for (const folder of this.opts.folders) walk(folder, 0);
    return out;
  }

  private run(entry: EntrySource, file: string): Analysis {
    const options = (e: EntrySource) => ({
      roots: this.opts.roots,
      readFile: this.readFile,
      parses: this.parses,
      previous: this.analyses.get(entryKey(e))?.analysis,
    });
    let analysis = analyze(entry, options(entry));
    if (entry.kind === "dir" && holdsSeparateScripts(analysis)) {
      this.scriptDirs.add(entry.dir);
      entry = this.entryFor(file);
      analysis = analyze(entry, options(entry));
    }
    const versions = new Map<string, number>();
    for (const f of analysis.texts.keys()) {
      const doc = this.documents.get(f);
      if (doc) versions.set(f, doc.version);
    }
    this.analyses.set(entryKey(entry), { analysis, versions, generation: this.diskGeneration });
    return analysis;
  }

  /** Whether every text the analysis read is still what the editor and the disk hold. */
  private isCurrent(cached: Cached): boolean {
    const a = cached.analysis;
    if (cached.generation !== this.diskGeneration) return false;
    for (const [file, text] of a.texts) {
      const doc = this.documents.get(file);
      if (doc !== undefined && doc.text !== text) return false;
    }
    // A buffer opened since, for a file of this package the analysis did not read.
    return this.openFiles().every((f) => a.texts.has(f) || !this.belongsTo(f, a));
  }

  private belongsTo(file: string, a: Analysis): boolean {
    const e = a.entry;
    return e.kind === "dir" ? path.dirname(file) === e.dir : e.kind === "file" ? e.file === file : false;
  }

  /** The edits of an open buffer since `version`; undefined when they are no longer all known. */
  private mapSince(file: string, version: number | undefined): OffsetMap | undefined {
    const doc = this.documents.get(file);
    if (doc === undefined || version === undefined) return doc === undefined ? OffsetMap.identity : undefined;
    if (version === doc.version) return OffsetMap.identity;
    const since = doc.history.filter((h) => h.version > version);
    const first = doc.history[0];
    if (first === undefined || first.version > version + 1) return undefined;
    return new OffsetMap(since.map((h) => h.edit));
  }

  /** The package `file` is analysed in: its directory, or the file alone (see the file comment). */
  private entryFor(file: string): EntrySource {
    const dir = path.dirname(file);
    if (!fs.existsSync(file)) {
      const base = path.basename(file).replace(/\.ko$/, "") || "main";
      return { kind: "text", path: file, text: this.readFile(file) ?? "", pkgPath: base };
    }
    return this.scriptDirs.has(dir) ? { kind: "file", file } : { kind: "dir", dir };
  }
}

/** An analysis with what it was made from: buffer versions and the disk's generation. */
interface Cached {
  readonly analysis: Analysis;
  readonly versions: Map<string, number>;
  readonly generation: number;
}

/** Functions defined twice across the directory's files: separate scripts, not one package. */
function holdsSeparateScripts(a: Analysis): boolean {
  return a.compileErrors.some(
    (d) => d.code === "resolve/duplicate-function" && d.related?.some((r) => r.span.file !== d.span.file) === true,
  );
}
