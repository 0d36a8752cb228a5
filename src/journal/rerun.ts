/**
 * `ko run --resume --rerun STEP,...`: the steps forced to run again, whatever the journal holds
 * for them, and everything downstream of them.
 *
 * A step is named `pkg.Func:step`, `Func:step` or just `step` (every function's step of that
 * label). Forcing it alone would not be enough:
 *
 * - everything the step runs, the steps of the functions it calls, runs again with it: forcing a
 *   step is asking for its effects again, and replaying the calls that have them would not;
 * - the steps that depend on it, in the same body, run again too, and all they run — even if the
 *   forced step returns what it returned before (apply, then wait for the rollout again);
 * - a step that ran it, a step of a caller (`deploy: Deploy()` around `Deploy`'s `apply`), would
 *   be replayed, and the named step never reached; so the steps it ran inside, as the journal's
 *   `in` links tell, run again too — but not all they run, only what leads to the named step
 *   (their other steps are replayed as usual) — and so do the steps that depend on them.
 */
import type { KoFunction } from "../compile/circuit.js";
import type { Compiled } from "../compile/compile.js";
import { JournalError } from "./journal-error.js";
import { attemptsOf, type JournalRecord, type StartRecord } from "./records.js";

/** Why a step must run again, and whether all it runs must too (not for a step only leading to a named one). */
export interface Forced {
  readonly why: string;
  readonly whole: boolean;
}

const NAMED: Forced = { why: "--rerun asks for it", whole: true };

export class Rerun {
  /** The steps forced by their names, and those that ran them, by `fn:step`. */
  private readonly byName = new Map<string, Forced>();
  private readonly functions: ReadonlyMap<string, KoFunction>;
  private readonly downstream = new Map<string, readonly string[]>();

  /**
   * The steps `names` select among those the run's journal records; a name that selects none
   * is a JournalError listing the steps there are.
   */
  constructor(names: readonly string[], runName: string, records: readonly JournalRecord[], compiled: Compiled) {
    this.functions = functionsByName(compiled);
    const attempts = attemptsOf(records).map((a) => a.records.filter((r): r is StartRecord => r.t === "start"));
    const known = [...new Set(attempts.flat().map((r) => `${r.fn}:${r.step}`))].sort();
    for (const name of names) {
      const matching = attempts.flatMap((starts) => starts.filter((r) => selects(name, r.fn, r.step)));
      if (matching.length === 0) {
        throw new JournalError(`--rerun: no step ${name} in run ${runName} (its steps: ${known.join(", ") || "none"})`);
      }
      for (const r of matching) this.byName.set(`${r.fn}:${r.step}`, NAMED);
    }
    // The steps the forced ones ran inside, in the attempt that recorded them.
    for (const starts of attempts) {
      const byActivation = new Map(starts.map((r) => [`${r.act}\u0000${r.step}`, r]));
      for (const r of starts) {
        if (this.byName.get(`${r.fn}:${r.step}`) !== NAMED) continue;
        for (let up = r.in; up !== undefined; up = byActivation.get(`${up.act}\u0000${up.step}`)?.in) {
          const outer = `${up.fn}:${up.step}`;
          if (!this.byName.has(outer)) this.byName.set(outer, { why: `it runs ${r.fn}:${r.step}`, whole: false });
        }
      }
    }
  }

  /** Why a step of this name must run again, if it must. */
  forced(fn: string, step: string): Forced | undefined {
    return this.byName.get(`${fn}:${step}`);
  }

  /** The labelled steps of function `fn` that depend on its step `step`, directly or not. */
  dependents(fn: string, step: string): readonly string[] {
    const id = `${fn}:${step}`;
    let labels = this.downstream.get(id);
    if (!labels) this.downstream.set(id, (labels = dependentLabels(this.functions.get(fn), step)));
    return labels;
  }
}

/** Whether `name` (`pkg.Func:step`, `Func:step` or `step`) names step `step` of function `fn`. */
function selects(name: string, fn: string, step: string): boolean {
  const colon = name.lastIndexOf(":");
  if (colon < 0) return name === step;
  const func = name.slice(0, colon);
  return name.slice(colon + 1) === step && (func === fn || fn.endsWith(`.${func}`));
}

function functionsByName(compiled: Compiled): Map<string, KoFunction> {
  const out = new Map<string, KoFunction>();
  for (const pkg of compiled.functions.values()) for (const fn of pkg.values()) out.set(fn.displayName, fn);
  return out;
}

function dependentLabels(fn: KoFunction | undefined, label: string): string[] {
  if (!fn) return [];
  const { steps, dependents } = fn.circuit;
  const start = steps.findIndex((s) => s.label === label);
  if (start < 0) return [];
  const seen = new Set<number>([start]);
  const todo = [start];
  const labels: string[] = [];
  while (todo.length > 0) {
    for (const d of dependents[todo.pop()!]!) {
      if (seen.has(d)) continue;
      seen.add(d);
      todo.push(d);
      const l = steps[d]!.label;
      if (l !== undefined) labels.push(l);
    }
  }
  return labels;
}
