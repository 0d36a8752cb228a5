/**
 * Writes a run's status as merge patches of its status subresource, at most every 500 ms: the
 * changes of a run of many small steps are gathered into one patch per interval. A write that
 * fails is tried again at the next interval (the status is written whole each time, so nothing
 * is lost by a failed one); `flush` waits for the last change to be written.
 */
import type { KoRun, KoRunStatus } from "./kinds.js";
import { describeApiError, statusOf, type Kube } from "./kube.js";

export const STATUS_INTERVAL_MS = 500;

export class StatusWriter {
  /** When the last write was sent: the attempt was made by one (the patch that took the run). */
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<unknown> = Promise.resolve();
  /** How many patches were sent (for the tests' and the reader's curiosity: the interval holds). */
  patches = 0;

  constructor(
    private readonly kube: Kube,
    private readonly run: KoRun,
    private readonly status: () => KoRunStatus,
    private readonly warn: (message: string) => void,
    /** Runs before each patch (the offloaded step entries are written first). */
    private readonly before: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Something changed: it is written within the interval. */
  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    const wait = Math.max(0, this.last + STATUS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, wait);
  }

  /** Writes the status if it changed; false if the write failed (it is then tried again within the interval). */
  private write(): Promise<boolean> {
    const turn = this.writing.then(async () => {
      if (!this.dirty) return true;
      this.dirty = false;
      this.last = Date.now();
      this.patches++;
      const status = this.status();
      // Entries that leave the status are in their ConfigMap before the status stops showing them.
      await this.before().catch((e: unknown) => this.warn(`cannot offload step entries: ${describeApiError(e)}`));
      try {
        await this.kube.patchRunStatus(this.run, status);
        return true;
      } catch (e) {
        if (statusOf(e) === 404) return true; // the run was deleted: nothing to write to
        this.warn(`cannot write the status of ${this.run.metadata.namespace}/${this.run.metadata.name}: ${describeApiError(e)}`);
        this.changed();
        return false;
      }
    });
    this.writing = turn.then(() => undefined);
    return turn;
  }

  /** Writes what changed now (once the interval since the last write has passed), trying a few times; waits for it. */
  async flush(): Promise<void> {
    for (let tries = 0; tries < 5; tries++) {
      this.dirty = true;
      clearTimeout(this.timer);
      this.timer = undefined;
      const wait = this.last + STATUS_INTERVAL_MS - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (await this.write()) return;
    }
  }

  /** Stops writing (the run was taken over, or deleted). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
  }
}
