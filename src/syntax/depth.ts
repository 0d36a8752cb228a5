/**
 * The formula depth limit (MAX_FORMULA_DEPTH): later stages walk formulas recursively, so a
 * definition is cut down to the depth they can walk. A formula's depth counts the nodes it is
 * nested in: a bracket's terms are one deeper than the bracket, a callee or a selection's target
 * one deeper than the node that applies to it, a definition's steps one deeper than the definition.
 *
 * The parser builds a formula from its primary outwards and only knows how long a postfix chain
 * is once it has read it, so the limit is applied afterwards, to a whole top-level definition and
 * only when the parser saw enough nesting for it to matter (see KoParser.tooDeep). Where the
 * limit is first passed it is reported once per file: at the first postfix of a chain that does
 * not fit, or at the first token of a list too deep. What is cut (the postfixes that do not fit,
 * the terms of a list too deep) is dropped with the diagnostics it had.
 */
import { startOffset, endOffset } from "../diag/span.js";
import type { Augment, Formula, FuncDef, Invoke, Select, Term } from "./ast.js";
import type { AstBuilder } from "./builder.js";
import { tokenIndexAt } from "./doc-comments.js";
import { MAX_FORMULA_DEPTH } from "./limits.js";
import { Line } from "./tokens.js";

/** A postfix of a chain: a bracket applied to a callee, or a run of selections. */
type Level = (Invoke & { callee: Formula }) | (Augment & { callee: Formula }) | Select;

export class DepthLimit {
  private reported = false;

  constructor(private readonly ast: AstBuilder) {}

  /** `def`, a top-level definition, cut to the depth limit. */
  topLevel(def: FuncDef): FuncDef {
    return this.funcDef(def, 0);
  }

  private funcDef(def: FuncDef, depth: number): FuncDef {
    const steps = this.terms(def.steps, depth + 1, undefined, startOffset(def.bodySpan));
    return steps === def.steps ? def : { ...def, steps };
  }

  /**
   * The terms of a list at `depth`, which is between the tokens at `open` (unknown for a body)
   * and `close` (where its closer starts, or ends).
   */
  private terms(terms: readonly Term[], depth: number, open: number | undefined, close: number): readonly Term[] {
    if (depth > MAX_FORMULA_DEPTH) {
      const start = this.listStart(terms, open, close);
      if (start === undefined) return terms;
      this.ast.dropDiagnostics(start, close);
      this.tooDeep(start);
      return [];
    }
    let changed = false;
    const limited = terms.map((t) => {
      const formula = this.formula(t.formula, depth);
      if (formula === t.formula) return t;
      changed = true;
      return { ...t, formula };
    });
    return changed ? limited : terms;
  }

  /** A formula at `depth`: its postfix chain cut to the levels that fit, each part limited in turn. */
  private formula(f: Formula, depth: number): Formula {
    const levels = chainOf(f);
    const room = MAX_FORMULA_DEPTH - depth;
    let top = f;
    if (levels.length > room) {
      const cut = levels[levels.length - room - 1]!;
      this.ast.dropDiagnostics(this.postfixStart(cut), endOffset(f.span));
      this.tooDeep(this.postfixStart(cut));
      levels.splice(0, levels.length - room);
      top = levels[0] ?? primaryOf(cut);
    }
    return this.rebuild(top, levels, depth);
  }

  /** `levels` (outermost first) down to their primary, each at its depth, rebuilt where something was cut. */
  private rebuild(f: Formula, levels: readonly Level[], depth: number): Formula {
    // Iterative: a chain can be long; what is below a level is rebuilt before the level.
    const inner = levels.length > 0 ? primaryOf(levels[levels.length - 1]!) : f;
    let below = this.primary(inner, depth + levels.length);
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      const levelDepth = depth + i;
      if (level.kind === "select") {
        below = below === level.target ? level : { ...level, target: below };
        continue;
      }
      const terms = this.terms(level.terms, levelDepth + 1, startOffset(level.argsSpan), closerOf(level));
      below = below === level.callee && terms === level.terms ? level : { ...level, callee: below, terms };
    }
    return below;
  }

  private primary(f: Formula, depth: number): Formula {
    switch (f.kind) {
      case "invoke":
      case "augment": {
        const terms = this.terms(f.terms, depth + 1, startOffset(f.argsSpan), closerOf(f));
        return terms === f.terms ? f : { ...f, terms };
      }
      case "inline": {
        const def = this.funcDef(f.def, depth);
        return def === f.def ? f : { ...f, def };
      }
      default:
        return f;
    }
  }

  /**
   * The first token of a list (a separator or a term's), which is where a list too deep is
   * reported: the token after its opener, or, when the opener is unknown, before its first term
   * and the separators before that. Undefined for a body without tokens.
   */
  private listStart(terms: readonly Term[], open: number | undefined, close: number): number | undefined {
    const tokens = this.ast.tokens;
    if (open !== undefined) return tokens[tokenIndexAt(tokens, open) + 1]?.startOffset ?? close;
    if (terms.length === 0) return undefined;
    let i = tokenIndexAt(tokens, startOffset(terms[0]!.span));
    while (i > 0 && tokens[i - 1]!.tokenType === Line) i--;
    return tokens[i]!.startOffset;
  }

  /** Where a postfix starts: its opening bracket, or the dot before a run of selections. */
  private postfixStart(level: Level): number {
    if (level.kind !== "select") return startOffset(level.argsSpan);
    const tokens = this.ast.tokens;
    return tokens[tokenIndexAt(tokens, startOffset(level.fields[0]!.span)) - 1]!.startOffset;
  }

  private tooDeep(offset: number): void {
    if (this.reported) return;
    this.reported = true;
    const message = `formula nested too deeply (more than ${MAX_FORMULA_DEPTH} levels of brackets and postfix operators)`;
    this.ast.report("syntax/too-deep", message, this.ast.tokenSpanAt(offset));
  }
}

/** The postfix levels of `f`, outermost first (empty when `f` is a primary). */
function chainOf(f: Formula): Level[] {
  const levels: Level[] = [];
  for (let at: Formula = f; isLevel(at); at = at.kind === "select" ? at.target : at.callee) levels.push(at);
  return levels;
}

function isLevel(f: Formula): f is Level {
  return f.kind === "select" || ((f.kind === "invoke" || f.kind === "augment") && f.callee !== undefined);
}

function primaryOf(level: Level): Formula {
  return level.kind === "select" ? level.target : level.callee;
}

/** Where a bracket ends. */
function closerOf(f: Invoke | Augment): number {
  return endOffset(f.argsSpan);
}
