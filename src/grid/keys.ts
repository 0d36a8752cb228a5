/**
 * The names of a grid's Redis keys. BullMQ keeps its queue under `PREFIX:calls:...`; the grid's
 * own state lives beside it under `PREFIX:grid:...`:
 *
 *     memo             hash: call key → the result entry (memo.ts), written once
 *     computed         hash: call key → how many times it was computed (a count of 1 is the goal)
 *     owner:KEY        the id of the job computing KEY now (there is at most one)
 *     waiters:KEY      set: ids of jobs waiting for KEY's owner, woken when it is done
 *     failure:JOB      a Ko failure of job JOB, kept for an hour for the jobs that waited on it
 *     program:HASH     a program's sources (bundle.ts), by content hash
 *     workers          hash: worker name → its record (workers.ts)
 *     cost             hash: code hash → measured milliseconds a call takes (for --remote auto)
 */

/** The one queue of a grid: every request is a job in it. */
export const QUEUE = "calls";

export class GridKeys {
  private readonly base: string;

  constructor(readonly prefix: string) {
    this.base = `${prefix}:grid`;
  }

  get memo(): string {
    return `${this.base}:memo`;
  }

  get computed(): string {
    return `${this.base}:computed`;
  }

  owner(key: string): string {
    return `${this.base}:owner:${key}`;
  }

  waiters(key: string): string {
    return `${this.base}:waiters:${key}`;
  }

  failure(jobId: string): string {
    return `${this.base}:failure:${jobId}`;
  }

  program(hash: string): string {
    return `${this.base}:program:${hash}`;
  }

  get programs(): string {
    return `${this.base}:program:*`;
  }

  get workers(): string {
    return `${this.base}:workers`;
  }

  get cost(): string {
    return `${this.base}:cost`;
  }

  /** Every key of the grid's own (not BullMQ's), for clearing. */
  get all(): string {
    return `${this.base}:*`;
  }
}
