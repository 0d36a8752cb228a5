/**
 * A REPL session: the imports and functions defined so far, and the evaluation of one input at a
 * time against them, all through the facade (`compile`, then `KoProgram.call`).
 *
 * The session is a Ko package (`repl`) whose source is assembled from pieces: each import, each
 * function defined so far (a later definition of a name replaces the earlier one), and, for a
 * formula, a function `_input(STEPS) { return: FORMULA }` that is compiled and called with the
 * values of the session's steps. Every piece remembers where its text came from (an input, or a
 * file given to `:load`), so errors point at what the user wrote, not at the assembled source.
 *
 * A step (`pods: k8s.List(kind: "Pod")`) is a formula evaluated once, whose value later inputs
 * name; a later step of the same name replaces it. Its value is passed to `_input` as an argument,
 * so it is never evaluated again. Its static type is that of its formula: for `:type` and for
 * completion after `pods.` the session is analysed as one function whose body holds the steps'
 * formulas before `return: FORMULA` (`typeSource`), as the language server would analyse a file.
 */
import * as fs from "node:fs";
import { KoCompileError, type KoProgram } from "../api/program.js";
import type { Session } from "../api/session.js";
import { failureDiagnostic, renderFailure } from "../api/failures.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { renderDiagnostic } from "../diag/render.js";
import type { Span } from "../diag/span.js";
import { analyze, type Analysis } from "../service/analysis.js";
import { complete } from "../service/complete.js";
import { cursorContext } from "../service/cursor.js";
import { OffsetMap } from "../service/edits.js";
import { defaultAlias } from "../resolve/load.js";
import { KoFailure } from "../value/failure.js";
import { printValue } from "../value/print.js";
import type { Value } from "../value/value.js";
import { walkFormula } from "../syntax/ast.js";
import { lex, LBrace, LBracket, LineMap, LParen, parseFile, RBrace, RBracket, RParen, type ParseResult } from "../syntax/index.js";
import { EXIT } from "../diag/exit.js";
import { graphText } from "./graph.js";

/** The package the session compiles as, and the pseudo file of its assembled source. */
const PACKAGE = "repl";
const SOURCE = "<repl>";
/** The name of an input, in error messages. */
const INPUT = "<input>";
/** The function a formula is wrapped in. */
const INPUT_FUNC = "_input";

export type Outcome =
  /** A formula's value, in canonical form. */
  | { readonly kind: "value"; readonly text: string }
  /** What a definition or a command did. */
  | { readonly kind: "note"; readonly text: string }
  /** `status` is the exit status the failure means (D19): 3 compile error, 1 run-time failure, 2 misuse. */
  | { readonly kind: "error"; readonly text: string; readonly status: number }
  | { readonly kind: "quit" };

export interface ReplOptions {
  /**
   * The session every input compiles and runs in: its roots, cluster and output streams (where
   * Ko programs print: Show, Print...). The REPL's owner closes it.
   */
  readonly session: Session;
}

/** Source text and where it came from. */
interface Piece {
  readonly text: string;
  readonly origin?: { readonly file: string; readonly text: string; readonly offset: number };
}

/**
 * A step of the session: its value, and its formula for the static types. In the formula, the
 * references to earlier steps are kept apart (`refs`), to be written with the label that step
 * has in `typeSource` (a replaced step is still there, under a hidden label, for the steps
 * defined from it).
 */
interface ReplStep {
  readonly name: string;
  readonly value: Value;
  readonly formula: Piece & { readonly origin: NonNullable<Piece["origin"]> };
  /** `[start, end)` of `formula.text` names the step `to`; in order. */
  readonly refs: readonly { readonly start: number; readonly end: number; readonly to: ReplStep }[];
}

/** The assembled source, with each piece's start offset in it. */
interface Assembled {
  readonly text: string;
  readonly starts: readonly number[];
  readonly pieces: readonly Piece[];
}

export const COMMANDS: Record<string, string> = {
  ":help": "this list",
  "NAME: EXPR": "evaluate a formula once and name its value (a step of the session)",
  ":type EXPR": "the inferred type of a formula",
  ":load FILE": "define the imports and functions of a Ko file",
  ":graph FUNC": "the steps and edges of a function, as it was compiled",
  ":quit": "leave (Ctrl-D does too)",
};

export class ReplEvaluator {
  private imports = new Map<string, Piece>();
  private functions = new Map<string, Piece>();
  /** Every step defined, oldest first; the last of a name is the one inputs see. */
  private steps: ReplStep[] = [];
  /** Inputs defined so far; a committed definition's origin is named after its input. */
  private inputs = 0;

  constructor(private readonly opts: ReplOptions) {}

  /** Handles one complete input: a command, imports and definitions, or a formula to evaluate. */
  async submit(input: string, signal: AbortSignal): Promise<Outcome> {
    const trimmed = input.trim();
    if (trimmed === "") return { kind: "note", text: "" };
    if (trimmed.startsWith(":")) return this.command(trimmed);
    const asFile = parseFile(INPUT, input);
    if (asFile.diagnostics.length === 0 && asFile.ast.funcs.length + asFile.ast.imports.length > 0) {
      return this.define(asFile, { file: INPUT, text: input });
    }
    if (looksLikeDefinition(input))
      return { kind: "error", text: render(asFile.diagnostics, (f) => (f === INPUT ? input : undefined)), status: EXIT.compile };
    const label = stepLabel(input);
    if (label !== undefined) return this.defineStep(input, label, signal);
    return this.evaluate(input, 0, signal);
  }

  /**
   * One expression, evaluated against what the session holds (`ko eval`): unlike `submit`, an
   * input that is not a formula (a command, a definition, a step) is not taken for one.
   */
  async expression(input: string, signal: AbortSignal): Promise<Outcome> {
    const trimmed = input.trim();
    if (trimmed.startsWith(":") || looksLikeDefinition(input) || stepLabel(input) !== undefined)
      return {
        kind: "error",
        text: "ko: ko eval takes one expression (a formula), not a command, a definition or a step\n",
        status: EXIT.usage,
      };
    return this.evaluate(input, 0, signal);
  }

  /**
   * Tab completion for what has been typed so far: where the completed word starts, and the
   * candidates. Formulas (also a step's, and `:type`'s) are completed in `typeSource`, so that
   * the engine sees the session's steps with their types; after a `.` the text does not compile,
   * and the types are those of the text before the `.` (as the language server's are, for the
   * text before the `.` just typed).
   */
  completions(buffer: string): { typed: string; candidates: string[] } {
    if (/^:\S*$/.test(buffer)) {
      const names = Object.keys(COMMANDS)
        .filter((c) => c.startsWith(":"))
        .map((c) => c.split(" ")[0]!);
      return { typed: buffer, candidates: names.filter((n) => n.startsWith(buffer)) };
    }
    let assembled: Assembled;
    let offset: number;
    let base: Assembled | undefined;
    if (/^\s*(import|use)\b/.test(buffer)) {
      assembled = this.assemble([{ text: buffer }]);
      offset = assembled.text.length;
    } else {
      const start = buffer.startsWith(":") ? /^:type\s+/.exec(buffer)?.[0].length : (stepLabel(buffer)?.formulaAt ?? 0);
      if (start === undefined) return { typed: "", candidates: [] };
      const formula = buffer.slice(start);
      assembled = this.typeSource({ text: formula });
      const at = assembled.starts[assembled.starts.length - 2]!;
      offset = at + formula.length;
      const ctx = cursorContext(assembled.text, offset, assembled.text.lastIndexOf(`${INPUT_FUNC}() {`, at));
      if (ctx.kind === "member" || ctx.kind === "select") {
        const before = formula.slice(0, ctx.dotAt - at);
        base = this.typeSource({ text: before + closers(before) });
      }
    }
    const previous = base && this.analyze(base);
    const analysis = this.analyze(assembled, previous);
    const result = complete({ analysis, text: assembled.text, map: OffsetMap.identity }, SOURCE, offset, this.opts.session.roots);
    const typed = assembled.text.slice(result.from, offset);
    // Readline completes what starts with the typed text exactly (the engine ignores case).
    // The function the REPL wraps a formula in is its own, not the user's.
    const candidates = result.entries
      .filter((e) => e.label !== INPUT_FUNC)
      .map((e) => e.insert ?? e.label)
      .filter((c) => c.startsWith(typed));
    return { typed, candidates };
  }

  // -------------------------------------------------------------------------------------------
  // Definitions

  private define(parsed: ParseResult, origin: { file: string; text: string }): Outcome {
    const imports = new Map(this.imports);
    const functions = new Map(this.functions);
    const piece = (span: Span): Piece => ({
      text: `${origin.text.slice(span.start.offset, span.end.offset)}\n`,
      origin: { ...origin, offset: span.start.offset },
    });
    for (const d of parsed.ast.imports) imports.set(d.alias?.text ?? defaultAlias(d.path), piece(d.span));
    for (const f of parsed.ast.funcs) functions.set(f.name.text, piece(f.span));
    const assembled = assemble([...imports.values(), ...functions.values()]);
    const failure = this.compileErrors(assembled);
    if (failure !== undefined) return failure;
    // From now on errors in these definitions point at `<input N>`, to tell inputs apart.
    const named = `<input ${++this.inputs}>`;
    const rename = (p: Piece): Piece => (p.origin?.file === INPUT ? { ...p, origin: { ...p.origin, file: named } } : p);
    this.imports = new Map([...imports].map(([k, p]) => [k, rename(p)]));
    this.functions = new Map([...functions].map(([k, p]) => [k, rename(p)]));
    const said: string[] = [];
    if (parsed.ast.imports.length > 0)
      said.push(`imported ${parsed.ast.imports.map((d) => d.alias?.text ?? defaultAlias(d.path)).join(", ")}`);
    if (parsed.ast.funcs.length > 0) said.push(`defined ${parsed.ast.funcs.map((f) => f.name.text).join(", ")}`);
    return { kind: "note", text: said.join("; ") };
  }

  // -------------------------------------------------------------------------------------------
  // Evaluation

  private async evaluate(input: string, start: number, signal: AbortSignal): Promise<Outcome> {
    const run = await this.run(input, start, signal);
    return "value" in run ? { kind: "value", text: printValue(run.value) } : run;
  }

  /**
   * `NAME: FORMULA`: evaluates the formula, and names its value. The references of the formula
   * to earlier steps are noted for `typeSource`, from the resolver's meaning of each reference.
   */
  private async defineStep(input: string, label: { name: string; formulaAt: number }, signal: AbortSignal): Promise<Outcome> {
    const run = await this.run(input, label.formulaAt, signal);
    if (!("value" in run)) return run;
    const live = this.liveSteps();
    const params = [...live.keys()];
    const formulaStart = run.assembled.starts[run.assembled.starts.length - 2]!;
    // Derived again from the sources (a compiled program keeps no trees): held while it is read.
    const program = run.program.program;
    const def = program.entry.funcs.get(INPUT_FUNC)?.def;
    const refs: { start: number; end: number; to: ReplStep }[] = [];
    for (const term of def?.steps ?? []) {
      walkFormula(term.formula, (f) => {
        if (f.kind !== "ref") return;
        const res = program.refs.get(f);
        const to = res?.k === "param" ? live.get(params[res.index]!) : undefined;
        const name = f.path[0]!.span;
        if (to !== undefined) refs.push({ start: name.start.offset - formulaStart, end: name.end.offset - formulaStart, to });
      });
    }
    refs.sort((a, b) => a.start - b.start);
    const origin = { file: `<input ${++this.inputs}>`, text: input, offset: label.formulaAt };
    this.steps.push({ name: label.name, value: run.value, formula: { text: input.slice(label.formulaAt), origin }, refs });
    const needed = this.neededSteps();
    this.steps = this.steps.filter((s) => needed.has(s)); // a replaced step no other one was defined from
    return { kind: "value", text: printValue(run.value) };
  }

  /** Compiles `_input(STEPS) { return: FORMULA }` (the formula is `input` from `start` on) and calls it with the steps' values. */
  private async run(
    input: string,
    start: number,
    signal: AbortSignal,
  ): Promise<{ value: Value; program: KoProgram; assembled: Assembled } | Outcome> {
    const live = this.liveSteps();
    const assembled = this.assemble(this.inputPieces(input, start));
    const program = this.compileOrFail(assembled);
    if (!("program" in program)) return program;
    const fn = program.program.func(INPUT_FUNC)!;
    const args = [...live.values()].map((s) => ({ name: s.name, value: s.value, monadic: false }));
    // What the checker proves would fail is refused before anything runs, as `ko run` refuses it (D19).
    const report = program.program.check(fn, args);
    const errors = [...program.program.deferredErrors(report), ...report.errors];
    if (errors.length > 0)
      return {
        kind: "error",
        text: render(
          errors.map((d) => relocate(assembled, d)),
          lookup(assembled),
        ),
        status: EXIT.compile,
      };
    try {
      const value = await this.opts.session.call(program.program, fn, args, { signal });
      return { value, program: program.program, assembled };
    } catch (e) {
      if (!(e instanceof KoFailure)) throw e;
      const d = failureDiagnostic(e);
      if (d === undefined) return { kind: "error", text: renderFailure(e, lookup(assembled)), status: EXIT.runtime };
      const mapped = {
        ...d,
        span: locate(assembled, d.span),
        frames: (d.frames ?? []).map((f) => ({ ...f, span: locate(assembled, f.span) })),
      };
      return { kind: "error", text: renderDiagnostic(mapped, lookup(assembled)), status: EXIT.runtime };
    }
  }

  private compileOrFail(assembled: Assembled): { program: KoProgram } | Outcome {
    try {
      return { program: this.opts.session.compile({ kind: "text", text: assembled.text, pkgPath: PACKAGE, path: SOURCE }) };
    } catch (e) {
      if (!(e instanceof KoCompileError)) throw e;
      return {
        kind: "error",
        text: render(
          e.diagnostics.map((d) => relocate(assembled, d)),
          lookup(assembled),
        ),
        status: EXIT.compile,
      };
    }
  }

  private compileErrors(assembled: Assembled): Outcome | undefined {
    const result = this.compileOrFail(assembled);
    return "program" in result ? undefined : result;
  }

  // -------------------------------------------------------------------------------------------
  // Commands

  private command(line: string): Outcome {
    const space = line.search(/\s/);
    const name = space < 0 ? line : line.slice(0, space);
    const arg = space < 0 ? "" : line.slice(space + 1).trim();
    switch (name) {
      case ":help":
      case ":h":
        return { kind: "note", text: helpText() };
      case ":quit":
      case ":q":
      case ":exit":
        return { kind: "quit" };
      case ":load":
        return this.load(arg);
      case ":graph":
        return this.graph(arg);
      case ":type":
        return this.type(arg);
      default:
        return { kind: "error", text: `unknown command ${name}; :help lists the commands\n`, status: EXIT.usage };
    }
  }

  private load(file: string): Outcome {
    if (file === "") return { kind: "error", text: ":load needs a file: :load FILE\n", status: EXIT.usage };
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      return { kind: "error", text: `cannot read ${file}\n`, status: EXIT.usage };
    }
    const parsed = parseFile(file, text);
    if (parsed.diagnostics.length > 0) return { kind: "error", text: render(parsed.diagnostics, () => text), status: EXIT.compile };
    return this.define(parsed, { file, text });
  }

  private graph(name: string): Outcome {
    if (name === "") return { kind: "error", text: ":graph needs a function: :graph FUNC\n", status: EXIT.usage };
    const compiled = this.compileOrFail(this.assemble([]));
    if (!("program" in compiled)) return compiled;
    const dot = name.lastIndexOf(".");
    const fn = dot < 0 ? compiled.program.func(name) : compiled.program.func(name.slice(dot + 1), name.slice(0, dot));
    if (fn === undefined) {
      const known = compiled.program.functionNames().join(", ") || "none yet";
      return { kind: "error", text: `no Ko function ${name} (defined: ${known})\n`, status: EXIT.usage };
    }
    return { kind: "note", text: graphText(name, fn.circuit) };
  }

  private type(formula: string): Outcome {
    if (formula === "") return { kind: "error", text: ":type needs a formula: :type EXPR\n", status: EXIT.usage };
    const compiled = this.compileOrFail(this.assemble(this.inputPieces(formula, 0)));
    if (!("program" in compiled)) return compiled;
    // The language service's analysis: the same types as hover shows for the formula in a file.
    const assembled = this.typeSource({ text: formula, origin: { file: INPUT, text: formula, offset: 0 } });
    const analysis = this.analyze(assembled);
    const start = assembled.starts[assembled.starts.length - 2]!;
    const end = start + formula.length;
    const type = analysis.types?.typeOf(SOURCE, start, end) ?? "(no type inferred)";
    // A formula certain to fail has the type Never; say why, as `ko check` would.
    const failures = (analysis.types?.diagnostics() ?? [])
      .filter((d) => d.severity === "error" && d.span.file === SOURCE && start <= d.span.start.offset && d.span.end.offset <= end)
      .map((d) => `\n  fails: ${d.message}`);
    return { kind: "note", text: type + failures.join("") };
  }

  // -------------------------------------------------------------------------------------------

  private assemble(extra: readonly Piece[]): Assembled {
    return assemble([...this.imports.values(), ...this.functions.values(), ...extra]);
  }

  /** The language service's analysis of assembled source; `previous` stands in for its types while it does not compile. */
  private analyze(assembled: Assembled, previous?: Analysis): Analysis {
    const opts = { roots: this.opts.session.roots, readFile: readDisk, ...(previous ? { previous } : {}) };
    return analyze({ kind: "text", path: SOURCE, text: assembled.text, pkgPath: PACKAGE }, opts);
  }

  /** The steps inputs see: the last of each name, in the order first defined. */
  private liveSteps(): Map<string, ReplStep> {
    const live = new Map<string, ReplStep>();
    for (const s of this.steps) live.set(s.name, s);
    return live;
  }

  /** The steps inputs see, and those they were defined from. */
  private neededSteps(): Set<ReplStep> {
    const needed = new Set<ReplStep>();
    const need = (s: ReplStep): void => {
      if (needed.has(s)) return;
      needed.add(s);
      for (const r of s.refs) need(r.to);
    };
    this.liveSteps().forEach(need);
    return needed;
  }

  /**
   * The formula `input` from `start` on, as the pieces of `_input(STEPS) { return: FORMULA }`;
   * only the formula has an origin. Its second last piece is the formula.
   */
  private inputPieces(input: string, start: number): Piece[] {
    const params = [...this.liveSteps().keys()].join(", ");
    return [
      { text: `${INPUT_FUNC}(${params}) {\n\treturn: ` },
      { text: input.slice(start), origin: { file: INPUT, text: input, offset: start } },
      { text: "\n}\n" },
    ];
  }

  /**
   * The session as the static types see it: `_input() { STEPS; return: FORMULA }`, each step
   * with its formula, so that its type is its formula's. A replaced step that a later one was
   * defined from keeps its place under a hidden label (`_x_v1`, which a user's step of that very
   * name would clash with). The second last piece is the formula.
   */
  private typeSource(formula: Piece): Assembled {
    const live = new Set(this.liveSteps().values());
    const needed = this.neededSteps();
    const labelOf = (s: ReplStep) => (live.has(s) ? s.name : `_${s.name}_v${this.steps.indexOf(s)}`);
    const steps: Piece[] = [];
    for (const s of this.steps) {
      if (!needed.has(s)) continue;
      let text = "";
      let at = 0;
      for (const r of s.refs) {
        text += s.formula.text.slice(at, r.start) + labelOf(r.to);
        at = r.end;
      }
      text += s.formula.text.slice(at);
      steps.push({ text: `\t${labelOf(s)}: ` }, { text, origin: s.formula.origin }, { text: "\n" });
    }
    return this.assemble([{ text: `${INPUT_FUNC}() {\n` }, ...steps, { text: "\treturn: " }, formula, { text: "\n}\n" }]);
  }
}

function assemble(pieces: readonly Piece[]): Assembled {
  const starts: number[] = [];
  let at = 0;
  for (const p of pieces) {
    starts.push(at);
    at += p.text.length;
  }
  return { text: pieces.map((p) => p.text).join(""), starts, pieces };
}

/** A span of the assembled source, moved to the text it came from. */
function locate(a: Assembled, span: Span): Span {
  if (span.file !== SOURCE) return span;
  for (let i = a.pieces.length - 1; i >= 0; i--) {
    const start = a.starts[i]!;
    const origin = a.pieces[i]!.origin;
    if (span.start.offset < start) continue;
    if (origin === undefined) break;
    const lines = new LineMap(origin.file, origin.text);
    const shift = origin.offset - start;
    return lines.span(span.start.offset + shift, Math.max(span.start.offset, span.end.offset) + shift);
  }
  return span;
}

/**
 * A diagnostic of the assembled source, moved to the inputs it came from. A note about the
 * source's own scaffolding (the `}` that closes `_input`) would point at nothing the user wrote,
 * and is left out.
 */
function relocate(a: Assembled, d: Diagnostic): Diagnostic {
  const related = d.related?.map((r) => ({ ...r, span: locate(a, r.span) })).filter((r) => r.span.file !== SOURCE);
  return {
    ...d,
    span: locate(a, d.span),
    ...(related ? { related } : {}),
    ...(d.frames ? { frames: d.frames.map((f) => ({ ...f, span: locate(a, f.span) })) } : {}),
  };
}

/** Source text for excerpts: every origin, and the assembled source itself. */
function lookup(a: Assembled): (file: string) => string | undefined {
  return (file) => (file === SOURCE ? a.text : a.pieces.find((p) => p.origin?.file === file)?.origin?.text);
}

function render(diagnostics: readonly Diagnostic[], sources: (file: string) => string | undefined): string {
  return diagnostics.map((d) => renderDiagnostic(d, sources)).join("");
}

/** `NAME: FORMULA`: a step's name, and where its formula starts. */
function stepLabel(input: string): { name: string; formulaAt: number } | undefined {
  const m = /^\s*([\p{L}_][\p{L}\p{Nd}_]*)\s*:[ \t]*/u.exec(input);
  return m === null || m[1] === "return" ? undefined : { name: m[1]!, formulaAt: m[0].length };
}

/** The brackets that close those left open in `text`, innermost first (lexed, so those in strings and comments do not count). */
function closers(text: string): string {
  const open: string[] = [];
  for (const t of lex(text).tokens) {
    if (t.tokenType === LParen) open.push(")");
    else if (t.tokenType === LBracket) open.push("]");
    else if (t.tokenType === LBrace) open.push("}");
    else if (t.tokenType === RParen || t.tokenType === RBracket || t.tokenType === RBrace) open.pop();
  }
  return open.reverse().join("");
}

/** An input that starts like an import or a function definition, and is meant as one. */
function looksLikeDefinition(input: string): boolean {
  return /^\s*(import|use)\s/.test(input) || /^\s*[\p{L}_][\p{L}\p{Nd}_]*\s*\([^()]*\)\s*\{/u.test(input);
}

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const commands = Object.entries(COMMANDS).map(([c, what]) => `  ${c.padEnd(width)}  ${what}`);
  return [
    "Type a formula to evaluate it (Sum(1, 2)), a step to name its value (x: (a: 1, b: 2); then x.a),",
    'a function definition to define it (F(x) { return: x }), or an import (import "strings").',
    "An input goes on while a bracket is open. Tab completes names, and fields after a '.'.",
    ...commands,
  ].join("\n");
}

function readDisk(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
