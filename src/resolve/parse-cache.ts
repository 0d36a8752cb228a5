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
 * run more than its whole parse cache saves a small file. An entry is JSON, read by the engine's
 * own JSON.parse and one walk that puts back what JSON has no form for (entryText, reviveEntry):
 * V8's serialization, which keeps all of it as it is, needs node:v8, whose loading (it brings
 * Node's streams along) cost a trivial run more than reading its parses did. Only parses without
 * diagnostics are kept: a file with errors is parsed again, and reports them as it always did.
 * An entry that cannot be read or written is parsed anew, silently: the cache only saves time.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LineStarts, SourceSpan } from "../diag/span.js";
import { parseFile, type ParseResult } from "../syntax/index.js";

/** What an entry holds, as read back; a new version of it must change FORMAT. */
interface Entry {
  readonly format: typeof FORMAT;
  /** What was parsed: the parser's URL, the file's path and its text. */
  readonly parsed: string;
  readonly ast: ParseResult["ast"];
  readonly comments: ParseResult["comments"];
}

const FORMAT = 4;

/** A parse function for the loader (LoadOptions.parse) that keeps its parses in `dir`. */
export function cachedParser(dir: string): (file: string, text: string) => ParseResult {
  return (file, text) => {
    const what = `${import.meta.url}\0${file}\0${text}`;
    const entryFile = path.join(dir, `${FORMAT}-${stringHash(what)}`);
    const kept = read(entryFile);
    if (kept !== undefined && kept.format === FORMAT && kept.parsed === what)
      return { ast: kept.ast, diagnostics: [], comments: kept.comments };
    const parsed = parseFile(file, text);
    if (parsed.diagnostics.length === 0) write(dir, entryFile, entryText(what, parsed));
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
    return reviveEntry(JSON.parse(fs.readFileSync(file, "latin1")) as StoredEntry);
  } catch {
    return undefined; // none yet, or unreadable: parse
  }
}

/** Writes an entry whole or not at all: a concurrent run reads the old name or the new file, never half of it. */
function write(dir: string, file: string, text: string): void {
  const partial = `${file}.${process.pid}.partial`;
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(partial, text, "latin1");
    fs.renameSync(partial, file);
  } catch {
    fs.rmSync(partial, { force: true }); // a read-only or full disk: the run goes on uncached
  }
}

// ---------------------------------------------------------------------------------------------
// An entry as JSON
//
// The syntax tree is plain data but for three things JSON has no form for, each written as an
// object of one key and put back by the walk that reads an entry: a span ({"$span": n}, the nth
// of the entry's table of spans, so that a span shared by two nodes stays one object, and the
// line starts of a file are written once, not once a span), an integer literal's bigint
// ({"$bigint": "digits"}) and a number JSON would change (-0 and the infinities, as {"$number": "-0"}:
// String(-0) is "0", so -0 is written by name).
// Every character outside ASCII is escaped, so that the file is read as Latin-1: a one-byte
// string, made without decoding UTF-8.

/** An entry as written: the tree, and the tables its spans are drawn from. */
interface StoredEntry {
  readonly format: typeof FORMAT;
  readonly parsed: string;
  /** The line starts of the spans, each written once. */
  readonly lines: LineStarts[];
  /** The spans as (index in `lines`, from, to) triples, one after the other. */
  readonly spans: number[];
  readonly tree: { readonly ast: unknown; readonly comments: unknown };
}

/** The JSON of an entry for the parse of `what`. */
function entryText(what: string, parsed: ParseResult): string {
  const lines: LineStarts[] = [];
  const linesIndex = new Map<LineStarts, number>();
  const spans: number[] = [];
  const spansIndex = new Map<SourceSpan, number>();
  const spanNumber = (span: SourceSpan): number => {
    let n = spansIndex.get(span);
    if (n === undefined) {
      let l = linesIndex.get(span.lines);
      if (l === undefined) linesIndex.set(span.lines, (l = lines.push(span.lines) - 1));
      spansIndex.set(span, (n = spans.length / 3));
      spans.push(l, span.from, span.to);
    }
    return n;
  };
  const tree = JSON.stringify(
    { ast: parsed.ast, comments: parsed.comments },
    function (this: Record<string, unknown>, key, value: unknown) {
      const original = this[key]; // before toJSON: a SourceSpan makes itself plain data
      if (original instanceof SourceSpan) return { $span: spanNumber(original) };
      if (typeof value === "bigint") return { $bigint: value.toString() };
      if (typeof value === "number" && (Object.is(value, -0) || !Number.isFinite(value)))
        return { $number: Object.is(value, -0) ? "-0" : String(value) };
      return value;
    },
  );
  // The tables are complete only once the tree is written, so the entry is put together around it.
  const head = JSON.stringify({ format: FORMAT, parsed: what, lines, spans });
  return asciiOnly(`${head.slice(0, -1)},"tree":${tree}}`);
}

/** JSON with every character outside ASCII escaped (JSON's \uXXXX means the same character). */
function asciiOnly(json: string): string {
  return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The entry a parsed StoredEntry holds: its tree with spans, bigints and numbers put back, in place. */
function reviveEntry(stored: StoredEntry): Entry {
  const lines = stored.lines.map((l) => Object.setPrototypeOf(l, LineStarts.prototype) as LineStarts);
  const spans: SourceSpan[] = [];
  for (let i = 0; i < stored.spans.length; i += 3)
    spans.push(new SourceSpan(lines[stored.spans[i]!]!, stored.spans[i + 1]!, stored.spans[i + 2]!));
  const revive = (node: Record<string, unknown>): void => {
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (v === null || typeof v !== "object") continue;
      const o = v as Record<string, unknown>;
      if (typeof o.$span === "number") node[key] = spans[o.$span];
      else if (typeof o.$bigint === "string") node[key] = BigInt(o.$bigint);
      else if (typeof o.$number === "string") node[key] = Number(o.$number);
      else revive(o);
    }
  };
  revive(stored.tree);
  const tree = stored.tree as { ast: ParseResult["ast"]; comments: ParseResult["comments"] };
  return { format: stored.format, parsed: stored.parsed, ast: tree.ast, comments: tree.comments };
}
