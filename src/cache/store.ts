/**
 * The cache's store: entries in append-only packs, blobs in content-addressed files.
 *
 *     DIR/packs/NAME.pack  the entries one store wrote (one process's run): each the result of
 *                          one call (an "action cache" entry in Bazel's words), a header naming
 *                          its group (the hash of the callee's code) and key, then its body
 *     DIR/packs/NAME.idx   written when the store closes: where each entry of NAME.pack lies
 *     DIR/cas/AB/HASH      a blob: the bytes of a file an `Exec` produced, named by their SHA-256
 *     DIR/tmp/             where files are written before they are renamed into place
 *
 * Why packs: a file per entry cost a file creation per stored call (half a millisecond), which
 * made a first run that stores a thousand results half as slow again as an uncached one. A
 * store appends to a pack of its own, named after its process and a random suffix, so two `ko`
 * processes sharing a cache never write to the same file and need no lock; it syncs the pack to
 * disk once, when it closes, and then writes the pack's index (aside, renamed into place). A
 * reader loads every index once, and scans the packs that have none yet (being written, or left
 * by a killed process) entry by entry, up to the first incomplete one. No server, no native
 * module (node:sqlite is not in Node 20, better-sqlite3 needs a compiler).
 *
 * Nothing read is trusted: every entry carries the SHA-256 and length of its body and is checked
 * on every read; a torn, truncated or corrupted entry is ignored, so the call is computed again
 * and stored again in a newer pack, where the next reader finds it (the newest copy of a key is
 * tried first).
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import { randomBytes } from "node:crypto";
import { sha256 } from "../instrument/call-keys.js";
import { sealEntry, openEntry, type EntryBody } from "./entry.js";
import { indexLine, readIndex, scanPack, type PackedEntry } from "./pack.js";

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

/** This store's own pack, open for appending from its first entry to `close`. */
interface OwnPack {
  readonly file: string;
  readonly fd: number;
  /** Its length once every entry written so far is on disk. */
  size: number;
  /** Its length on disk: the entries past it are in `pending`. */
  written: number;
  /** Entries not written yet, as text. */
  readonly pending: string[];
  readonly index: string[];
}

/**
 * How much a store gathers before writing it. Entries are written many at a time, one buffer and
 * one system call for many entries rather than three buffers and a call each (a first run may
 * store thousands). What is gathered is lost if the process dies before writing it, which a cache
 * can afford: those calls are computed again next time.
 */
const WRITE_EVERY_BYTES = 256 * 1024;

export class CacheStore {
  /** Directories known to exist, so each is made once per process. */
  private readonly made = new Set<string>();
  /** Where each stored key lies, by group, newest copy last; loaded at the first look. */
  private index: Map<string, Map<string, PackedEntry[]>> | undefined;
  private own: OwnPack | undefined;
  /** Open packs of other stores, by file, for reading entries. */
  private readonly readers = new Map<string, number>();

  constructor(readonly dir: string) {}

  private get packDir(): string {
    return path.join(this.dir, "packs");
  }

  private blobPath(hash: string): string {
    return path.join(this.dir, "cas", hash.slice(0, 2), hash);
  }

  /** The index of every pack in the store (read once; entries this store writes are added as they are). */
  private loaded(): Map<string, Map<string, PackedEntry[]>> {
    if (this.index) return this.index;
    const index = new Map<string, Map<string, PackedEntry[]>>();
    // Oldest first, so that the newest copy of a key comes last.
    const names = listDir(this.packDir).filter((n) => n.endsWith(".pack"));
    const ages = new Map(names.map((n) => [n, mtimeOf(path.join(this.packDir, n))]));
    names.sort((a, b) => ages.get(a)! - ages.get(b)! || (a < b ? -1 : 1));
    for (const name of names) {
      const file = path.join(this.packDir, name);
      if (file === this.own?.file) continue;
      const entries = readIndex(file.slice(0, -".pack".length) + ".idx", file) ?? scanPack(file);
      for (const e of entries) addTo(index, e);
    }
    return (this.index = index);
  }

  /** True if the store holds no entry at all: nothing to look up, whatever the group. */
  isEmpty(): boolean {
    return this.loaded().size === 0;
  }

  /** The keys stored under a group, or undefined if it has none. */
  keysOf(group: string): Set<string> | undefined {
    const keys = this.loaded().get(group);
    return keys && keys.size > 0 ? new Set(keys.keys()) : undefined;
  }

  /** The entry's verified body, or undefined if it is missing or damaged. */
  read(group: string, key: string): EntryBody | undefined {
    const copies = this.loaded().get(group)?.get(key);
    if (!copies) return undefined;
    for (let i = copies.length - 1; i >= 0; i--) {
      const body = this.readAt(copies[i]!);
      if (body !== undefined) return body;
      copies.splice(i, 1); // damaged: not tried again
    }
    return undefined;
  }

  /** `read`, for calls that are asynchronous anyway (entries are small: one read each). */
  readAsync(group: string, key: string): Promise<EntryBody | undefined> {
    return Promise.resolve(this.read(group, key));
  }

  private readAt(e: PackedEntry): EntryBody | undefined {
    if (e.file === this.own?.file && e.offset + e.length > this.own.written) this.flush(this.own);
    const bytes = Buffer.alloc(e.length);
    try {
      const fd = this.readerOf(e.file);
      if (fs.readSync(fd, bytes, 0, e.length, e.offset) !== e.length) return undefined;
    } catch {
      return undefined;
    }
    return openEntry(bytes, e.group, e.key);
  }

  private readerOf(file: string): number {
    if (file === this.own?.file) return this.own.fd;
    let fd = this.readers.get(file);
    if (fd === undefined) this.readers.set(file, (fd = fs.openSync(file, "r")));
    return fd;
  }

  /** Removes a damaged blob at once, before the call it belongs to is computed and stored again. */
  discard(file: string): void {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // not ours to remove (permissions): it stays ignored
    }
  }

  /**
   * Stores an entry: appended to this store's pack, written with others once they are
   * WRITE_EVERY_BYTES (synchronously: a write costs far less than handing it to the thread
   * pool), made durable at `close`.
   */
  write(group: string, key: string, body: EntryBody): void {
    const own = this.ownPack();
    const sealed = sealEntry(body, group, key);
    const entry: PackedEntry = { file: own.file, group, key, offset: own.size, length: sealed.bytes };
    own.pending.push(sealed.text);
    own.size += sealed.bytes;
    own.index.push(indexLine(entry));
    addTo(this.loaded(), entry);
    if (own.size - own.written >= WRITE_EVERY_BYTES) this.flush(own);
  }

  /** Writes the pending entries at the end of the pack, whole: a reader of the pack finds each entry complete or not at all. */
  private flush(own: OwnPack): void {
    if (own.pending.length === 0) return;
    const bytes = Buffer.from(own.pending.join(""), "utf8");
    own.pending.length = 0;
    for (let done = 0; done < bytes.length;) done += fs.writeSync(own.fd, bytes, done, bytes.length - done, own.written + done);
    own.written += bytes.length;
  }

  private ownPack(): OwnPack {
    if (this.own) return this.own;
    this.mkdirOnce(this.packDir);
    const name = `${Date.now().toString(36)}-${process.pid}-${randomBytes(6).toString("hex")}`;
    const file = path.join(this.packDir, `${name}.pack`);
    this.own = { file, fd: fs.openSync(file, "wx"), size: 0, written: 0, pending: [], index: [] };
    return this.own;
  }

  /**
   * Makes this store's pack durable (its one sync) and writes its index, then closes the files.
   * Entries written after this go to a new pack.
   */
  close(): void {
    for (const fd of this.readers.values()) fs.closeSync(fd);
    this.readers.clear();
    const own = this.own;
    if (!own) return;
    this.own = undefined;
    this.index = undefined;
    try {
      this.flush(own);
      fs.fsyncSync(own.fd);
    } finally {
      fs.closeSync(own.fd);
    }
    const tmp = this.tempName(path.basename(own.file));
    fs.writeFileSync(tmp, own.index.join(""));
    fs.renameSync(tmp, own.file.slice(0, -".pack".length) + ".idx");
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
    const index = this.loaded();
    let entries = 0;
    for (const keys of index.values()) entries += keys.size;
    let entryBytes = 0;
    for (const name of listDir(this.packDir)) entryBytes += sizeOf(path.join(this.packDir, name));
    let blobs = 0;
    let blobBytes = 0;
    const cas = path.join(this.dir, "cas");
    for (const prefix of listDir(cas)) {
      for (const name of listDir(path.join(cas, prefix))) {
        blobs++;
        blobBytes += sizeOf(path.join(cas, prefix, name));
      }
    }
    const groups = [...index.values()].filter((keys) => keys.size > 0).length;
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

function addTo(index: Map<string, Map<string, PackedEntry[]>>, e: PackedEntry): void {
  let keys = index.get(e.group);
  if (!keys) index.set(e.group, (keys = new Map<string, PackedEntry[]>()));
  const copies = keys.get(e.key);
  if (copies) copies.push(e);
  else keys.set(e.key, [e]);
}

function mtimeOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
