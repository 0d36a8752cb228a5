/**
 * Which calls a grid run sends to the workers; every other call runs where it is made.
 *
 * Only a function that can run anywhere may go: a pure one (the cache's notion: nothing it can
 * reach declares an effect, instrument/call-keys.ts) whose host functions every worker has (those
 * of `ko` itself, not an embedding application's own). Of those,
 *
 * - `--remote F,G` sends the calls of F and G;
 * - `--remote auto` (the default) sends the calls of the functions whose calls have been measured
 *   to take at least `minMs` (20 ms by default, KO_GRID_AUTO_MS: several times what a round trip
 *   through the grid costs, bench/grid.js). A call is measured where it runs locally, from its
 *   start to its result, sub-calls included, and a function counts as slow once SAMPLES of its
 *   calls in a row each took `minMs` or more: the least of its last SAMPLES calls, so that a call
 *   slowed by a garbage collection or by compiling does not send a function of microseconds to
 *   the grid, which would cost it a thousand times over. What a run learns is kept in the grid
 *   (by the hash of the function's code, so an edit starts afresh), so later runs, of any client,
 *   send the function from its first call. It is a heuristic, and says so: a function runs
 *   locally until it has proved slow, and calls that start together, before any of them has
 *   finished, all run locally.
 *
 * The workers are told, with each request, which functions are sent (`identities`), so that a
 * function sent from a client is sent from a worker too.
 */
import type { KoFunction } from "../compile/circuit.js";
import { codeHash } from "../instrument/call-keys.js";

export const DEFAULT_AUTO_MS = 20;
/** How many calls in a row must have been slow. */
const SAMPLES = 3;

export type RemoteChoice = { readonly names: readonly KoFunction[] } | { readonly auto: { readonly minMs: number } };

interface FunctionState {
  readonly eligible: boolean;
  wanted: boolean;
  /** What a call takes at least, in milliseconds: known from earlier runs, or learnt in this one. */
  ms: number | undefined;
  /** The durations of its last SAMPLES calls measured in this run, in milliseconds. */
  readonly recent: number[];
  /** Learnt in this run (and so worth storing). */
  changed: boolean;
}

export class RemoteSelection {
  private readonly states = new Map<KoFunction, FunctionState>();
  private readonly wanted = new Set<string>();

  /**
   * `known` holds the costs measured before, by code hash; `functions` are the program's, among
   * which those known to be slow are sent from the start.
   */
  constructor(
    private readonly choice: RemoteChoice,
    private readonly eligible: (fn: KoFunction) => boolean,
    private readonly known: ReadonlyMap<string, number>,
    functions: Iterable<KoFunction>,
  ) {
    for (const fn of "names" in choice ? choice.names : functions) this.stateOf(fn);
  }

  /** Whether calls of `fn` go to the grid now. */
  wants(fn: KoFunction): boolean {
    return (this.states.get(fn) ?? this.stateOf(fn)).wanted;
  }

  /** Whether local calls of `fn` are measured (`--remote auto`, for an eligible function not sent yet). */
  measures(fn: KoFunction): boolean {
    if (!("auto" in this.choice)) return false;
    const s = this.states.get(fn) ?? this.stateOf(fn);
    return s.eligible && !s.wanted;
  }

  /** A local call of `fn` took `ms`. */
  measured(fn: KoFunction, ms: number): void {
    if (!("auto" in this.choice)) return;
    const s = this.states.get(fn) ?? this.stateOf(fn);
    s.recent.push(ms);
    if (s.recent.length > SAMPLES) s.recent.shift();
    if (s.recent.length < SAMPLES) return;
    s.ms = Math.min(...s.recent);
    s.changed = true;
    if (s.eligible && s.ms >= this.choice.auto.minMs) this.want(fn, s);
  }

  /** Identities of the functions sent now, for the workers. */
  identities(): string[] {
    return [...this.wanted];
  }

  /** The costs measured in this run, by code hash, to keep for later runs. */
  learnt(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [fn, s] of this.states) if (s.changed && s.ms !== undefined) out.set(codeHash(fn), s.ms);
    return out;
  }

  private stateOf(fn: KoFunction): FunctionState {
    const eligible = this.eligible(fn);
    const ms = "auto" in this.choice && eligible && this.known.size > 0 ? this.known.get(codeHash(fn)) : undefined;
    const s: FunctionState = { eligible, wanted: false, ms, recent: [], changed: false };
    this.states.set(fn, s);
    const wanted =
      "names" in this.choice ? eligible && this.choice.names.includes(fn) : eligible && ms !== undefined && ms >= this.choice.auto.minMs;
    if (wanted) this.want(fn, s);
    return s;
  }

  private want(fn: KoFunction, s: FunctionState): void {
    s.wanted = true;
    this.wanted.add(fn.identity);
  }
}
