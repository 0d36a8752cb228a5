/**
 * Parses kept between runs. Building Chevrotain's lexer and parser (grammar analysis) and parsing
 * cost a trivial `ko run` about a third of its own time, and a script usually runs again unchanged:
 * so a session that caches (`ko run`, unless --no-cache) keeps the parse of each file in its cache
 * directory, under `parses/`, and a later run that finds the parse of the same text reads it
 * instead of parsing (as Python keeps the bytecode of a module).
 *
 * An entry is named by a hash of the file's path and text and of the code that parsed it (the
 * URL of this module, which in the bundle names its chunk by a hash of its content), and holds
 * them too: a read compares them with the file's, so a change of either is a miss, never a stale
 * AST. The name's hash need only spread entries, not prove them, so it is a plain 64-bit string
 * hash rather than SHA-256, whose module (node:crypto, with the streams it loads) cost a trivial
 * run more than its whole parse cache saves a small file. An entry holds the AST and comments in
 * V8's serialization, which keeps every value the AST has (bigints, -0) and its sharing; spans
 * come back as plain data and are made SourceSpans again on the way in (reviveSpans). Only
 * parses without diagnostics are kept: a file with errors is parsed again, and reports them as it
 * always did. An entry that cannot be read or written is parsed anew, silently: the cache only
 * saves time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import { LineStarts, SourceSpan } from "../diag/span.js";
import { parseFile, type ParseResult } from "../syntax/index.js";

/** What an entry holds; a new version of it must change FORMAT. */
interface Entry {
  readonly format: typeof FORMAT;
  /** What was parsed: the parser's URL, the file's path and its text. */
  readonly parsed: string;
  readonly ast: ParseResult["ast"];
  readonly comments: ParseResult["comments"];
}

const FORMAT = 3;

/** A parse function for the loader (LoadOptions.parse) that keeps its parses in `dir`. */
export function cachedParser(dir: string): (file: string, text: string) => ParseResult {
  return (file, text) => {
    const what = `${import.meta.url}\0${file}\0${text}`;
    const entryFile = path.join(dir, `${FORMAT}-${stringHash(what)}`);
    const kept = read(entryFile);
    if (kept !== undefined && kept.format === FORMAT && kept.parsed === what) {
      reviveSpans(kept);
      return { ast: kept.ast, diagnostics: [], comments: kept.comments };
    }
    const parsed = parseFile(file, text);
    if (parsed.diagnostics.length === 0)
      write(dir, entryFile, { format: FORMAT, parsed: what, ast: parsed.ast, comments: parsed.comments });
    return parsed;
  };
}

/** FNV-1a over the UTF-16 code units, in two 32-bit lanes of different offsets: 16 hex digits. */
function stringHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}

function read(file: string): Entry | undefined {
  try {
    return v8.deserialize(fs.readFileSync(file)) as Entry;
  } catch {
    return undefined; // none yet, or unreadable: parse
  }
}

/** Writes an entry whole or not at all: a concurrent run reads the old name or the new file, never half of it. */
function write(dir: string, file: string, entry: Entry): void {
  const partial = `${file}.${process.pid}.partial`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(partial, v8.serialize(entry));
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true }); // a read-only or full disk: the run goes on uncached
  }
}

/**
 * Makes every span of a deserialized entry a SourceSpan again, in place: V8's serialization
 * keeps a span's fields (its line starts, shared by the file's spans, and two offsets) but not
 * its class. A span shared by two nodes stays shared.
 */
function reviveSpans(entry: Entry): void {
  const spans = new Map<object, SourceSpan>();
  const seen = new Set<object>();
  const visit = (node: object): void => {
    if (seen.has(node)) return;
    seen.add(node);
    const o = node as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      const v = o[key];
      if (v === null || typeof v !== "object") continue;
      if (isSpanData(v)) {
        let span = spans.get(v);
        if (!span) {
          if (!(v.lines instanceof LineStarts)) Object.setPrototypeOf(v.lines, LineStarts.prototype);
          spans.set(v, (span = new SourceSpan(v.lines, v.from, v.to)));
        }
        o[key] = span;
      } else visit(v);
    }
  };
  visit(entry);
}

function isSpanData(v: object): v is { lines: LineStarts; from: number; to: number } {
  const o = v as Record<string, unknown>;
  return typeof o.from === "number" && typeof o.to === "number" && typeof o.lines === "object" && o.lines !== null;
}
