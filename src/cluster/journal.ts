/**
 * Durable state for `--state FILE`: the file (format in state-file.ts) is read when the cluster
 * starts, rewritten compacted — a header and one record per live object — and then every write
 * is appended and fsync'd before it is acknowledged.
 */
import * as fs from "node:fs";
import type { KObject } from "./resources.js";
import { lossOf, readState, recordLine, StateFileError, writeSnapshot, type ClusterState } from "./state-file.js";

export type { ClusterState } from "./state-file.js";

export interface JournalOptions {
  /** fsync each write before acknowledging it (default true). */
  readonly fsync?: boolean;
  /** A damaged file is cut back to its last good record instead of refused (a copy is kept as FILE.damaged). */
  readonly repair?: boolean;
  /** What opening the file did besides reading it: a dropped unfinished write, a repair, a migration. */
  readonly notify?: (message: string) => void;
}

export class Journal {
  private constructor(
    readonly file: string,
    private readonly fd: number,
    private readonly sync: boolean,
    /** The checksum of the last record, which the next one chains to. */
    private lastSum: string,
  ) {}

  /** Reads FILE (none: an empty cluster), rewrites it compacted, and opens it for appending. */
  static open(file: string, opts: JournalOptions = {}): { journal: Journal; state: ClusterState } {
    const notify = opts.notify ?? (() => {});
    const reading = readState(file);
    if (reading.damage) {
      if (!opts.repair) throw new StateFileError(file, reading.damage);
      // What a repair drops may still matter to someone: it is kept, not destroyed.
      fs.copyFileSync(file, `${file}.damaged`);
      notify(
        `repaired ${file}: kept ${reading.damage.lastGood} good record${reading.damage.lastGood === 1 ? "" : "s"}, ` +
          `lost ${reading.damage.lastGood > 0 ? lossOf(reading.damage) : `all ${reading.damage.lostRecords} records`} ` +
          `(${reading.damage.problem}); the damaged file is kept as ${file}.damaged`,
      );
    } else if (opts.repair) notify(`${file}: no damage found; nothing to repair`);
    if (reading.tornRecord !== undefined)
      notify(`${file}: dropped record ${reading.tornRecord}, a write cut short by a crash before it was acknowledged`);
    if (reading.version === 1) notify(`${file}: read in format 1 (no checksums) and rewritten in format 2`);
    const lastSum = writeSnapshot(file, reading.state);
    return { journal: new Journal(file, fs.openSync(file, "a"), opts.fsync !== false, lastSum), state: reading.state };
  }

  put(rv: number, gr: string, key: string, o: KObject): void {
    this.append(JSON.stringify({ rv, gr, k: key, o }));
  }

  remove(rv: number, gr: string, key: string): void {
    this.append(JSON.stringify({ rv, gr, k: key, d: true }));
  }

  private append(json: string): void {
    const { line, sum } = recordLine(this.lastSum, json);
    fs.writeSync(this.fd, line);
    if (this.sync) fs.fdatasyncSync(this.fd);
    this.lastSum = sum;
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
