/**
 * Ko failures on their way through the grid: a panic or an error of a remote call travels back to
 * its caller as a record, and becomes there a KoPanic or KoError again — so `Recover` catches a
 * remote panic as it catches a local one, and an error stays an error (D15).
 *
 * The record keeps where the failure began (the failing step's span) and the chain of frames up
 * from it, innermost first, with a hop placeholder (diag/diagnostic.ts) for each remote call it
 * passed: the call and its arguments, the job and the worker. Each job adds the frames of its own
 * run and its hop before handing the record on, so the caller at the top reads
 *
 *     at t.Leaf:return (t.ko:3:10)
 *     in t.Leaf(i: 7): job 3f2a…-9c1e on worker w2
 *     at t.Mid:b (t.ko:8:5)
 *     in t.Mid(n: 2): job …
 */
import type { CallFrame, RemoteHop } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import { KoError, KoPanic, type KoFailure } from "../value/failure.js";
import { printValue } from "../value/print.js";
import { fromData, SerialError, toData, type CallableCheck, type CallableLookup, type Data } from "../value/serial.js";

export interface FailureRecord {
  readonly kind: "panic" | "error";
  /** An error's message (a panic's is its value, below). */
  readonly message: string;
  readonly code: string;
  /** A panic's value, when it can be serialised and read back. */
  readonly value?: Data;
  /** A panic's value, printed: what the caller gets as the value when `value` cannot travel. */
  readonly printed?: string;
  /** Where it began: the failing step, in the job that failed first. */
  readonly span?: Span;
  /** The chain from there up to the top of the job that sends the record, innermost first. */
  readonly frames: readonly CallFrame[];
}

/** True for the failures a Ko program raises (as opposed to a cancellation or a bug of Ko itself). */
export function isKoRaised(e: unknown): e is KoPanic | KoError {
  return e instanceof KoPanic || e instanceof KoError;
}

/**
 * The record of a failure of the run a job made, with the job's hop last. `hopSpan` stands for
 * the hop in a chain (the called function's definition).
 */
export function recordFailure(e: KoPanic | KoError, hop: RemoteHop, hopSpan: Span, check: CallableCheck): FailureRecord {
  const span = e.remote?.span ?? e.site?.span;
  const frames: CallFrame[] = [...(e.remote?.frames ?? []), ...(e.site?.frames ?? []), { func: "", step: "", span: hopSpan, hop }];
  const where = { ...(span ? { span } : {}), frames };
  if (e instanceof KoError) return { kind: "error", message: e.message, code: e.code, ...where };
  let value: Data | undefined;
  try {
    value = toData(e.value, check);
  } catch (err) {
    if (!(err instanceof SerialError)) throw err;
  }
  return {
    kind: "panic",
    message: "panic",
    code: "runtime/panic",
    ...(value !== undefined ? { value } : {}),
    printed: printValue(e.value),
    ...where,
  };
}

/**
 * The failure a record stands for, as the caller raises it: its `remote` is where it began; the
 * evaluator gives it the caller's own site as it passes the calling step.
 */
export function failureFromRecord(r: FailureRecord, lookup: CallableLookup): KoFailure {
  let failure: KoFailure;
  if (r.kind === "error") failure = new KoError(r.message, r.code);
  else failure = new KoPanic(panicValue(r, lookup));
  if (r.span) failure.remote = { span: r.span, frames: r.frames };
  return failure;
}

function panicValue(r: FailureRecord, lookup: CallableLookup) {
  if (r.value !== undefined) {
    try {
      return fromData(r.value, lookup);
    } catch {
      // not readable here: the printed form stands for it
    }
  }
  return r.printed ?? "panic";
}
