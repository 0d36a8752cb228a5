/**
 * The format of a cache entry: a header that lets a reader verify the body, then the body.
 *
 *     ko-cache-entry 2 SHA256 LENGTH GROUP KEY\n
 *     BODY
 *
 * SHA256 is the lower-case hex SHA-256 of BODY's bytes and LENGTH their number; GROUP and KEY
 * say which call's result it is (entries follow one another in a pack, store.ts); BODY is JSON
 * (`EntryBody`). A reader that finds anything else — a short entry, a different hash, another
 * key, bad JSON — treats the entry as absent.
 */
import type { Data } from "../value/serial.js";
import { sha256 } from "../instrument/call-keys.js";

const MAGIC = "ko-cache-entry 2";
/** The longest header: the magic, two SHA-256s, a length and a key. */
export const MAX_HEADER = 256;

/** A file a call produced, stored as a blob and put back on a hit. */
export interface StoredFile {
  /** The path as the call declared it (relative to the call's working directory). */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** Permission bits, so that an executable comes back executable. */
  readonly mode: number;
}

export interface EntryBody {
  /** The result, in the faithful serialisation (serial.ts). */
  readonly value: Data;
  /** The callee's printed name, for `ko cache stats` and for people reading the files. */
  readonly callee: string;
  /** How long the call took when it was computed. */
  readonly ms: number;
  readonly files?: readonly StoredFile[];
}

/**
 * The entry as text, header and body, and its length in UTF-8 bytes. Text, not bytes: a store
 * gathers the entries of many calls and turns them into bytes once, when it writes them.
 */
export function sealEntry(body: EntryBody, group: string, key: string): { readonly text: string; readonly bytes: number } {
  const json = JSON.stringify(body);
  const length = Buffer.byteLength(json, "utf8");
  const header = `${MAGIC} ${sha256(json)} ${length} ${group} ${key}\n`;
  return { text: header + json, bytes: Buffer.byteLength(header, "utf8") + length };
}

/** What an entry's header says, if it is one; `end` is where the header's line ends. */
export function entryHeader(bytes: Buffer, at = 0): { group: string; key: string; sha: string; length: number; end: number } | undefined {
  const nl = bytes.indexOf(10, at);
  if (nl < 0 || nl - at > MAX_HEADER) return undefined;
  const header = bytes.subarray(at, nl).toString("utf8").split(" ");
  if (header.length !== 6 || `${header[0]} ${header[1]}` !== MAGIC) return undefined;
  const length = Number(header[3]);
  if (!Number.isSafeInteger(length) || length < 0) return undefined;
  return { sha: header[2]!, length, group: header[4]!, key: header[5]!, end: nl + 1 };
}

/** The body, if the bytes are a whole, intact entry of the call `group`, `key`. */
export function openEntry(bytes: Buffer, group: string, key: string): EntryBody | undefined {
  const header = entryHeader(bytes);
  if (!header || header.group !== group || header.key !== key) return undefined;
  const body = bytes.subarray(header.end);
  if (body.length !== header.length || sha256(body) !== header.sha) return undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as EntryBody;
    return typeof parsed === "object" && parsed !== null && "value" in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
