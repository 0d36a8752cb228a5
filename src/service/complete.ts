/**
 * The completion engine, shared by the language server and the REPL's tab completion.
 *
 * What is offered depends on the cursor's context (context.ts):
 * - in a formula: the parameters and steps of the enclosing function, the functions of the
 *   package, the file's import aliases, then the idioms and core builtins, with signatures;
 * - at the start of a term in a call's brackets: the called function's parameter names as
 *   `name: ` (the monadic one marked), before the values above;
 * - at the start of a term in a structure literal whose record type is known from where it stands
 *   (a Kubernetes manifest: expected.ts): the fields not yet given, as `name: `, with type and doc;
 * - after `alias.`: the members of the imported package; after a step, a parameter or `).`:
 *   the fields of its inferred type, with their types (types-bridge.ts);
 * - inside `import "...`: package paths.
 */
import { showHostType } from "../host/host-type.js";
import { CORE_PACKAGE, IDIOM_PACKAGE, type Program } from "../resolve/packages.js";
import { importCandidates } from "./import-paths.js";
import type { CallSite, CursorContext } from "./cursor.js";
import { describeFunc, describeHost, type FunctionDescription } from "./describe.js";
import { expectedRecordAt } from "./expected.js";
import { calledAt, coreBuiltins, cursorAt, packageOfFile, sourceFile } from "./places.js";
import type { View } from "./workspace.js";

export type CompletionKind = "param" | "step" | "function" | "builtin" | "module" | "argument" | "field" | "keyword" | "package";

export interface CompletionEntry {
  readonly label: string;
  readonly kind: CompletionKind;
  /** A signature or a type. */
  readonly detail?: string;
  readonly doc?: string;
  /** Text to insert instead of the label (`name: ` for an argument). */
  readonly insert?: string;
  /** Orders entries: lower first. */
  readonly rank: number;
  /** For arguments: this parameter takes the unnamed argument. */
  readonly monadic?: boolean;
}

export interface Completions {
  /** Where the text being completed starts (it ends at the cursor). */
  readonly from: number;
  readonly entries: readonly CompletionEntry[];
}

/** `field`: a field of the literal being written, wanted where an argument would be (so ranked alike). */
const RANK = { argument: 0, field: 0, local: 1, package: 2, alias: 3, idiom: 4, builtin: 5, keyword: 6 } as const;

/** Completions at `offset` of the current text of `file`. */
export function complete(view: View, file: string, offset: number, roots: readonly string[] = []): Completions {
  const ctx = cursorAt(view, file, offset);
  const entries = entriesFor(ctx, view, file, offset, roots);
  const from = ctx.kind === "none" ? offset : ctx.from;
  return { from, entries: filterByPrefix(entries, ctx.kind === "none" ? "" : ctx.typed) };
}

function entriesFor(ctx: CursorContext, view: View, file: string, offset: number, roots: readonly string[]): CompletionEntry[] {
  const program = view.analysis.program;
  switch (ctx.kind) {
    case "none":
      return [];
    case "import":
      return importCandidates(ctx.typed, file, roots).map((p) => ({
        label: p.path,
        kind: "package",
        detail: p.detail,
        rank: RANK.package,
      }));
    case "member":
      return memberEntries(view, file, ctx.qualifier, ctx.dotAt);
    case "select":
      return fieldEntries(view, file, ctx.dotAt);
    case "formula": {
      if (ctx.inBody && ctx.termStart)
        return [
          { label: "return", kind: "keyword", insert: "return: ", detail: "the step whose value the function returns", rank: RANK.keyword },
        ];
      const values = valueEntries(view, file, offset);
      if (ctx.call === undefined || !ctx.termStart) return values;
      if (ctx.call.callee === undefined) return [...literalFieldEntries(view, file, offset), ...values];
      return [...argumentEntries(program, view, file, ctx.call), ...values];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Values: what a bare name can refer to at the cursor (reference 3.6), nearest first.

function valueEntries(view: View, file: string, offset: number): CompletionEntry[] {
  const { program, index } = view.analysis;
  const out: CompletionEntry[] = [];
  const seen = new Set<string>();
  const add = (e: CompletionEntry) => {
    if (seen.has(e.label)) return; // a nearer name hides a farther one
    seen.add(e.label);
    out.push(e);
  };
  const fn = index.enclosingFunction(file, view.map.toOld(offset));
  if (fn) {
    for (const p of fn.def.params)
      add({
        label: p.name.text,
        kind: "param",
        detail: `parameter of ${fn.def.name.text}${p.monadic ? " (monadic)" : ""}`,
        rank: RANK.local,
      });
    for (const t of fn.def.steps) {
      if (t.label && t.label.text !== "" && t.label.text !== "return")
        add({ label: t.label.text, kind: "step", detail: `step of ${fn.def.name.text}`, rank: RANK.local });
    }
  }
  const pkg = fn?.pkg ?? packageOfFile(program, file);
  if (pkg) {
    for (const info of pkg.funcs.values()) add(functionEntry(describeFunc(info), RANK.package));
    if (pkg.path !== CORE_PACKAGE) for (const h of pkg.host.values()) add(functionEntry(describeHost(h), RANK.package));
  }
  const source = fn?.file ?? sourceFile(program, file);
  for (const [alias, target] of source?.aliases ?? [])
    add({ label: alias, kind: "module", detail: `import "${target}"`, rank: RANK.alias });
  for (const info of program.packages.get(IDIOM_PACKAGE)?.funcs.values() ?? []) {
    if (!info.inline && /^\p{Lu}/u.test(info.def.name.text)) add(functionEntry(describeFunc(info), RANK.idiom));
  }
  for (const h of coreBuiltins()) if (h.name !== "") add(functionEntry(describeHost(h), RANK.builtin));
  add({ label: "true", kind: "keyword", detail: "Bool", rank: RANK.keyword });
  add({ label: "false", kind: "keyword", detail: "Bool", rank: RANK.keyword });
  return out;
}

function functionEntry(d: FunctionDescription, rank: number): CompletionEntry {
  const kind: CompletionKind = d.kind === "builtin" || d.kind === "idiom" ? "builtin" : "function";
  return { label: d.name, kind, detail: d.signature, doc: d.doc, rank };
}

// ---------------------------------------------------------------------------------------------
// Arguments of a call: the called function's parameters.

function argumentEntries(program: Program, view: View, file: string, call: CallSite): CompletionEntry[] {
  const called = calledAt(program, view, file, call);
  if (called === undefined) return [];
  const d = "def" in called ? describeFunc(called) : describeHost(called);
  const used = new Set(call.usedLabels);
  return d.params
    .filter((p) => !used.has(p.name))
    .map((p) => ({
      label: p.name,
      kind: "argument" as const,
      detail: `${p.monadic ? "monadic " : ""}parameter of ${d.name}${p.type ? `: ${p.type}` : ""}`,
      ...(p.doc !== undefined ? { doc: p.doc } : {}),
      insert: `${p.name}: `,
      rank: RANK.argument,
      monadic: p.monadic,
    }));
}

// ---------------------------------------------------------------------------------------------
// Fields of a literal whose record type is known from where it stands (expected.ts): a manifest.

function literalFieldEntries(view: View, file: string, offset: number): CompletionEntry[] {
  const expected = expectedRecordAt(view, file, offset);
  if (expected === undefined) return [];
  const { schema, given } = expected;
  return schema
    .fieldNames()
    .filter((name) => !given.has(name))
    .map((name) => {
      const doc = schema.fieldDoc?.(name);
      return {
        label: name,
        kind: "field" as const,
        detail: showHostType(schema.field(name)!),
        ...(doc !== undefined ? { doc } : {}),
        insert: `${name}: `,
        rank: RANK.field,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Members and fields

function memberEntries(view: View, file: string, qualifier: readonly string[], dotAt: number): CompletionEntry[] {
  const program = view.analysis.program;
  const fn = view.analysis.index.enclosingFunction(file, view.map.toOld(dotAt));
  const local = fn && (fn.def.params.some((p) => p.name.text === qualifier[0]) || fn.def.steps.some((t) => t.label?.text === qualifier[0]));
  const source = fn?.file ?? sourceFile(program, file);
  const pkgPath = local || qualifier.length !== 1 ? undefined : source?.aliases.get(qualifier[0]!);
  if (pkgPath === undefined) return fieldEntries(view, file, dotAt, qualifier);
  const pkg = program.packages.get(pkgPath);
  if (pkg === undefined) return [];
  return [
    ...[...pkg.funcs.values()].filter((i) => !i.inline).map((i) => functionEntry(describeFunc(i), RANK.package)),
    ...[...pkg.host.values()].map((h) => functionEntry(describeHost(h), RANK.package)),
  ];
}

/** Fields of the value before the dot (named `qualifier`, when it is a dotted name), from inferred types. */
function fieldEntries(view: View, file: string, dotAt: number, qualifier?: readonly string[]): CompletionEntry[] {
  const types = view.analysis.types;
  if (types === undefined) return [];
  return types.fieldsAt(file, view.map.toOld(dotAt), qualifier).map((f) => ({
    label: f.name,
    kind: "field" as const,
    detail: f.type,
    ...(f.doc !== undefined ? { doc: f.doc } : {}),
    rank: RANK.local,
  }));
}

// ---------------------------------------------------------------------------------------------

/** Case-insensitive prefix match; every entry when nothing is typed yet. */
function filterByPrefix(entries: CompletionEntry[], typed: string): CompletionEntry[] {
  if (typed === "") return entries;
  const lower = typed.toLowerCase();
  return entries.filter((e) => e.label.toLowerCase().startsWith(lower));
}
