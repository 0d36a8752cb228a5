/** `ko` builds its lexer and parser without Chevrotain's validations, for a fast start; here they run. */
import { expect, test } from "vitest";
import { KoParser } from "../../src/syntax/parser.js";
import { makeLexer } from "../../src/syntax/tokens.js";

test("the token definitions pass the lexer's validations and optimisations", () => {
  expect(() => makeLexer(true)).not.toThrow();
});

test("the grammar passes Chevrotain's validations (no ambiguity, no left recursion)", () => {
  expect(() => new KoParser(true)).not.toThrow();
});
