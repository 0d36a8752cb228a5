/**
 * The format of a cache entry: a header that lets a reader verify the body, then the body.
 *
 *     ko-cache-entry 1 SHA256 LENGTH\n
 *     BODY
 *
 * SHA256 is the lower-case hex SHA-256 of BODY's bytes and LENGTH their number; BODY is JSON
 * (`EntryBody`). A reader that finds anything else — a short file, a different hash, bad JSON —
 * treats the entry as absent.
 */
import type { Data } from "../value/serial.js";
import { sha256 } from "../instrument/call-keys.js";

const MAGIC = "ko-cache-entry 1";

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

export function sealEntry(body: EntryBody): Buffer {
  const bytes = Buffer.from(JSON.stringify(body), "utf8");
  return Buffer.concat([Buffer.from(`${MAGIC} ${sha256(bytes)} ${bytes.length}\n`, "utf8"), bytes]);
}

/** The body, if the bytes are a whole, intact entry. */
export function openEntry(bytes: Buffer): EntryBody | undefined {
  const nl = bytes.indexOf(10);
  if (nl < 0 || nl > 200) return undefined;
  const header = bytes.subarray(0, nl).toString("utf8").split(" ");
  if (header.length !== 4 || `${header[0]} ${header[1]}` !== MAGIC) return undefined;
  const body = bytes.subarray(nl + 1);
  if (String(body.length) !== header[3] || sha256(body) !== header[2]) return undefined;
  try {
    const parsed = JSON.parse(body.toString("utf8")) as EntryBody;
    return typeof parsed === "object" && parsed !== null && "value" in parsed ? parsed : undefined;
  } catch {
    return undefined;
  }
}
