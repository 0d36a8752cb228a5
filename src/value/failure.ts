/**
 * The two failure channels of Ko (reference 5.6, D15), never confused:
 * a `KoPanic` carries a Ko value and is caught by `Recover`; a `KoError` is a bug in the program
 * (or a misused builtin) and ends the run. Both are thrown as JavaScript exceptions (or used as
 * promise rejections); the evaluator attaches the Ko location and call chain the first time one
 * passes through a step, so builtins throw them without knowing where they are.
 */
import type { CallFrame } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
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
    super("panic");
    this.name = "KoPanic";
  }
}

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
