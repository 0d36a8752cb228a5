/** `ko` builds its parser without Chevrotain's validations, for a fast start; here they run. */
import { expect, test } from "vitest";
import { KoParser } from "../../src/syntax/parser.js";

test("the grammar passes Chevrotain's validations (no ambiguity, no left recursion)", () => {
  expect(() => new KoParser(true)).not.toThrow();
});
