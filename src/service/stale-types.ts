/**
 * Types for a program that does not compile, from the last analysis of its package that did
 * (see types-bridge.ts). Completion after `x.` is asked mostly while the text does not compile:
 * the `.` just typed is itself a syntax error.
 *
 * Where the text is as it was then (before the first change and after the last one), a place
 * is looked up in the old analysis at its old offset. Elsewhere, a parameter or step, and the
 * fields selected from it, are looked up by name in the old analysis's function of the same
 * name, as this program's syntax tree (or the completion's qualifier) names them.
 */
import { endOffset, startOffset } from "../diag/span.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { FuncInfo, Program } from "../resolve/packages.js";
import { showTy } from "../types/show.js";
import { fieldsOf, refsOf, sourceText, type CheckedTypes } from "./checked-types.js";
import type { FieldInfo, TypeQueries } from "./types-bridge.js";

/** How a file's text differs from the one the types were inferred for: one changed region. */
interface Change {
  /** Characters the same at the start, and at the end. */
  readonly prefix: number;
  readonly suffix: number;
  /** Current length minus old length. */
  readonly delta: number;
  readonly length: number;
}

export class StaleTypes implements TypeQueries {
  private readonly changes = new Map<string, Change | undefined>();

  constructor(
    readonly good: CheckedTypes,
    private readonly program: Program,
  ) {}

  diagnostics(): readonly Diagnostic[] {
    return [];
  }

  typeAt(file: string, offset: number): string | undefined {
    const old = this.toOld(file, offset, false);
    if (old !== undefined) return this.good.typeAt(file, old);
    const named = this.nameAt(file, offset);
    const t = named && this.good.typeOfName(named.info.pkg.path, named.info.def.name.text, named.path);
    return t && showTy(t);
  }

  typeOf(file: string, start: number, end: number): string | undefined {
    const from = this.toOld(file, start, false);
    const to = this.toOld(file, end, true);
    return from === undefined || to === undefined ? undefined : this.good.typeOf(file, from, to);
  }

  fieldsAt(file: string, dotAt: number, qualifier?: readonly string[]): readonly FieldInfo[] {
    const old = this.toOld(file, dotAt, true);
    if (old !== undefined) {
      const fields = this.good.fieldsAt(file, old, qualifier);
      if (fields.length > 0) return fields;
    }
    const info = innermost(this.program, file, dotAt);
    if (info === undefined || qualifier === undefined || qualifier.length === 0) return [];
    const t = this.good.typeOfName(info.pkg.path, info.def.name.text, qualifier);
    return t === undefined ? [] : fieldsOf(t);
  }

  /**
   * Where `offset` of the current text was in the old one, if the text around it is unchanged.
   * `end`: the offset ends something (a formula before a `.`), so it may be where the change starts.
   */
  private toOld(file: string, offset: number, end: boolean): number | undefined {
    const c = this.changeOf(file);
    if (c === undefined) return undefined;
    if (offset < c.prefix || (end && offset === c.prefix)) return offset;
    if (offset > c.length - c.suffix) return offset - c.delta;
    return undefined;
  }

  private changeOf(file: string): Change | undefined {
    if (this.changes.has(file)) return this.changes.get(file);
    const now = sourceText(this.program, file);
    const then = this.good.textOf(file);
    let change: Change | undefined;
    if (now !== undefined && then !== undefined) {
      const most = Math.min(now.length, then.length);
      let prefix = 0;
      while (prefix < most && now.charCodeAt(prefix) === then.charCodeAt(prefix)) prefix++;
      let suffix = 0;
      while (suffix < most - prefix && now.charCodeAt(now.length - 1 - suffix) === then.charCodeAt(then.length - 1 - suffix)) suffix++;
      change = { prefix, suffix, delta: now.length - then.length, length: now.length };
    }
    this.changes.set(file, change);
    return change;
  }

  /** The parameter or step at `offset` as this program names it, with the fields selected after it. */
  private nameAt(file: string, offset: number): { info: FuncInfo; path: string[] } | undefined {
    const info = innermost(this.program, file, offset);
    if (info === undefined) return undefined;
    const def = info.def;
    const within = (span: { start: { offset: number }; end: { offset: number } }) =>
      startOffset(span) <= offset && offset <= endOffset(span);
    const param = def.params.find((p) => within(p.name.span));
    if (param !== undefined) return { info, path: [param.name.text] };
    const label = def.steps.find((t) => t.label !== undefined && within(t.label.span));
    if (label?.label !== undefined) return { info, path: [label.label.text] };
    for (const ref of refsOf(def)) {
      const k = ref.path.findIndex((n) => within(n.span));
      const res = this.program.refs.get(ref);
      if (k < 0 || res === undefined || (res.k !== "param" && res.k !== "step")) continue;
      const base = ref.path.length - res.rest;
      const name = res.k === "param" ? def.params[res.index]?.name.text : res.label;
      if (name === undefined || k + 1 < base) continue;
      return { info, path: [name, ...ref.path.slice(base, k + 1).map((n) => n.text)] };
    }
    return undefined;
  }
}

/** The innermost function (inline ones included) whose definition holds `offset` of `file`. */
function innermost(program: Program, file: string, offset: number): FuncInfo | undefined {
  let best: FuncInfo | undefined;
  for (const pkg of program.packages.values()) {
    for (const info of pkg.funcs.values()) {
      const span = info.def.span;
      if (info.file.path !== file || offset < startOffset(span) || offset > endOffset(span)) continue;
      if (best === undefined || startOffset(span) >= startOffset(best.def.span)) best = info;
    }
  }
  return best;
}
