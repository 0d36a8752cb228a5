/**
 * Semantic tokens: what each name means, which a grammar cannot know — a parameter, a step, a
 * function of the package or a builtin, an import alias, a selected field — plus comments,
 * strings, numbers and the words `import`, `as` and `return`. Offsets are in the analysed text.
 */
import { CharLiteral, Float, Ident, Int, InterpretedString, lex, RawString } from "../syntax/index.js";
import { IDIOM_PACKAGE } from "../resolve/packages.js";
import { sourceFile } from "./places.js";
import type { Analysis } from "./analysis.js";
import type { Occurrence } from "./occurrences.js";

/** The legend: token types and modifiers, by index. */
export const TOKEN_TYPES = [
  "namespace",
  "function",
  "parameter",
  "variable",
  "property",
  "keyword",
  "comment",
  "string",
  "number",
] as const;
export const TOKEN_MODIFIERS = ["declaration", "defaultLibrary"] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];

export interface SemanticToken {
  readonly start: number;
  readonly length: number;
  readonly type: TokenType;
  readonly declaration: boolean;
  readonly library: boolean;
}

export function semanticTokens(analysis: Analysis, file: string): SemanticToken[] {
  const text = analysis.texts.get(file);
  if (text === undefined) return [];
  const out: SemanticToken[] = [];
  const token = (start: number, length: number, type: TokenType, declaration = false, library = false) =>
    out.push({ start, length, type, declaration, library });

  const lexed = lex(text);
  for (const c of lexed.comments) token(c.startOffset, c.image.length, "comment");
  for (const t of lexed.tokens) {
    if (t.tokenType === InterpretedString || t.tokenType === RawString || t.tokenType === CharLiteral)
      token(t.startOffset, t.image.length, "string");
    else if (t.tokenType === Int || t.tokenType === Float) token(t.startOffset, t.image.length, "number");
  }
  const source = sourceFile(analysis.program, file);
  for (const d of source?.ast.imports ?? []) {
    token(d.span.start.offset, text.startsWith("use", d.span.start.offset) ? 3 : 6, "keyword");
    if (d.alias) {
      const as = lexed.tokens.find((t) => t.tokenType === Ident && t.image === "as" && t.startOffset >= d.pathSpan.end.offset);
      if (as) token(as.startOffset, 2, "keyword");
    }
  }
  for (const o of analysis.index.inFile(file)) {
    const kind = classify(o);
    if (kind) token(o.start, o.end - o.start, kind.type, o.declaration, kind.library);
  }
  return out.sort((a, b) => a.start - b.start);
}

function classify(o: Occurrence): { type: TokenType; library: boolean } | undefined {
  const t = o.target;
  switch (t.kind) {
    case "func":
      return { type: "function", library: t.info.pkg.path === IDIOM_PACKAGE };
    case "host":
      return { type: "function", library: true };
    case "param":
    case "hostParam":
      return { type: "parameter", library: false };
    case "step":
      return { type: t.term.label!.text === "return" && o.declaration ? "keyword" : "variable", library: false };
    case "alias":
      // An import without `as` is declared by its path, which stays a string.
      return o.declaration && t.decl.alias === undefined ? undefined : { type: "namespace", library: false };
    case "field":
      return { type: "property", library: false };
    case "bool":
      return { type: "keyword", library: false };
  }
}
