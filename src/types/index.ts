/**
 * Static type inference (reference 3.7). The pipeline is resolve → compile → check → run: the checker
 * infers over the compiled Circuits (reference 2.2) — exactly the graph that runs, with every step's
 * span and every constant resolved — and rejects, before anything runs, what will fail at run
 * time when that step runs: never a program that would run to completion.
 *
 *   const checker = new TypeChecker(compiled);
 *   const report = checker.check([{ fn, fields: fieldTypes(args) }]);
 *   report.errors      // each located, with its call chain and specialisation chain
 *
 * Modules: ty.ts (static types), show.ts (printing, 7.4), unify.ts (the run time's unification,
 * asked statically), values.ts (types of known values), host.ts (host declarations), rules.ts
 * and rules/ (the builtins, one file per family), ops.ts (the step operations), context.ts
 * (certainty, and what an operation sees of the checker), engine.ts (specialisation and
 * fixpoints), report.ts (diagnostics), query.ts (types for tools).
 */
import type { Compiled } from "../compile/compile.js";
import type { KoFunction } from "../compile/circuit.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { KoError } from "../value/failure.js";
import type { Field } from "../value/value.js";
import { DEFAULT_LIMITS, Engine, type Limits, type Spec } from "./engine.js";
import { diagnose, reachable, UNDECLARED_ARGUMENT, type Reach } from "./diagnose.js";
import { argumentKey, UNKNOWN, type TyField } from "./static-type.js";
import { fieldTypes } from "./values.js";

export type { StaticType, TyField } from "./static-type.js";
export type { Spec, Problem, CallEdge, Limits } from "./engine.js";
export { showTy, describeTy } from "./show.js";
export { tyOfValue, fieldTypes } from "./values.js";
export { TypeQuery, fieldNames, fieldType, type TypeInfo } from "./query.js";

/** A function to check, with the types of the arguments it is called with. */
export interface Entry {
  readonly fn: KoFunction;
  readonly fields: readonly TyField[];
}

/** What checking some entries found. */
export interface TypeReport {
  /** Errors first, then warnings; each at most once. */
  readonly diagnostics: readonly Diagnostic[];
  /** The failures certain to happen: the program must not run. */
  readonly errors: readonly Diagnostic[];
  /** False when a limit made the checker widen something to Unknown. */
  readonly complete: boolean;
  /** The entries' specialisations. */
  readonly entries: readonly Spec[];
  /** Every specialisation the entries reach, with how it was reached. */
  readonly reached: ReadonlyMap<Spec, Reach>;
}

/**
 * The checker of one compiled program. Specialisations are shared by every check, so checking
 * another entry, or the same entry again, costs only what is new.
 */
export class TypeChecker {
  private engine: Engine;
  private readonly memo = new Map<string, TypeReport>();

  constructor(
    readonly compiled: Compiled,
    private limits: Limits = DEFAULT_LIMITS,
  ) {
    this.engine = new Engine(limits);
  }

  /** Checks the entries together; the diagnostics of all of them, each once. */
  check(entries: readonly Entry[]): TypeReport {
    const key = entries.map((e) => `${e.fn.identity}(${e.fields.map((f) => `${f.name}:${argumentKey(f.type)}`).join(",")})`).join(";");
    let report = this.memo.get(key);
    if (!report) {
      const specs = this.specialise(entries);
      const reached = reachable(specs);
      const diagnostics = diagnose(reached);
      report = {
        diagnostics,
        errors: diagnostics.filter((d) => d.severity === "error"),
        complete: !this.engine.incomplete,
        entries: specs,
        reached,
      };
      this.memo.set(key, report);
    }
    return report;
  }

  /**
   * The entries' specialisations. Checking recurses on the JavaScript stack once per nested Ko
   * call; if a program nests deeper than the stack allows, the check starts afresh with a
   * lower nesting limit (past it, results are Unknown and the report is incomplete).
   */
  private specialise(entries: readonly Entry[]): Spec[] {
    for (;;) {
      try {
        return entries.map((e) => this.engine.call(e.fn, e.fields));
      } catch (e) {
        if (!(e instanceof RangeError) || this.limits.nesting < 16) throw e;
        this.limits = { ...this.limits, nesting: Math.floor(this.limits.nesting / 2) };
        this.engine = new Engine(this.limits);
        this.memo.clear();
      }
    }
  }

  /**
   * Checks every function of a package, as `ko check` and the language server do (reference 3.7,
   * D33): the functions a run may start from (`defaultEntries`), each called as it would be,
   * then every function none of their calls reached, its parameters of any type (Unknown). A
   * function that is called is checked per call, with the types of its arguments there; one
   * that nothing calls is checked once, for any arguments, so an error that holds whatever the
   * arguments are is reported.
   */
  checkPackage(functions: ReadonlyMap<string, KoFunction>): TypeReport {
    const entries = defaultEntries(functions);
    const first = this.check(entries);
    const reached = new Set<KoFunction>();
    for (const spec of first.reached.keys()) reached.add(spec.fn);
    const uncalled = [...functions.entries()]
      .filter(([, fn]) => !reached.has(fn))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, fn]) => anyArguments(fn));
    return uncalled.length === 0 ? first : this.check([...entries, ...uncalled]);
  }

  /**
   * What a run of `calls` is told beyond its errors (D33, D35): the errors of the package's
   * other functions, which the run cannot reach, as warnings, and the warnings about arguments
   * no parameter takes. Errors of what the calls reach are `check`'s.
   */
  runWarnings(calls: readonly Entry[], functions: ReadonlyMap<string, KoFunction>): Diagnostic[] {
    // What the calls' own check found: an error elsewhere that they may reach is no "unreached" one.
    const own = new Set<string>();
    const out = new Map<string, Diagnostic>();
    const key = (d: Diagnostic) => `${d.span.file}\u0000${d.span.start.offset}\u0000${d.message.replace(/^may fail: /, "")}`;
    for (const d of this.check(calls).diagnostics) {
      own.add(key(d));
      if (d.severity === "warning" && d.code === UNDECLARED_ARGUMENT) out.set(key(d), d);
    }
    for (const d of this.checkPackage(functions).diagnostics) {
      if (own.has(key(d))) continue;
      if (d.severity === "error") out.set(key(d), unreachedWarning(d));
      else if (d.code === UNDECLARED_ARGUMENT) out.set(key(d), d);
    }
    return [...out.values()];
  }

  /** Checks one function called with these argument values. */
  checkCall(fn: KoFunction, args: readonly Field[]): TypeReport {
    return this.check([{ fn, fields: fieldTypes(args) }]);
  }

  /** Every specialisation made so far, reached from an entry or not. */
  specialisations(): IterableIterator<Spec> {
    return this.engine.all();
  }
}

/**
 * The functions of a package a run may start from (reference 8.5): every parameterless function
 * and every `Test*` function, each called with no arguments. `ko check` checks these first, then
 * the functions they do not reach (`TypeChecker.checkPackage`).
 */
export function defaultEntries(functions: ReadonlyMap<string, KoFunction>): Entry[] {
  return [...functions.entries()]
    .filter(([name, fn]) => fn.circuit.params.length === 0 || name.startsWith("Test"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, fn]) => ({ fn, fields: [] }));
}

/** `fn` called with every parameter of any type: how a function that nothing calls is checked (D33). */
export function anyArguments(fn: KoFunction): Entry {
  return { fn, fields: fn.circuit.params.map((p) => ({ name: p.name, type: UNKNOWN })) };
}

/**
 * An error in code a run cannot reach, as the run reports it: a warning, since the run goes on
 * (D33).
 */
function unreachedWarning(d: Diagnostic): Diagnostic {
  return { ...d, severity: "warning", message: `${d.message} (in code this run does not reach)` };
}

/**
 * A run the checker proved would fail: nothing was run. It is a KoError (the failure is one
 * the evaluator would have raised, D15), located at the first error, carrying every error.
 */
export class KoTypeError extends KoError {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics[0]?.message ?? "type error", diagnostics[0]?.code ?? "type/error");
    this.name = "KoTypeError";
    const first = diagnostics[0];
    if (first) this.site = { span: first.span, frames: first.frames ?? [] };
  }
}
