/**
 * Parses kept between runs. Building Chevrotain's lexer and parser (grammar analysis) and parsing
 * cost a trivial `ko run` about a third of its own time, and a script usually runs again unchanged:
 * so a session that caches (`ko run`, unless --no-cache) keeps the parse of each file in its cache
 * directory, under `parses/`, and a later run that finds the parse of the same text reads it
 * instead of parsing (as Python keeps the bytecode of a module).
 *
 * An entry is named by a hash of the file's path and text and of the code that parsed it (the
 * URL of this module, which in the bundle names its chunk by a hash of its content), so a change
 * of either is a miss, never a stale AST. It holds the AST and comments in V8's serialization,
 * which keeps every value the AST has (bigints, -0) and its sharing; spans come back as plain
 * data and are made SourceSpans again on the way in (reviveSpans). Only parses without
 * diagnostics are kept: a file with errors is parsed again, and reports them as it always did.
 * An entry that cannot be read or written is parsed anew, silently: the cache only saves time.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import { LineStarts, SourceSpan } from "../diag/span.js";
import { parseFile, type ParseResult } from "../syntax/index.js";

/** What an entry holds; a new version of it must change FORMAT. */
interface Entry {
  readonly format: typeof FORMAT;
  readonly ast: ParseResult["ast"];
  readonly comments: ParseResult["comments"];
}

const FORMAT = 2;

/** A parse function for the loader (LoadOptions.parse) that keeps its parses in `dir`. */
export function cachedParser(dir: string): (file: string, text: string) => ParseResult {
  return (file, text) => {
    const key = createHash("sha256")
      .update(`${FORMAT}\0${import.meta.url}\0${file}\0`)
      .update(text)
      .digest("hex");
    const entryFile = path.join(dir, key);
    const kept = read(entryFile);
    if (kept !== undefined && kept.format === FORMAT && kept.ast.file === file) {
      reviveSpans(kept);
      return { ast: kept.ast, diagnostics: [], comments: kept.comments };
    }
    const parsed = parseFile(file, text);
    if (parsed.diagnostics.length === 0) write(dir, entryFile, { format: FORMAT, ast: parsed.ast, comments: parsed.comments });
    return parsed;
  };
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
