/**
 * The state file of `--state FILE`: what the cluster held when it last started, then every write
 * acknowledged since, one record per line.
 *
 * Format 2. Each line is a record's JSON, a tab, and the record's checksum: the first 16 hex
 * digits of SHA-256 over the previous line's checksum, a newline and this record's JSON. So an
 * edited record fails its own checksum, and a removed, repeated or reordered one fails the next.
 *
 *   {"ko":"cluster-state","version":2,"rv":120,"objects":2}   the header: resourceVersion, snapshot size
 *   {"gr":"apps/deployments","k":"ns/web","o":{...}}           the snapshot: one record per live object
 *   {"gr":"/configmaps","k":"ns/c","o":{...}}
 *   {"rv":121,"gr":"/configmaps","k":"ns/c","o":{...}}         then the writes since: a put...
 *   {"rv":122,"gr":"/configmaps","k":"ns/c","d":true}          ...or a delete
 *
 * Every resourceVersion is a whole number: the snapshot's at most the header's, the writes'
 * increasing from it. One that is not (1e400 reads as Infinity) would be served to clients as
 * "Infinity" and break every comparison after it.
 *
 * Reading tolerates one thing: a last line cut short, without its newline, among the writes. A
 * write is appended in one call and acknowledged only once its fsync returned, so that is what a
 * crash leaves, and the write it held was never acknowledged: it is dropped, and said so.
 * Anything else — a record that fails its checksum, a snapshot shorter than its header says, a
 * resourceVersion out of order — is damage: the file is refused, naming the last good record,
 * and a repair keeps the records up to it.
 *
 * Format 1, written before, has no checksums: `{"rv":12}`, then puts and deletes. It is still
 * read, with the same resourceVersion checks, and rewritten in format 2 when a cluster opens it.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KObject } from "./resources.js";
import { ClusterSetupError } from "./setup-error.js";

export const STATE_FORMAT = 2;

/** The objects of a cluster and its global resourceVersion. */
export interface ClusterState {
  rv: number;
  /** gr → key → object */
  tables: Map<string, Map<string, KObject>>;
}

/** Where reading stopped, and what keeping only the records before that point loses. */
export interface Damage {
  /** What is wrong, e.g. "record 7, at byte 2310, does not match its checksum (edited or corrupted)". */
  readonly problem: string;
  /** The last good record (1 is the header; 0: not even the header is good). */
  readonly lastGood: number;
  /** The length of the file up to the end of the last good record. */
  readonly goodBytes: number;
  /** Objects of the snapshot after the last good record. */
  readonly lostObjects: number;
  /** Writes after the last good record. */
  readonly lostWrites: number;
  /** Every record from the damaged one on, whatever it held. */
  readonly lostRecords: number;
}

export interface StateReading {
  /** What the good records hold. */
  readonly state: ClusterState;
  readonly version: 1 | 2;
  readonly damage?: Damage;
  /** The record a crash cut short, dropped (its write was never acknowledged). */
  readonly tornRecord?: number;
}

export class StateFileError extends ClusterSetupError {
  constructor(
    readonly file: string,
    readonly damage: Damage,
  ) {
    const repair = `\`ko cluster serve --state ${file} --repair\``;
    super(
      `cluster state ${file} is damaged: ${damage.problem}. ` +
        (damage.lastGood > 0
          ? `Its last good record is record ${damage.lastGood}, ending at byte ${damage.goodBytes}: ${repair} keeps the records up to it and loses ${lossOf(damage)}.`
          : `No record of it is good: ${repair} starts from an empty cluster and loses all ${damage.lostRecords} of its records.`),
    );
  }
}

/** "3 writes", "12 objects of the snapshot and 2 writes". */
export function lossOf(d: Pick<Damage, "lostObjects" | "lostWrites">): string {
  const parts: string[] = [];
  if (d.lostObjects > 0) parts.push(`${d.lostObjects} object${d.lostObjects === 1 ? "" : "s"} of the snapshot`);
  if (d.lostWrites > 0 || parts.length === 0) parts.push(`${d.lostWrites} write${d.lostWrites === 1 ? "" : "s"}`);
  return parts.join(" and ");
}

/** One record as a line: its JSON, a tab, and its checksum chained to the previous one. */
export function recordLine(previousSum: string, json: string): { line: string; sum: string } {
  const sum = checksum(previousSum, json);
  return { line: `${json}\t${sum}\n`, sum };
}

function checksum(previousSum: string, json: string): string {
  return createHash("sha256").update(previousSum).update("\n").update(json).digest("hex").slice(0, 16);
}

/**
 * Writes `state` as a fresh format-2 file (header and snapshot) in place of `file`, atomically:
 * a temporary file, fsync'd, renamed over it. Returns the last record's checksum, which the
 * next appended write chains to.
 */
export function writeSnapshot(file: string, state: ClusterState): string {
  let count = 0;
  for (const table of state.tables.values()) count += table.size;
  let { line, sum } = recordLine("", JSON.stringify({ ko: "cluster-state", version: STATE_FORMAT, rv: state.rv, objects: count }));
  const parts = [line];
  for (const [gr, table] of state.tables)
    for (const [k, o] of table) {
      ({ line, sum } = recordLine(sum, JSON.stringify({ gr, k, o })));
      parts.push(line);
    }
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, "w", 0o600);
  try {
    fs.writeSync(fd, parts.join(""));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  syncDir(path.dirname(file));
  return sum;
}

/** Reads a state file (none is an empty cluster); the state is what the records before any damage hold. */
export function readState(file: string): StateReading {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { state: emptyState(), version: STATE_FORMAT };
    throw e;
  }
  const all = [...lines(buf)];
  if (all.length === 0) return { state: emptyState(), version: STATE_FORMAT };
  // Format 1 began with its resourceVersion; anything else is read as format 2, whose header check names the damage.
  return all[0]!.text.startsWith('{"rv":') ? readVersion1(all) : readVersion2(file, all);
}

interface Line {
  readonly text: string;
  /** Byte offsets: where the line starts, and where it ends including its newline. */
  readonly start: number;
  readonly end: number;
  readonly terminated: boolean;
}

/** The lines of a file with their byte offsets (split on bytes, so offsets stay exact whatever the text). */
function* lines(buf: Buffer): Generator<Line> {
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl + 1;
    yield { text: buf.toString("utf8", start, nl < 0 ? buf.length : nl), start, end, terminated: nl >= 0 };
    start = end;
  }
}

/** A record that cannot be trusted: reading stops before it. */
class Bad extends Error {}

function readVersion2(file: string, all: Line[]): StateReading {
  const state = emptyState();
  let objects = 0;
  let sum = "";
  let rv = 0;
  const seenRVs = new Set<number>();
  /** Record `i` (0-based) and everything after it are lost; the records before are kept. */
  const damaged = (i: number, problem: string): StateReading => {
    const writesFrom = Math.max(i, objects + 1);
    return {
      state,
      version: 2,
      damage: {
        problem,
        lastGood: i,
        goodBytes: i === 0 ? 0 : all[i - 1]!.end,
        lostObjects: i === 0 ? 0 : Math.max(0, objects - (i - 1)),
        lostWrites: i === 0 ? 0 : Math.max(0, all.length - writesFrom),
        lostRecords: all.length - i,
      },
    };
  };
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    const at = `record ${i + 1}, at byte ${line.start}`;
    const inSnapshot = i > 0 && i <= objects;
    const tab = line.text.lastIndexOf("\t");
    const json = tab < 0 ? line.text : line.text.slice(0, tab);
    if (tab < 0 || line.text.slice(tab + 1) !== checksum(sum, json)) {
      if (!line.terminated && i > objects) return { state, version: 2, tornRecord: i + 1 };
      if (!line.terminated) return damaged(i, `the file ends inside ${at} (truncated)`);
      return damaged(i, `${at}, does not match its checksum (edited or corrupted)`);
    }
    try {
      const record = JSON.parse(json) as Record<string, unknown>;
      if (i === 0) {
        if (record.ko !== "cluster-state") throw new Bad("the header does not name a cluster state");
        // Not damage: a newer ko's file, which a repair would destroy.
        if (record.version !== STATE_FORMAT)
          throw new ClusterSetupError(
            `cluster state ${file} is in format ${String(record.version)}, which a newer ko wrote: this one reads formats 1 and ${STATE_FORMAT}`,
          );
        rv = wholeNumber(record.rv, "the header's resourceVersion");
        if (!Number.isSafeInteger(record.objects) || (record.objects as number) < 0)
          throw new Bad(`the header's object count (${String(record.objects)}) is not a count`);
        objects = record.objects as number;
        state.rv = rv;
      } else if (inSnapshot) {
        const { gr, k, o } = objectRecord(record);
        const objectRV = wholeNumber(resourceVersionOf(o), "its object's resourceVersion");
        if (objectRV > rv) throw new Bad(`its object's resourceVersion ${objectRV} is newer than the header's ${rv}`);
        if (seenRVs.has(objectRV)) throw new Bad(`its object's resourceVersion ${objectRV} is another object's too`);
        seenRVs.add(objectRV);
        table(state, gr).set(k, o);
      } else {
        const writeRV = wholeNumber(record.rv, "its resourceVersion");
        if (writeRV <= rv) throw new Bad(`its resourceVersion ${writeRV} does not follow ${rv} (resourceVersions only increase)`);
        if (record.d === true) {
          const { gr, k } = keyOf(record);
          table(state, gr).delete(k);
        } else {
          const { gr, k, o } = objectRecord(record);
          if (resourceVersionOf(o) !== String(writeRV))
            throw new Bad(`its object's resourceVersion (${JSON.stringify(resourceVersionOf(o))}) is not the write's (${writeRV})`);
          table(state, gr).set(k, o);
        }
        rv = state.rv = writeRV;
      }
    } catch (e) {
      if (e instanceof Bad || e instanceof SyntaxError) return damaged(i, `${at}: ${e.message}`);
      throw e;
    }
    sum = line.text.slice(tab + 1);
  }
  if (all.length - 1 < objects)
    return damaged(all.length, `the header announces ${objects} objects, but the file ends after ${all.length - 1} (truncated)`);
  return { state, version: 2 };
}

/**
 * Format 1: JSON lines without checksums, `{"rv":N}` then `{"rv","gr","k","o"}` puts and
 * `{"rv","gr","k","d":1}` deletes, snapshot and writes alike. Its resourceVersions are checked
 * as whole numbers; their order cannot be, since a snapshot's are in no order.
 */
function readVersion1(all: Line[]): StateReading {
  const state = emptyState();
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (line.text.trim() === "") continue;
    try {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line.text) as Record<string, unknown>;
      } catch (e) {
        if (!line.terminated) return { state, version: 1, tornRecord: i + 1 };
        throw e;
      }
      const rv = wholeNumber(record.rv, "its resourceVersion");
      if (record.gr !== undefined || record.k !== undefined) {
        if (record.d) {
          const { gr, k } = keyOf(record);
          table(state, gr).delete(k);
        } else {
          const { gr, k, o } = objectRecord(record);
          wholeNumber(resourceVersionOf(o), "its object's resourceVersion");
          table(state, gr).set(k, o);
        }
      }
      if (rv > state.rv) state.rv = rv;
    } catch (e) {
      if (!(e instanceof Bad || e instanceof SyntaxError)) throw e;
      return {
        state,
        version: 1,
        damage: {
          problem: `record ${i + 1}, at byte ${line.start}: ${e.message}`,
          lastGood: i,
          goodBytes: line.start,
          lostObjects: 0,
          lostWrites: all.slice(i).filter((l) => l.text.trim() !== "").length,
          lostRecords: all.slice(i).filter((l) => l.text.trim() !== "").length,
        },
      };
    }
  }
  return { state, version: 1 };
}

/** A resourceVersion as a number: a whole number, written as JSON number or as the decimal string objects carry. */
function wholeNumber(value: unknown, what: string): number {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0)
    throw new Bad(`${what} (${typeof value === "string" ? JSON.stringify(value) : String(value)}) is not a whole number`);
  return n;
}

function keyOf(record: Record<string, unknown>): { gr: string; k: string } {
  if (typeof record.gr !== "string" || typeof record.k !== "string") throw new Bad("a record without its resource and key");
  return { gr: record.gr, k: record.k };
}

function objectRecord(record: Record<string, unknown>): { gr: string; k: string; o: KObject } {
  const { gr, k } = keyOf(record);
  const o = record.o as KObject | undefined;
  if (typeof o !== "object" || o === null || typeof o.metadata?.name !== "string") throw new Bad("a record without its object");
  if (k !== `${o.metadata.namespace ?? ""}/${o.metadata.name}`) throw new Bad(`its key ${k} is not its object's`);
  return { gr, k, o };
}

const resourceVersionOf = (o: KObject): unknown => o.metadata?.resourceVersion;

function table(state: ClusterState, gr: string): Map<string, KObject> {
  let t = state.tables.get(gr);
  if (!t) state.tables.set(gr, (t = new Map()));
  return t;
}

const emptyState = (): ClusterState => ({ rv: 0, tables: new Map() });

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some filesystems refuse fsync on directories */
  }
}
