/**
 * Running builtins that call varieties many times (`Loop`, `Range`, `Sort`, `Template`, ...).
 *
 * Such a builtin is written as a generator that yields each call's result as `ctx.call` returned
 * it — a value, or a promise of one — and receives the value back. `drive` runs the generator:
 *
 * - while calls finish synchronously it stays synchronous, in one plain loop, so a loop over
 *   pure Ko functions allocates no promise per iteration;
 * - at the first call that returns a promise it continues asynchronously, awaiting each
 *   pending result; a rejected call is thrown into the generator, so `try`/`catch` there sees
 *   failures of synchronous and asynchronous calls alike (`Recover` relies on it);
 * - every so many steps it checks the run's abort signal and, when it has held the event loop
 *   for too long, pauses for one turn of it, so that Ctrl-C and timers work during an endless
 *   `Loop`.
 */
import { cancellation, isThenable, type Pending } from "./common.js";
import { EMPTY, type Value } from "../value/value.js";

/** A builtin's work: yields pending call results, is resumed with their values, returns `T`. */
export type Steps<T> = Generator<Pending, T, Value>;

/** How many resumptions pass between two looks at the signal and the clock (a power of 2). */
const CHECK_EVERY = 1024;
/** How long a driver may keep the event loop before it lets others run, in milliseconds. */
const MAX_HOLD_MS = 50;

export function drive<T>(steps: Steps<T>, signal: AbortSignal, clock = new Clock(signal)): T | Promise<T> {
  let input: Value = EMPTY; // the first `next` only starts the generator
  for (;;) {
    const next = steps.next(input);
    if (next.done) return next.value;
    const pending = next.value;
    if (isThenable(pending)) return continueAsync(steps, Promise.resolve(pending), clock);
    if (clock.tick()) return continueAsync(steps, pauseThen(clock, pending), clock);
    input = pending;
  }
}

/**
 * `pending`, after a pause. Not a closure in `drive`'s loop: capturing the loop's `pending`
 * there would allocate a context for it on every iteration.
 */
export function pauseThen(clock: Clock, pending: Value): Promise<Value> {
  return clock.pause().then(() => pending);
}

/**
 * The rest of a driver's run, once a call went asynchronous. A pending result is awaited as it
 * is (no promise of an outcome wrapped around it: one fewer promise and microtask per call); its
 * rejection is caught apart from the generator's own failures, which pass out as they are.
 */
async function continueAsync<T>(steps: Steps<T>, first: Promise<Value>, clock: Clock): Promise<T> {
  let pending: Pending = first;
  for (;;) {
    let value: Value = EMPTY;
    let failure: { readonly error: unknown } | undefined;
    try {
      value = isThenable(pending) ? await pending : pending;
    } catch (error) {
      failure = { error };
    }
    const next: IteratorResult<Pending, T> = failure === undefined ? steps.next(value) : steps.throw(failure.error);
    if (next.done) return next.value;
    pending = next.value;
    if (clock.tick()) await clock.pause();
  }
}

/** Counts a driver's steps and decides when it must look at the signal or give way. */
export class Clock {
  private steps = 0;
  private since = performance.now();

  constructor(private readonly signal: AbortSignal) {}

  /** Called once per step; throws if the run was cancelled; true when it is time to pause. */
  tick(): boolean {
    if ((++this.steps & (CHECK_EVERY - 1)) !== 0) return false;
    if (this.signal.aborted) throw cancellation(this.signal);
    return performance.now() - this.since > MAX_HOLD_MS;
  }

  /** One turn of the event loop (after I/O callbacks), then a check of the signal. */
  async pause(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.signal.aborted) throw cancellation(this.signal);
    this.since = performance.now();
  }
}
