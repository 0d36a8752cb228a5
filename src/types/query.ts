/**
 * Types for tools: the language server shows them on hover and completes the
 * fields of a structure after a `.`.
 *
 * A function may be checked for several tuples of argument types; what a tool shows is the
 * union over the specialisations that the checked entries reach. Steps and parameters of
 * functions no entry reaches have no type.
 */
import type { Circuit, KoFunction } from "../compile/circuit.js";
import { definitionOf } from "../compile/compile.js";
import type { Span } from "../diag/span.js";
import type { Program } from "../resolve/packages.js";
import { walkFormula, type Formula, type FuncDef, type Ref } from "../syntax/ast.js";
import type { Spec } from "./engine.js";
import type { TypeReport } from "./index.js";
import { showSignature, showTyFlat } from "./show.js";
import { EMPTY, NEVER, alternatives, fieldNamesOf, fieldTy, join, type StaticType } from "./static-type.js";

/** The type of something in the source. */
export interface TypeInfo {
  readonly kind: "step" | "param" | "function";
  readonly span: Span;
  readonly type: StaticType;
  /** The type as reference 7.4 prints it; for a function, one signature per specialisation. */
  readonly text: string;
  /** The label of a labelled step, the name of a parameter or function. */
  readonly name?: string;
}

/** What the specialisations of one function, taken together, say about its steps. */
interface FunctionTypes {
  readonly fn: KoFunction;
  readonly steps: StaticType[];
  readonly params: StaticType[];
  result: StaticType;
  readonly signatures: string[];
}

export class TypeQuery {
  private readonly byFunction = new Map<KoFunction, FunctionTypes>();

  /** `program` is the one the report's functions were compiled from, or one derived again from its sources. */
  constructor(
    report: TypeReport,
    private readonly program: Program,
  ) {
    for (const spec of report.reached.keys()) this.add(spec);
  }

  private add(spec: Spec): void {
    const fn = spec.fn;
    let f = this.byFunction.get(fn);
    if (!f) {
      f = {
        fn,
        steps: fn.circuit.steps.map(() => NEVER),
        params: fn.circuit.params.map(() => NEVER),
        result: NEVER,
        signatures: [],
      };
      this.byFunction.set(fn, f);
    }
    spec.steps.forEach((t, i) => (f.steps[i] = join(f.steps[i]!, t)));
    spec.args.forEach((t, i) => (f.params[i] = join(f.params[i]!, t)));
    f.result = join(f.result, spec.result);
    f.signatures.push(`${showSignature(fn.displayName, fn.circuit.params, spec.args)} ${showTyFlat(spec.result)}`);
  }

  /** The type of every step, parameter and function of `file` that an entry reaches. */
  inFile(file: string): TypeInfo[] {
    const out: TypeInfo[] = [];
    for (const f of this.functionsOf(file)) {
      const circuit = f.fn.circuit;
      out.push(this.functionInfo(f));
      circuit.steps.forEach((step, i) => {
        const t = f.steps[i]!;
        if (step.op.op === "param") {
          const index = step.op.index;
          out.push({
            kind: "param",
            span: circuit.spans.step(i),
            type: f.params[index]!,
            text: showTyFlat(f.params[index]!),
            name: circuit.params[index]!.name,
          });
        } else {
          out.push({
            kind: "step",
            span: circuit.spans.step(i),
            type: t,
            text: showTyFlat(t),
            ...(step.label !== undefined ? { name: step.label } : {}),
          });
        }
      });
    }
    return out;
  }

  /**
   * The type of the innermost formula at `offset` of `file`: a step, a step's label, a
   * reference to a parameter or a step, a parameter, or a function's name.
   */
  at(file: string, offset: number): TypeInfo | undefined {
    let best: TypeInfo | undefined;
    const consider = (info: TypeInfo | undefined) => {
      if (!info || !contains(info.span, offset)) return;
      if (!best || length(info.span) < length(best.span)) best = info;
    };
    for (const info of this.inFile(file)) consider(info);
    for (const f of this.functionsOf(file)) {
      const def = this.defOf(f);
      if (!def) continue;
      for (const name of this.scope(f, def)) consider(name);
      for (const ref of refsOf(def)) if (contains(ref.span, offset)) consider(this.refInfo(f, def, ref, ref.path.length));
    }
    return best;
  }

  /**
   * The parameters and labelled steps visible at `offset` (those of the function around it),
   * with their types: what a name may be completed to, even where the text no longer compiles.
   */
  scopeAt(file: string, offset: number): TypeInfo[] {
    for (const f of this.functionsOf(file)) {
      const def = this.defOf(f);
      if (def && contains(def.span, offset)) return this.scope(f, def);
    }
    return [];
  }

  /**
   * The field names a \`.\` may select after the formula or dotted name that ends at `offset`
   * (exclusive): the fields of every structure its type may be.
   */
  fieldsAfter(file: string, offset: number): string[] {
    let best: TypeInfo | undefined;
    const consider = (info: TypeInfo | undefined) => {
      if (info && (!best || length(info.span) < length(best.span))) best = info;
    };
    for (const info of this.inFile(file)) if (info.kind !== "function" && info.span.end.offset === offset) consider(info);
    for (const f of this.functionsOf(file)) {
      const def = this.defOf(f);
      if (!def) continue;
      for (const ref of refsOf(def)) {
        const k = ref.path.findIndex((n) => n.span.end.offset === offset);
        if (k >= 0) consider(this.refInfo(f, def, ref, k + 1));
      }
    }
    return best ? fieldNames(best.type) : [];
  }

  private functionsOf(file: string): FunctionTypes[] {
    return [...this.byFunction.values()].filter((f) => f.fn.span.file === file);
  }

  private functionInfo(f: FunctionTypes): TypeInfo {
    return { kind: "function", span: f.fn.span, type: f.result, text: f.signatures.join("\n"), name: f.fn.name };
  }

  private defOf(f: FunctionTypes): FuncDef | undefined {
    return definitionOf(this.program, f.fn)?.def;
  }

  /** The function's parameters and labelled steps, at their names, with their types. */
  private scope(f: FunctionTypes, def: FuncDef): TypeInfo[] {
    const out: TypeInfo[] = def.params.map((p, i) => ({
      kind: "param",
      span: p.name.span,
      type: f.params[i]!,
      text: showTyFlat(f.params[i]!),
      name: p.name.text,
    }));
    for (const term of def.steps) {
      if (!term.label || term.label.text === "") continue;
      const index = labelStep(f.fn.circuit, def, term.label.text, this.program);
      if (index === undefined) continue;
      const type = this.typeOfStep(f, index);
      out.push({ kind: "step", span: term.label.span, type, text: showTyFlat(type), name: term.label.text });
    }
    return out;
  }

  /**
   * The type of a reference's first `segments` names: a parameter or a step, then the fields
   * selected after it (a reference to a function has no type of its own here).
   */
  private refInfo(f: FunctionTypes, def: FuncDef, ref: Ref, segments: number): TypeInfo | undefined {
    const res = this.program.refs.get(ref);
    if (!res || (res.k !== "param" && res.k !== "step")) return undefined;
    const base = ref.path.length - res.rest;
    if (segments < base) return undefined;
    const index = res.k === "param" ? paramStep(f.fn.circuit, res.index) : labelStep(f.fn.circuit, def, res.label, this.program);
    if (index === undefined) return undefined;
    let type = this.typeOfStep(f, index);
    for (const name of ref.path.slice(base, segments)) type = fieldType(type, name.text);
    const last = ref.path[segments - 1]!;
    const span = { file: ref.span.file, start: ref.span.start, end: last.span.end };
    return { kind: segments === base && res.k === "param" ? "param" : "step", span, type, text: showTyFlat(type), name: ref.path[0]!.text };
  }

  private typeOfStep(f: FunctionTypes, index: number): StaticType {
    const op = f.fn.circuit.steps[index]!.op;
    return op.op === "param" ? f.params[op.index]! : f.steps[index]!;
  }
}

/** The type of field `name` of a value of type `t` (Empty where it has none), as selection gives it. */
export function fieldType(t: StaticType, name: string): StaticType {
  if (t.k === "unknown") return t;
  let out: StaticType = NEVER;
  for (const a of alternatives(t)) {
    if (a.k === "structure") out = join(out, fieldTy(a, name) ?? NEVER);
    else if (a.k === "empty") out = join(out, EMPTY);
  }
  return out;
}

/** The names of the fields a value of `t` may have, in order of first appearance. */
export function fieldNames(t: StaticType): string[] {
  const names = new Set<string>();
  for (const a of alternatives(t)) {
    if (a.k === "structure") for (const n of fieldNamesOf(a)) names.add(n);
  }
  return [...names];
}

function contains(span: Span, offset: number): boolean {
  return span.start.offset <= offset && offset < span.end.offset;
}

function length(span: Span): number {
  return span.end.offset - span.start.offset;
}

function refsOf(def: FuncDef): Ref[] {
  const refs: Ref[] = [];
  for (const term of def.steps) walkFormula(term.formula, (f: Formula) => void (f.kind === "ref" && refs.push(f)));
  return refs;
}

function paramStep(circuit: Circuit, index: number): number | undefined {
  const i = circuit.steps.findIndex((s) => s.op.op === "param" && s.op.index === index);
  return i < 0 ? undefined : i;
}

/**
 * The step a label stands for. A label whose formula is a bare reference to a parameter or
 * another label has no step of its own (the compiler aliases it): follow the reference.
 */
function labelStep(circuit: Circuit, def: FuncDef, label: string, program: Program, seen = new Set<string>()): number | undefined {
  if (label === "return") return circuit.ret;
  const own = circuit.steps.findIndex((s) => s.label === label);
  if (own >= 0) return own;
  if (seen.has(label)) return undefined;
  seen.add(label);
  const term = def.steps.find((t) => t.label?.text === label);
  if (!term || term.formula.kind !== "ref") return undefined;
  const res = program.refs.get(term.formula);
  if (res?.k === "param" && res.rest === 0) return paramStep(circuit, res.index);
  if (res?.k === "step" && res.rest === 0) return labelStep(circuit, def, res.label, program, seen);
  return undefined;
}
