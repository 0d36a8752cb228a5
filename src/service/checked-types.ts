/**
 * Types of a program that compiles (see types-bridge.ts): it is compiled and checked as
 * `ko check` does, only when first asked, and then only as far as the question needs.
 *
 * - Circuits are compiled on first use (`lazy`), so checking the entries of a large package
 *   compiles the functions they reach, not the whole package.
 * - Questions about a place are answered from a TypeQuery over the specialisations of the
 *   top-level function around it (and the inline ones in it) only: a TypeQuery over a whole
 *   file prints the type of every step of it on each question.
 * - Every function of the package is checked, as `ko check` checks it (D33). A function of
 *   another package that nothing checked reaches is checked on its own, its parameters of any
 *   type, the first time a question is about it, within limits that keep a hover quick.
 */
import { defaultRegistry } from "../api/program.js";
import type { KoFunction } from "../compile/circuit.js";
import { compileProgram, definitionOf, type Compiled } from "../compile/compile.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { endOffset, startOffset, type Span } from "../diag/span.js";
import type { FuncInfo, Program } from "../resolve/packages.js";
import { walkFormula, type FuncDef, type Ref, type Select } from "../syntax/ast.js";
import { fieldNames, fieldType, TypeChecker, TypeQuery, type Limits, type Spec, type TypeInfo, type TypeReport } from "../types/index.js";
import type { Reach } from "../types/diagnose.js";
import { showTy, showTyFlat } from "../types/show.js";
import { alternatives, UNKNOWN, type StaticType } from "../types/static-type.js";
import type { FieldInfo, TypeQueries } from "./types-bridge.js";

/**
 * Limits for checking a function no entry reaches, which happens while the editor waits for a
 * hover or a completion: past them a type is Unknown rather than late.
 */
const ON_DEMAND_LIMITS: Limits = { iterations: 12, nesting: 100, work: 20_000, perFunction: 64 };

/**
 * The types of a top-level function and of the inline ones defined in it: over all of them
 * (for the innermost formula at a place), and over each alone (for its parameters and steps by
 * name, as `scopeAt` answers for the first function around a place).
 */
interface Family {
  readonly all: TypeQuery;
  readonly each: ReadonlyMap<FuncInfo, TypeQuery>;
}

export class CheckedTypes implements TypeQueries {
  private compiledOnce: Compiled | undefined;
  private reportOnce: TypeReport | undefined;
  /** The specialisations the entries reach, by function. */
  private reachedOnce: Map<KoFunction, Spec[]> | undefined;
  private readonly families = new Map<FuncInfo, Family>();
  private functionsByFile: Map<string, FuncInfo[]> | undefined;

  constructor(readonly program: Program) {}

  get compiled(): Compiled {
    return (this.compiledOnce ??= compileProgram(this.program, defaultRegistry().lookup("", "")!, { lazy: true }));
  }

  /** The package's report, as `ko check` makes it: every function of the package checked (D33). */
  get report(): TypeReport {
    if (this.reportOnce === undefined) {
      const all = this.compiled.functions.get(this.program.entry.path) ?? new Map<string, KoFunction>();
      this.reportOnce = new TypeChecker(this.compiled).checkPackage(all);
    }
    return this.reportOnce;
  }

  diagnostics(): readonly Diagnostic[] {
    return this.report.diagnostics;
  }

  /**
   * The innermost of the steps, parameters, labels and references at `offset`, as TypeQuery's
   * `at` finds it, but never the constant that names a called function: its type (a variety)
   * says nothing the hover's signature does not, where the call's own type does. In a dotted
   * reference, the type is that of the names up to the one at `offset`.
   */
  typeAt(file: string, offset: number): string | undefined {
    const chain = this.chainAt(file, offset);
    if (chain.length === 0) return undefined;
    let best: TypeInfo | undefined;
    const consider = (info: TypeInfo | undefined) => {
      if (info === undefined || !contains(info, offset) || isCallee(info)) return;
      if (best === undefined || length(info) < length(best)) best = info;
    };
    for (const info of this.familyOf(chain[0]!).all.inFile(file)) consider(info);
    for (const info of chain) {
      for (const name of this.scopeOf(chain[0]!, info)) consider(name);
      for (const ref of refsOf(info.def)) {
        if (!contains({ span: ref.span }, offset)) continue;
        // In `x.a.b`, `x.a` at `a`.
        const segments = ref.path.findIndex((n) => offset < endOffset(n.span)) + 1 || ref.path.length;
        const type = this.refType(chain[0]!, info, ref, segments);
        const span = { file, start: ref.span.start, end: ref.path[segments - 1]!.span.end };
        if (type !== undefined) consider({ kind: "step", span, type, text: "" });
      }
    }
    return best && printed(best);
  }

  typeOf(file: string, start: number, end: number): string | undefined {
    const chain = this.chainAt(file, start);
    if (chain.length === 0) return undefined;
    const exact = this.familyOf(chain[0]!)
      .all.inFile(file)
      .find((i) => i.kind !== "function" && !isCallee(i) && startOffset(i.span) === start && endOffset(i.span) === end);
    return exact ? printed(exact) : this.typeAt(file, start);
  }

  fieldsAt(file: string, dotAt: number, qualifier?: readonly string[]): readonly FieldInfo[] {
    const t = this.typeBefore(file, dotAt, qualifier);
    return t === undefined ? [] : fieldsOf(t);
  }

  /**
   * The type of a parameter or labelled step of the function `fnName` of package `pkgPath`,
   * then of the fields `path` selects from it (`["x", "a"]` is `x.a`).
   */
  typeOfName(pkgPath: string, fnName: string, path: readonly string[]): StaticType | undefined {
    const info = this.program.packages.get(pkgPath)?.funcs.get(fnName);
    if (info === undefined || path.length === 0) return undefined;
    const chain = this.chainAt(info.file.path, startOffset(info.def.name.span));
    return chain.length === 0 ? undefined : this.nameType(chain[0]!, info, path[0]!, path.slice(1));
  }

  /** The text of `file` this program was made from. */
  textOf(file: string): string | undefined {
    return sourceText(this.program, file);
  }

  // -------------------------------------------------------------------------------------------

  /**
   * The type of the formula or dotted name that ends at `offset`, found as TypeQuery's
   * `fieldsAfter` finds it; else, by name, the `qualifier` the text has there.
   */
  private typeBefore(file: string, offset: number, qualifier: readonly string[] | undefined): StaticType | undefined {
    const chain = this.chainAt(file, offset);
    const inner = chain[chain.length - 1];
    if (inner === undefined) return undefined;
    for (const ref of refsOf(inner.def)) {
      const k = ref.path.findIndex((n) => endOffset(n.span) === offset);
      if (k < 0) continue;
      const t = this.refType(chain[0]!, inner, ref, k + 1);
      if (t !== undefined) return t;
    }
    // `F().a.b` is one step, selecting both fields: `F().a` is the type of `F()`, then of its field a.
    for (const select of selectsOf(inner.def)) {
      const k = select.fields.findIndex((n) => endOffset(n.span) === offset);
      if (k < 0) continue;
      let t = this.typeBefore(file, endOffset(select.target.span), undefined);
      if (t === undefined) continue;
      for (const n of select.fields.slice(0, k + 1)) t = fieldType(t, n.text);
      return t;
    }
    let best: TypeInfo | undefined;
    for (const info of this.familyOf(chain[0]!).all.inFile(file)) {
      if (info.kind === "function" || endOffset(info.span) !== offset) continue;
      if (best === undefined || length(info) < length(best)) best = info;
    }
    if (best !== undefined) return best.type;
    return qualifier && qualifier.length > 0 ? this.nameType(chain[0]!, inner, qualifier[0]!, qualifier.slice(1)) : undefined;
  }

  /** The type of a reference's first `segments` names, when it starts with a parameter or a step. */
  private refType(top: FuncInfo, info: FuncInfo, ref: Ref, segments: number): StaticType | undefined {
    const res = this.program.refs.get(ref);
    if (res === undefined || (res.k !== "param" && res.k !== "step")) return undefined;
    const base = ref.path.length - res.rest;
    if (segments < base) return undefined;
    const name = res.k === "param" ? info.def.params[res.index]?.name.text : res.label;
    if (name === undefined) return undefined;
    return this.nameType(
      top,
      info,
      name,
      ref.path.slice(base, segments).map((n) => n.text),
    );
  }

  /** The type of parameter or step `name` of `info` (inside the top-level `top`), then of `fields` of it. */
  private nameType(top: FuncInfo, info: FuncInfo, name: string, fields: readonly string[]): StaticType | undefined {
    const own = this.scopeOf(top, info).find((i) => i.name === name);
    if (own === undefined) return undefined;
    let t = own.type;
    for (const f of fields) t = fieldType(t, f);
    return t;
  }

  /** The parameters and labelled steps of `info` (inside the top-level `top`), at their names, with their types. */
  private scopeOf(top: FuncInfo, info: FuncInfo): TypeInfo[] {
    return this.familyOf(top).each.get(info)?.scopeAt(info.file.path, startOffset(info.def.name.span)) ?? [];
  }

  /** The functions (top-level, then inline ones) whose definitions hold `offset`, outermost first. */
  private chainAt(file: string, offset: number): FuncInfo[] {
    return this.functionsIn(file)
      .filter((f) => startOffset(f.def.span) <= offset && offset <= endOffset(f.def.span))
      .sort((a, b) => startOffset(a.def.span) - startOffset(b.def.span) || endOffset(b.def.span) - endOffset(a.def.span));
  }

  private functionsIn(file: string): FuncInfo[] {
    if (this.functionsByFile === undefined) {
      this.functionsByFile = new Map();
      for (const pkg of this.program.packages.values()) {
        for (const info of pkg.funcs.values()) {
          const list = this.functionsByFile.get(info.file.path) ?? [];
          list.push(info);
          this.functionsByFile.set(info.file.path, list);
        }
      }
    }
    return this.functionsByFile.get(file) ?? [];
  }

  private familyOf(top: FuncInfo): Family {
    let family = this.families.get(top);
    if (family === undefined) {
      const span = top.def.span;
      const members = this.functionsIn(top.file.path).filter(
        (f) => f === top || (f.inline && startOffset(span) <= startOffset(f.def.span) && endOffset(f.def.span) <= endOffset(span)),
      );
      const specs = this.specsOf(top, members);
      const query = (s: readonly Spec[]) => new TypeQuery(reportOf(s), this.program);
      family = { all: query([...specs.values()].flat()), each: new Map(members.map((m) => [m, query(specs.get(m)!)])) };
      this.families.set(top, family);
    }
    return family;
  }

  /**
   * The specialisations of each member of a family: those the entries reach, or for one they do
   * not reach, those of checking its top-level function on its own, its parameters of any type.
   * That check is not kept (the queries keep the types they need): its specialisations of every
   * function it called would add up, hover after hover.
   */
  private specsOf(top: FuncInfo, members: readonly FuncInfo[]): Map<FuncInfo, Spec[]> {
    const out = new Map<FuncInfo, Spec[]>();
    let alone: TypeReport | undefined;
    for (const member of members) {
      const fn = this.functionOf(member);
      let specs = fn === undefined ? [] : this.reached().get(fn);
      if (specs === undefined) {
        alone ??= this.checkAlone(top);
        specs = [...(alone?.reached.keys() ?? [])].filter((s) => s.fn === fn);
      }
      out.set(member, specs);
    }
    return out;
  }

  private checkAlone(top: FuncInfo): TypeReport | undefined {
    const fn = this.functionOf(top);
    if (fn === undefined) return undefined;
    const fields = fn.circuit.params.map((p) => ({ name: p.name, type: UNKNOWN }));
    return new TypeChecker(this.compiled, ON_DEMAND_LIMITS).check([{ fn, fields }]);
  }

  private reached(): Map<KoFunction, Spec[]> {
    if (this.reachedOnce === undefined) {
      this.reachedOnce = new Map();
      for (const spec of this.report.reached.keys()) {
        const list = this.reachedOnce.get(spec.fn) ?? [];
        list.push(spec);
        this.reachedOnce.set(spec.fn, list);
      }
    }
    return this.reachedOnce;
  }

  private functionOf(info: FuncInfo): KoFunction | undefined {
    const fn = this.compiled.functions.get(info.pkg.path)?.get(info.def.name.text);
    return fn !== undefined && definitionOf(this.program, fn) === info ? fn : undefined;
  }
}

/** A report of just these specialisations, for a TypeQuery over them. */
function reportOf(specs: readonly Spec[]): TypeReport {
  const reached = new Map<Spec, Reach>(specs.map((spec) => [spec, { spec, certain: true }]));
  return { diagnostics: [], errors: [], complete: true, entries: specs, reached };
}

/** How hover shows a type: a function's signatures one a line, anything else as reference 7.4 prints it. */
function printed(info: TypeInfo): string {
  return info.kind === "function" ? info.text : showTy(info.type);
}

/** The fields a value of type `t` may have, each with its type, and a record's field with its documentation. */
export function fieldsOf(t: StaticType): FieldInfo[] {
  return fieldNames(t).map((name) => {
    const doc = alternatives(t)
      .map((a) => (a.k === "structure" ? a.schema?.record.fieldDoc?.(name) : undefined))
      .find((d) => d !== undefined);
    return { name, type: showTyFlat(fieldType(t, name)), ...(doc !== undefined ? { doc } : {}) };
  });
}

/** The references in a definition's steps (not those of the inline definitions in it). */
export function refsOf(def: FuncDef): Ref[] {
  const refs: Ref[] = [];
  for (const term of def.steps) walkFormula(term.formula, (f) => void (f.kind === "ref" && refs.push(f)));
  return refs;
}

/** The selections after a bracket or a literal in a definition's steps (not those of the inline definitions in it). */
function selectsOf(def: FuncDef): Select[] {
  const selects: Select[] = [];
  for (const term of def.steps) walkFormula(term.formula, (f) => void (f.kind === "select" && selects.push(f)));
  return selects;
}

function length(info: { readonly span: Span }): number {
  return endOffset(info.span) - startOffset(info.span);
}

function contains(info: { readonly span: Span }, offset: number): boolean {
  return startOffset(info.span) <= offset && offset < endOffset(info.span);
}

/** The constant that names a called function (or the construction of a bracket): a variety nobody named. */
function isCallee(info: TypeInfo): boolean {
  return info.kind === "step" && info.name === undefined && info.type.k === "variety";
}

export function sourceText(program: Program, file: string): string | undefined {
  for (const pkg of program.packages.values()) for (const f of pkg.files) if (f.path === file) return f.text;
  return undefined;
}
