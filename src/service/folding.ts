/**
 * Folding ranges: function bodies, brackets written over several lines, runs of comments and
 * groups of imports. Given as offsets, so that they can be mapped onto a buffer edited since.
 */
import { walkFormula, type FileAst, type FuncDef } from "../syntax/ast.js";
import type { Span } from "../diag/span.js";
import { BlockComment, lex, LineMap } from "../syntax/index.js";

export interface Fold {
  /** Where the fold starts, and where its last line is: the closing bracket's line, or the comment's. */
  readonly start: number;
  readonly end: number;
  /** A bracket's fold stops on the line before its closing bracket, which stays in view. */
  readonly beforeEnd: boolean;
  readonly kind?: "comment" | "imports";
}

export function foldingRanges(ast: FileAst, text: string): Fold[] {
  const out: Fold[] = [];
  const bracket = (from: Span, to: Span) => {
    if (to.end.line > from.start.line + 1) out.push({ start: from.start.offset, end: to.end.offset, beforeEnd: true });
  };
  const func = (def: FuncDef) => {
    bracket(def.span, def.bodySpan);
    for (const t of def.steps) {
      walkFormula(t.formula, (f) => {
        if (f.kind === "invoke" || f.kind === "augment") bracket(f.argsSpan, f.argsSpan);
        else if (f.kind === "inline") func(f.def);
      });
    }
  };
  for (const def of ast.funcs) func(def);
  const imports = ast.imports;
  const first = imports[0];
  const last = imports[imports.length - 1];
  if (first && last && last.span.end.line > first.span.start.line) {
    out.push({ start: first.span.start.offset, end: last.span.end.offset, beforeEnd: false, kind: "imports" });
  }
  out.push(...commentRuns(text));
  return out;
}

/** Multi-line block comments, and runs of line comments on consecutive lines. */
function commentRuns(text: string): Fold[] {
  const lines = new LineMap("", text);
  const out: Fold[] = [];
  let run: { start: number; end: number; firstLine: number; lastLine: number } | undefined;
  const flush = () => {
    if (run && run.lastLine > run.firstLine) out.push({ start: run.start, end: run.end, beforeEnd: false, kind: "comment" });
  };
  for (const c of lex(text).comments) {
    const end = c.startOffset + c.image.length;
    const firstLine = lines.lineIndex(c.startOffset);
    const lastLine = lines.lineIndex(end - 1);
    if (c.tokenType === BlockComment) {
      if (lastLine > firstLine) out.push({ start: c.startOffset, end, beforeEnd: false, kind: "comment" });
      continue;
    }
    if (run && firstLine === run.lastLine + 1) {
      run.end = end;
      run.lastLine = lastLine;
    } else {
      flush();
      run = { start: c.startOffset, end, firstLine, lastLine };
    }
  }
  flush();
  return out;
}
