/**
 * The files a make-style call produces: stored as blobs after it ran, put back on a hit.
 *
 * A file already holding the right bytes is left alone (its timestamp too), so a hit touches
 * nothing that is up to date. A file put back is written aside and renamed into place, so a
 * reader never sees half of it.
 */
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import type { StoredFile } from "./entry.js";
import { sha256 } from "../instrument/call-keys.js";
import type { OutputFile } from "../host/cache-policy.js";
import type { CacheStore } from "./store.js";

/** Stores each output; undefined if one of them is missing (the call did not produce what it declared). */
export async function storeFiles(store: CacheStore, outputs: readonly OutputFile[]): Promise<StoredFile[] | undefined> {
  const stored: StoredFile[] = [];
  for (const out of outputs) {
    let bytes: Buffer;
    let mode: number;
    try {
      bytes = await fsp.readFile(out.absolute);
      mode = (await fsp.stat(out.absolute)).mode & 0o777;
    } catch {
      return undefined;
    }
    stored.push({ path: out.declared, sha256: await store.putBlob(bytes), size: bytes.length, mode });
  }
  return stored;
}

/** Puts the stored files back where the call declares them; false if a blob is lost or damaged. */
export async function restoreFiles(store: CacheStore, stored: readonly StoredFile[], outputs: readonly OutputFile[]): Promise<boolean> {
  const where = new Map(outputs.map((o) => [o.declared, o.absolute]));
  const missing: { file: StoredFile; absolute: string }[] = [];
  for (const file of stored) {
    const absolute = where.get(file.path);
    if (absolute === undefined) return false;
    if (!(await holds(absolute, file))) missing.push({ file, absolute });
  }
  // Fetch every blob before writing any file, so a lost blob leaves the files as they were.
  const blobs: Buffer[] = [];
  for (const { file } of missing) {
    const bytes = await store.getBlob(file.sha256);
    if (!bytes) return false;
    blobs.push(bytes);
  }
  for (let i = 0; i < missing.length; i++) await place(missing[i]!.absolute, blobs[i]!, missing[i]!.file.mode);
  return true;
}

async function holds(file: string, expected: StoredFile): Promise<boolean> {
  try {
    const st = await fsp.stat(file);
    if (st.size !== expected.size || (st.mode & 0o777) !== expected.mode) return false;
    return sha256(await fsp.readFile(file)) === expected.sha256;
  } catch {
    return false;
  }
}

async function place(file: string, bytes: Buffer, mode: number): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.ko-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await fsp.writeFile(tmp, bytes, { mode });
    await fsp.chmod(tmp, mode);
    await fsp.rename(tmp, file);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
