/**
 * Data-driven error tests: every test/testdata/syntax/*.ko file is parsed, and its diagnostics
 * must match the expectations written in it. A line ending in
 *
 *     ### "regexp"          or     ### 12 "regexp"     (12 = expected column)
 *
 * (several may follow one `###`) must get a diagnostic whose message matches each regexp, and
 * every diagnostic must be expected by its line. Inside the quotes, `\"` stands for a quote;
 * everything else is the regexp as written. The `###` part is removed before parsing.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import { parseFile } from "../../src/syntax/index.js";

const dir = fileURLToPath(new URL("../testdata/syntax/", import.meta.url));

interface Expectation {
  readonly line: number;
  readonly col?: number;
  readonly pattern: RegExp;
}

/** Splits a test file into the source to parse and its expectations. */
export function readExpectations(text: string): { source: string; expected: Expectation[] } {
  const expected: Expectation[] = [];
  const lines = text.split("\n").map((line, i) => {
    const mark = line.indexOf("###");
    if (mark < 0) return line;
    const spec = line.slice(mark + 3);
    const item = /\s*(?:(\d+)\s+)?"((?:[^"\\]|\\.)*)"/y;
    let m: RegExpExecArray | null;
    let count = 0;
    let end = 0;
    while ((m = item.exec(spec)) !== null) {
      const col = m[1] === undefined ? undefined : Number(m[1]);
      expected.push({ line: i + 1, ...(col !== undefined && { col }), pattern: new RegExp(m[2]!.replace(/\\"/g, '"')) });
      count++;
      end = item.lastIndex;
    }
    if (count === 0 || spec.slice(end).trim() !== "") {
      throw new Error(`line ${i + 1}: malformed expectation: ${spec}`);
    }
    return line.slice(0, mark);
  });
  return { source: lines.join("\n"), expected };
}

function fits(d: Diagnostic, e: Expectation): boolean {
  return d.span.start.line === e.line && (e.col === undefined || d.span.start.col === e.col) && e.pattern.test(d.message);
}

const files = readdirSync(dir).filter((f) => f.endsWith(".ko"));

describe("syntax errors in testdata", () => {
  test("there are test files", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  test.each(files)("%s", (name) => {
    const { source, expected } = readExpectations(readFileSync(dir + name, "utf8"));
    const { diagnostics } = parseFile(name, source);
    const problems: string[] = [];
    for (const d of diagnostics) {
      if (!expected.some((e) => fits(d, e))) {
        problems.push(`unexpected ${d.span.start.line}:${d.span.start.col}: ${d.message}`);
      }
    }
    for (const e of expected) {
      if (!diagnostics.some((d) => fits(d, e))) {
        problems.push(`missing ${e.line}${e.col === undefined ? "" : `:${e.col}`}: ${e.pattern.source}`);
      }
    }
    expect(problems.join("\n")).toBe("");
  });
});

describe("the expectation reader", () => {
  test("reads columns, several patterns and escaped quotes", () => {
    const { source, expected } = readExpectations('a ### 3 "x\\"y" "z"\nb');
    expect(source).toBe("a \nb");
    expect(expected).toEqual([
      { line: 1, col: 3, pattern: /x"y/ },
      { line: 1, pattern: /z/ },
    ]);
  });

  test("rejects a malformed expectation", () => {
    expect(() => readExpectations("a ### oops")).toThrow(/malformed/);
  });
});
