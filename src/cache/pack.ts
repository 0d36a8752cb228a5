/**
 * Finding entries in a pack (store.ts): through the index written when the pack was closed, or,
 * for a pack without one (still being written, or left by a killed process), by walking its
 * entries' headers from the start. Either way what is found is only where an entry should be:
 * every read verifies it (entry.ts).
 */
import * as fs from "node:fs";
import { entryHeader } from "./entry.js";

/** Where one entry lies: `length` bytes, header included, from `offset` in `file`. */
export interface PackedEntry {
  readonly file: string;
  readonly group: string;
  readonly key: string;
  readonly offset: number;
  readonly length: number;
}

/** The entry's line in its pack's index. */
export function indexLine(e: PackedEntry): string {
  return `${e.group} ${e.key} ${e.offset} ${e.length}\n`;
}

/** The entries an index lists for `pack`, or undefined if there is no index (yet). Malformed lines are skipped. */
export function readIndex(idx: string, pack: string): PackedEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(idx, "utf8");
  } catch {
    return undefined;
  }
  const out: PackedEntry[] = [];
  for (const line of text.split("\n")) {
    const [group, key, offset, length] = line.split(" ");
    const at = Number(offset);
    const n = Number(length);
    if (group && key && Number.isSafeInteger(at) && Number.isSafeInteger(n) && n > 0)
      out.push({ file: pack, group, key, offset: at, length: n });
  }
  return out;
}

/** The entries of a pack without an index, up to the first that is cut short or unreadable. */
export function scanPack(pack: string): PackedEntry[] {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(pack);
  } catch {
    return [];
  }
  const out: PackedEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const header = entryHeader(bytes, at);
    if (!header) break;
    const length = header.end - at + header.length;
    if (at + length > bytes.length) break;
    out.push({ file: pack, group: header.group, key: header.key, offset: at, length });
    at += length;
  }
  return out;
}
