/**
 * Static semantics (reference 3.3-3.7, D14, D27): every function of every package is checked and every
 * reference is given its meaning, all before anything runs. Problems are collected, not thrown,
 * so one run reports them all. The meanings go into a side table (`Program.refs`) that the
 * compiler, and later the language server, read.
 */
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import type { HostFunction } from "../host/binding.js";
import type { HostRegistry } from "../host/registry.js";
import { walkFormula, type Formula, type FuncDef, type Ref } from "../syntax/ast.js";
import { knownWithoutInline } from "../syntax/index.js";
import { defaultAlias, type Loaded } from "./load.js";
import {
  CORE_PACKAGE,
  IDIOM_PACKAGE,
  type FuncInfo,
  type KoPackage,
  type OwnRefs,
  type Program,
  type Resolution,
  type SourceFile,
} from "./packages.js";
import { closest } from "../diag/suggest.js";

export interface Resolved {
  readonly program: Program;
  readonly diagnostics: Diagnostic[];
  /**
   * The references that could not be resolved — an unknown name, alias or package member, or a
   * name of a package that was not found — with the diagnostic (among `diagnostics`) that says
   * so and the function they are in. The original fails on them only when they run; `ko run`,
   * `ko play` and `ko test` compile them as calls that fail, and refuse only a run that can
   * reach one (D33).
   */
  readonly unresolved: Map<Ref, Unresolved>;
}

export interface Unresolved {
  readonly diagnostic: Diagnostic;
  readonly func: FuncInfo;
}

export function resolveProgram(loaded: Loaded, registry: HostRegistry): Resolved {
  const r = new Resolver(loaded, registry);
  return { program: r.run(), diagnostics: r.diagnostics, unresolved: r.unresolved };
}

/** The inline definitions inside a function body, in source order (they are hoisted, 2.1 note 9). */
function inlineDefs(def: FuncDef, out: FuncDef[] = []): FuncDef[] {
  // walkFormula stops at an inline definition: its own body's are collected right after it.
  const collect = (f: Formula) => {
    if (f.kind !== "inline") return;
    out.push(f.def);
    inlineDefs(f.def, out);
  };
  for (const t of def.steps) walkFormula(t.formula, collect);
  return out;
}

class Resolver {
  readonly diagnostics: Diagnostic[] = [];
  readonly unresolved = new Map<Ref, Unresolved>();
  private readonly own = new Map<FuncInfo, OwnRefs>();
  private readonly resolutions = new Resolutions();
  /** Per package, what the bare names found so far mean: bodies name the same few functions again and again. */
  private readonly bareNames = new Map<KoPackage, Map<string, Resolution>>();
  /** Per file, the aliases of its imports that found no package (alias → import path). */
  private readonly missingAliases = new Map<SourceFile, Map<string, string>>();

  constructor(
    private readonly loaded: Loaded,
    private readonly registry: HostRegistry,
  ) {}

  run(): Program {
    for (const pkg of this.loaded.packages.values()) this.collectFunctions(pkg);
    for (const pkg of this.loaded.packages.values()) for (const file of pkg.files) this.collectAliases(pkg, file);
    for (const pkg of this.loaded.packages.values()) for (const fn of pkg.funcs.values()) this.checkFunction(fn);
    const own = this.own;
    let refs: Map<Ref, Resolution> | undefined;
    return {
      packages: this.loaded.packages,
      entry: this.loaded.entry,
      // Made from `own` when a tool first reads it: the compiler reads each function's own, and
      // a table of every reference of the program cost a fifth of resolving it.
      get refs() {
        return (refs ??= refsTable(own.values()));
      },
      own,
      imports: this.loaded.imports,
    };
  }

  private report(code: string, message: string, span: Span, extra: Parameters<typeof error>[4] = {}): void {
    this.diagnostics.push(error("resolve", code, message, span, extra));
  }

  /** Reports a reference that cannot be resolved, and records it with its function (D33). */
  private reportUnresolved(
    ref: Ref,
    scope: Scope,
    code: string,
    message: string,
    span: Span,
    extra: Parameters<typeof error>[4] = {},
  ): void {
    const diagnostic = error("resolve", code, message, span, extra);
    this.diagnostics.push(diagnostic);
    this.unresolved.set(ref, { diagnostic, func: scope.fn });
    scope.own.refs.push(ref);
    scope.own.resolutions.push(undefined);
  }

  /** Records what a reference means, in its function's own. */
  private resolved(ref: Ref, scope: Scope, res: Resolution): void {
    scope.own.refs.push(ref);
    scope.own.resolutions.push(res);
  }

  /** Functions are unique per package, across files and hoisted inline definitions (3.3, D20). */
  private collectFunctions(pkg: KoPackage): void {
    for (const file of pkg.files) {
      for (const top of file.ast.funcs) {
        this.collectFunction(pkg, file, top, false);
        if (knownWithoutInline(top)) continue;
        for (const def of inlineDefs(top)) this.collectFunction(pkg, file, def, true);
      }
    }
  }

  private collectFunction(pkg: KoPackage, file: SourceFile, def: FuncDef, inline: boolean): void {
    const name = def.name.text;
    const prior = pkg.funcs.get(name);
    if (prior) {
      this.report("resolve/duplicate-function", `function ${name} is defined twice in package ${pkg.path}`, def.name.span, {
        related: [{ span: prior.def.name.span, message: `${name} first defined here` }],
      });
      return;
    }
    if (pkg.host.has(name)) {
      this.report("resolve/host-conflict", `function ${name} is also defined by the host for package ${pkg.path}`, def.name.span);
    }
    pkg.funcs.set(name, { def, pkg, file, inline });
  }

  /** Import aliases are per file and unique (3.2). */
  private collectAliases(pkg: KoPackage, file: SourceFile): void {
    const spans = new Map<string, Span>();
    for (const imp of file.ast.imports) {
      const target = this.loaded.imports.get(imp);
      const alias = imp.alias?.text ?? defaultAlias(imp.path);
      if (!target) {
        // The loader reported the import; what is used through it is reported where it is used.
        let missing = this.missingAliases.get(file);
        if (!missing) this.missingAliases.set(file, (missing = new Map<string, string>()));
        missing.set(alias, imp.path);
        continue;
      }
      const span = imp.alias?.span ?? imp.pathSpan;
      const prior = file.aliases.get(alias);
      if (prior !== undefined) {
        this.report("resolve/duplicate-alias", `alias ${alias} already used for package ${prior}`, span, {
          related: [{ span: spans.get(alias)!, message: `${alias} first used here` }],
        });
        continue;
      }
      file.aliases.set(alias, target.path);
      spans.set(alias, span);
    }
    void pkg;
  }

  private checkFunction(fn: FuncInfo): void {
    const def = fn.def;
    const params = new Map<string, number>();
    def.params.forEach((p, i) => {
      const prior = params.get(p.name.text);
      if (prior !== undefined) {
        this.report("resolve/duplicate-param", `duplicate field name ${p.name.text} in the parameters of ${def.name.text}`, p.name.span, {
          related: [{ span: def.params[prior]!.name.span, message: "first declared here" }],
        });
        return;
      }
      params.set(p.name.text, i);
    });
    const steps = new Map<string, number>();
    def.steps.forEach((t, i) => {
      if (t.label === undefined || t.label.text === "") {
        this.report("resolve/empty-label", "step label cannot be empty: every step of a body needs a label", t.span);
        return;
      }
      const prior = steps.get(t.label.text);
      if (prior !== undefined) {
        this.report("resolve/duplicate-label", `duplicate step label ${t.label.text}`, t.label.span, {
          related: [{ span: def.steps[prior]!.label!.span, message: `${t.label.text} first defined here` }],
        });
        return;
      }
      steps.set(t.label.text, i);
    });
    if (!steps.has("return")) {
      this.report("resolve/missing-return", `function ${def.name.text} is missing a return step`, def.name.span);
    }
    let bare = this.bareNames.get(fn.pkg);
    if (!bare) this.bareNames.set(fn.pkg, (bare = new Map<string, Resolution>()));
    const own: OwnRefs = { refs: [], resolutions: [], termStarts: new Array<number>(def.steps.length), inline: [] };
    this.own.set(fn, own);
    const scope: Scope = { fn, params, steps, bare, own, term: 0, forward: false };
    for (; scope.term < def.steps.length; scope.term++) {
      own.termStarts[scope.term] = own.refs.length;
      this.resolveFormula(def.steps[scope.term]!.formula, scope);
    }
    // Steps can only refer to each other in a cycle through a reference to a step at or after its own.
    if (scope.forward) this.checkCycles(def, steps, refsTable([own]));
  }

  /** Resolves every reference in a formula (not in inline definitions: they are functions of their own). */
  private resolveFormula(f: Formula, scope: Scope): void {
    switch (f.kind) {
      case "ref":
        this.resolveRef(f, scope);
        break;
      case "invoke":
      case "augment":
        if (f.callee) this.resolveFormula(f.callee, scope);
        for (const t of f.terms) this.resolveFormula(t.formula, scope);
        break;
      case "select":
        this.resolveFormula(f.target, scope);
        break;
      case "inline":
        scope.own.inline.push(f.def);
        break;
      default:
        break;
    }
  }

  private resolveRef(ref: Ref, scope: Scope): void {
    const path = ref.path;
    const first = path[0]!;
    const name = first.text;
    const selected = path.length - 1;
    if (selected === 0 && (name === "true" || name === "false")) {
      this.resolved(ref, scope, name === "true" ? TRUE : FALSE);
      return;
    }
    const param = scope.params.get(name);
    if (param !== undefined) return this.resolved(ref, scope, this.resolutions.param(param, selected));
    const step = scope.steps.get(name);
    if (step !== undefined) {
      if (step >= scope.term) scope.forward = true;
      return this.resolved(ref, scope, this.resolutions.step(name, selected));
    }
    if (selected === 0) {
      const found = this.bareName(scope, name);
      if (found) return this.resolved(ref, scope, found);
      const suggestion = closest(name, this.bareCandidates(scope));
      this.reportUnresolved(
        ref,
        scope,
        "resolve/unknown-name",
        `${name} not known: no parameter, step, function, idiom or builtin has this name`,
        first.span,
        { ...(suggestion !== undefined ? { suggestion } : {}) },
      );
      return;
    }
    const target = scope.fn.file.aliases.get(name);
    if (target === undefined) {
      const missing = this.missingAliases.get(scope.fn.file)?.get(name);
      if (missing !== undefined) {
        const text = ref.path.map((n) => n.text).join(".");
        this.reportUnresolved(ref, scope, "resolve/unknown-package", `${text}: package "${missing}" not found`, ref.span);
        return;
      }
      const suggestion = closest(name, [...scope.fn.file.aliases.keys(), ...scope.params.keys(), ...scope.steps.keys()]);
      this.reportUnresolved(
        ref,
        scope,
        "resolve/unknown-alias",
        `${name} not known: no parameter, step or import alias has this name`,
        first.span,
        {
          ...(suggestion !== undefined ? { suggestion } : {}),
        },
      );
      return;
    }
    const member = path[1]!;
    const targetPkg = this.loaded.packages.get(target)!;
    if (ref.path.length > 2) {
      this.reportUnresolved(
        ref,
        scope,
        "resolve/selection-on-function",
        `${ref.path.map((n) => n.text).join(".")}: a function of another package cannot be selected into; write ${name}.${member.text}().${path
          .slice(2)
          .map((n) => n.text)
          .join(".")}`,
        path[2]!.span,
      );
      return;
    }
    const func = targetPkg.funcs.get(member.text);
    if (func) return this.resolved(ref, scope, this.resolutions.func(func));
    const host = targetPkg.host.get(member.text);
    if (host) return this.resolved(ref, scope, this.resolutions.host(host));
    const suggestion = closest(member.text, [...targetPkg.funcs.keys(), ...targetPkg.host.keys()]);
    this.reportUnresolved(ref, scope, "resolve/unknown-member", `package ${targetPkg.path} has no function ${member.text}`, member.span, {
      ...(suggestion !== undefined ? { suggestion: `${name}.${suggestion}` } : {}),
    });
  }

  /** What a bare name means in the scope's package (lookupBare), found once per package and name. */
  private bareName(scope: Scope, name: string): Resolution | undefined {
    let found = scope.bare.get(name);
    if (found === undefined) {
      found = this.lookupBare(scope.fn.pkg, name);
      if (found !== undefined) scope.bare.set(name, found);
    }
    return found;
  }

  /** Reference 3.6: a function of the package, then an idiom, then a core builtin. */
  private lookupBare(pkg: KoPackage, name: string): Resolution | undefined {
    const own = pkg.funcs.get(name);
    if (own) return this.resolutions.func(own);
    const ownHost = pkg.host.get(name);
    if (ownHost && pkg.path !== CORE_PACKAGE) return this.resolutions.host(ownHost);
    const idiom = this.loaded.packages.get(IDIOM_PACKAGE)?.funcs.get(name);
    if (idiom) return this.resolutions.func(idiom);
    const core = this.registry.lookup(CORE_PACKAGE, name);
    if (core) return this.resolutions.host(core);
    return undefined;
  }

  private bareCandidates(scope: Scope): string[] {
    return [
      ...scope.params.keys(),
      ...scope.steps.keys(),
      ...scope.fn.pkg.funcs.keys(),
      ...(this.loaded.packages.get(IDIOM_PACKAGE)?.funcs.keys() ?? []),
      ...this.registry.functionsOf(CORE_PACKAGE).map((f) => f.name),
    ];
  }

  /** Steps that refer to each other in a cycle are a compile error naming the cycle (3.5). */
  private checkCycles(def: FuncDef, steps: ReadonlyMap<string, number>, refs: ReadonlyMap<Ref, Resolution>): void {
    const deps = new Map<string, string[]>();
    for (const [label, index] of steps) {
      const out: string[] = [];
      walkFormula(def.steps[index]!.formula, (f) => {
        if (f.kind !== "ref") return;
        const res = refs.get(f);
        if (res?.k === "step") out.push(res.label);
      });
      deps.set(label, out);
    }
    const state = new Map<string, "active" | "done">();
    const stack: string[] = [];
    const reported = new Set<string>();
    const visit = (label: string): void => {
      state.set(label, "active");
      stack.push(label);
      for (const d of deps.get(label) ?? []) {
        const s = state.get(d);
        if (s === "active") {
          const cycle = [...stack.slice(stack.indexOf(d)), d];
          const key = [...cycle].sort().join(",");
          if (!reported.has(key)) {
            reported.add(key);
            const t = def.steps[steps.get(d)!]!;
            this.report("resolve/cycle", `label ${d} involved in cyclical reference: ${cycle.join(" → ")}`, t.label!.span);
          }
        } else if (s === undefined) visit(d);
      }
      stack.pop();
      state.set(label, "done");
    };
    for (const label of steps.keys()) if (!state.has(label)) visit(label);
  }
}

/** The meaning of every resolved reference of the functions whose `own` these are, in order. */
function refsTable(owns: Iterable<OwnRefs>): Map<Ref, Resolution> {
  const table = new Map<Ref, Resolution>();
  for (const own of owns) {
    for (let i = 0; i < own.refs.length; i++) {
      const res = own.resolutions[i];
      if (res !== undefined) table.set(own.refs[i]!, res);
    }
  }
  return table;
}

const TRUE: Resolution = { k: "bool", value: true };
const FALSE: Resolution = { k: "bool", value: false };

/**
 * One resolution object per meaning, shared by every reference with that meaning (a program's
 * side table holds one per reference, and resolutions are read-only data).
 */
class Resolutions {
  private readonly funcs = new Map<FuncInfo, Resolution>();
  private readonly hosts = new Map<HostFunction, Resolution>();
  private readonly params: Resolution[] = [];
  private readonly steps = new Map<string, Resolution>();

  func(func: FuncInfo): Resolution {
    let r = this.funcs.get(func);
    if (!r) this.funcs.set(func, (r = { k: "func", func, rest: 0 }));
    return r;
  }

  host(fn: HostFunction): Resolution {
    let r = this.hosts.get(fn);
    if (!r) this.hosts.set(fn, (r = { k: "host", fn, rest: 0 }));
    return r;
  }

  /** A parameter by index; one with selected fields has a resolution of its own. */
  param(index: number, rest: number): Resolution {
    if (rest !== 0) return { k: "param", index, rest };
    return (this.params[index] ??= { k: "param", index, rest: 0 });
  }

  /** A step by label; one with selected fields has a resolution of its own. */
  step(label: string, rest: number): Resolution {
    if (rest !== 0) return { k: "step", label, rest };
    let r = this.steps.get(label);
    if (!r) this.steps.set(label, (r = { k: "step", label, rest: 0 }));
    return r;
  }
}

/** What the references of one function's body are resolved in, as its terms are taken in order. */
interface Scope {
  readonly fn: FuncInfo;
  readonly params: Map<string, number>;
  /** Each step label, with the index of its term in the body. */
  readonly steps: Map<string, number>;
  /** What the bare names that are not parameters or steps mean in the function's package (lookupBare). */
  readonly bare: Map<string, Resolution>;
  /** What the function's body refers to, as resolved so far. */
  readonly own: OwnRefs;
  /** The index of the term being resolved. */
  term: number;
  /** Whether a term has referred to its own step or a later one: only then can there be a cycle. */
  forward: boolean;
}

/** Every formula of a function body that is a reference, for tools. */
export function refsOf(def: FuncDef): Ref[] {
  const out: Ref[] = [];
  for (const t of def.steps) walkFormula(t.formula, (f: Formula) => f.kind === "ref" && out.push(f));
  return out;
}
