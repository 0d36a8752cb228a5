/**
 * The evaluator: runs Circuits (D5, D6, D24).
 *
 * Fast when synchronous, concurrent when it matters. A body walks its steps in topological
 * order and runs each one at once; as long as every step returns a plain value, no promise is
 * made. The first step that returns a promise (a host call doing I/O, a `Spin`'s `Wait`, a
 * callee that went asynchronous) hands the rest of the body to an `AsyncBody`, which starts
 * each remaining step as soon as its inputs are ready and settles when every step has.
 *
 * Ko recursion is not JavaScript recursion one for one: past `HOP_DEPTH` nested calls on the
 * current JavaScript stack, the next call continues from a microtask on a fresh stack, so depth
 * costs memory, not a RangeError; `maxDepth` turns runaway recursion into a Ko error. Every few
 * thousand calls the evaluator checks the abort signal and, if it has run for a while without
 * yielding, continues from a macrotask so that signals (Ctrl-C) are noticed.
 */
import * as v8 from "node:v8";
import type { CallFrame } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import type { HostContext, HostFunction, RepeatedCall, RunServices, SpawnHandle } from "../host/binding.js";
import { Services, type ServiceKey } from "../host/services.js";
import { KoFunction, ownerOf, type ArgGroup, type Circuit } from "../compile/circuit.js";
import { KoCancelled, KoError, KoFailure, KoPanic } from "../value/failure.js";
import type { KoCall, RunHooks, StepCaller, StepObserver } from "./hooks.js";
import { runsAlone } from "./alone.js";
import { planBinding } from "./binding-plan.js";
import { compileBody, type Compiled, type Linkage } from "./codegen/compiled.js";
import { printValue } from "../value/print.js";
import { groupValues } from "../value/sequence.js";
import { EMPTY, Seq, Struct, Variety, field, type Field, type Value } from "../value/value.js";

/** Nested Ko calls allowed on one JavaScript stack before continuing on a fresh one. */
const HOP_DEPTH = 180;
/** Ko calls between checks of the abort signal and of the time since the last yield. */
const CHECK_EVERY = 2048;
/** Longest stretch of synchronous work before yielding to the event loop. */
const YIELD_MS = 50;

export const DEFAULT_MAX_DEPTH = 1_000_000;
/**
 * The share of the JavaScript heap past which a run is stopped, whatever its budget (see
 * checkMemory). Well short of the limit: the budget is checked between stretches of calls, and
 * unwinding a deep recursion to report it allocates too (a 116,000-deep one in a 160 MB heap
 * grew by 8 MB past the check), which must not reach the heap's limit and crash the process.
 */
const MEMORY_LIMIT = 0.55;
/**
 * The JavaScript heap a run may fill by default, in bytes: with what Node.js itself takes, a
 * runaway run ends with a Ko error before the process holds a gigabyte.
 */
export const DEFAULT_MAX_MEMORY = 640 * 2 ** 20;
/** A host result this long (a string's characters, a sequence's elements) makes the run check its memory at once. */
const LARGE_RESULT = 1 << 16;

export interface RunOptions {
  readonly signal?: AbortSignal;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Deepest Ko call chain allowed (`--max-depth`). */
  readonly maxDepth?: number;
  /** Bytes of JavaScript heap in use past which the run ends with a Ko error (DEFAULT_MAX_MEMORY). */
  readonly maxMemory?: number;
  /** The seam for caches, limiters, events and journals (hooks.ts). */
  readonly hooks?: RunHooks;
  /** What the run's host functions may ask for: the Kubernetes connection, the compiler. */
  readonly services?: Services;
}

type Exec = (vals: Value[], frame: Frame) => Value | Promise<Value>;

/**
 * The executable form of a Circuit, built once per function: a template of the step values with
 * the constants already in place, where each parameter goes, and a closure for every other step.
 * A call copies the template, fills in the arguments and runs only the closures.
 */
interface Executable {
  readonly circuit: Circuit;
  /** Step values known before the call: constants (other slots are Empty until computed). */
  readonly template: readonly Value[];
  /** The step index of each parameter. */
  readonly paramSlots: readonly number[];
  /** The steps that compute something, in topological order. */
  readonly active: Int32Array;
  /** Closures by step index (undefined for constants and parameters). */
  readonly exec: readonly (Exec | undefined)[];
  /** The same closures reporting labelled steps to `observer`; built when first needed. */
  observed?: { readonly observer: StepObserver; readonly exec: readonly (Exec | undefined)[] };
  /** Number of distinct dependencies of each step. */
  readonly depCount: Int32Array;
  /**
   * The body compiled to JavaScript (codegen/), run in place of the closures when no step
   * observer is attached; undefined for a body left to the interpreter.
   */
  readonly compiled: Compiled | undefined;
  /**
   * The serial number of the run whose hooks will not want the next `unwantedCalls` calls of
   * this function (Infinity: none of them; see koHooked).
   */
  unwantedIn: number;
  unwantedCalls: number;
  /** Per step, whether it runs alone (alone.ts): 0 not yet asked, 1 alone, 2 not; made at the first question. */
  alone: Uint8Array | undefined;
}

/**
 * KO_INTERPRET=1 runs every body in the interpreter, never compiled: the switch CI runs the
 * evaluator's tests under too, so that the two stay interchangeable.
 */
const INTERPRET_ONLY = process.env.KO_INTERPRET === "1";

/** How many Ko calls are nested on the current JavaScript stack (0 when a microtask starts). */
// eslint-disable-next-line no-restricted-syntax -- the JavaScript stack is the process's: every run nests on the same one
let stackDepth = 0;

/**
 * The frame last used at each nesting depth of the JavaScript stack (see Frame.kept), reused by
 * the next synchronous activation at that depth unless it was kept. Like `stackDepth`, the
 * process's: calls nest on one stack, whichever run they belong to.
 */
const stackFrames: (Frame | undefined)[] = new Array<Frame | undefined>(HOP_DEPTH).fill(undefined);

/** One run of a program: its options, cancellation, and spawned calls (D32). */
export class Run {
  private static made = 0;
  /** Tells this run from the others of the process (Executable.unwantedIn). */
  readonly serial = ++Run.made;
  readonly maxDepth: number;
  /** The memory budget asked for (RunOptions.maxMemory, or the default). */
  private readonly memoryBudget: number;
  private memoryCap: number | undefined;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly hooks: RunHooks;
  readonly services: Services;
  /** Numbers activations for step events. */
  activations = 0;
  /** Aborted when the caller's signal aborts, and when the run ends (cancelling spun calls). */
  private readonly controller = new AbortController();
  readonly signal: AbortSignal = this.controller.signal;
  /** Bodies with steps in flight, for listing what was running when the run was cancelled. */
  readonly active = new Set<AsyncBody>();
  readonly spawned: { failure?: unknown; waited: boolean }[] = [];
  /** The steps in flight when the run was cancelled, innermost calls first. */
  inFlightAtAbort: CallFrame[] = [];
  tick = 0;
  lastYield = performance.now();
  /**
   * Set while the run gives way to the event loop (after YIELD_MS of synchronous work): calls
   * made meanwhile, and bodies about to start a step, wait for it to end. The whole synchronous
   * stack unwinds at once, timers and signals (Ctrl-C) get their turn, and because nothing new
   * starts until the pause ends, the work resumes as it was, not breadth-first. A timer, not
   * setImmediate, ends the pause, so that the event loop passes through its timer and poll
   * phases (where signals arrive) first.
   */
  pause: Promise<void> | undefined;
  /** The failure that ended the whole run (see `stop`); every call fails with it. */
  stopped: KoFailure | undefined;

  constructor(opts: RunOptions) {
    this.stopped = undefined;
    this.maxDepth = opts.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.memoryBudget = opts.maxMemory ?? DEFAULT_MAX_MEMORY;
    this.memoryCap = undefined;
    this.hooks = opts.hooks ?? {};
    this.services = opts.services ?? Services.none;
    this.stdout = opts.stdout;
    this.stderr = opts.stderr;
    const outer = opts.signal;
    if (outer) {
      const onAbort = () => this.abort(outer.reason);
      if (outer.aborted) onAbort();
      else outer.addEventListener("abort", onAbort, { once: true });
    }
  }

  abort(reason?: unknown): void {
    if (this.signal.aborted) return;
    this.inFlightAtAbort = this.inFlight();
    this.controller.abort(reason ?? new KoCancelled());
  }

  /**
   * Ends the whole run with `failure` (the memory ran out): every call from now on fails with it
   * at once, rather than each branch of a runaway recursion running on until it finds out for
   * itself. Its location stays where it first happened.
   */
  stop(failure: KoFailure): void {
    if (this.stopped !== undefined) return;
    this.stopped = failure;
    this.controller.abort(failure);
  }

  /** The steps currently waiting on something, as call frames. */
  inFlight(): CallFrame[] {
    const out: CallFrame[] = [];
    for (const body of this.active) {
      for (const i of body.flying) out.push(frameOf(body.frame, i));
    }
    return out.sort((a, b) => b.span.start.offset - a.span.start.offset);
  }

  /**
   * Calls a Ko function as the entry of the run (no caller). It passes the hooks like any other
   * call: the cache times it as the outermost call of the run and may answer it whole, and the
   * grid may send it away.
   */
  callEntry(fn: KoFunction, fields: readonly Field[]): Value | Promise<Value> {
    if (this.hooks.koCall !== undefined) return hookedKoCall(fn, fields, null, -1, this, undefined, undefined);
    return callKo(fn, fields, null, -1, this, undefined, undefined);
  }

  /** Ends the run: spun calls still running are cancelled (D32). */
  finish(): void {
    if (!this.signal.aborted) this.controller.abort(new KoCancelled("the run ended"));
    forgetStackFrames(this);
  }

  cancelledError(): KoFailure {
    if (this.stopped !== undefined) return this.stopped;
    const reason: unknown = this.signal.reason;
    const message =
      reason instanceof KoCancelled
        ? reason.reason
        : typeof reason === "string"
          ? reason
          : reason instanceof Error && reason.name !== "AbortError" // AbortSignal.timeout's TimeoutError says why
            ? reason.message
            : "cancelled";
    return new KoCancelled(message, this.inFlightAtAbort);
  }

  /**
   * The heap in use past which the run ends: its budget, within MEMORY_LIMIT of the heap's limit.
   * Found at the first memory check, not when the run starts: reading the heap's limit loads
   * node:v8 (and Node's streams with it), which a short run never needs.
   */
  get maxMemory(): number {
    return (this.memoryCap ??= Math.min(this.memoryBudget, MEMORY_LIMIT * v8.getHeapStatistics().heap_size_limit));
  }

  /**
   * Checks for cancellation — of the run, or of the `deadline` the calling body runs under —
   * and for a long synchronous stretch, after which the run pauses (and a deadline's timer can
   * fire).
   */
  checkpoint(deadline: AbortSignal | undefined, depth?: number): void {
    this.tick = 0;
    if (this.signal.aborted) throw this.cancelledError();
    if (deadline?.aborted) throw deadlineCancellation(deadline);
    checkMemory(this, depth);
    if (this.pause || performance.now() - this.lastYield < YIELD_MS) return;
    this.pause = new Promise<void>((resolve) =>
      setTimeout(() => {
        this.pause = undefined;
        this.lastYield = performance.now();
        resolve();
      }, 0),
    );
  }
}

/** The failure of a call whose deadline passed: the KoCancelled its `Timeout` aborted it with. */
function deadlineCancellation(deadline: AbortSignal): KoFailure {
  const reason: unknown = deadline.reason;
  return reason instanceof KoFailure ? reason : new KoCancelled("the deadline passed");
}

/**
 * One activation of a Ko function's body.
 *
 * The fields are `declare`d and assigned in the constructor, all of them, rather than written as
 * class fields: with the ES2022 target, class fields are defined one by one by an initialiser
 * that runs before the constructor body, a measurable cost on the hottest allocation of the
 * evaluator (one per Ko call). Assigning every field here also gives every Frame one shape.
 *
 * Most activations of a compiled body end before their caller goes on, and nothing holds their
 * frame once they have: such a frame is reused by the next activation at the same depth of the
 * JavaScript stack (`stackFrames`), so that a call allocates nothing. Whatever holds on to a
 * frame beyond that — a promise, a failure's site, a host function's context, a hook — keeps it
 * first (`keep`), and a kept frame is never reused.
 */
export class Frame {
  // Not readonly: a frame on the stack is reused (see `reuse`).
  declare fn: KoFunction;
  declare parent: Frame | null;
  /** The step of `parent` whose invocation made this call (-1 for the entry). */
  declare callStep: number;
  declare depth: number;
  declare run: Run;
  /**
   * What cancels this call in place of its caller's body: the run's signal for a spun call
   * (D32), a deadline's for a call under `Timeout`; undefined for every other call.
   */
  declare scope: AbortSignal | undefined;
  /**
   * The nearest deadline this body runs under (a `Timeout`'s signal), inherited by the calls
   * it makes, so that the evaluator's checkpoints stop pure Ko work when it passes.
   */
  declare deadline: AbortSignal | undefined;
  /**
   * The step values, in the interpreter's array; for a compiled body that keeps its values in
   * local variables, NO_VALS until the interpreter takes the body over.
   */
  declare vals: Value[];
  /**
   * Whether something may hold this frame beyond the synchronous run of its body, so that it
   * must not be reused. A kept frame's callers are kept too: the frame reaches them through
   * `parent`.
   */
  declare kept: boolean;
  declare private controller: AbortController | undefined;
  declare private unlink: (() => void) | undefined;

  constructor(
    fn: KoFunction,
    parent: Frame | null,
    callStep: number,
    depth: number,
    run: Run,
    scope: AbortSignal | undefined,
    vals: Value[],
  ) {
    // The activation's fields first, as `reuse` sets them: one order, so one shape for every frame.
    this.reuse(fn, parent, callStep, depth, run, scope);
    this.vals = vals;
    this.kept = false;
    this.controller = undefined;
    this.unlink = undefined;
  }

  /**
   * Makes this frame, not kept, the frame of a new activation of a compiled body that keeps its
   * values in local variables (callKoPositional). As the frame was not kept, nothing read its
   * signal or took its values: `vals`, `controller` and `unlink` are as the constructor left them.
   */
  reuse(fn: KoFunction, parent: Frame | null, callStep: number, depth: number, run: Run, scope: AbortSignal | undefined): void {
    this.fn = fn;
    this.parent = parent;
    this.callStep = callStep;
    this.depth = depth;
    this.run = run;
    this.scope = scope;
    this.deadline = deadlineOf(parent, run, scope);
  }

  /** Marks this frame as held beyond its body's synchronous run, and so its callers (see `kept`). */
  keep(): void {
    if (this.kept) return;
    this.kept = true;
    // Callers of a kept frame are kept already: the walk stops at the first.
    for (let f = this.parent; f !== null && !f.kept; f = f.parent) f.kept = true;
  }

  /** Aborted when this body fails (D6), when its caller's is, or when the run is cancelled. */
  get signal(): AbortSignal {
    if (!this.controller) {
      // Whoever asks may hold the signal, and the listener below holds the caller's frame.
      this.keep();
      const controller = (this.controller = new AbortController());
      const outer = this.outerSignal();
      if (outer.aborted) controller.abort(outer.reason);
      else {
        const onAbort = () => controller.abort(outer.reason);
        outer.addEventListener("abort", onAbort, { once: true });
        this.unlink = () => outer.removeEventListener("abort", onAbort);
      }
    }
    return this.controller.signal;
  }

  /** What this body's own signal follows: its scope's, else its caller's, else the run's. */
  private outerSignal(): AbortSignal {
    return this.scope ?? (this.parent ? this.parent.signal : this.run.signal);
  }

  /**
   * What a host call made by step `step` of this body runs under (StepContext.signal). The body's
   * own signal, made at the first asking (an AbortController linked to the caller's signal, which
   * costs a Kubernetes read through Ko some 10% of its time), is there to abort the body's other
   * steps when one fails. A step that runs alone (alone.ts) leaves none running when it fails, and
   * while it runs the body can fail only by its failing: its host call runs under the signal the
   * body's own would follow, which aborts whenever that one would, and nothing is made.
   */
  hostSignal(step: number): AbortSignal {
    if (this.controller === undefined && stepRunsAlone(this.fn.exec as Executable, step)) return this.outerSignal();
    return this.signal;
  }

  /** Aborts what this body still has running, after one of its steps failed. */
  abortBody(reason: unknown): void {
    this.controller?.abort(reason);
  }

  /** Forgets the link to the caller's signal once the body is over. */
  release(): void {
    // Tested first: the frames of most calls have no link, and are not written to.
    if (this.unlink === undefined) return;
    this.unlink();
    this.unlink = undefined;
  }
}

/** The deadline a call from `parent` runs under, with `scope` its own (see Frame.scope). */
function deadlineOf(parent: Frame | null, run: Run, scope: AbortSignal | undefined): AbortSignal | undefined {
  if (scope === undefined) return parent ? parent.deadline : undefined;
  return scope === run.signal ? undefined : scope;
}

/**
 * The frame of a new activation of a compiled positional body at the current depth of the
 * JavaScript stack: the last one used there, when it was not kept.
 */
function frameOnStack(
  fn: KoFunction,
  parent: Frame | null,
  callStep: number,
  depth: number,
  run: Run,
  scope: AbortSignal | undefined,
): Frame {
  const last = stackFrames[stackDepth];
  if (last !== undefined && !last.kept) {
    last.reuse(fn, parent, callStep, depth, run, scope);
    return last;
  }
  return (stackFrames[stackDepth] = new Frame(fn, parent, callStep, depth, run, scope, NO_VALS));
}

/** Drops the frames on the stack that belong to `run`, once it has ended, so that they do not keep its values alive. */
function forgetStackFrames(run: Run): void {
  for (let k = 0; k < stackFrames.length; k++) if (stackFrames[k]?.run === run) stackFrames[k] = undefined;
}

/** Whether step `i` of `ex`'s body runs alone (alone.ts), worked out once per step. */
function stepRunsAlone(ex: Executable, i: number): boolean {
  const alone = (ex.alone ??= new Uint8Array(ex.circuit.steps.length));
  if (alone[i] === 0) alone[i] = runsAlone(ex.circuit, ex.active, i) ? 1 : 2;
  return alone[i] === 1;
}

/** The call-chain frame of step `i` in `frame`. */
function frameOf(frame: Frame, i: number): CallFrame {
  const circuit = frame.fn.circuit;
  return { func: frame.fn.displayName, step: ownerOf(circuit, i), span: circuit.spans.step(i) };
}

/** Frames kept from each end of a very long call chain; the middle is one placeholder. */
const CHAIN_HEAD = 20;
const CHAIN_TAIL = 4;

/**
 * The Ko call chain at step `i` of `frame`, innermost first (D18). A chain of runaway recursion
 * can be a million frames long: only its ends are kept, so reporting it costs no memory.
 */
export function callChain(frame: Frame | null, i: number): CallFrame[] {
  const head: CallFrame[] = [];
  const tail: CallFrame[] = [];
  let total = 0;
  for (let f = frame, s = i; f !== null; s = f.callStep, f = f.parent) {
    if (s < 0) continue;
    total++;
    if (head.length < CHAIN_HEAD) head.push(frameOf(f, s));
    else {
      tail.push(frameOf(f, s));
      if (tail.length > CHAIN_TAIL) tail.shift();
    }
  }
  const elided = total - head.length - tail.length;
  if (elided <= 0) return [...head, ...tail];
  return [...head, { func: "", step: "", span: tail[0]!.span, elided }, ...tail];
}

/** Attaches the location of step `i` to a failure passing through it for the first time. */
function locate(e: unknown, frame: Frame, i: number): KoFailure {
  let failure: KoFailure;
  if (e instanceof KoFailure) failure = e;
  else if (e instanceof RangeError && /call stack/i.test(e.message)) {
    failure = new KoError("the JavaScript stack ran out (a host function recursed too deeply)", "runtime/stack");
  } else if (e instanceof RangeError && /invalid (string|array|typed array) length|allocation failed/i.test(e.message)) {
    // A string or list past what JavaScript can hold: a value that grew without bound.
    failure = new KoError(
      `out of memory: a value grew larger than the runtime can hold (${e.message}; runaway allocation?)`,
      "runtime/memory",
    );
  } else {
    failure = new KoError(`internal error: ${e instanceof Error ? e.message : String(e)}`, "runtime/internal");
    failure.cause = e;
  }
  if (!failure.site && !(failure instanceof KoCancelled)) {
    const span: Span = frame.fn.circuit.spans.step(i);
    let frames: CallFrame[] | undefined;
    frame.keep(); // the chain is read when the failure is reported
    failure.site = {
      span,
      get frames() {
        return (frames ??= callChain(frame, i));
      },
    };
  }
  return failure;
}

function executable(fn: KoFunction): Executable {
  if (fn.exec) return fn.exec as Executable;
  const circuit = fn.circuit;
  const template: Value[] = circuit.steps.map((s) => (s.op.op === "const" ? s.op.value : EMPTY));
  const paramSlots = new Array<number>(circuit.params.length);
  const active: number[] = [];
  const exec = circuit.steps.map((s, i): Exec | undefined => {
    const op = s.op;
    switch (op.op) {
      case "param":
        paramSlots[op.index] = i;
        return undefined;
      case "const":
        return undefined;
    }
    active.push(i);
    switch (op.op) {
      case "select": {
        const { input, fields } = op;
        if (fields.length === 1) {
          // `s.i`, by far the most common selection: a structure's field without the loop.
          const name = fields[0]!;
          return (vals) => {
            const v = vals[input]!;
            return v instanceof Struct ? v.get(name) : selectPath(v, fields);
          };
        }
        return (vals) => selectPath(vals[input]!, fields);
      }
      case "augment": {
        const { callee, groups } = op;
        return (vals) => augment(vals[callee]!, gather(vals, groups));
      }
      case "invoke": {
        const { callee, groups } = op;
        return (
          fastStep(circuit, callee, groups, i) ??
          ((vals, frame) => invoke(vals[callee]!, gather(vals, groups), frame, i, frame.run, undefined, undefined))
        );
      }
    }
  });
  const depCount = new Int32Array(circuit.steps.map((s) => new Set(s.deps).size));
  const order = Int32Array.from(active);
  const compiled = INTERPRET_ONLY ? undefined : compileBody(circuit, order, template, fn.displayName, LINKAGE);
  const ex: Executable = {
    circuit,
    template,
    paramSlots,
    active: order,
    exec,
    depCount,
    compiled,
    unwantedIn: 0,
    unwantedCalls: 0,
    alone: undefined,
  };
  fn.exec = ex;
  return ex;
}

/**
 * The closure of step `i`, a call of a builtin named by a constant, through the builtin's fast
 * form (host/binding.ts FastForms) when its terms have the shape the form takes; undefined
 * otherwise. The closure falls back on the general call when the form declines the values, and
 * whenever a layer watches calls of the builtin, which must then see the call as any other.
 */
function fastStep(circuit: Circuit, callee: number, groups: readonly ArgGroup[], i: number): Exec | undefined {
  const c = circuit.steps[callee]!.op;
  if (c.op !== "const" || !(c.value instanceof Variety) || c.value.fields.length !== 0 || c.value.callable instanceof KoFunction) {
    return undefined;
  }
  const variety = c.value;
  const fn = variety.callable as HostFunction;
  const forms = fn.fast;
  if (forms === undefined) return undefined;
  const general: Exec = (vals, frame) => invoke(variety, gather(vals, groups), frame, i, frame.run, undefined, undefined);
  if (forms.pair && groups.length === 1 && groups[0]!.name === "" && groups[0]!.inputs.length === 2) {
    const pair = forms.pair;
    const a = groups[0]!.inputs[0]!;
    const b = groups[0]!.inputs[1]!;
    return (vals, frame) => {
      if (!hostHooked(frame.run, fn)) {
        const r = pair(vals[a]!, vals[b]!);
        if (r !== undefined) return r;
      }
      return general(vals, frame);
    };
  }
  const named = forms.named;
  if (named && groups.length <= named.names.length && groups.every((g) => g.inputs.length === 1 && named.names.includes(g.name))) {
    // The step of each named argument, by its position among the names; -1 where not given.
    const at = named.names.map((n) => {
      const g = groups.filter((g) => g.name === n);
      return g.length === 1 ? g[0]!.inputs[0]! : -1;
    });
    if (at.filter((k) => k >= 0).length !== groups.length) return undefined; // a name given twice
    const [x = -1, y = -1, z = -1] = at;
    const call = named.call;
    return (vals, frame) => {
      if (!hostHooked(frame.run, fn)) {
        const r = call(x < 0 ? EMPTY : vals[x]!, y < 0 ? EMPTY : vals[y]!, z < 0 ? EMPTY : vals[z]!);
        if (r !== undefined) return r;
      }
      return general(vals, frame);
    };
  }
  const fields = forms.fields;
  if (fields) return (vals, frame) => (hostHooked(frame.run, fn) ? general(vals, frame) : fields(gather(vals, groups)));
  return undefined;
}

/** Activation numbers of frames, assigned when a step of the frame is first observed. */
const activationIds = new WeakMap<Frame, number>();

function activationOf(frame: Frame): number {
  let id = activationIds.get(frame);
  if (id === undefined) {
    // The frame stands for this activation from now on (as the caller of observed steps, when
    // the steps are observed only some of the time): it must not be reused for another.
    frame.keep();
    activationIds.set(frame, (id = ++frame.run.activations));
  }
  return id;
}

/** Who called each frame, made when a step of the frame is first observed. */
const callers = new WeakMap<Frame, StepCaller>();

function callerOf(frame: Frame): StepCaller | undefined {
  const parent = frame.parent;
  if (parent === null) return undefined;
  let caller = callers.get(frame);
  if (caller === undefined) {
    const circuit = parent.fn.circuit;
    const step = circuit.steps[frame.callStep] !== undefined ? ownerOf(circuit, frame.callStep) : "?";
    caller = { function: parent.fn.displayName, step, activation: activationOf(parent), caller: callerOf(parent) };
    callers.set(frame, caller);
  }
  return caller;
}

/** The closures of `ex`, with each labelled step reporting its start and end to `observer`. */
function observedExec(ex: Executable, fn: KoFunction, observer: StepObserver): readonly (Exec | undefined)[] {
  if (ex.observed?.observer === observer) return ex.observed.exec;
  if (observer.observes !== undefined && !observer.observes(fn)) {
    ex.observed = { observer, exec: ex.exec };
    return ex.exec;
  }
  const steps = ex.circuit.steps;
  const exec = ex.exec.map((run, i) => {
    const label = steps[i]!.label;
    if (!run || label === undefined) return run;
    const span = ex.circuit.spans.step(i);
    return (vals: Value[], frame: Frame) => {
      const ev = { function: fn.displayName, step: label, span, activation: activationOf(frame), caller: callerOf(frame) };
      const t0 = performance.now();
      observer.started(ev);
      let r: Value | Promise<Value>;
      try {
        r = run(vals, frame);
      } catch (e) {
        observer.finished(ev, "failed", performance.now() - t0, e);
        throw e;
      }
      if (!(r instanceof Promise)) {
        observer.finished(ev, "done", performance.now() - t0);
        return r;
      }
      return r.then(
        (v) => {
          observer.finished(ev, "done", performance.now() - t0);
          return v;
        },
        (e: unknown) => {
          observer.finished(ev, "failed", performance.now() - t0, e);
          throw e;
        },
      );
    };
  });
  ex.observed = { observer, exec };
  return exec;
}

/** Turns a bracket's evaluated terms into argument fields (reference 5.3). */
function gather(vals: Value[], groups: readonly ArgGroup[]): Field[] {
  const fields = new Array<Field>(groups.length);
  for (let g = 0; g < groups.length; g++) {
    const { name, inputs } = groups[g]!;
    let value: Value;
    if (inputs.length === 1) value = vals[inputs[0]!]!;
    else {
      const items = new Array<Value>(inputs.length);
      for (let k = 0; k < inputs.length; k++) items[k] = vals[inputs[k]!]!;
      value = groupValues(items);
    }
    fields[g] = { name, value, monadic: name === "" };
  }
  return fields;
}

/** Selection (reference 5.4). */
export function selectPath(v: Value, fields: readonly string[]): Value {
  for (const f of fields) {
    if (v === EMPTY) return EMPTY;
    if (v instanceof Struct) v = v.get(f);
    else if (v instanceof Seq) throw new KoError(`cannot select ${f} into sequence ${printValue(v)}`, "runtime/select");
    else throw new KoError(`${describeValue(v)} cannot be selected into (field ${f})`, "runtime/select");
  }
  return v;
}

function describeValue(v: Value): string {
  if (v === EMPTY) return "empty value";
  if (v instanceof Struct) return `structure ${printValue(v)}`;
  if (v instanceof Seq) return `sequence ${printValue(v)}`;
  if (v instanceof Variety) return `variety ${printValue(v)}`;
  return `basic value ${printValue(v)}`;
}

/** Adds fields to a variety (reference 5.5); a name given twice, even "" or an Empty field, is an error. */
export function augment(callee: Value, fields: readonly Field[]): Value {
  if (!(callee instanceof Variety)) {
    if (fields.length === 0) return callee;
    throw new KoError(`${describeValue(callee)} cannot be augmented`, "runtime/augment");
  }
  return new Variety(callee.callable, mergeFields(callee.fields, fields));
}

function mergeFields(old: readonly Field[], added: readonly Field[]): readonly Field[] {
  if (old.length === 0) return added;
  if (added.length === 0) return old;
  for (const a of added) {
    for (const o of old) {
      if (o.name === a.name) {
        throw new KoError(`augmenting duplicate field ${a.name === "" ? "? (the unnamed argument)" : a.name}`, "runtime/duplicate-field");
      }
    }
  }
  // A plain copy: spreading two arrays goes through the iterator protocol.
  const all = new Array<Field>(old.length + added.length);
  for (let k = 0; k < old.length; k++) all[k] = old[k]!;
  for (let k = 0; k < added.length; k++) all[old.length + k] = added[k]!;
  return all;
}

/** Augments then invokes (reference 5.5). `mode` "sequential" runs a Ko body one step at a time. */
export function invoke(
  callee: Value,
  fields: readonly Field[],
  frame: Frame | null,
  step: number,
  run: Run,
  mode: "sequential" | undefined,
  scope: AbortSignal | undefined,
): Value | Promise<Value> {
  if (!(callee instanceof Variety)) throw new KoError(`${describeValue(callee)} cannot be invoked`, "runtime/invoke");
  const all = mergeFields(callee.fields, fields);
  const c = callee.callable;
  if (c instanceof KoFunction) {
    if (koHooked(run, c)) return hookedKoCall(c, all, frame, step, run, mode, scope);
    return callKo(c, all, frame, step, run, mode, scope);
  }
  const fn = c as HostFunction;
  const ctx = new StepContext(frame, step, run, scope);
  if (hostHooked(run, fn)) return checkLarge(run, hookedHostCall(fn, all, ctx, run));
  return checkLarge(run, fn.invoke(all, ctx));
}

/**
 * Whether a call of the Ko function `fn` passes the hooks. When they say no, they are asked how
 * many more calls they will not want (RunHooks.unwantedKoCalls): those are counted down on the
 * function's executable, with the run's serial number, and not asked about. (Runs of the same
 * function at the same time take the count from each other: each then asks at its next call.)
 */
function koHooked(run: Run, fn: KoFunction): boolean {
  const hooks = run.hooks;
  if (hooks.koCall === undefined) return false;
  if (hooks.wantsKoCall === undefined) return true;
  const ex = fn.exec as Executable | undefined;
  if (ex !== undefined && ex.unwantedIn === run.serial && ex.unwantedCalls > 0) {
    ex.unwantedCalls--;
    return false;
  }
  if (hooks.wantsKoCall(fn)) return true;
  if (hooks.unwantedKoCalls !== undefined) {
    // Made here if need be: a function whose calls are answered in place (codegen/emit.ts) has
    // no executable otherwise, and would be asked about at every call.
    const counted = ex ?? executable(fn);
    counted.unwantedIn = run.serial;
    counted.unwantedCalls = hooks.unwantedKoCalls(fn);
  }
  return false;
}

/** Whether the hooks of `run` will never want a call of `fn` (see koHooked). */
function neverHooked(run: Run, ex: Executable): boolean {
  return run.hooks.koCall === undefined || (ex.unwantedIn === run.serial && ex.unwantedCalls === Infinity);
}

/** Whether a call of the host function `fn` passes the hooks. */
function hostHooked(run: Run, fn: HostFunction): boolean {
  const hooks = run.hooks;
  return hooks.hostCall !== undefined && (hooks.wantsHostCall === undefined || hooks.wantsHostCall(fn));
}

// The hooked paths live in functions of their own: a closure inside `invoke` would make every
// call allocate a context for the variables it captures, hooks or not.

function hookedKoCall(
  fn: KoFunction,
  fields: readonly Field[],
  frame: Frame | null,
  step: number,
  run: Run,
  mode: "sequential" | undefined,
  scope: AbortSignal | undefined,
): Value | Promise<Value> {
  const call = new HookedKoCall(fn, fields, frame, run);
  return run.hooks.koCall!(call, () => callKo(fn, fields, frame, step, run, mode, scope));
}

/** A Ko call as the hooks see it; a class, so that its signal is looked up only if read. */
class HookedKoCall implements KoCall {
  readonly depth: number;

  constructor(
    readonly fn: KoFunction,
    readonly fields: readonly Field[],
    private readonly caller: Frame | null,
    private readonly run: Run,
  ) {
    // The caller's frame is not kept here (Frame.kept), as most calls the hooks see end at once: a
    // layer that goes on later (calls `next`, reads the signal) has returned a promise, and the
    // calling body keeps its frame on receiving it, before anything later can run; and the
    // signal, when read, keeps the frame itself.
    this.depth = caller ? caller.depth + 1 : 1;
  }

  get signal(): AbortSignal {
    return this.caller ? this.caller.signal : this.run.signal;
  }
}

function hookedHostCall(fn: HostFunction, fields: readonly Field[], ctx: StepContext, run: Run): Value | Promise<Value> {
  return run.hooks.hostCall!({ fn, fields, ctx }, () => fn.invoke(fields, ctx));
}

/** Binds arguments to parameters (reference 5.1), writing each into its step's slot of `vals`. */
function bindParams(ex: Executable, fields: readonly Field[], vals: Value[]): void {
  const params = ex.circuit.params;
  const slots = ex.paramSlots;
  for (let p = 0; p < params.length; p++) {
    const { name, monadic } = params[p]!;
    let value: Value = EMPTY;
    let found = false;
    for (let k = 0; k < fields.length; k++) {
      if (fields[k]!.name === name) {
        value = fields[k]!.value;
        found = true;
        break;
      }
    }
    if (!found && monadic) {
      for (let k = 0; k < fields.length; k++) {
        const f = fields[k]!;
        if (f.monadic || f.name === "") {
          value = f.value;
          break;
        }
      }
    }
    vals[slots[p]!] = value;
  }
}

function callKo(
  fn: KoFunction,
  fields: readonly Field[],
  parent: Frame | null,
  callStep: number,
  run: Run,
  mode: "sequential" | undefined,
  scope: AbortSignal | undefined,
): Value | Promise<Value> {
  const depth = depthOfCall(parent, run);
  const ex = executable(fn);
  const vals = ex.template.slice();
  bindParams(ex, fields, vals);
  return enter(new Frame(fn, parent, callStep, depth, run, scope, vals), mode);
}

/**
 * A call from a compiled body of a Ko function named by a constant, with up to three
 * parameters, its arguments bound by position already (codegen/emit.ts works out which term
 * goes to which parameter as bindParams would): no argument fields to build and search. A
 * positional compiled callee takes them as they are, and no array of step values is made.
 */
function callKoPositional(
  fn: KoFunction,
  parent: Frame | null,
  callStep: number,
  run: Run,
  a: Value,
  b: Value,
  c: Value,
  scope?: AbortSignal,
): Value | Promise<Value> {
  const depth = depthOfCall(parent, run);
  const ex = executable(fn);
  const compiled = ex.compiled;
  // Observed bodies run in the interpreter, whose step events tell activations apart by their frame.
  if (compiled === undefined || !compiled.positional || run.hooks.steps !== undefined)
    return enter(new Frame(fn, parent, callStep, depth, run, scope, withParams(ex, a, b, c)), undefined);
  const onStack = stackDepth < HOP_DEPTH;
  const frame = onStack
    ? frameOnStack(fn, parent, callStep, depth, run, scope)
    : new Frame(fn, parent, callStep, depth, run, scope, NO_VALS);
  if (++run.tick >= CHECK_EVERY) run.checkpoint(frame.deadline, depth);
  if (onStack && run.pause === undefined) {
    stackDepth++;
    try {
      return compiled.body(frame, run, undefined, a, b, c);
    } finally {
      stackDepth--;
    }
  }
  // Later, from the interpreter's array (the frame is kept on the way).
  frame.vals = withParams(ex, a, b, c);
  return proceed(frame, undefined);
}

/** The step values of a call of `ex` whose parameters' values are `a`, `b`, `c`. */
function withParams(ex: Executable, a: Value, b: Value, c: Value): Value[] {
  const vals = ex.template.slice();
  const slots = ex.paramSlots;
  if (slots.length > 0) vals[slots[0]!] = a;
  if (slots.length > 1) vals[slots[1]!] = b;
  if (slots.length > 2) vals[slots[2]!] = c;
  return vals;
}

/**
 * What a frame whose body keeps its values in local variables has for `vals` (frozen: a write
 * to it would be a bug of the evaluator, and fails at once).
 */
const NO_VALS = Object.freeze([]) as unknown as Value[];

/** The depth of a call from `parent`, once the run is known to go on and the depth to be allowed. */
function depthOfCall(parent: Frame | null, run: Run): number {
  if (run.stopped !== undefined) throw run.stopped;
  const depth = parent ? parent.depth + 1 : 1;
  if (depth > run.maxDepth) {
    throw new KoError(`maximum call depth of ${run.maxDepth} exceeded (runaway recursion? see --max-depth)`, "runtime/max-depth");
  }
  return depth;
}

/** Runs the body of a new activation, now or (past a pause or deep on the stack) from a fresh stack. */
function enter(frame: Frame, mode: "sequential" | undefined): Value | Promise<Value> {
  const run = frame.run;
  if (++run.tick >= CHECK_EVERY) run.checkpoint(frame.deadline, frame.depth);
  return proceed(frame, mode);
}

/** `enter` once the call has been counted. */
function proceed(frame: Frame, mode: "sequential" | undefined): Value | Promise<Value> {
  const run = frame.run;
  if (run.pause) return runBodyAfter(run.pause, frame, mode);
  if (stackDepth >= HOP_DEPTH) {
    checkMemory(run, frame.depth);
    return runBodyAfter(Promise.resolve(), frame, mode);
  }
  stackDepth++;
  try {
    return runBody(frame, mode);
  } finally {
    stackDepth--;
  }
}

/**
 * StepContext.caller for a variety of a Ko function, when its calls can be bound once for all:
 * none of `names` is already a field of the variety (the general call reports that duplicate).
 * Each call then fills a copy of a template that has the variety's own fields in place, as
 * callKo would after merging the fields and binding them; a call the hooks want goes through
 * them, with fields (asked at each call, as `invoke` asks: a hook may change its mind — unless
 * the hooks have said they will not want the next calls, koHooked).
 */
function boundCaller(
  variety: Value,
  names: readonly string[],
  parent: Frame | null,
  callStep: number,
  run: Run,
  scope: AbortSignal | undefined,
): RepeatedCall | undefined {
  if (!(variety instanceof Variety) || !(variety.callable instanceof KoFunction)) return undefined;
  const own = variety.fields;
  if (own.some((f) => f.monadic !== (f.name === "") || names.includes(f.name))) return undefined;
  const fn = variety.callable;
  const ex = executable(fn);
  const template = ex.template.slice();
  // The slot each argument goes to (-1: no parameter takes it).
  const slotOf = [-1, -1];
  planBinding(ex.circuit.params, [...own.map((f) => f.name), ...names]).forEach((source, p) => {
    if (source === undefined) return;
    if (source < own.length) template[ex.paramSlots[p]!] = own[source]!.value;
    else slotOf[source - own.length] = ex.paramSlots[p]!;
  });
  const [slotA, slotB] = slotOf as [number, number];
  // For a positional compiled body, each parameter's value by position: argument 0 (`a`), 1
  // (`b`), or (-1) the value in the template, the variety's own field or Empty.
  const params = ex.circuit.params.map((_, p) => ex.paramSlots[p]!);
  const [fromX = -1, fromY = -1, fromZ = -1] = params.map((slot) => (slot === slotA ? 0 : slot === slotB ? 1 : -1));
  const [x = EMPTY, y = EMPTY, z = EMPTY] = params.map((slot) => template[slot]!);
  const positional = ex.compiled?.positional === true;
  const pick = (from: number, preset: Value, a: Value, b: Value | undefined): Value => (from === 0 ? a : from === 1 ? b! : preset);
  // Through the hooks, which have said they want the call (koHooked: asking again would count it twice).
  const hooked: RepeatedCall = (a, b) => {
    const added = names.length === 1 ? [field(names[0]!, a)] : [field(names[0]!, a), field(names[1]!, b!)];
    return hookedKoCall(fn, mergeFields(own, added), parent, callStep, run, undefined, scope);
  };
  // So that a Loop of a million turns over a function the hooks never want does not ask a million times.
  const mayBeHooked = !neverHooked(run, ex);
  return (a, b) => {
    if (mayBeHooked && koHooked(run, fn)) return hooked(a, b);
    if (positional) {
      return callKoPositional(fn, parent, callStep, run, pick(fromX, x, a, b), pick(fromY, y, a, b), pick(fromZ, z, a, b), scope);
    }
    const depth = depthOfCall(parent, run);
    const vals = template.slice();
    if (slotA >= 0) vals[slotA] = a;
    if (slotB >= 0) vals[slotB] = b!;
    return enter(new Frame(fn, parent, callStep, depth, run, scope, vals), undefined);
  };
}

/**
 * Runs the body once `before` has settled. A function of its own, like the hooked paths: a
 * closure in `callKo` capturing `frame` would make every call allocate a context for it.
 */
function runBodyAfter(before: Promise<void>, frame: Frame, mode: "sequential" | undefined): Promise<Value> {
  frame.keep();
  return before.then(() => {
    if (frame.run.stopped !== undefined) throw frame.run.stopped;
    return runBody(frame, mode);
  });
}

/**
 * Deep recursion costs memory, not stack, and a recursion that branches, or a value that keeps
 * doubling, costs it faster. Before the heap runs out (which would crash the process), the run
 * ends with a Ko error instead, at the step that was running. Checked when a call moves to a
 * fresh stack (once per HOP_DEPTH nested calls), at every checkpoint (once per CHECK_EVERY
 * calls), and after a host call that returned a large value: it costs nothing on ordinary calls.
 */
const RUNAWAY_DEPTH = 100;

function checkMemory(run: Run, depth?: number, headroom = 0): void {
  const used = v8.getHeapStatistics().used_heap_size;
  if (used + headroom <= run.maxMemory) return;
  const mb = Math.round(run.maxMemory / 2 ** 20);
  // Memory that runs out a hundred calls deep or more is a recursion that went on; shallower, a value that grew.
  const message =
    depth === undefined || depth < RUNAWAY_DEPTH
      ? `out of memory: the run's values take more than ${mb} MB (a value that keeps growing?)`
      : `out of memory at call depth ${depth}: the run's values take more than ${mb} MB (runaway recursion? see --max-depth)`;
  const failure = new KoError(message, "runtime/memory");
  run.stop(failure);
  throw failure;
}

/**
 * Checks the run's memory after a host call whose result is large (a string or sequence that
 * doubles, say), with room for a value twice its size: the next doubling is allocated in one go,
 * before any check can see it, and must not be what fills the heap (which would crash the process).
 */
function checkLarge(run: Run, v: Value | Promise<Value>): Value | Promise<Value> {
  // At least a byte a character, and a pointer an element.
  const bytes = typeof v === "string" ? v.length : v instanceof Seq ? 8 * v.items.length : 0;
  if (bytes >= LARGE_RESULT) checkMemory(run, undefined, 2 * bytes);
  return v;
}

function runBody(frame: Frame, mode: "sequential" | undefined): Value | Promise<Value> {
  const ex = frame.fn.exec as Executable;
  const observer = frame.run.hooks.steps;
  // Observed steps are reported by the closures (observedExec): those bodies stay interpreted.
  if (observer === undefined && ex.compiled !== undefined) {
    const { body, positional } = ex.compiled;
    if (!positional) return body(frame, frame.run, mode, EMPTY, EMPTY, EMPTY);
    const [a, b, c] = ex.paramSlots;
    const vals = frame.vals;
    return body(
      frame,
      frame.run,
      mode,
      a === undefined ? EMPTY : vals[a]!,
      b === undefined ? EMPTY : vals[b]!,
      c === undefined ? EMPTY : vals[c]!,
    );
  }
  const exec = observer ? observedExec(ex, frame.fn, observer) : ex.exec;
  const active = ex.active;
  const vals = frame.vals;
  const run = frame.run;
  for (let k = 0; k < active.length; k++) {
    // While the run gives way to the event loop, the rest of the body waits (see Run.pause).
    if (run.pause !== undefined) return new AsyncBody(frame, ex, k, undefined, mode).promise;
    const i = active[k]!;
    let v: Value | Promise<Value>;
    try {
      v = exec[i]!(vals, frame);
    } catch (e) {
      frame.release();
      throw locate(e, frame, i);
    }
    if (v instanceof Promise) return new AsyncBody(frame, ex, k, v, mode).promise;
    vals[i] = v;
  }
  frame.release();
  return vals[ex.circuit.ret]!;
}

/**
 * The rest of a body once one of its steps went asynchronous: each remaining step starts when
 * all its inputs have values (or, in sequential mode, when it is the first ready step and nothing
 * else is running). On a failure no new step starts; the body aborts what is running, waits for
 * it to settle, and only then fails (D6).
 */
export class AsyncBody {
  readonly promise: Promise<Value>;
  /** Steps started and not yet settled. */
  readonly flying = new Set<number>();
  private resolve!: (v: Value) => void;
  private reject!: (e: unknown) => void;
  private readonly remaining: Int32Array;
  private readonly ready: number[] = [];
  private failure: KoFailure | undefined;
  private settled = false;
  /** Set while the body waits for the run's pause to end before starting more steps. */
  private waitingForPause = false;

  /**
   * `k` is the position in `ex.active` of the step that returned `pending` (or, with no
   * `pending`, of the next step to start): the active steps before it, and all constants and
   * parameters, already have values.
   */
  constructor(
    readonly frame: Frame,
    private readonly ex: Executable,
    k: number,
    pending: Promise<Value> | undefined,
    private readonly mode: "sequential" | undefined,
    extra?: readonly number[],
  ) {
    this.promise = new Promise<Value>((res, rej) => {
      this.resolve = res;
      this.reject = rej;
    });
    frame.keep();
    const n = ex.circuit.steps.length;
    const todo = new Uint8Array(n);
    for (let a = k; a < ex.active.length; a++) todo[ex.active[a]!] = 1;
    if (extra) for (const j of extra) todo[j] = 1;
    this.remaining = new Int32Array(ex.depCount);
    for (let i = 0; i < n; i++) if (!todo[i]) for (const d of ex.circuit.dependents[i]!) this.remaining[d]!--;
    const first = ex.active[k]!;
    frame.run.active.add(this);
    if (pending) this.track(first, pending);
    else this.ready.push(first);
    for (let a = k + 1; a < ex.active.length; a++) {
      const j = ex.active[a]!;
      if (this.remaining[j] === 0) this.ready.push(j);
    }
    if (extra) {
      for (const j of extra) if (this.remaining[j] === 0) this.ready.push(j);
      this.ready.sort((a, b) => b - a);
    }
    this.pump();
  }

  private track(i: number, p: Promise<Value>): void {
    this.flying.add(i);
    p.then(
      (v) => {
        this.flying.delete(i);
        this.complete(i, v);
        this.pump();
      },
      (e) => {
        this.flying.delete(i);
        this.fail(locate(e, this.frame, i));
        this.pump();
      },
    );
  }

  private complete(i: number, v: Value): void {
    this.frame.vals[i] = v;
    const deps = this.ex.circuit.dependents[i]!;
    for (let k = 0; k < deps.length; k++) {
      const j = deps[k]!;
      if (--this.remaining[j]! === 0) this.insertReady(j);
    }
  }

  /** Keeps `ready` sorted in descending order, so `pop()` yields the first step in source order. */
  private insertReady(j: number): void {
    const r = this.ready;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]! > j) lo = mid + 1;
      else hi = mid;
    }
    r.splice(lo, 0, j);
  }

  private fail(e: KoFailure): void {
    if (this.failure) return;
    this.failure = e;
    this.ready.length = 0;
    this.frame.abortBody(e);
  }

  private pump(): void {
    if (this.ready.length > 1 && this.ready[0]! < this.ready[this.ready.length - 1]!) this.ready.sort((a, b) => b - a);
    const sequential = this.mode === "sequential";
    const run = this.frame.run;
    while (!this.failure && this.ready.length > 0 && !(sequential && this.flying.size > 0)) {
      if (run.signal.aborted) {
        this.fail(run.cancelledError());
        break;
      }
      const deadline = this.frame.deadline;
      if (deadline?.aborted) {
        this.fail(deadlineCancellation(deadline));
        break;
      }
      if (run.pause !== undefined) {
        // Start nothing new until the event loop has had its turn; then go on from here.
        if (!this.waitingForPause) {
          this.waitingForPause = true;
          void run.pause.then(() => {
            this.waitingForPause = false;
            this.pump();
          });
        }
        return;
      }
      const j = this.ready.pop()!;
      let v: Value | Promise<Value>;
      try {
        const observer = this.frame.run.hooks.steps;
        const exec = observer ? observedExec(this.ex, this.frame.fn, observer) : this.ex.exec;
        v = exec[j]!(this.frame.vals, this.frame);
      } catch (e) {
        this.fail(locate(e, this.frame, j));
        break;
      }
      if (v instanceof Promise) this.track(j, v);
      else this.complete(j, v);
    }
    if (this.flying.size === 0 && !this.settled && (this.failure || this.ready.length === 0)) this.settle();
  }

  private settle(): void {
    this.settled = true;
    this.frame.run.active.delete(this);
    this.frame.release();
    if (this.failure) this.reject(this.failure);
    else this.resolve(this.frame.vals[this.ex.circuit.ret]!);
  }
}

/**
 * What a host function sees of the step that called it. One is made per host call (a host
 * function may keep it across awaits, so it is never reused); its fields are `declare`d and
 * assigned in the constructor for the reason given at Frame.
 */
class StepContext implements HostContext, RunServices {
  declare private readonly frame: Frame | null;
  declare private readonly step: number;
  declare private readonly runState: Run;
  /** What cancels the call in place of the calling body (see Frame.scope). */
  declare private readonly scope: AbortSignal | undefined;

  constructor(frame: Frame | null, step: number, runState: Run, scope: AbortSignal | undefined) {
    // A host function may hold its context, and the frame with it, across awaits.
    frame?.keep();
    this.frame = frame;
    this.step = step;
    this.runState = runState;
    this.scope = scope;
  }

  call(variety: Value, fields: readonly Field[], mode?: "sequential"): Value | Promise<Value> {
    return invoke(variety, fields, this.frame, this.step, this.runState, mode, this.scope);
  }

  callWithin(signal: AbortSignal, variety: Value, fields: readonly Field[]): Value | Promise<Value> {
    return invoke(variety, fields, this.frame, this.step, this.runState, undefined, signal);
  }

  caller(variety: Value, names: readonly [string] | readonly [string, string]): RepeatedCall {
    return (
      boundCaller(variety, names, this.frame, this.step, this.runState, this.scope) ??
      ((a, b) => this.call(variety, names.length === 1 ? [field(names[0], a)] : [field(names[0], a), field(names[1], b!)]))
    );
  }

  get signal(): AbortSignal {
    return this.scope ?? (this.frame ? this.frame.hostSignal(this.step) : this.runState.signal);
  }

  get stdout(): (text: string) => void {
    return this.runState.stdout;
  }

  get stderr(): (text: string) => void {
    return this.runState.stderr;
  }

  callFrames(): CallFrame[] {
    return callChain(this.frame, this.step);
  }

  callChain(): string {
    return this.callFrames()
      .map((f) => `  at ${f.func}:${f.step} (${f.span.file}:${f.span.start.line}:${f.span.start.col})\n`)
      .join("");
  }

  get callerPackage(): string {
    return this.frame?.fn.pkg ?? "";
  }

  get run(): RunServices {
    return this;
  }

  service<T>(key: ServiceKey<T>): T | undefined {
    return this.runState.services.get(key);
  }

  spawn(variety: Value): SpawnHandle {
    const record: { failure?: unknown; waited: boolean } = { waited: false };
    this.runState.spawned.push(record);
    const p = Promise.resolve().then(() => invoke(variety, [], this.frame, this.step, this.runState, undefined, this.runState.signal));
    p.catch((e: unknown) => {
      record.failure = e;
    });
    return {
      wait: () => {
        record.waited = true;
        return p;
      },
    };
  }
}

/** Waits for a value that may be a promise, without making one when it is not. */
export function settle<T>(v: T | Promise<T>, then: (x: T) => Value | Promise<Value>): Value | Promise<Value> {
  return v instanceof Promise ? v.then(then) : then(v);
}

export { KoPanic };

/** The evaluator's functions that compiled bodies call (codegen/compiled.ts). */
const LINKAGE: Linkage = {
  invoke,
  callKo,
  callKoPositional,
  koHooked,
  hookedKoCall,
  hostHooked,
  resume: (frame, k, pending, mode, extra) => new AsyncBody(frame, frame.fn.exec as Executable, k, pending, mode, extra).promise,
  locate,
  augment,
  selectPath,
  groupValues,
  Struct,
  EMPTY,
};
