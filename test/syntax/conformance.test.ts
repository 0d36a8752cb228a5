/**
 * The conformance programs (test/conformance/), as far as the syntax stage is concerned: the ones
 * whose compile error is a lexical or syntax error report it at the line the case expects (NAME.err
 * holds `NAME.ko:LINE:`); all others parse without any diagnostic.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { parseFile } from "../../src/syntax/index.js";
import { CONFORMANCE, conformanceNames } from "../support/conformance.js";
import { describe as summary } from "./helpers.js";

const cases = conformanceNames().map((n) => `${n}.ko`);

/** Cases whose expected compile error belongs to the syntax stage. */
const SYNTAX_ERRORS: Record<string, RegExp> = {
  "char_literal.ko": /character literals are not Ko/,
  "syntax_error.ko": /bracket imbalance/,
  "mixed_args_syntax_error.ko": /cannot mix labelled and unlabelled terms/,
  "int_literal_overflow.ko": /out of the Int64 range/,
};

describe("conformance programs", () => {
  test.each(cases)("%s", (name) => {
    const { diagnostics } = parseFile(name, readFileSync(path.join(CONFORMANCE, name), "utf8"));
    const expected = SYNTAX_ERRORS[name];
    if (expected === undefined) {
      expect(summary(diagnostics)).toBe("");
      return;
    }
    const err = readFileSync(path.join(CONFORMANCE, name.replace(/\.ko$/, ".err")), "utf8");
    const line = Number(/:(\d+):/.exec(err)![1]);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toMatch(expected);
    expect(diagnostics[0]!.span.start.line).toBe(line);
    expect(diagnostics[0]!.span.file).toBe(name);
  });
});
