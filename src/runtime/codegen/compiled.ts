/**
 * Circuits compiled to JavaScript: the body emit.ts writes, made a function with `new Function`
 * once per circuit. The evaluator keeps it on the function's executable form and runs it in place
 * of its interpreter loop (eval.ts runBody).
 *
 * The generated code reaches the evaluator only through the linkage, the handful of its functions
 * the code calls, passed in when the body is built: so this folder does not import eval.ts's
 * code, and the evaluator remains the one place that knows how a call is made.
 */
import type { Circuit, KoFunction } from "../../compile/circuit.js";
import type { HostFunction } from "../../host/binding.js";
import type { KoFailure } from "../../value/failure.js";
import type { EMPTY, Field, Struct, Value } from "../../value/value.js";
import type { Frame, Run } from "../eval.js";
import { emitBody } from "./emit.js";

export type Mode = "sequential" | undefined;

/**
 * A compiled body: runs the steps of `frame`'s activation as runBody does. A positional body
 * takes its parameters' values as `a`, `b`, `c` and leaves `frame.vals` alone until the
 * interpreter takes over; the others work in `frame.vals`, the parameters bound there.
 */
export type CompiledBody = (frame: Frame, run: Run, mode: Mode, a: Value, b: Value, c: Value) => Value | Promise<Value>;

export interface Compiled {
  readonly body: CompiledBody;
  readonly positional: boolean;
}

/** What generated code calls: the evaluator's own functions, by the names emit.ts uses. */
export interface Linkage {
  readonly invoke: (
    callee: Value,
    fields: readonly Field[],
    frame: Frame | null,
    step: number,
    run: Run,
    mode: Mode,
    scope: AbortSignal | undefined,
  ) => Value | Promise<Value>;
  readonly callKo: (
    fn: KoFunction,
    fields: readonly Field[],
    parent: Frame | null,
    step: number,
    run: Run,
    mode: Mode,
    scope: AbortSignal | undefined,
  ) => Value | Promise<Value>;
  /** A call of `fn` with its (at most three) parameters' values in order; Empty for those not given. */
  readonly callKoPositional: (
    fn: KoFunction,
    parent: Frame | null,
    step: number,
    run: Run,
    a: Value,
    b: Value,
    c: Value,
  ) => Value | Promise<Value>;
  readonly koHooked: (run: Run, fn: KoFunction) => boolean;
  /**
   * The call of `fn` through the hooks, once `koHooked` has said they want it (asking again would
   * count the call twice: a layer that samples calls would miss its sample).
   */
  readonly hookedKoCall: Linkage["callKo"];
  readonly hostHooked: (run: Run, fn: HostFunction) => boolean;
  /**
   * Hands the rest of the body to the interpreter from position `k` of its steps, with `pending`
   * the promise of the step there (if any) and `extra` steps left out before `k` to compute too.
   */
  readonly resume: (
    frame: Frame,
    k: number,
    pending: Promise<Value> | undefined,
    mode: Mode,
    extra: readonly number[] | undefined,
  ) => Promise<Value>;
  readonly locate: (e: unknown, frame: Frame, i: number) => KoFailure;
  readonly augment: (callee: Value, fields: readonly Field[]) => Value;
  readonly selectPath: (v: Value, fields: readonly string[]) => Value;
  readonly groupValues: (values: Value[]) => Value;
  readonly Struct: typeof Struct;
  readonly EMPTY: typeof EMPTY;
}

/**
 * Bodies past this many steps are left to the interpreter: a straight-line function that long
 * is more text to parse than it saves (each step is called once per call, and V8 does not
 * optimise functions that large), while the interpreter's loop over small closures runs it as
 * fast.
 */
const MAX_STEPS = 1000;
/** Nor is a body whose steps take more terms than this in all (a long literal's elements). */
const MAX_TERMS = 4000;

/**
 * The compiled body of `circuit` (of the function named `name`; see emitBody for `active` and
 * `template`), or undefined when it is left to the interpreter.
 */
export function compileBody(
  circuit: Circuit,
  active: Int32Array,
  template: readonly Value[],
  name: string,
  linkage: Linkage,
): Compiled | undefined {
  if (active.length > MAX_STEPS || termsOf(circuit, active) > MAX_TERMS) return undefined;
  const { source, constants, positional } = emitBody(circuit, active, template, name);
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of this module: the body is generated code
    const make = new Function("L", "C", source) as (linkage: Linkage, constants: readonly unknown[]) => CompiledBody;
    return { body: make(linkage, constants), positional };
  } catch {
    // A body the generator got wrong (JavaScript that does not parse) still runs: interpreted.
    return undefined;
  }
}

/** How many terms the active steps take, in all their argument groups. */
function termsOf(circuit: Circuit, active: Int32Array): number {
  let terms = 0;
  for (const s of active) {
    const op = circuit.steps[s]!.op;
    if (op.op === "augment" || op.op === "invoke") for (const g of op.groups) terms += g.inputs.length;
  }
  return terms;
}
