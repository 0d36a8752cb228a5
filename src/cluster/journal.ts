/**
 * Durable state for `--state FILE`: an append-only journal of writes, each line fsync'd before the
 * write is acknowledged, compacted into a snapshot (one line per live object) when opened.
 *
 * Line forms:  {"rv":12}                                  header: the global resourceVersion
 *              {"rv":13,"gr":"apps/deployments","k":"ns/name","o":{...}}   put
 *              {"rv":14,"gr":"/pods","k":"ns/name","d":1}                  delete
 * A last line cut short by a crash was never acknowledged (its fsync had not returned), so it is
 * dropped on load.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { KObject } from "./resources.js";

export interface JournalState {
  rv: number;
  /** gr → key → object */
  tables: Map<string, Map<string, KObject>>;
}

interface Line {
  rv: number;
  gr?: string;
  k?: string;
  o?: KObject;
  d?: 1;
}

export class Journal {
  private fd: number;

  private constructor(
    readonly file: string,
    fd: number,
    private readonly sync: boolean,
  ) {
    this.fd = fd;
  }

  /** Loads FILE (if any), rewrites it compacted, and opens it for appending. */
  static open(file: string, opts: { fsync?: boolean } = {}): { journal: Journal; state: JournalState } {
    const state = Journal.load(file);
    const tmp = `${file}.tmp-${process.pid}`;
    const lines: string[] = [JSON.stringify({ rv: state.rv })];
    for (const [gr, table] of state.tables)
      for (const [k, o] of table) lines.push(JSON.stringify({ rv: Number(o.metadata?.resourceVersion ?? 0), gr, k, o }));
    const fdTmp = fs.openSync(tmp, "w");
    fs.writeSync(fdTmp, lines.join("\n") + "\n");
    fs.fsyncSync(fdTmp);
    fs.closeSync(fdTmp);
    fs.renameSync(tmp, file);
    syncDir(path.dirname(file));
    const fd = fs.openSync(file, "a");
    return { journal: new Journal(file, fd, opts.fsync !== false), state };
  }

  static load(file: string): JournalState {
    const state: JournalState = { rv: 0, tables: new Map() };
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return state;
      throw e;
    }
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i]!;
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        if (i >= lines.length - 2) break; // a torn final write: never acknowledged
        throw new Error(`${file}:${i + 1}: corrupt journal line`);
      }
      if (line.rv > state.rv) state.rv = line.rv;
      if (!line.gr || !line.k) continue;
      let table = state.tables.get(line.gr);
      if (!table) state.tables.set(line.gr, (table = new Map()));
      if (line.d) table.delete(line.k);
      else if (line.o) table.set(line.k, line.o);
    }
    return state;
  }

  put(rv: number, gr: string, key: string, o: KObject): void {
    this.append(JSON.stringify({ rv, gr, k: key, o }));
  }

  remove(rv: number, gr: string, key: string): void {
    this.append(JSON.stringify({ rv, gr, k: key, d: 1 }));
  }

  private append(line: string): void {
    fs.writeSync(this.fd, line + "\n");
    if (this.sync) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

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
