/**
 * The syntax stage: source text -> AST and diagnostics, in three steps: lex (lexer.ts), check
 * and repair bracket nesting (brackets.ts), parse (parser.ts), whose actions build the AST
 * (builder.ts) as they go.
 * Every step reports what it can and goes on, so a file always gets an AST (possibly partial),
 * and no input makes parseFile throw.
 */
import type { IRecognitionException, IToken } from "chevrotain";
import { error, type Diagnostic } from "../diag/diagnostic.js";
import type { Span } from "../diag/span.js";
import type { FileAst } from "./ast.js";
import { balanceBrackets } from "./brackets.js";
import { AstBuilder } from "./builder.js";
import { MAX_DIAGNOSTICS } from "./limits.js";
import { LineMap } from "./lines.js";
import { parseTokens } from "./parser.js";
import { lex } from "./lexer.js";
import { BlockComment, isVirtual } from "./tokens.js";

export {
  allTokens,
  BlockComment,
  CharLiteral,
  Colon,
  Dot,
  Float,
  Ident,
  Illegal,
  Int,
  InterpretedString,
  LBrace,
  LBracket,
  Line,
  LineComment,
  LParen,
  Minus,
  NumberLit,
  Question,
  RawString,
  RBrace,
  RBracket,
  RParen,
  StringLit,
} from "./tokens.js";
export { lex, type LexResult } from "./lexer.js";
export { commentText, tokenIndexAt } from "./doc-comments.js";
export { knownWithoutInline } from "./builder.js";
export { MAX_DIAGNOSTICS, MAX_FORMULA_DEPTH, MAX_NESTING } from "./limits.js";
export { LineMap } from "./lines.js";

/** A comment in the source, for documentation tools and the formatter. */
export interface SourceComment {
  readonly kind: "line" | "block";
  /** The comment as written, markers included. */
  readonly text: string;
  readonly span: Span;
}

export interface ParseResult {
  readonly ast: FileAst;
  /** Lexical and syntax errors, in source order. */
  readonly diagnostics: Diagnostic[];
  readonly comments: SourceComment[];
}

/** Lexes and parses one file. Never throws. */
export function parseFile(file: string, text: string): ParseResult {
  const lines = new LineMap(file, text);
  const lexed = lex(text);
  const lexical = lexed.problems
    .slice(0, MAX_DIAGNOSTICS + 1)
    .map((p) => error("lex", p.code, p.message, lines.span(p.offset, p.offset + p.length)));
  const comments = lexed.comments.map((c) => sourceComment(c, lines));
  const { ast, diagnostics } = parseLexed(lexed.tokens, lexed.comments, lines);
  const swallowed = lexed.problems.some((p) => p.unterminated === true);
  return { ast, diagnostics: arrange(lexical, diagnostics, swallowed), comments };
}

function parseLexed(lexedTokens: IToken[], comments: IToken[], lines: LineMap): { ast: FileAst; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  try {
    const balanced = balanceBrackets(lexedTokens, lines);
    diagnostics.push(...balanced.diagnostics);
    if (balanced.tooDeep) return { ast: emptyFile(lines), diagnostics };
    const builder = new AstBuilder(lines, balanced.tokens, comments);
    const errors = parseTokens(balanced.tokens, builder);
    diagnostics.push(...parserDiagnostics(errors, lines), ...builder.diagnostics);
    return { ast: builder.build(), diagnostics };
  } catch (e) {
    // Only a stack overflow on pathological input is expected here (see MAX_NESTING).
    const d =
      e instanceof RangeError
        ? error("syntax", "syntax/too-deep", "the file is nested too deeply to parse", lines.span(0, 0))
        : error("syntax", "syntax/internal", `internal error while parsing: ${String(e)}`, lines.span(0, 0));
    diagnostics.push(d);
    return { ast: emptyFile(lines), diagnostics };
  }
}

/**
 * Turns the parser's errors into diagnostics at the offending token. An error at a closer the
 * bracket pass inserted is dropped: the imbalance was already reported there.
 */
function parserDiagnostics(errors: readonly IRecognitionException[], lines: LineMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const t = e.token;
    let span: Span;
    if (!Number.isNaN(t.startOffset) && t.image !== "") {
      span = lines.span(t.startOffset, t.startOffset + t.image.length);
    } else if (!Number.isNaN(t.startOffset) && !t.isInsertedInRecovery) {
      continue; // a closer from the bracket pass
    } else {
      // End of file, or a token the parser invented: point just after the previous real token.
      const prev = (e as { previousToken?: IToken }).previousToken;
      const at = prev && !isVirtual(prev) ? prev.startOffset + prev.image.length : lines.text.length;
      span = lines.span(at, at);
    }
    const key = `${span.start.offset}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(error("syntax", "syntax/unexpected-token", e.message, span));
  }
  return out;
}

/**
 * Puts diagnostics in source order and drops likely consequences of an error already reported:
 * - a second syntax error at the same place (the first found is the most direct);
 * - syntax errors after a lexical error on the same line (after `1 + 2` has been reported for
 *   its `+`, "missing separator before 2" is noise);
 * - unclosed brackets when a string or comment is not terminated (it swallowed the closers).
 * Caps the count at MAX_DIAGNOSTICS.
 */
function arrange(lexical: Diagnostic[], syntax: Diagnostic[], swallowed: boolean): Diagnostic[] {
  const firstLexOnLine = new Map<number, number>();
  for (const d of lexical) {
    const line = d.span.start.line;
    if (!firstLexOnLine.has(line)) firstLexOnLine.set(line, d.span.start.offset);
  }
  const reportedAt = new Set<number>();
  const kept = syntax.filter((d) => {
    if (swallowed && d.code === "syntax/unclosed-bracket") return false;
    const at = d.span.start.offset;
    if (reportedAt.has(at)) return false;
    reportedAt.add(at);
    const lexAt = firstLexOnLine.get(d.span.start.line);
    return lexAt === undefined || at < lexAt;
  });
  const all = [...lexical, ...kept].sort((a, b) => a.span.start.offset - b.span.start.offset);
  if (all.length <= MAX_DIAGNOSTICS) return all;
  const cut = all.slice(0, MAX_DIAGNOSTICS);
  const next = all[MAX_DIAGNOSTICS]!;
  cut.push(error(next.stage, "syntax/too-many-errors", "too many errors; stopped reporting", next.span));
  return cut;
}

function sourceComment(c: IToken, lines: LineMap): SourceComment {
  return {
    kind: c.tokenType === BlockComment ? "block" : "line",
    text: c.image,
    span: lines.span(c.startOffset, c.startOffset + c.image.length),
  };
}

function emptyFile(lines: LineMap): FileAst {
  return { file: lines.file, imports: [], funcs: [], span: lines.span(0, lines.text.length) };
}
