/**
 * Diagnostics off the main thread. After a change the server asks for the diagnostics of the
 * changed file's package; a worker thread (worker.ts) runs the analysis, so the main thread stays
 * free to answer completion and hover at once, however long the analysis of a large file takes.
 *
 * At most one analysis per file is in flight. A change made while one runs asks for another,
 * and the result of the older one is then not published (its positions may no longer match).
 * If the worker cannot be started (the module is missing, as when the sources are run without a
 * build), the same requests are served on the main thread.
 */
import * as fs from "node:fs";
import * as v8 from "node:v8";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { reportOf, type DiagnosticsReport } from "../service/report.js";
import type { Workspace, WorkspaceOptions } from "../service/workspace.js";

/** A buffer as the worker needs it. */
export interface Buffer {
  readonly file: string;
  readonly text: string;
  readonly version: number;
}

export interface WorkerRequest {
  readonly id: number;
  readonly file: string;
  /** Buffers opened or changed since the last request. */
  readonly buffers: readonly Buffer[];
  /** Buffers closed since the last request. */
  readonly closed: readonly string[];
  /** Files changed on disk since the last request. */
  readonly diskChanged: boolean;
}

export type WorkerResponse =
  | { readonly id: number; readonly file: string; readonly report: DiagnosticsReport; readonly error?: undefined }
  | { readonly id: number; readonly file: string; readonly report?: undefined; readonly error: string };

/** Asks the worker how much of its heap is in use (`ko/memory`, for tests and benchmarks). */
export interface MemoryRequest {
  readonly memory: number;
}

export interface MemoryResponse {
  readonly memory: number;
  readonly heapUsed: number;
}

/**
 * The bytes of the current thread's heap in use, after a full collection when the process runs
 * with `--expose-gc` (without it, garbage not yet collected counts too).
 */
export function heapUsed(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return v8.getHeapStatistics().used_heap_size;
}

export class DiagnosticsService {
  private worker: Worker | undefined;
  private nextId = 1;
  /** Files with an analysis in flight, and those changed again since it started. */
  private readonly inFlight = new Set<string>();
  private readonly again = new Set<string>();
  /** What the worker knows: buffer versions sent, buffers closed, disk changes. */
  private readonly sent = new Map<string, number>();
  private diskChanged = false;
  private readonly memoryAnswers = new Map<number, (heapUsed: number) => void>();

  constructor(
    private readonly workspace: Workspace,
    options: WorkspaceOptions,
    private readonly publish: (report: DiagnosticsReport) => void,
    private readonly log: (message: string) => void,
  ) {
    this.worker = startWorker(options, log);
    this.worker?.on("message", (r: WorkerResponse | MemoryResponse) => {
      if ("memory" in r) {
        this.memoryAnswers.get(r.memory)?.(r.heapUsed);
        this.memoryAnswers.delete(r.memory);
      } else this.answered(r);
    });
    this.worker?.on("error", (e) => {
      log(`ko lsp: the diagnostics worker failed (${e.message}); analysing on the main thread`);
      this.worker = undefined;
      for (const f of this.inFlight) this.again.add(f);
      this.inFlight.clear();
      for (const f of [...this.again]) this.request(f);
    });
    this.worker?.unref();
  }

  /** Asks for the diagnostics of `file`'s package, as its buffers are now. */
  request(file: string): void {
    if (this.inFlight.has(file)) {
      this.again.add(file);
      return;
    }
    this.again.delete(file);
    this.inFlight.add(file);
    if (this.worker === undefined) {
      setImmediate(() => this.answered(this.analyseHere(file)));
      return;
    }
    this.worker.postMessage(this.message(file));
  }

  /** The worker's heap in use (undefined without a worker). */
  workerHeap(): Promise<number | undefined> {
    const worker = this.worker;
    if (worker === undefined) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.memoryAnswers.set(id, resolve);
      worker.postMessage({ memory: id } satisfies MemoryRequest);
    });
  }

  /** Files changed on disk: the next analysis reads them again. */
  noteDiskChange(): void {
    this.diskChanged = true;
  }

  dispose(): void {
    void this.worker?.terminate();
  }

  private answered(r: WorkerResponse): void {
    this.inFlight.delete(r.file);
    if (this.again.has(r.file)) return this.request(r.file); // changed meanwhile: this result is stale
    if (r.report?.failure !== undefined) this.log(`ko lsp: analysing ${r.file}: ${r.report.failure}`);
    if (r.report) this.publish(r.report);
    else this.log(`ko lsp: analysing ${r.file} failed: ${r.error}`);
  }

  private analyseHere(file: string): WorkerResponse {
    try {
      return { id: 0, file, report: reportOf(this.workspace.analysisFor(file)) };
    } catch (e) {
      return { id: 0, file, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
  }

  /** A request carrying what changed in the buffers since the last one. */
  private message(file: string): WorkerRequest {
    const buffers: Buffer[] = [];
    const open = new Set(this.workspace.openFiles());
    for (const f of open) {
      const version = this.workspace.versionOf(f);
      if (version === undefined || this.sent.get(f) === version) continue;
      buffers.push({ file: f, text: this.workspace.readFile(f) ?? "", version });
      this.sent.set(f, version);
    }
    const closed = [...this.sent.keys()].filter((f) => !open.has(f));
    for (const f of closed) this.sent.delete(f);
    const diskChanged = this.diskChanged;
    this.diskChanged = false;
    return { id: this.nextId++, file, buffers, closed, diskChanged };
  }
}

/**
 * The worker's module sits next to this one when running from the compiled files (dist/lsp/),
 * and next to the command when running from the bundle (dist/cli/lsp-worker.js, with this code in
 * dist/cli/chunks/).
 */
function startWorker(options: WorkspaceOptions, log: (message: string) => void): Worker | undefined {
  if (process.env.KO_LSP_WORKER === "0") return undefined; // analyse on the main thread (for comparison)
  const candidates = [new URL("./worker.js", import.meta.url), new URL("../lsp-worker.js", import.meta.url)];
  const script = candidates.find((u) => u.protocol === "file:" && fs.existsSync(fileURLToPath(u)));
  if (script === undefined) {
    log("ko lsp: no diagnostics worker module found; analysing on the main thread");
    return undefined;
  }
  // A small young generation: the worker keeps only syntax trees between analyses, and memory is shared with the main thread.
  return new Worker(script, { workerData: options, resourceLimits: { maxYoungGenerationSizeMb: 16 } });
}
