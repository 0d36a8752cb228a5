/**
 * The cache's store: content-addressed files, laid out as git and Bazel keep theirs.
 *
 *     DIR/ac/GROUP/KEY     an entry: the result of one call (an "action cache" entry in Bazel's
 *                          words), GROUP being the hash of the callee's code, KEY the call's key
 *     DIR/cas/AB/HASH      a blob: the bytes of a file an `Exec` produced, named by their SHA-256
 *     DIR/tmp/             where files are written before they are renamed into place
 *
 * Why files and not an embedded database: a file per key needs no server, no native module
 * (node:sqlite is not in Node 20, better-sqlite3 needs a compiler) and no lock. Every file is
 * written whole to tmp/ and renamed into place, which POSIX makes atomic, so a reader sees a
 * complete file or none, and two `ko` processes sharing a cache never see each other's halves;
 * since a name is a hash of what the file must hold, two writers of one name write the same
 * thing and either may win. Grouping entries by callee lets a run list, with one `readdir`,
 * which calls of a function were ever stored: a function with no entries costs its calls nothing.
 *
 * Nothing read is trusted: an entry carries the SHA-256 and length of its body, a blob is named
 * by its SHA-256, and both are checked on every read; a torn, truncated or corrupted file is
 * ignored (and removed), so the call is simply computed again.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { sha256 } from "../instrument/call-keys.js";
import { openEntry, sealEntry, type EntryBody } from "./entry.js";

export interface StoreStats {
  readonly dir: string;
  readonly entries: number;
  readonly entryBytes: number;
  readonly groups: number;
  readonly blobs: number;
  readonly blobBytes: number;
  /** Temporary files left by processes that were killed while writing. */
  readonly leftovers: number;
}

export class CacheStore {
  /** Directories known to exist, so each is made once per process. */
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {}

  private groupDir(group: string): string {
    return path.join(this.dir, "ac", group);
  }

  private entryPath(group: string, key: string): string {
    return path.join(this.dir, "ac", group, key);
  }

  private blobPath(hash: string): string {
    return path.join(this.dir, "cas", hash.slice(0, 2), hash);
  }

  /** The keys stored under a group, or undefined if it has none (one readdir, no reads). */
  keysOf(group: string): Set<string> | undefined {
    try {
      const names = fs.readdirSync(this.groupDir(group));
      return names.length > 0 ? new Set(names) : undefined;
    } catch {
      return undefined;
    }
  }

  /** The entry's verified body, or undefined if it is missing or damaged. */
  read(group: string, key: string): EntryBody | undefined {
    const file = this.entryPath(group, key);
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return undefined;
    }
    return this.verified(file, bytes);
  }

  /** `read` without blocking the event loop, for calls that are asynchronous anyway. */
  async readAsync(group: string, key: string): Promise<EntryBody | undefined> {
    const file = this.entryPath(group, key);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch {
      return undefined;
    }
    return this.verified(file, bytes);
  }

  private verified(file: string, bytes: Buffer): EntryBody | undefined {
    const body = openEntry(bytes);
    if (body === undefined) this.discard(file);
    return body;
  }

  /**
   * Removes a damaged file at once, before the call it belongs to is computed and stored again.
   * Losing a race with another process that just replaced it costs that process a recomputation.
   */
  discard(file: string): void {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // not ours to remove (permissions): it stays ignored
    }
  }

  /**
   * Stores an entry (atomically: written aside, then renamed into place). Entries are small, so
   * this is synchronous: a few system calls cost far less than handing them to the thread pool.
   */
  write(group: string, key: string, body: EntryBody): void {
    this.mkdirOnce(this.groupDir(group));
    const tmp = this.tempName(key);
    try {
      fs.writeFileSync(tmp, sealEntry(body));
      fs.renameSync(tmp, this.entryPath(group, key));
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw e;
    }
  }

  private mkdirOnce(dir: string): void {
    if (this.made.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }

  /** A fresh name in tmp/, on the same file system as the cache, so that renaming is atomic. */
  private tempName(base: string): string {
    const tmpDir = path.join(this.dir, "tmp");
    this.mkdirOnce(tmpDir);
    return path.join(tmpDir, `${base}.${process.pid}.${randomBytes(6).toString("hex")}`);
  }

  /** Stores bytes under their hash and returns it; bytes already there are not written again. */
  async putBlob(bytes: Buffer): Promise<string> {
    const hash = sha256(bytes);
    const file = this.blobPath(hash);
    if (await this.blobIntact(file, hash, bytes.length)) return hash;
    await fsp.mkdir(path.dirname(file), { recursive: true });
    await this.place(bytes, file);
    return hash;
  }

  /** The blob's bytes if they are there and hash to their name. */
  async getBlob(hash: string): Promise<Buffer | undefined> {
    const file = this.blobPath(hash);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(file);
    } catch {
      return undefined;
    }
    if (sha256(bytes) === hash) return bytes;
    this.discard(file);
    return undefined;
  }

  private async blobIntact(file: string, hash: string, size: number): Promise<boolean> {
    try {
      const st = await fsp.stat(file);
      if (st.size !== size) return false;
      return sha256(await fsp.readFile(file)) === hash;
    } catch {
      return false;
    }
  }

  /** Writes `bytes` to a fresh temporary file and renames it to `file`. */
  private async place(bytes: Buffer, file: string): Promise<void> {
    const tmp = this.tempName(path.basename(file));
    try {
      await fsp.writeFile(tmp, bytes);
      await fsp.rename(tmp, file);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
  }

  stats(): StoreStats {
    const ac = path.join(this.dir, "ac");
    let entries = 0;
    let entryBytes = 0;
    let groups = 0;
    for (const group of listDir(ac)) {
      groups++;
      for (const name of listDir(path.join(ac, group))) {
        entries++;
        entryBytes += sizeOf(path.join(ac, group, name));
      }
    }
    let blobs = 0;
    let blobBytes = 0;
    const cas = path.join(this.dir, "cas");
    for (const prefix of listDir(cas)) {
      for (const name of listDir(path.join(cas, prefix))) {
        blobs++;
        blobBytes += sizeOf(path.join(cas, prefix, name));
      }
    }
    return { dir: this.dir, entries, entryBytes, groups, blobs, blobBytes, leftovers: listDir(path.join(this.dir, "tmp")).length };
  }

  /** Removes everything. Safe while nobody uses the cache; a concurrent writer's rename may fail. */
  clear(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
