/**
 * The two failure channels of Ko (reference 5.6, D15), never confused:
 * a `KoPanic` carries a Ko value and is caught by `Recover`; a `KoError` is a bug in the program
 * (or a misused builtin) and ends the run. Both are thrown as JavaScript exceptions (or used as
 * promise rejections); the evaluator attaches the Ko location and call chain the first time one
 * passes through a step, so builtins throw them without knowing where they are.
 */
import type { CallFrame } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { toJs } from "./js.js";
import { printValue } from "./print.js";
import type { Value } from "./value.js";

/**
 * Where a failure happened: the innermost step's span and the Ko call chain, innermost first.
 * `frames` may be computed on first read: a panic that `Recover` catches never needs them.
 */
export interface FailureSite {
  readonly span: Span;
  readonly frames: readonly CallFrame[];
}

export abstract class KoFailure extends Error {
  site?: FailureSite;
  /**
   * Where the failure began when that was in another process (a grid worker, src/grid/): the
   * failing step there and the frames and hops between it and this process. `site` is then
   * the step of this process that made the remote call.
   */
  remote?: FailureSite;
}

export class KoError extends KoFailure {
  constructor(
    message: string,
    readonly code = "runtime/error",
  ) {
    super(message);
    this.name = "KoError";
  }
}

export class KoPanic extends KoFailure {
  constructor(readonly value: Value) {
    // No message of its own: `message` is printed from the value when first read (below), so a
    // panic that `Recover` catches never pays for printing.
    super();
    this.name = "KoPanic";
  }

  /**
   * The panic's value as a plain JavaScript value, by `toJs`'s rule (numbers when safe, objects,
   * arrays): `(error: "app.Lookup", message: "no such key")` is `{ error: "app.Lookup", message: "no such key" }`.
   */
  get data(): unknown {
    return toJs(this.value);
  }
}

// `panic: VALUE`, the value in canonical form. An accessor on the prototype, since Error's
// `message` is a field that a class cannot override with an accessor.
Object.defineProperty(KoPanic.prototype, "message", {
  configurable: true,
  get(this: KoPanic): string {
    return `panic: ${printValue(this.value)}`;
  },
});

/** The run was cancelled through its AbortSignal (Ctrl-C, a timeout, the embedding app). */
export class KoCancelled extends KoFailure {
  constructor(
    readonly reason: string = "cancelled",
    readonly inFlight: readonly CallFrame[] = [],
  ) {
    super(reason);
    this.name = "KoCancelled";
  }
}

export function isKoFailure(e: unknown): e is KoFailure {
  return e instanceof KoFailure;
}
