/** `ko` builds its parser without Chevrotain's validations, for a fast start; here they run. */
import { expect, test } from "vitest";
import { KoParser, POSTFIX_STARTS } from "../../src/syntax/parser.js";

test("the grammar passes Chevrotain's validations (no ambiguity, no left recursion)", () => {
  expect(() => new KoParser(true)).not.toThrow();
});

test("the parser's shortcut past a formula's postfixes knows every token a postfix can start with", () => {
  // parser.ts skips the MANY of postfixes when startsPostfix says the next token cannot start one:
  // its list must be the grammar's own first set of the postfix rule.
  const first = new KoParser().computeContentAssist("postfix", []).map((s) => s.nextTokenType);
  expect(new Set(first)).toEqual(new Set(POSTFIX_STARTS));
  expect(first.length).toBeGreaterThan(0);
});
