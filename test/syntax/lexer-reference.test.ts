/**
 * The lexer (lexer.ts) reads what the token definitions (tokens.ts) say: the tokens, comments and
 * problems it gives are those of Chevrotain's lexer over the definitions, which tries each in
 * order at every character (its safe mode), on every character alone and among others, and on
 * random text.
 */
import { Lexer, type IToken } from "chevrotain";
import { expect, test } from "vitest";
import { lex } from "../../src/syntax/index.js";
import { visible, type LexProblem } from "../../src/syntax/literals.js";
import { allTokens } from "../../src/syntax/tokens.js";

const reference = new Lexer(allTokens, { positionTracking: "onlyOffset", safeMode: true });

const show = (t: IToken) => `${t.tokenType.name}@${t.startOffset}:${JSON.stringify(t.image)}:${JSON.stringify(t.payload ?? null)}`;
const showProblem = (p: LexProblem) => JSON.stringify(p);

/** What the lexer must give for `text`, from the reference: one problem per run of illegal characters. */
function expected(text: string) {
  const r = reference.tokenize(text);
  const comments = r.groups["comments"] ?? [];
  const problems: LexProblem[] = [];
  for (const t of [...comments, ...r.tokens]) problems.push(...((t.payload as { problems?: LexProblem[] } | undefined)?.problems ?? []));
  let runEnd = -1;
  for (const t of r.groups["illegal"] ?? []) {
    const continues = t.startOffset === runEnd;
    runEnd = t.startOffset + t.image.length;
    if (continues) continue;
    const message = `unrecognized token "${visible(t.image)}"`;
    problems.push({ offset: t.startOffset, length: t.image.length, code: "lex/unrecognized-token", message });
  }
  expect(r.errors).toEqual([]);
  problems.sort((a, b) => a.offset - b.offset);
  return { tokens: r.tokens.map(show), comments: comments.map(show), problems: problems.map(showProblem) };
}

function actual(text: string) {
  const r = lex(text);
  return { tokens: r.tokens.map(show), comments: r.comments.map(show), problems: r.problems.map(showProblem) };
}

test("the token definitions pass the lexer's validations", () => {
  expect(() => new Lexer(allTokens, { positionTracking: "onlyOffset", safeMode: true, skipValidations: false })).not.toThrow();
});

test("every character, alone and among others, is read as the definitions say", () => {
  const differing: string[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    for (const text of [ch, `a${ch}b`, `${ch} x`, `1${ch}2`, `"${ch}"`]) {
      if (JSON.stringify(actual(text)) !== JSON.stringify(expected(text)))
        differing.push(`U+${c.toString(16).padStart(4, "0")} in ${JSON.stringify(text)}`);
    }
    if (differing.length > 10) break;
  }
  expect(differing).toEqual([]);
});

test("random text is read as the definitions say", () => {
  let seed = 11;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pieces = [
    "a",
    "_b",
    "größe",
    "𝒳",
    "1",
    "0x1F",
    "0b2",
    "1e",
    ".5",
    "1.",
    "..",
    '"s\\n"',
    '"\\q',
    "`r`",
    "'c'",
    "//c\n",
    "/* b */",
    "/*",
    " ",
    "\t",
    "\r",
    "\n",
    ",",
    ";",
    ":",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-",
    "?",
    "#",
    "\u00a0",
    "\ufeff",
    "\ud800",
    "/",
  ];
  for (let k = 0; k < 2000; k++) {
    let text = "";
    for (let i = Math.floor(next() * 30); i > 0; i--) text += pieces[Math.floor(next() * pieces.length)];
    expect(actual(text), JSON.stringify(text)).toEqual(expected(text));
  }
});
