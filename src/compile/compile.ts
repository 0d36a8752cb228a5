/**
 * Compiles every function of a resolved program into a Circuit (reference 2.2). Expects a program the
 * resolver found no errors in, or none but unresolved references, given as `unresolved` (D33). Each function is compiled once; varieties refer to the shared
 * KoFunction objects, so recursion and cross-package calls need no lookup at run time.
 */
import type { Span } from "../diag/span.js";
import type { HostFunction } from "../host/binding.js";
import type { FuncInfo, OwnRefs, Program, Resolution } from "../resolve/packages.js";
import type { Formula, FuncDef, Ref, Term } from "../syntax/ast.js";
import { FloatVal, int64, Variety, type Value } from "../value/value.js";
import { KoFunction, type Circuit, type ParamInfo, type Step, type StepOp } from "./circuit.js";
import { topoOrder } from "./order.js";
import { SpanCollector, type CircuitSpans } from "./spans.js";

export interface Compiled {
  /** Every function of the program by package path and name. */
  readonly functions: Map<string, Map<string, KoFunction>>;
}

/**
 * The definition a function was compiled from: the one of its package and name in `program`, which
 * may be the program it was compiled from or one derived again from the same sources (a compiled
 * program keeps no syntax trees, KoProgram.program).
 */
export function definitionOf(program: Program, fn: KoFunction): FuncInfo | undefined {
  return program.packages.get(fn.pkg)?.funcs.get(fn.name);
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

/**
 * Each function's build (now, or on first read when `lazy`) is given only its own definition and
 * the meanings of its own references, functions among them as the KoFunctions they denote: a
 * function not yet built keeps nothing of the program's other syntax trees, nor of the resolver's
 * side tables, and one built keeps nothing of any tree.
 */
export function compileProgram(program: Program, construction: HostFunction, opts: CompileOptions = {}): Compiled {
  const functions = new Map<string, Map<string, KoFunction>>();
  const byInfo = new Map<FuncInfo, KoFunction>();
  for (const pkg of program.packages.values()) {
    const m = new Map<string, KoFunction>();
    for (const [name, info] of pkg.funcs) {
      const fn = new KoFunction(pkg.path, name, info.def.name.span, info.def.doc);
      m.set(name, fn);
      byInfo.set(info, fn);
    }
    functions.set(pkg.path, m);
  }
  const shared = sharedConstants(construction);
  const meanings = new Meanings(program, byInfo, opts.unresolved ?? new Map());
  for (const [info, fn] of byInfo) {
    const own = meanings.of(info);
    const def = info.def;
    const build = () => new FunctionCompiler(shared, own, def).compile();
    if (opts.lazy) fn.buildOnFirstRead(build);
    else fn.circuit = build();
  }
  return { functions };
}

/** What every build of a program shares: one variety with no fields per function, one step per unlabelled constant. */
interface SharedConstants {
  koVariety(fn: KoFunction): Variety;
  /**
   * The step of an unlabelled constant; one per value for varieties and primitives, shared by
   * every circuit (its deps are empty, so a sort leaves it as it is; labelling makes a new step).
   */
  constStep(value: Value): Draft;
  hostVariety(fn: HostFunction): Variety;
  readonly construction: HostFunction;
}

function sharedConstants(construction: HostFunction): SharedConstants {
  // One variety with no fields per function, shared by every reference to it (values are immutable).
  const hostVarieties = new Map<HostFunction, Variety>();
  const koVarieties = new Map<KoFunction, Variety>();
  const constSteps = new Map<Value, Draft>();
  return {
    koVariety: (fn) => {
      let v = koVarieties.get(fn);
      if (!v) koVarieties.set(fn, (v = new Variety(fn, [])));
      return v;
    },
    hostVariety: (fn) => {
      let v = hostVarieties.get(fn);
      if (!v) hostVarieties.set(fn, (v = new Variety(fn, [])));
      return v;
    },
    constStep: (value) => {
      if (typeof value === "object" && !(value instanceof Variety)) return { op: { op: "const", value }, deps: NO_STEPS };
      let step = constSteps.get(value);
      if (!step) constSteps.set(value, (step = { op: { op: "const", value }, deps: NO_STEPS }));
      return step;
    },
    construction,
  };
}

/**
 * What a reference means to a build: a resolution, but a function as the KoFunction it denotes
 * rather than its definition (FuncInfo), which would keep the definition's whole file alive.
 */
type Meaning = Exclude<Resolution, { k: "func" }> | { readonly k: "func"; readonly fn: KoFunction; readonly rest: number };

/** A function's references with what each means to its build (Meanings.of): all a build keeps until it runs. */
interface Own {
  /** The body's references, each term's a run in the order the compiler meets them (OwnRefs). */
  readonly refs: readonly Ref[];
  /** The meaning of each of `refs`, at its index; none for one the resolver could not resolve. */
  readonly meanings: readonly (Meaning | undefined)[];
  /** Where the references of the body's term of each index start in `refs`. */
  readonly termStarts: readonly number[];
  /** The function each inline definition of the body is hoisted to. */
  readonly inline: ReadonlyMap<FuncDef, KoFunction>;
  /** The references of the body the resolver could not resolve, with the function standing for each (D33). */
  readonly unresolved: ReadonlyMap<Ref, HostFunction>;
}

const NO_UNRESOLVED: ReadonlyMap<Ref, HostFunction> = new Map();
const NO_INLINE: ReadonlyMap<FuncDef, KoFunction> = new Map();

/**
 * Takes each function's own references out of the resolver's record of them (Program.own), with
 * functions as the KoFunctions they denote. Its lookup table is made when the function is built:
 * a run builds few of the functions it compiles.
 */
class Meanings {
  /** One meaning per function, shared by its references, as the resolver shares its resolutions. */
  private readonly funcs = new Map<FuncInfo, Meaning>();

  constructor(
    private readonly program: Program,
    private readonly byInfo: ReadonlyMap<FuncInfo, KoFunction>,
    private readonly unresolved: ReadonlyMap<Ref, HostFunction>,
  ) {}

  of(info: FuncInfo): Own {
    const own = this.program.own.get(info)!;
    const meanings = own.resolutions.map((res) => (res === undefined ? undefined : this.meaning(res)));
    const inline = this.inlineOf(info, own.inline);
    return { refs: own.refs, meanings, termStarts: own.termStarts, inline, unresolved: this.unresolvedOf(own) };
  }

  private meaning(res: Resolution): Meaning {
    if (res.k !== "func") return res;
    let m = this.funcs.get(res.func);
    if (!m) this.funcs.set(res.func, (m = { k: "func", fn: this.byInfo.get(res.func)!, rest: res.rest }));
    return m;
  }

  /** The functions the inline definitions are hoisted to, in the package of the function they are written in (resolve.ts). */
  private inlineOf(info: FuncInfo, defs: readonly FuncDef[]): ReadonlyMap<FuncDef, KoFunction> {
    if (defs.length === 0) return NO_INLINE;
    const out = new Map<FuncDef, KoFunction>();
    for (const def of defs) {
      const hoisted = info.pkg.funcs.get(def.name.text);
      if (hoisted?.def === def) out.set(def, this.byInfo.get(hoisted)!);
    }
    return out;
  }

  /** The stands of the function's references the resolver could not resolve (D33). */
  private unresolvedOf(own: OwnRefs): ReadonlyMap<Ref, HostFunction> {
    if (this.unresolved.size === 0) return NO_UNRESOLVED;
    const out = new Map<Ref, HostFunction>();
    own.resolutions.forEach((res, i) => {
      const stand = res === undefined ? this.unresolved.get(own.refs[i]!) : undefined;
      if (stand) out.set(own.refs[i]!, stand);
    });
    return out;
  }
}

/**
 * A step as the compiler makes it, in creation order; sorting the steps renumbers its indices in
 * place (`renumber`). Its index lists follow the circuit's rule: one of length 0 or 1 is shared
 * (`NO_STEPS`, `single`), so it is replaced rather than written, and a longer one is its own.
 */
interface Draft {
  op: DraftOp;
  deps: number[];
  label?: string;
}

interface DraftGroup {
  name: string;
  inputs: number[];
  labelSpan?: number;
}

type ConstOp = Extract<StepOp, { op: "const" }>;
type ParamOp = Extract<StepOp, { op: "param" }>;

type DraftOp =
  | ParamOp
  | ConstOp
  | { op: "select"; input: number; fields: readonly string[] }
  | { op: "augment" | "invoke"; callee: number; groups: DraftGroup[] };

/**
 * Builds one function's steps in creation order, then sorts them topologically. The steps it
 * makes are the circuit's: sorting moves and renumbers them rather than copying them, and every
 * list is made at its final size, since a program keeps its circuits.
 */
class FunctionCompiler {
  private readonly drafts: Draft[] = [];
  /** The drafts' spans (by creation index) and their groups' labels'. */
  private readonly spans = new SpanCollector();
  private readonly paramSteps: number[] = [];
  /** The index of each labelled term of the body, by label. */
  private readonly terms = new Map<string, number>();
  /** The step of each labelled term compiled so far, by the term's index. */
  private readonly termSteps: (number | undefined)[];
  /** The index in `own.refs` of the next reference of the term being compiled. */
  private nextRef = 0;

  constructor(
    /** What the program's builds share. */
    private readonly shared: SharedConstants,
    /**
     * The function's own references and their meanings. They are read in order, not looked up:
     * a table keyed by Ref, made for each build, cost a tenth of building the circuits.
     */
    private readonly own: Own,
    private readonly def: FuncDef,
  ) {
    this.termSteps = new Array<number | undefined>(def.steps.length);
  }

  compile(): Circuit {
    const params = this.def.params;
    for (let index = 0; index < params.length; index++) {
      const name = params[index]!.name;
      this.paramSteps.push(this.add(paramOp(index), NO_STEPS, name.span, name.text));
    }
    const terms = this.def.steps;
    for (let k = 0; k < terms.length; k++) {
      const label = terms[k]!.label;
      if (label) this.terms.set(label.text, k);
    }
    for (const label of this.terms.keys()) this.compileLabel(label);
    const ret = this.termSteps[this.terms.get("return")!]!;
    const { steps, order, position } = sortSteps(this.drafts, this.spans);
    return new SortedCircuit(
      params.map((p) => ({ name: p.name.text, monadic: p.monadic })),
      steps,
      position === undefined ? ret : position[ret]!,
      this.spans.build(order),
    );
  }

  private add(op: DraftOp, deps: number[], span: Span, label?: string): number {
    return this.push(label !== undefined ? { op, deps, label } : { op, deps }, span);
  }

  private push(draft: Draft, span: Span): number {
    this.drafts.push(draft);
    this.spans.addStep(span);
    return this.drafts.length - 1;
  }

  /** A labelled step; a label whose formula is a bare parameter or label reference aliases it. */
  private compileLabel(label: string): number {
    const k = this.terms.get(label)!;
    const known = this.termSteps[k];
    if (known !== undefined) return known;
    // The term's references are read from the start of its run, and the term whose reference
    // led here goes on reading its own after.
    const outer = this.nextRef;
    this.nextRef = this.own.termStarts[k]!;
    const index = this.formula(this.def.steps[k]!.formula);
    this.nextRef = outer;
    const d = this.drafts[index]!;
    // A new object rather than a property added: a step without a label has a shape without one.
    if (d.label === undefined && d.op.op !== "param") this.drafts[index] = { op: d.op, deps: d.deps, label };
    this.termSteps[k] = index;
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
        const fn = this.own.inline.get(f.def);
        if (!fn) throw new Error(`inline function ${f.def.name.text} not hoisted`);
        return this.constant(this.shared.koVariety(fn), f.span);
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
        const callee = f.callee ? this.formula(f.callee) : this.constant(this.shared.hostVariety(this.shared.construction), f.argsSpan);
        if (f.kind === "augment" && f.terms.length === 0) return callee;
        return this.call(f.kind, callee, f.terms, f.span);
      }
    }
  }

  private constant(value: Value, span: Span): number {
    return this.push(this.shared.constStep(value), span);
  }

  private select(input: number, fields: readonly string[], span: Span): number {
    return fields.length === 0 ? input : this.add({ op: "select", input, fields }, single(input), span);
  }

  /**
   * `callee(terms)` or `callee[terms]`: the step waits for the callee and every term, in order,
   * `_`-labelled ones included (5.3 rule 1).
   */
  private call(kind: "invoke" | "augment", callee: number, terms: readonly Term[], span: Span): number {
    if (terms.length === 0) return this.add({ op: kind, callee, groups: NO_GROUPS }, single(callee), span);
    const deps = new Array<number>(terms.length + 1);
    deps[0] = callee;
    for (let k = 0; k < terms.length; k++) deps[k + 1] = this.formula(terms[k]!.formula);
    return this.add({ op: kind, callee, groups: groupsOf(terms, deps, this.spans) }, deps, span);
  }

  private reference(f: Formula & { kind: "ref" }): number {
    const at = this.nextRef++;
    if (this.own.refs[at] !== f) throw new Error(`reference ${refText(f)} is not where the resolver recorded it`);
    const res = this.own.meanings[at];
    if (!res) {
      // A reference that could not be resolved fails where it is evaluated, as in the original:
      // the step calls the function standing for it (D33).
      const stand = this.own.unresolved.get(f);
      if (!stand) throw new Error(`unresolved reference ${refText(f)}`);
      return this.call("invoke", this.constant(this.shared.hostVariety(stand), f.span), [], f.span);
    }
    switch (res.k) {
      case "bool":
        return this.constant(res.value, f.span);
      case "param":
        return this.select(this.paramSteps[res.index]!, selectedFields(f, res.rest), f.span);
      case "step":
        return this.select(this.compileLabel(res.label), selectedFields(f, res.rest), f.span);
      case "func":
        return this.constant(this.shared.koVariety(res.fn), f.span);
      case "host":
        return this.constant(this.shared.hostVariety(res.fn), f.span);
    }
  }
}

const NO_FIELDS: readonly string[] = [];

function refText(ref: Ref): string {
  return ref.path.map((n) => n.text).join(".");
}

/** The last `n` names of a reference's path: the fields selected from what its first names denote. */
function selectedFields(ref: Ref, n: number): readonly string[] {
  return n === 0 ? NO_FIELDS : ref.path.slice(ref.path.length - n).map((s) => s.text);
}

/**
 * Groups bracket terms by label (reference 5.3), in the order their labels first appear; the
 * terms' steps are `deps[1..]`, and `_`-labelled terms join no group. A bracket has a few
 * labels, so a group is found by a scan rather than through a Map; a literal of thousands of
 * unlabelled terms has one group.
 */
function groupsOf(terms: readonly Term[], deps: readonly number[], spans: SpanCollector): DraftGroup[] {
  if (allUnnamed(terms)) return terms.length === 1 ? oneArgument(deps[1]!) : [{ name: "", inputs: deps.slice(1) }];
  // Counted first, so that the groups' array is made at its size and no list of names is made.
  let count = 0;
  for (let k = 0; k < terms.length; k++) if (startsGroup(terms, k)) count++;
  const groups = new Array<DraftGroup>(count);
  for (let k = 0, g = 0; g < count; k++) if (startsGroup(terms, k)) groups[g++] = groupFrom(k, terms, deps, spans);
  return groups;
}

function allUnnamed(terms: readonly Term[]): boolean {
  for (const t of terms) if (groupName(t) !== "") return false;
  return true;
}

/** Whether term `k` is the first of a group: its label is no `_` one, and no term before it has it. */
function startsGroup(terms: readonly Term[], k: number): boolean {
  const name = groupName(terms[k]!);
  if (name.startsWith("_")) return false;
  for (let j = 0; j < k; j++) if (groupName(terms[j]!) === name) return false;
  return true;
}

/** The group of the terms labelled like term `first`, the first of them, where its label is written. */
function groupFrom(first: number, terms: readonly Term[], deps: readonly number[], spans: SpanCollector): DraftGroup {
  const label = terms[first]!.label;
  const name = groupName(terms[first]!);
  let size = 1;
  for (let k = first + 1; k < terms.length; k++) if (groupName(terms[k]!) === name) size++;
  let inputs: number[];
  if (size === 1) inputs = single(deps[first + 1]!);
  else {
    inputs = new Array<number>(size);
    for (let k = first, filled = 0; filled < size; k++) if (groupName(terms[k]!) === name) inputs[filled++] = deps[k + 1]!;
  }
  return label !== undefined && name !== "" ? { name, inputs, labelSpan: spans.addLabel(label.span) } : { name, inputs };
}

function groupName(t: Term): string {
  return t.label?.text ?? "";
}

/**
 * The drafts in topological order (order.ts), with the index of each draft's place when the
 * order is not the creation order. It usually is (labels defined before they are used), and
 * then nothing is moved.
 */
function sortSteps(drafts: Draft[], spans: SpanCollector): { steps: Draft[]; order?: number[]; position?: Int32Array } {
  const order = topoOrder(drafts, (i) => spans.stepStart(i));
  const n = order.length;
  let k = 0;
  while (k < n && order[k] === k) k++;
  // A copy at the exact size: the drafts' array, grown by push, has room to spare.
  if (k === n) return { steps: drafts.slice() };
  const position = new Int32Array(n);
  for (let i = 0; i < n; i++) position[order[i]!] = i;
  const steps = new Array<Draft>(n);
  for (let i = 0; i < n; i++) steps[i] = renumber(drafts[order[i]!]!, position);
  return { steps, order, position };
}

/** Gives a draft's indices their places in the sorted steps, in place. */
function renumber(d: Draft, position: Int32Array): Draft {
  d.deps = renumberAll(d.deps, position);
  const op = d.op;
  switch (op.op) {
    case "param":
    case "const":
      break;
    case "select":
      op.input = position[op.input]!;
      break;
    case "augment":
    case "invoke":
      op.callee = position[op.callee]!;
      op.groups = renumberGroups(op.groups, position);
  }
  return d;
}

/** A call's groups renumbered: in place, or the shared `oneArgument` of the new index. */
function renumberGroups(groups: DraftGroup[], position: Int32Array): DraftGroup[] {
  const first = groups[0]?.inputs[0];
  if (first !== undefined && groups === ONE_ARGUMENT[first]) return oneArgument(position[first]!);
  for (const g of groups) g.inputs = renumberAll(g.inputs, position);
  return groups;
}

function renumberAll(indices: number[], position: Int32Array): number[] {
  if (indices.length === 0) return indices;
  if (indices.length === 1) return single(position[indices[0]!]!);
  for (let k = 0; k < indices.length; k++) indices[k] = position[indices[k]!]!;
  return indices;
}

/**
 * A function's circuit. Its dependents are found when first asked: the evaluator asks once per
 * function it runs, while a check, which never asks, leaves a program without them.
 */
class SortedCircuit implements Circuit {
  private found: readonly (readonly number[])[] | undefined;

  constructor(
    readonly params: readonly ParamInfo[],
    readonly steps: readonly Step[],
    readonly ret: number,
    readonly spans: CircuitSpans,
  ) {}

  get dependents(): readonly (readonly number[])[] {
    return (this.found ??= dependentsOf(this.steps));
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
 * What circuits share, since a circuit is never written to: lists of step indices (the empty
 * one, and one per index holding just it), which most of a circuit's lists are (a step with one
 * dependent, a selection's one input, a group of one argument); the groups of calls with no
 * terms or one unlabelled term; the operations of parameters.
 */
const NO_STEPS: number[] = [];
const SINGLES: number[][] = [];
const NO_GROUPS: DraftGroup[] = [];
const ONE_ARGUMENT: DraftGroup[][] = [];
const PARAM_OPS: ParamOp[] = [];

function single(index: number): number[] {
  return (SINGLES[index] ??= [index]);
}

/** The groups of a call of one unlabelled term, `F(x)`, shared like `single` (an unnamed group has no label span). */
function oneArgument(index: number): DraftGroup[] {
  return (ONE_ARGUMENT[index] ??= [{ name: "", inputs: single(index) }]);
}

/** The operation of parameter `index`'s step, shared by every circuit (operations are read-only). */
function paramOp(index: number): ParamOp {
  return (PARAM_OPS[index] ??= { op: "param", index });
}
