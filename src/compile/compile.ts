/**
 * Compiles every function of a resolved program into a Circuit (reference 2.2). Expects a program the
 * resolver found no errors in, or none but unresolved references, given as `unresolved` (D33). Each function is compiled once; varieties refer to the shared
 * KoFunction objects, so recursion and cross-package calls need no lookup at run time.
 */
import { startOffset, type Span } from "../diag/span.js";
import type { HostFunction } from "../host/binding.js";
import type { FuncInfo, Program } from "../resolve/packages.js";
import type { Formula, FuncDef, Ref, Term } from "../syntax/ast.js";
import { FloatVal, int64, Variety, type Value } from "../value/value.js";
import { KoFunction, type ArgGroup, type Circuit, type Step, type StepOp } from "./circuit.js";
import { topoOrder } from "./order.js";

export interface Compiled {
  /** Every function of the program by package path and name. */
  readonly functions: Map<string, Map<string, KoFunction>>;
  /** The source definition of each function (for tools and the checker). */
  readonly defs: Map<KoFunction, FuncInfo>;
}

export interface CompileOptions {
  /**
   * Compile each function's Circuit when it is first read rather than all at once: a tool that
   * checks a few functions of a large program (the language server) compiles only those, and a
   * run only the functions it checks or calls. What the compiler reports does not depend on it:
   * its errors are found by the resolver, before any circuit is built.
   */
  readonly lazy?: boolean;
  /**
   * References the resolver could not resolve, each with the function that stands for it: a
   * call of it fails at run time (unresolved.ts). Without it, every reference must be resolved.
   */
  readonly unresolved?: ReadonlyMap<Ref, HostFunction>;
}

export function compileProgram(program: Program, construction: HostFunction, opts: CompileOptions = {}): Compiled {
  const functions = new Map<string, Map<string, KoFunction>>();
  const byInfo = new Map<FuncInfo, KoFunction>();
  const defs = new Map<KoFunction, FuncInfo>();
  for (const pkg of program.packages.values()) {
    const m = new Map<string, KoFunction>();
    for (const [name, info] of pkg.funcs) {
      const fn = new KoFunction(pkg.path, name, info.def.name.span, info.def.doc);
      m.set(name, fn);
      byInfo.set(info, fn);
      defs.set(fn, info);
    }
    functions.set(pkg.path, m);
  }
  // One variety with no fields per function, shared by every reference to it (values are immutable).
  const hostVarieties = new Map<HostFunction, Variety>();
  const koVarieties = new Map<FuncInfo, Variety>();
  const constOps = new Map<Value, StepOp>();
  const env: Env = {
    program,
    koVariety: (info) => {
      let v = koVarieties.get(info);
      if (!v) koVarieties.set(info, (v = new Variety(byInfo.get(info)!, [])));
      return v;
    },
    hostVariety: (fn) => {
      let v = hostVarieties.get(fn);
      if (!v) hostVarieties.set(fn, (v = new Variety(fn, [])));
      return v;
    },
    constOp: (value) => {
      if (typeof value === "object" && !(value instanceof Variety)) return { op: "const", value };
      let op = constOps.get(value);
      if (!op) constOps.set(value, (op = { op: "const", value }));
      return op;
    },
    construction,
    unresolved: opts.unresolved ?? new Map(),
  };
  for (const [info, fn] of byInfo) {
    if (opts.lazy) fn.buildOnFirstRead(() => new FunctionCompiler(env, info.def).compile());
    else fn.circuit = new FunctionCompiler(env, info.def).compile();
  }
  return { functions, defs };
}

interface Env {
  readonly program: Program;
  koVariety(info: FuncInfo): Variety;
  /** The operation of a constant step; one per value for varieties and primitives (operations are read-only). */
  constOp(value: Value): StepOp;
  hostVariety(fn: HostFunction): Variety;
  readonly construction: HostFunction;
  readonly unresolved: ReadonlyMap<Ref, HostFunction>;
}

interface Draft {
  op: StepOp;
  deps: number[];
  label: string | undefined;
  owner: string;
  span: Span;
}

/** Builds one function's steps in creation order, then sorts them topologically. */
class FunctionCompiler {
  private readonly drafts: Draft[] = [];
  private readonly labelSteps = new Map<string, number>();
  private readonly paramSteps: number[] = [];
  private readonly terms = new Map<string, Term>();
  private owner = "";

  constructor(
    private readonly env: Env,
    private readonly def: FuncDef,
  ) {}

  compile(): Circuit {
    const params = this.def.params;
    for (let index = 0; index < params.length; index++) {
      const name = params[index]!.name;
      this.paramSteps.push(this.add({ op: "param", index }, [], name.span, name.text));
    }
    for (const t of this.def.steps) if (t.label) this.terms.set(t.label.text, t);
    for (const label of this.terms.keys()) this.compileLabel(label);
    const drafts = this.drafts;
    const n = drafts.length;
    const deps = new Array<number[]>(n);
    const offsets = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      deps[i] = drafts[i]!.deps;
      offsets[i] = startOffset(drafts[i]!.span);
    }
    const order = topoOrder(deps, offsets);
    const position = new Int32Array(n);
    for (let i = 0; i < n; i++) position[order[i]!] = i;
    const steps = new Array<Step>(n);
    for (let i = 0; i < n; i++) {
      const d = drafts[order[i]!]!;
      const op = remapOp(d.op, position);
      const deps = remapAll(d.deps, position);
      steps[i] =
        d.label !== undefined ? { op, deps, label: d.label, owner: d.owner, span: d.span } : { op, deps, owner: d.owner, span: d.span };
    }
    return {
      params: params.map((p) => ({ name: p.name.text, monadic: p.monadic })),
      steps,
      ret: position[this.labelSteps.get("return")!]!,
      dependents: dependentsOf(steps),
    };
  }

  private add(op: StepOp, deps: number[], span: Span, label?: string): number {
    this.drafts.push({ op, deps, label, owner: label ?? this.owner, span });
    return this.drafts.length - 1;
  }

  /** A labelled step; a label whose formula is a bare parameter or label reference aliases it. */
  private compileLabel(label: string): number {
    const known = this.labelSteps.get(label);
    if (known !== undefined) return known;
    const term = this.terms.get(label)!;
    const saved = this.owner;
    this.owner = label;
    const index = this.formula(term.formula);
    this.owner = saved;
    const d = this.drafts[index]!;
    if (d.label === undefined && d.op.op !== "param") d.label = label;
    this.labelSteps.set(label, index);
    return index;
  }

  private formula(f: Formula): number {
    switch (f.kind) {
      case "int":
        return this.constant(int64(f.value), f.span);
      case "float":
        return this.constant(new FloatVal("Float64", f.value), f.span);
      case "string":
        return this.constant(f.value, f.span);
      case "inline": {
        const info = this.env.program.packages.get(this.pkgOf(f.def))?.funcs.get(f.def.name.text);
        return this.constant(this.env.koVariety(info!), f.span);
      }
      case "ref":
        return this.reference(f);
      case "select":
        return this.select(
          this.formula(f.target),
          f.fields.map((n) => n.text),
          f.span,
        );
      case "invoke":
      case "augment": {
        const callee = f.callee ? this.formula(f.callee) : this.constant(this.env.hostVariety(this.env.construction), f.argsSpan);
        if (f.kind === "augment" && f.terms.length === 0) return callee;
        const { groups, deps } = this.groups(f.terms);
        deps.unshift(callee);
        return this.add({ op: f.kind, callee, groups }, deps, f.span);
      }
    }
  }

  private pkgOf(def: FuncDef): string {
    for (const pkg of this.env.program.packages.values()) if (pkg.funcs.get(def.name.text)?.def === def) return pkg.path;
    throw new Error(`inline function ${def.name.text} not hoisted`);
  }

  private constant(value: Value, span: Span): number {
    return this.add(this.env.constOp(value), [], span);
  }

  private select(input: number, fields: string[], span: Span): number {
    return fields.length === 0 ? input : this.add({ op: "select", input, fields }, [input], span);
  }

  private reference(f: Formula & { kind: "ref" }): number {
    const res = this.env.program.refs.get(f);
    if (!res) {
      // A reference that could not be resolved fails where it is evaluated, as in the original:
      // the step calls the function standing for it (D33).
      const stand = this.env.unresolved.get(f);
      if (!stand) throw new Error(`unresolved reference ${f.path.map((n) => n.text).join(".")}`);
      const callee = this.constant(this.env.hostVariety(stand), f.span);
      return this.add({ op: "invoke", callee, groups: [] }, [callee], f.span);
    }
    const rest = (n: number): string[] => (n === 0 ? [] : f.path.slice(f.path.length - n).map((s) => s.text));
    switch (res.k) {
      case "bool":
        return this.constant(res.value, f.span);
      case "param":
        return this.select(this.paramSteps[res.index]!, rest(res.rest), f.span);
      case "step":
        return this.select(this.compileLabel(res.label), rest(res.rest), f.span);
      case "func":
        return this.constant(this.env.koVariety(res.func), f.span);
      case "host":
        return this.constant(this.env.hostVariety(res.fn), f.span);
    }
  }

  /**
   * Groups bracket terms by label (reference 5.3); `_`-labelled terms only add dependencies. A
   * bracket has a few terms, so a group is found by a scan rather than through a Map.
   */
  private groups(terms: readonly Term[]): { groups: ArgGroup[]; deps: number[] } {
    const groups: { name: string; inputs: number[]; label?: Span }[] = [];
    const deps: number[] = [];
    for (const t of terms) {
      const index = this.formula(t.formula);
      deps.push(index);
      const name = t.label?.text ?? "";
      if (name.startsWith("_")) continue;
      let g: (typeof groups)[number] | undefined;
      for (const x of groups) if (x.name === name) g = x;
      if (!g) groups.push((g = t.label && name !== "" ? { name, inputs: [], label: t.label.span } : { name, inputs: [] }));
      g.inputs.push(index);
    }
    return { groups, deps };
  }
}

/**
 * For each step, the steps that list it in their deps, each once. The arrays are made at their
 * exact size (counted first): a compiled program keeps one per step, and an array grown by push
 * keeps room for seventeen. Most steps have one dependent, whose list is shared (`single`).
 */
function dependentsOf(steps: readonly Step[]): number[][] {
  const n = steps.length;
  const counts = new Int32Array(n);
  const firstDependent = new Int32Array(n);
  // `seen[d] === i` once step i has counted (then listed) its input d: a repeated input counts once.
  const seen = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (const d of steps[i]!.deps) {
      if (seen[d] === i) continue;
      seen[d] = i;
      if (counts[d] === 0) firstDependent[d] = i;
      counts[d]!++;
    }
  }
  const dependents = new Array<number[]>(n);
  for (let d = 0; d < n; d++) {
    const count = counts[d]!;
    dependents[d] = count === 0 ? NO_STEPS : count === 1 ? single(firstDependent[d]!) : new Array<number>(count);
  }
  const filled = new Int32Array(n);
  seen.fill(-1);
  for (let i = 0; i < n; i++) {
    for (const d of steps[i]!.deps) {
      if (counts[d]! < 2 || seen[d] === i) continue;
      seen[d] = i;
      dependents[d]![filled[d]!++] = i;
    }
  }
  return dependents;
}

/**
 * Lists of step indices that circuits share: the empty one, and one per index holding just it.
 * A circuit's lists are never written to, and most of them are one of these (a step with one
 * dependent, a selection's one input, a group of one argument).
 */
const NO_STEPS: number[] = [];
const SINGLES: number[][] = [];

function single(index: number): number[] {
  return (SINGLES[index] ??= [index]);
}

function remapAll(indices: readonly number[], position: Int32Array): number[] {
  if (indices.length === 0) return NO_STEPS;
  if (indices.length === 1) return single(position[indices[0]!]!);
  const out = new Array<number>(indices.length);
  for (let k = 0; k < indices.length; k++) out[k] = position[indices[k]!]!;
  return out;
}

function remapOp(op: StepOp, position: Int32Array): StepOp {
  switch (op.op) {
    case "param":
    case "const":
      return op;
    case "select":
      return { op: "select", input: position[op.input]!, fields: op.fields };
    case "augment":
    case "invoke":
      return {
        op: op.op,
        callee: position[op.callee]!,
        groups: op.groups.map((g) =>
          g.label !== undefined
            ? { name: g.name, inputs: remapAll(g.inputs, position), label: g.label }
            : { name: g.name, inputs: remapAll(g.inputs, position) },
        ),
      };
  }
}
