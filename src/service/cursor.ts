/**
 * What the cursor is in, read from the text as the editor has it now: a half-typed name, the
 * path of an import, a member after `alias.`, a field after `).`, or a term inside some bracket
 * (and if that bracket is a call, which function it calls and which argument is being written).
 *
 * This is read from tokens rather than from the syntax tree, because the tree is of the last
 * analysis (see workspace.ts) and because it must work on text that does not parse yet: the
 * brackets the user has opened and not closed say where the cursor is. The lexer is the
 * compiler's own; only the region from the start of the enclosing definition is lexed.
 */
import type { IToken } from "chevrotain";
import {
  BlockComment,
  Colon,
  Dot,
  Ident,
  InterpretedString,
  lex,
  LBrace,
  LBracket,
  Line,
  LParen,
  RawString,
  RBrace,
  RBracket,
  RParen,
  CharLiteral,
} from "../syntax/index.js";

/** The bracket the cursor is directly inside, when it is a call or an augmentation. */
export interface CallSite {
  /** The callee as written before the bracket (`F`, `strings.Join`); undefined for `(...)` after a bracket. */
  readonly callee: readonly string[] | undefined;
  /** Offset of the callee's first character (or the bracket) in the current text. */
  readonly calleeAt: number;
  readonly bracket: "(" | "[";
  /** Offset of the opening bracket in the current text. */
  readonly open: number;
  /** Labels of the terms written so far in this bracket. */
  readonly usedLabels: readonly string[];
  /** The label of the term the cursor is in, if it has one. */
  readonly label: string | undefined;
  /** Whether the term the cursor is in has no label (it is an unnamed argument). */
  readonly unlabelled: boolean;
}

export type CursorContext =
  | { readonly kind: "none" }
  | { readonly kind: "import"; readonly typed: string; readonly from: number }
  /** `a.b.typed`: a member of an imported package, or a field of a step or parameter. */
  | {
      readonly kind: "member";
      readonly qualifier: readonly string[];
      readonly typed: string;
      readonly from: number;
      readonly dotAt: number;
    }
  /** `F(x).typed`: a field of a formula's value. */
  | { readonly kind: "select"; readonly typed: string; readonly from: number; readonly dotAt: number }
  | {
      readonly kind: "formula";
      readonly typed: string;
      readonly from: number;
      /** At the start of a term, where a label may be written. */
      readonly termStart: boolean;
      /** Directly inside a function body (so a term there is a step). */
      readonly inBody: boolean;
      readonly call: CallSite | undefined;
    };

const IDENT_TAIL = /[\p{L}\p{Nd}_]*$/u;

/** The context at `offset` of `text`; `scopeStart` is where the enclosing top-level definition starts. */
export function cursorContext(text: string, offset: number, scopeStart: number): CursorContext {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const linePrefix = text.slice(lineStart, offset);
  const imp = /^\s*(?:import|use)\s+"([^"\\]*)$/.exec(linePrefix);
  if (imp) return { kind: "import", typed: imp[1]!, from: offset - imp[1]!.length };

  const typed = IDENT_TAIL.exec(linePrefix)![0];
  if (/^\p{Nd}/u.test(typed)) return { kind: "none" };
  const from = offset - typed.length;
  const windowText = text.slice(scopeStart, offset);
  const lexed = lex(windowText);
  if (endsInCommentOrString(lexed.tokens, lexed.comments, windowText.length)) return { kind: "none" };
  const tokens = lexed.tokens.filter((t) => t.startOffset < from - scopeStart);
  const abs = (t: IToken) => t.startOffset + scopeStart;

  const prev = tokens[tokens.length - 1];
  if (prev?.tokenType === Dot) {
    const before = tokens[tokens.length - 2];
    if (before?.tokenType === Ident)
      return { kind: "member", qualifier: qualifierBefore(tokens, tokens.length - 1), typed, from, dotAt: abs(prev) };
    if (before?.tokenType === RParen || before?.tokenType === RBracket) return { kind: "select", typed, from, dotAt: abs(prev) };
    return { kind: "none" };
  }

  const open = innermostOpen(tokens);
  if (open === undefined) return { kind: "none" }; // top level, or a parameter list
  const opener = tokens[open]!;
  const termStart = prev === opener || prev?.tokenType === Line;
  if (opener.tokenType === LBrace) return { kind: "formula", typed, from, termStart, inBody: true, call: undefined };
  if (opener.tokenType === LParen && !insideBody(tokens, open)) return { kind: "none" }; // parameters of a definition
  return { kind: "formula", typed, from, termStart, inBody: false, call: callSite(tokens, open, abs) };
}

function endsInCommentOrString(tokens: readonly IToken[], comments: readonly IToken[], end: number): boolean {
  const lastComment = comments[comments.length - 1];
  if (lastComment !== undefined) {
    const stop = lastComment.startOffset + lastComment.image.length;
    const closed = lastComment.tokenType === BlockComment && lastComment.image.length >= 4 && lastComment.image.endsWith("*/");
    if (stop >= end && !closed) return true;
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined || last.startOffset + last.image.length < end) return false;
  const quote =
    last.tokenType === InterpretedString ? '"' : last.tokenType === RawString ? "`" : last.tokenType === CharLiteral ? "'" : undefined;
  return quote !== undefined && (last.image.length < 2 || !last.image.endsWith(quote));
}

/** `a.b` in `a.b.|` or `a.b(`: the names joined by dots that end just before the token at `at`. */
export function qualifierBefore(tokens: readonly IToken[], at: number): string[] {
  const names: string[] = [];
  let i = at - 1;
  while (i >= 0 && tokens[i]!.tokenType === Ident) {
    names.unshift(tokens[i]!.image);
    if (i >= 1 && tokens[i - 1]!.tokenType === Dot) i -= 2;
    else break;
  }
  return names;
}

/** The index of the innermost bracket opened and not closed, if any. */
function innermostOpen(tokens: readonly IToken[]): number | undefined {
  const stack: number[] = [];
  tokens.forEach((t, i) => {
    if (t.tokenType === LParen || t.tokenType === LBracket || t.tokenType === LBrace) stack.push(i);
    else if ((t.tokenType === RParen || t.tokenType === RBracket || t.tokenType === RBrace) && stack.length > 0) stack.pop();
  });
  return stack[stack.length - 1];
}

/** Whether the bracket at `open` lies within a `{` (else it is a top-level parameter list). */
function insideBody(tokens: readonly IToken[], open: number): boolean {
  let depth = 0;
  for (let i = open - 1; i >= 0; i--) {
    const t = tokens[i]!.tokenType;
    if (t === RParen || t === RBracket || t === RBrace) depth++;
    else if (t === LParen || t === LBracket || t === LBrace) {
      if (depth === 0 && t === LBrace) return true;
      if (depth > 0) depth--;
    }
  }
  return false;
}

function callSite(tokens: readonly IToken[], open: number, abs: (t: IToken) => number): CallSite {
  const opener = tokens[open]!;
  let callee: string[] | undefined;
  let calleeAt = abs(opener);
  if (tokens[open - 1]?.tokenType === Ident) {
    callee = qualifierBefore(tokens, open);
    calleeAt = abs(tokens[open - callee.length * 2 + 1]!);
  }
  // The terms of this bracket so far: labels are `name :` at its own depth, after a separator.
  const usedLabels: string[] = [];
  let depth = 0;
  let termFirst = true;
  let label: string | undefined;
  let unlabelled = false;
  for (let i = open + 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType === LParen || t.tokenType === LBracket || t.tokenType === LBrace) depth++;
    else if (t.tokenType === RParen || t.tokenType === RBracket || t.tokenType === RBrace) depth--;
    if (depth !== 0) {
      termFirst = false;
      continue;
    }
    if (t.tokenType === Line) {
      termFirst = true;
      label = undefined;
      unlabelled = false;
      continue;
    }
    if (termFirst) {
      if (t.tokenType === Ident && tokens[i + 1]?.tokenType === Colon) {
        label = t.image;
        usedLabels.push(t.image);
      } else if (t.tokenType === Colon) {
        label = "";
      } else {
        unlabelled = true;
      }
    }
    termFirst = false;
  }
  return { callee, calleeAt, bracket: opener.tokenType === LBracket ? "[" : "(", open: abs(opener), usedLabels, label, unlabelled };
}
