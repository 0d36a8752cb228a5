/**
 * A counting semaphore for API calls (D24). A slot is held only while one HTTP request is in
 * flight — never while backing off, watching or waiting on anything else — so a run can never
 * deadlock on it, however its calls nest.
 */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** The most requests ever in flight at once (for tests and the benchmark). */
  peak = 0;

  constructor(readonly slots: number) {
    if (!(slots >= 1)) throw new RangeError(`--max-inflight must be at least 1, not ${slots}`);
  }

  /** Runs `request` in a slot, waiting for one first if all are taken. */
  async run<T>(request: () => Promise<T>): Promise<T> {
    if (this.active >= this.slots) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await request();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
