/**
 * Host functions in a planning pass (`ko run --plan`, `--dry-run`, and the pass that precedes a
 * run's first write to a cluster that is not its own embedded one): the pass must change nothing,
 * so a host function whose effects reach outside the run — writing files, running commands —
 * declares what it would have done instead, and the pass lists that rather than doing it.
 *
 * A binding says so with `dryRun` (binding.ts):
 * - `"runs"`: its effects are reads, or stay inside the run (Print, Memory, os.Env): it runs;
 * - a `DryRunSkip`: it is skipped; `would` says what it would have done, `result` stands in for
 *   its result so that the pass can go on.
 * A function with effects ("io") that declares neither runs, and the plan lists it: Ko cannot tell
 * what it does. Kubernetes calls ("cluster") run: the guard sends their writes as dry runs. One
 * that only reads the cluster says `"runs"` too, so the pass need not note which Ko steps made
 * its requests (api/planning.ts): only writes appear in a plan.
 */
import type { Field, Value } from "../value/value.js";
import { serviceKey } from "./services.js";

export interface DryRunSkip {
  /** What the call would have done, on one line: `kubectl create configmap x`. */
  would(fields: readonly Field[]): string;
  /** What the call returns instead of its result. */
  result(fields: readonly Field[]): Value;
}

export type DryRunBehaviour = "runs" | DryRunSkip;

/** Where a planning pass records what it held back. */
export interface DryRunLog {
  /** A call skipped: `fn` is its display name (`build.Exec`). */
  skip(fn: string, would: string): void;
  /** A call with effects Ko cannot hold back ran. */
  ranWithEffects(fn: string): void;
}

/** Offered by a run that is a planning pass. */
export const DRY_RUN = serviceKey<DryRunLog>("dry-run");
