/**
 * Every name in a program and what it stands for: the index behind go to definition, find
 * references, rename, hover and semantic tokens. It is read off the resolver's side table
 * (`Program.refs`), never worked out again here.
 *
 * Each occurrence of a symbol carries a key that names the symbol by where it is declared (file
 * and offset), so occurrences found in different analyses — one per package — can be matched.
 */
import { endOffset, startOffset } from "../diag/span.js";
import type { HostFunction, ParamSpec } from "../host/binding.js";
import type { FuncInfo, KoPackage, Program, SourceFile } from "../resolve/packages.js";
import type { Formula, FuncDef, ImportDecl, Name, Ref, Term } from "../syntax/ast.js";
import { walkFormula } from "../syntax/ast.js";
import { defaultAlias } from "../resolve/load.js";

/** What an occurrence denotes. */
export type Target =
  | { readonly kind: "func"; readonly info: FuncInfo }
  | { readonly kind: "host"; readonly fn: HostFunction }
  | { readonly kind: "param"; readonly func: FuncInfo; readonly index: number }
  | { readonly kind: "step"; readonly func: FuncInfo; readonly term: Term }
  | { readonly kind: "alias"; readonly file: SourceFile; readonly decl: ImportDecl; readonly pkg: KoPackage | undefined }
  | { readonly kind: "hostParam"; readonly fn: HostFunction; readonly param: ParamSpec }
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "bool" };

export interface Occurrence {
  readonly file: string;
  /** Offsets of the name in its file: [start, end). */
  readonly start: number;
  readonly end: number;
  readonly target: Target;
  /** The symbol's identity across analyses; undefined for what is not a symbol (a field, a boolean). */
  readonly key: string | undefined;
  /** The occurrence that declares the symbol (a function's name, a parameter, a step label, an import). */
  readonly declaration: boolean;
}

export interface Index {
  /** The occurrence at `offset` (a cursor just after a name counts as on it). */
  at(file: string, offset: number): Occurrence | undefined;
  /** Every occurrence in a file, in source order. */
  inFile(file: string): readonly Occurrence[];
  /** Every occurrence of a symbol in this analysis. */
  occurrencesOf(key: string): readonly Occurrence[];
  /** The innermost function (inline definitions included) whose definition contains `offset`. */
  enclosingFunction(file: string, offset: number): FuncInfo | undefined;
  /** Every function defined in a file, in source order. */
  functionsIn(file: string): readonly FuncInfo[];
}

// ---------------------------------------------------------------------------------------------
// Keys

export function funcKey(def: FuncDef): string {
  return `func ${def.name.span.file}#${startOffset(def.name.span)}`;
}

function nameKey(kind: string, n: Name): string {
  return `${kind} ${n.span.file}#${startOffset(n.span)}`;
}

function hostKey(fn: HostFunction): string {
  return `host ${fn.pkg}.${fn.name}`;
}

// ---------------------------------------------------------------------------------------------

export function buildIndex(program: Program): Index {
  const builder = new IndexBuilder(program);
  for (const pkg of program.packages.values()) {
    for (const file of pkg.files) builder.imports(file);
    for (const info of pkg.funcs.values()) builder.func(info);
  }
  return builder.finish();
}

class IndexBuilder {
  private readonly byFile = new Map<string, Occurrence[]>();
  private readonly funcsByFile = new Map<string, FuncInfo[]>();
  /** Import aliases by file: alias → its declaration's target. */
  private readonly aliasTargets = new Map<string, Map<string, Target & { kind: "alias" }>>();

  constructor(private readonly program: Program) {}

  imports(file: SourceFile): void {
    const aliases = new Map<string, Target & { kind: "alias" }>();
    for (const decl of file.ast.imports) {
      const pkg = this.program.imports.get(decl);
      const target = { kind: "alias", file, decl, pkg } as const;
      const alias = decl.alias?.text ?? (pkg ? defaultAlias(decl.path) : undefined);
      if (alias !== undefined && !aliases.has(alias)) aliases.set(alias, target);
      const where = decl.alias?.span ?? decl.pathSpan;
      this.add(where, target, `alias ${file.path}#${startOffset(decl.span)}`, true);
    }
    this.aliasTargets.set(file.path, aliases);
  }

  func(info: FuncInfo): void {
    const def = info.def;
    list(this.funcsByFile, def.name.span.file).push(info);
    this.add(def.name.span, { kind: "func", info }, funcKey(def), true);
    const firstParam = new Map<string, number>();
    def.params.forEach((p, index) => {
      if (!firstParam.has(p.name.text)) firstParam.set(p.name.text, index);
      this.add(p.name.span, { kind: "param", func: info, index }, nameKey("param", p.name), true);
    });
    const firstStep = new Map<string, Term>();
    for (const term of def.steps) {
      if (term.label === undefined || term.label.text === "") continue;
      if (!firstStep.has(term.label.text)) firstStep.set(term.label.text, term);
      this.add(term.label.span, { kind: "step", func: info, term }, nameKey("step", term.label), true);
    }
    for (const term of def.steps) {
      walkFormula(term.formula, (f) => {
        if (f.kind === "ref") this.ref(f, info, firstStep);
        else if (f.kind === "select") for (const n of f.fields) this.add(n.span, { kind: "field", name: n.text }, undefined, false);
        else if (f.kind === "invoke" || f.kind === "augment") this.arguments(f.callee, f.terms);
      });
    }
  }

  /** A reference: its first segment(s) name a symbol (reference 3.6), the rest select fields. */
  private ref(ref: Ref, info: FuncInfo, steps: Map<string, Term>): void {
    const res = this.program.refs.get(ref);
    const [first, ...rest] = ref.path;
    let fields = rest;
    switch (res?.k) {
      case "bool":
        this.add(first!.span, { kind: "bool" }, undefined, false);
        break;
      case "param": {
        const p = info.def.params[res.index]!;
        this.add(first!.span, { kind: "param", func: info, index: res.index }, nameKey("param", p.name), false);
        break;
      }
      case "step": {
        const term = steps.get(res.label)!;
        this.add(first!.span, { kind: "step", func: info, term }, nameKey("step", term.label!), false);
        break;
      }
      case "func":
      case "host": {
        const target: Target = res.k === "func" ? { kind: "func", info: res.func } : { kind: "host", fn: res.fn };
        const key = res.k === "func" ? funcKey(res.func.def) : hostKey(res.fn);
        if (ref.path.length === 1) {
          this.add(first!.span, target, key, false);
        } else {
          this.alias(first!, info.file);
          this.add(rest[0]!.span, target, key, false);
          fields = rest.slice(1);
        }
        break;
      }
      case undefined:
        // Unresolved (an error was reported): the alias of `alias.Name` may still be known.
        if (ref.path.length > 1 && this.alias(first!, info.file)) fields = [];
        break;
    }
    for (const n of fields) this.add(n.span, { kind: "field", name: n.text }, undefined, false);
  }

  private alias(n: Name, file: SourceFile): boolean {
    const target = this.aliasTargets.get(file.path)?.get(n.text);
    if (target === undefined) return false;
    this.add(n.span, target, `alias ${file.path}#${startOffset(target.decl.span)}`, false);
    return true;
  }

  /** Argument labels of a call or augmentation name parameters of the function called. */
  private arguments(callee: Formula | undefined, terms: readonly Term[]): void {
    const called = calledFunction(this.program, callee);
    if (called === undefined) return;
    for (const t of terms) {
      const label = t.label;
      if (label === undefined || label.text === "") continue;
      if ("def" in called) {
        const index = called.def.params.findIndex((p) => p.name.text === label.text);
        if (index < 0) continue;
        const p = called.def.params[index]!;
        this.add(label.span, { kind: "param", func: called, index }, nameKey("param", p.name), false);
      } else {
        const param = called.params.find((p) => p.name === label.text);
        if (param)
          this.add(label.span, { kind: "hostParam", fn: called, param }, `hostparam ${called.pkg}.${called.name}.${param.name}`, false);
      }
    }
  }

  /** The list of the file added to last: names come file by file. */
  private last: { file: string; occurrences: Occurrence[] } | undefined;

  private add(
    span: { file: string; start: { offset: number }; end: { offset: number } },
    target: Target,
    key: string | undefined,
    declaration: boolean,
  ): void {
    if (this.last?.file !== span.file) this.last = { file: span.file, occurrences: list(this.byFile, span.file) };
    this.last.occurrences.push({ file: span.file, start: startOffset(span), end: endOffset(span), target, key, declaration });
  }

  finish(): Index {
    const byKey = new Map<string, Occurrence[]>();
    for (const occs of this.byFile.values()) {
      occs.sort((a, b) => a.start - b.start);
      for (const o of occs) if (o.key !== undefined) list(byKey, o.key).push(o);
    }
    for (const fns of this.funcsByFile.values()) fns.sort((a, b) => startOffset(a.def.span) - startOffset(b.def.span));
    const byFile = this.byFile;
    const funcsByFile = this.funcsByFile;
    return {
      at(file, offset) {
        const occs = byFile.get(file) ?? [];
        const i = lastStartingAtOrBefore(occs, offset, (o) => o.start);
        const o = occs[i];
        return o !== undefined && offset <= o.end ? o : undefined;
      },
      inFile: (file) => byFile.get(file) ?? [],
      occurrencesOf: (key) => byKey.get(key) ?? [],
      enclosingFunction(file, offset) {
        const fns = funcsByFile.get(file) ?? [];
        for (let i = lastStartingAtOrBefore(fns, offset, (f) => startOffset(f.def.span)); i >= 0; i--) {
          const span = fns[i]!.def.span;
          if (offset <= endOffset(span)) return fns[i];
        }
        return undefined;
      },
      functionsIn: (file) => funcsByFile.get(file) ?? [],
    };
  }
}

/** The function a call's callee names: `F`, `pkg.F`, an inline definition, or `F[...]` of one. */
export function calledFunction(program: Program, callee: Formula | undefined): FuncInfo | HostFunction | undefined {
  if (callee === undefined) return undefined;
  if (callee.kind === "augment") return calledFunction(program, callee.callee);
  if (callee.kind === "inline") return hoisted(program, callee.def);
  if (callee.kind !== "ref") return undefined;
  const res = program.refs.get(callee);
  if (res?.k === "func" && res.rest === 0) return res.func;
  if (res?.k === "host" && res.rest === 0) return res.fn;
  return undefined;
}

/** The package-level function an inline definition was hoisted to. */
function hoisted(program: Program, def: FuncDef): FuncInfo | undefined {
  for (const pkg of program.packages.values()) {
    const info = pkg.funcs.get(def.name.text);
    if (info?.def === def) return info;
  }
  return undefined;
}

/** Index of the last element whose position is <= offset (-1 if none); `items` sorted by it. */
function lastStartingAtOrBefore<T>(items: readonly T[], offset: number, pos: (t: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pos(items[mid]!) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function list<K, V>(m: Map<K, V[]>, k: K): V[] {
  let l = m.get(k);
  if (!l) m.set(k, (l = []));
  return l;
}
