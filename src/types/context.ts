/**
 * What the checking of one operation sees of the checker: where it is (for reporting), whether
 * it certainly runs, and how to invoke a variety (which may specialise a Ko function).
 *
 * Certainty is the heart of the checker's promise — it rejects only what will fail:
 *
 * - an operation fails *definitely* when it fails for every value its inputs' types allow;
 * - a place is *certain* when it runs whenever the step it belongs to runs: the `then` of a
 *   `When` whose value may be Empty, one member of a union variety, the handler of a `Recover`
 *   are not.
 *
 * A definite failure at a certain place of a function that an entry certainly calls is an
 * error; every other failure found is a warning ("may fail").
 */
import type { KoFunction } from "../compile/circuit.js";
import type { Fix } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";

/** Where in the source a failure is, when not at its step, and how to fix it, when known. */
export interface About {
  readonly at?: Span;
  readonly fix?: Fix;
}
import type { StaticType, TyField } from "./static-type.js";

export interface CallCtx {
  /** Whether this place runs whenever its step does. */
  readonly certain: boolean;
  /**
   * Records a failure at the current step. `definite`: it fails for every value the types
   * allow (else it only may). `about`: the place the failure is about, if not the step itself,
   * and an edit that would fix it.
   */
  fail(code: string, message: string, definite: boolean, about?: About): void;
  /** This context, or an uncertain one when `certain` is false. */
  within(certain: boolean): CallCtx;
  /**
   * Augments `callee` with `fields` and invokes it (reference 5.5), as builtins invoke the varieties
   * they are given; `certain`: whether the builtin makes this call whenever it runs.
   */
  invoke(callee: StaticType, fields: readonly TyField[], certain: boolean): StaticType;
  /** Specialises a Ko function for the types of its arguments, records the call, gives its result. */
  callKo(fn: KoFunction, fields: readonly TyField[]): StaticType;
  /**
   * Runs `body` without recording failures or calls: for iterating a builtin's carry to a
   * fixpoint before checking with the final one.
   */
  trial<T>(body: () => T): T;
  /** Notes that a limit made a type Unknown: the check is not exhaustive. */
  widened(): void;
}
