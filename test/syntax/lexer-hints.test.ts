/**
 * The lexer's start-character hints (tokens.ts, startChars) list one character of each of
 * Chevrotain's blocks of characters above 255 instead of every character. This checks that the
 * lexer still tokenises every character, alone and between letters, exactly as a lexer that
 * tries every matcher at every character (Chevrotain's safe mode, which ignores the hints).
 */
import { Lexer, type ILexingResult } from "chevrotain";
import { expect, test } from "vitest";
import { allTokens, makeLexer } from "../../src/syntax/tokens.js";

const shape = (r: ILexingResult) => ({
  tokens: r.tokens.map((t) => `${t.tokenType.name}@${t.startOffset}:${t.image}`),
  groups: Object.fromEntries(
    Object.entries(r.groups).map(([g, ts]) => [g, ts.map((t) => `${t.tokenType.name}@${t.startOffset}:${t.image}`)]),
  ),
  errors: r.errors.map((e) => `${e.offset}:${e.length}`),
});

test("the start-character hints change no tokenisation of any character", () => {
  const hinted = makeLexer();
  const safe = new Lexer(allTokens, { positionTracking: "onlyOffset", safeMode: true, skipValidations: true });
  const differing: string[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    for (const text of [ch, `a${ch}b`, `${ch} x`]) {
      const a = shape(hinted.tokenize(text));
      const b = shape(safe.tokenize(text));
      if (JSON.stringify(a) !== JSON.stringify(b)) differing.push(`U+${c.toString(16).padStart(4, "0")} in ${JSON.stringify(text)}`);
    }
    if (differing.length > 10) break;
  }
  expect(differing).toEqual([]);
});
