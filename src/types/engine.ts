/**
 * Inference by specialisation (reference 3.7): every Ko function that can run is checked once per
 * tuple of argument types it is called with, starting from the entry functions.
 *
 * A specialisation infers the static type of each step of the function's Circuit, in the order
 * the evaluator runs them, and records the failures it finds and the calls it makes. Calls are
 * memoised by the canonical key of their argument types. Recursion — direct, mutual, through
 * varieties — reaches a fixpoint: a call of a specialisation that is still being checked gets
 * its current approximation of the result (Never at first), and the specialisation is checked
 * again until its result no longer grows. A specialisation that read the approximation of one
 * further down the stack is only provisional until that one is final (the memo is kept while
 * no approximation has changed since). Iterations, nesting and total work are capped; past a
 * cap a result widens to Unknown rather than loop, and the check is marked incomplete.
 */
import type { ArgGroup, Circuit, KoFunction, Step } from "../compile/circuit.js";
import type { CircuitSpans } from "../compile/spans.js";
import { closestWithin } from "../diag/suggest.js";
import type { Span } from "../diag/span.js";
import type { Fix } from "../diag/diagnostic.js";
import type { About, CallCtx } from "./context.js";
import { augmentTy, groupTy, invokeTy, selectTy } from "./ops.js";
import { tyOfValue } from "./values.js";
import {
  EMPTY,
  NEVER,
  UNKNOWN,
  alternatives,
  argumentKey,
  cut,
  join,
  sameType,
  widen,
  type StaticType,
  type TyField,
} from "./static-type.js";

/** A failure found at a step of a specialisation. */
export interface Problem {
  readonly step: number;
  readonly code: string;
  readonly message: string;
  /** It fails definitely, at a place that runs whenever the specialisation runs. */
  readonly certain: boolean;
  /** The place in the source the failure is about, when it is not the step's own (a manifest's field). */
  readonly at?: Span;
  readonly fix?: Fix;
  /**
   * Not a failure but a likely mistake, reported as a warning only and at `span` (D35: an
   * argument no parameter takes, with the parameter it is close to as `suggestion`).
   */
  readonly lint?: { readonly span: Span; readonly suggestion?: string };
}

/** A call from a step of one specialisation to another. */
export interface CallEdge {
  readonly step: number;
  readonly callee: Spec;
  /** The call happens whenever the calling specialisation runs. */
  readonly certain: boolean;
}

/** One Ko function checked for one tuple of argument types. */
export class Spec {
  /** The result's type: the current approximation while the fixpoint is being computed. */
  result: StaticType = NEVER;
  /** The type of every step of the circuit (Never for a step that never runs). */
  steps: readonly StaticType[] = [];
  problems: readonly Problem[] = [];
  calls: readonly CallEdge[] = [];

  /** new → running → done, or provisional while it depends on a running one below it. */
  state: "new" | "running" | "provisional" | "done" = "new";
  /** Its place on the stack while running. */
  depth = -1;
  /** The lowest stack depth of a running specialisation whose approximation it read. */
  low = Infinity;
  /** For a provisional specialisation: the approximation generation it was computed in. */
  stamp = -1;
  /** Someone read its approximation while it was running: the fixpoint must be checked. */
  readWhileRunning = false;

  constructor(
    readonly fn: KoFunction,
    readonly args: readonly StaticType[],
    readonly key: string,
  ) {}
}

export interface Limits {
  /** Passes over one specialisation before its result widens to Unknown. */
  readonly iterations: number;
  /** Nested specialisations being checked at once. */
  readonly nesting: number;
  /** Steps inferred in all, over every pass. */
  readonly work: number;
  /** Specialisations of one function before its arguments widen to Unknown. */
  readonly perFunction: number;
}

export const DEFAULT_LIMITS: Limits = { iterations: 12, nesting: 400, work: 5_000_000, perFunction: 256 };

export class Engine {
  private readonly specs = new Map<string, Spec>();
  private readonly perFunction = new Map<KoFunction, number>();
  private readonly stack: Spec[] = [];
  /** Provisional specialisations by the depth of the running one they wait for. */
  private readonly anchored: Spec[][] = [];
  /** Bumped whenever an approximation grows: provisional results older than that are stale. */
  private generation = 0;
  private work = 0;
  /** Some limit was reached: a result widened to Unknown, so the check is not exhaustive. */
  incomplete = false;

  constructor(private readonly limits: Limits = DEFAULT_LIMITS) {}

  /** Every specialisation made so far. */
  all(): IterableIterator<Spec> {
    return this.specs.values();
  }

  /** The specialisation for calling `fn` with argument fields (parameters bound as in 5.1). */
  call(fn: KoFunction, fields: readonly TyField[]): Spec {
    const args = fn.circuit.params.map((p) => this.cut(widen(bindParam(fields, p.name, p.monadic))));
    return this.specialise(fn, args);
  }

  /** `cut`, noting when it loses precision. */
  private cut(t: StaticType): StaticType {
    const c = cut(t);
    if (c !== t) this.incomplete = true;
    return c;
  }

  private specialise(fn: KoFunction, args: readonly StaticType[]): Spec {
    let key = `${fn.identity}(${args.map(argumentKey).join(",")})`;
    let spec = this.specs.get(key);
    if (!spec) {
      const count = (this.perFunction.get(fn) ?? 0) + 1;
      this.perFunction.set(fn, count);
      if (count > this.limits.perFunction) {
        this.incomplete = true;
        args = args.map(() => UNKNOWN);
        key = `${fn.identity}(${args.map(argumentKey).join(",")})`;
        spec = this.specs.get(key);
      }
      if (!spec) this.specs.set(key, (spec = new Spec(fn, args, key)));
    }
    const caller = this.stack[this.stack.length - 1];
    switch (spec.state) {
      case "running":
        spec.readWhileRunning = true;
        if (caller) caller.low = Math.min(caller.low, spec.depth);
        return spec;
      case "done":
        return spec;
      case "provisional":
        if (spec.stamp === this.generation) {
          if (caller) caller.low = Math.min(caller.low, spec.low);
          return spec;
        }
        break;
      case "new":
        break;
    }
    if (this.stack.length >= this.limits.nesting || this.work > this.limits.work) {
      this.incomplete = true;
      spec.result = UNKNOWN;
      spec.state = "done";
      return spec;
    }
    this.compute(spec);
    if (caller) caller.low = Math.min(caller.low, spec.low);
    return spec;
  }

  /** Checks a specialisation's body until its result is a fixpoint. */
  private compute(spec: Spec): void {
    spec.state = "running";
    spec.depth = this.stack.length;
    spec.result = NEVER;
    this.stack.push(spec);
    for (let iteration = 0; ; iteration++) {
      spec.low = Infinity;
      spec.readWhileRunning = false;
      const r = this.inferBody(spec);
      if (!spec.readWhileRunning) {
        spec.result = r;
        break;
      }
      const next: StaticType = iteration >= this.limits.iterations ? UNKNOWN : this.cut(join(spec.result, r));
      if (sameType(next, spec.result)) break;
      if (next === UNKNOWN) this.incomplete = true;
      spec.result = next;
      this.generation++;
    }
    this.stack.pop();
    this.settle(spec);
  }

  /**
   * After a specialisation's last pass: final if it read no approximation below it, and so are
   * the provisional ones that waited for it (if still current); else they all wait further down.
   */
  private settle(spec: Spec): void {
    const d = spec.depth;
    const waiting = this.anchored[d] ?? [];
    this.anchored[d] = [];
    if (spec.low >= d) {
      spec.state = "done";
      for (const w of waiting) if (w.stamp === this.generation) w.state = "done";
      return;
    }
    spec.state = "provisional";
    spec.stamp = this.generation;
    const below = (this.anchored[spec.low] ??= []);
    below.push(spec);
    for (const w of waiting) {
      if (w.stamp !== this.generation) continue;
      w.low = spec.low;
      below.push(w);
    }
  }

  /** One pass over a specialisation's steps, in the evaluator's order. */
  private inferBody(spec: Spec): StaticType {
    const circuit = spec.fn.circuit;
    const pass = new Pass(this, spec);
    const types: StaticType[] = new Array<StaticType>(circuit.steps.length);
    // Once a step never produces a value, the body fails there: later steps need not run.
    let returns = true;
    for (let i = 0; i < circuit.steps.length; i++) {
      pass.step = i;
      const step = circuit.steps[i]!;
      const t = anyNever(step.deps, types) ? NEVER : stepTy(returns ? pass.certainSite : pass.uncertainSite, spec, i, types);
      types[i] = t;
      if (t.k === "never") returns = false;
      if ((step.op.op === "invoke" || step.op.op === "augment") && step.op.groups.length > 0) {
        undeclaredArguments(pass, circuit, i, types[step.op.callee]!);
      }
    }
    this.work += circuit.steps.length;
    spec.steps = types;
    spec.problems = pass.problems;
    spec.calls = pass.calls;
    // A function returns only when every one of its steps has (5.2).
    return returns ? types[circuit.ret]! : NEVER;
  }
}

/**
 * D35: an argument the callee does not declare only orders the call; written with a name close
 * to one of its parameters, it is most likely that parameter misspelt. Checked where the
 * arguments are written (not where a builtin invokes a variety), for the callees the checker
 * knows: Ko functions, and host functions that take only their declared parameters.
 */
function undeclaredArguments(pass: Pass, circuit: Circuit, index: number, callee: StaticType): void {
  const step = circuit.steps[index]!;
  if (callee.k !== "variety" && callee.k !== "union") return;
  // The same for every pass and specialisation that sees this callee here: found once.
  let byCallee = undeclaredFound.get(step);
  if (byCallee === undefined) undeclaredFound.set(step, (byCallee = new WeakMap()));
  let found = byCallee.get(callee);
  if (found === undefined) byCallee.set(callee, (found = undeclared(step, circuit.spans, callee)));
  for (const p of found) pass.problems.push({ ...p, step: index });
}

const undeclaredFound = new WeakMap<Step, WeakMap<StaticType, readonly Omit<Problem, "step">[]>>();

function undeclared(step: Step, spans: CircuitSpans, callee: StaticType): Omit<Problem, "step">[] {
  const op = step.op;
  if (op.op !== "invoke" && op.op !== "augment") return [];
  const groups: readonly ArgGroup[] = op.groups;
  const out: Omit<Problem, "step">[] = [];
  for (const v of alternatives(callee)) {
    if (v.k !== "variety") continue;
    const c = v.callee;
    let params: readonly string[];
    let name: string;
    if (c.k === "ko") {
      params = c.fn.circuit.params.map((p) => p.name);
      name = c.fn.displayName;
    } else if (c.k === "host" && !c.fn.echoesArgs) {
      params = c.fn.params.map((p) => p.name);
      name = c.fn.displayName;
    } else continue;
    const given = new Set([...v.fields.map((f) => f.name), ...groups.map((g) => g.name)]);
    const free = params.filter((p) => !given.has(p));
    for (const g of groups) {
      if (g.name === "" || g.labelSpan === undefined || params.includes(g.name) || orderingName(g.name)) continue;
      const guess = closestWithin(g.name, free, UNDECLARED_DISTANCE);
      if (guess === undefined) continue;
      out.push({
        code: UNDECLARED_ARGUMENT,
        message: `${name} has no parameter ${g.name}: the argument only orders the call`,
        certain: false,
        lint: { span: spans.label(g.labelSpan), suggestion: guess },
      });
    }
  }
  return out;
}

/** The code of D35's warning. */
export const UNDECLARED_ARGUMENT = "type/undeclared-argument";

/** How close to a parameter an undeclared argument's name must be to be warned about (D35). */
const UNDECLARED_DISTANCE = 2;

/** A name that says it is there only to order the call (D35): `after`, `_x`, `x_`. */
function orderingName(name: string): boolean {
  return name === "after" || name.startsWith("_") || name.endsWith("_");
}

/** Whether one of the steps `deps` never produces a value. */
function anyNever(deps: readonly number[], types: readonly StaticType[]): boolean {
  for (let k = 0; k < deps.length; k++) if (types[deps[k]!]!.k === "never") return true;
  return false;
}

/** The argument a parameter receives (5.1): the field of its name, else (monadic) the unnamed one, else Empty. */
function bindParam(fields: readonly TyField[], name: string, monadic: boolean): StaticType {
  for (const f of fields) if (f.name === name) return f.type;
  if (monadic) for (const f of fields) if (f.name === "") return f.type;
  return EMPTY;
}

const constantTypes = new WeakMap<Step, StaticType>();

/** The type of one step, from the types of the steps before it. */
function stepTy(ctx: CallCtx, spec: Spec, index: number, types: readonly StaticType[]): StaticType {
  const circuit = spec.fn.circuit;
  const step = circuit.steps[index]!;
  const op = step.op;
  switch (op.op) {
    case "param":
      return spec.args[op.index]!;
    case "const": {
      let t = constantTypes.get(step);
      if (t === undefined) constantTypes.set(step, (t = tyOfValue(op.value)));
      return t;
    }
    case "select":
      return selectTy(ctx, types[op.input]!, op.fields, (k) => segmentSpan(circuit.spans.step(index), op.fields, k));
    case "augment":
    case "invoke": {
      const fields = op.groups.map((g): TyField =>
        g.inputs.length === 1
          ? { name: g.name, type: types[g.inputs[0]!]!, at: argumentSpan(circuit.spans, g) }
          : {
              name: g.name,
              type: groupTy(
                ctx,
                g.inputs.map((i) => types[i]!),
              ),
            },
      );
      return op.op === "augment" ? augmentTy(ctx, types[op.callee]!, fields) : invokeTy(ctx, types[op.callee]!, fields);
    }
  }
}

/** Where a one-term argument is written, for messages: its label, or the term for an unlabelled one. */
function argumentSpan(spans: CircuitSpans, g: ArgGroup): Span {
  return g.labelSpan !== undefined ? spans.label(g.labelSpan) : spans.step(g.inputs[0]!);
}

/**
 * Where field `k` of a selection `x.a.b` is written: the span of the reference ends with the
 * fields, each after a dot. (Fixes check the text there before they apply.)
 */
function segmentSpan(ref: Span, fields: readonly string[], k: number): Span {
  let back = 0;
  for (let j = fields.length - 1; j > k; j--) back += fields[j]!.length + 1;
  const at = (d: number) => ({ line: ref.end.line, col: ref.end.col - d, offset: ref.end.offset - d });
  return { file: ref.file, start: at(back + fields[k]!.length), end: at(back) };
}

/** What one pass over a body collects, and the contexts its operations report through. */
class Pass {
  step = 0;
  readonly problems: Problem[] = [];
  readonly calls: CallEdge[] = [];
  trials = 0;
  readonly certainSite: Site;
  readonly uncertainSite: Site;

  constructor(
    readonly engine: Engine,
    readonly spec: Spec,
  ) {
    this.certainSite = new Site(this, true);
    this.uncertainSite = new Site(this, false);
  }
}

class Site implements CallCtx {
  constructor(
    private readonly pass: Pass,
    readonly certain: boolean,
  ) {}

  fail(code: string, message: string, definite: boolean, about?: About): void {
    const pass = this.pass;
    if (pass.trials > 0) return;
    pass.problems.push({ step: pass.step, code, message, certain: definite && this.certain, ...about });
  }

  within(certain: boolean): CallCtx {
    return certain ? this : this.pass.uncertainSite;
  }

  invoke(callee: StaticType, fields: readonly TyField[], certain: boolean): StaticType {
    return invokeTy(this.within(certain), callee, fields);
  }

  callKo(fn: KoFunction, fields: readonly TyField[]): StaticType {
    const pass = this.pass;
    const callee = pass.engine.call(fn, fields);
    if (pass.trials === 0) pass.calls.push({ step: pass.step, callee, certain: this.certain });
    return callee.result;
  }

  widened(): void {
    this.pass.engine.incomplete = true;
  }

  trial<T>(body: () => T): T {
    this.pass.trials++;
    try {
      return body();
    } finally {
      this.pass.trials--;
    }
  }
}
