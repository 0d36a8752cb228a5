/**
 * No input makes the syntax stage throw or hang: random bytes, random token soup, deep nesting,
 * huge lines. Every result is a well-formed AST with located diagnostics.
 */
import { describe, expect, test } from "vitest";
import type { Diagnostic } from "../../src/diag/diagnostic.js";
import type { Span } from "../../src/diag/span.js";
import { walkFormula, type FileAst, type FuncDef } from "../../src/syntax/ast.js";
import { MAX_DIAGNOSTICS, MAX_FORMULA_DEPTH, MAX_NESTING, parseFile } from "../../src/syntax/index.js";

/** A small deterministic generator, so a failure can be reproduced from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Plain checks, not `expect`: they run for every node of very large trees. */
function checkSpan(span: Span, text: string, what: string): void {
  const ok =
    span.file === "fuzz.ko" &&
    span.start.line >= 1 &&
    span.start.col >= 1 &&
    span.start.offset <= span.end.offset &&
    span.end.offset <= text.length;
  if (!ok) throw new Error(`bad span for ${what}: ${JSON.stringify(span)}`);
}

function checkFunc(f: FuncDef, text: string): void {
  checkSpan(f.span, text, "func");
  checkSpan(f.bodySpan, text, "body");
  for (const t of f.steps) {
    checkSpan(t.span, text, "term");
    walkFormula(t.formula, (x) => {
      checkSpan(x.span, text, x.kind);
      if (x.kind === "inline") checkFunc(x.def, text);
    });
  }
}

/** Parses without throwing and checks the shape of the result. */
function parseChecked(text: string): { ast: FileAst; diagnostics: Diagnostic[] } {
  const r = parseFile("fuzz.ko", text);
  for (const d of r.diagnostics) {
    checkSpan(d.span, text, d.message);
    expect(d.message).not.toMatch(/undefined|NaN|\[object/);
  }
  expect(r.diagnostics.length).toBeLessThanOrEqual(MAX_DIAGNOSTICS + 1);
  for (const f of r.ast.funcs) checkFunc(f, text);
  return r;
}

const PIECES = [
  "Main",
  "F",
  "x",
  "a.b",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ":",
  ",",
  ";",
  "\n",
  "?",
  "-",
  ".",
  "1",
  "0x1F",
  "1.5",
  '"s"',
  "`r`",
  "'c'",
  "//c\n",
  "/*c*/",
  "import",
  '"p"',
  "as",
  " ",
  "+",
  "F(a) {",
  "return:",
  "1__0",
  '"\\q"',
  "\t",
  "é",
  "`",
  '"',
  "/*",
  "\r\n",
];

describe("fuzz", () => {
  test("random bytes", () => {
    const next = random(1);
    for (let i = 0; i < 300; i++) {
      const length = Math.floor(next() * 200);
      let text = "";
      for (let k = 0; k < length; k++) text += String.fromCharCode(Math.floor(next() * 256));
      parseChecked(text);
    }
  });

  test("random UTF-16 units, lone surrogates included", () => {
    const next = random(2);
    for (let i = 0; i < 200; i++) {
      let text = "";
      for (let k = 0; k < 100; k++) text += String.fromCharCode(Math.floor(next() * 0x10000));
      parseChecked(text);
    }
  });

  test("random token soup", () => {
    const next = random(3);
    for (let i = 0; i < 2000; i++) {
      const length = Math.floor(next() * 60);
      let text = "";
      for (let k = 0; k < length; k++) text += PIECES[Math.floor(next() * PIECES.length)];
      parseChecked(text);
    }
  });

  test("valid programs with one token deleted or duplicated", () => {
    const program = 'import "s" as t\n// Doc.\nMain(a, b?) {\n\tx: F(a: 1, : 2)[y: -3].z\n\treturn: G(v) { return: (v, `r`) }(v: x)\n}';
    const pieces = program.split(/(?=[\s(){}[\]:,.?-])/);
    for (let i = 0; i < pieces.length; i++) {
      parseChecked([...pieces.slice(0, i), ...pieces.slice(i + 1)].join(""));
      parseChecked([...pieces.slice(0, i + 1), ...pieces.slice(i)].join(""));
    }
  });

  test("a megabyte of binary garbage", () => {
    const next = random(4);
    let text = "";
    for (let k = 0; k < 1 << 20; k++) text += String.fromCharCode(Math.floor(next() * 256));
    parseChecked(text);
  });
});

describe("limits", () => {
  test.each(["(", "[", "{", "F(x: ", "G() { return: "])("100,000 nested %j", (open) => {
    const text = `Main() { return: ${open.repeat(100_000)}`;
    const r = parseChecked(text);
    expect(r.diagnostics.map((d) => d.message)).toContain(`brackets nested too deeply (more than ${MAX_NESTING} levels)`);
  });

  test("balanced nesting just under the limit parses", () => {
    const depth = MAX_NESTING - 2; // the body's braces count too
    const r = parseChecked(`Main() { return: ${"(".repeat(depth)}1${")".repeat(depth)} }`);
    expect(r.diagnostics).toEqual([]);
  });

  test("balanced nesting over the limit is one located error", () => {
    const r = parseChecked(`Main() {\n return: ${"[".repeat(MAX_NESTING)}1${"]".repeat(MAX_NESTING)} }`);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.span.start).toMatchObject({ line: 2, col: 10 + MAX_NESTING - 1 });
  });

  test("a long postfix chain is bounded too", () => {
    const r = parseChecked(`Main() { return: F${"()".repeat(100_000)} }`);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      `formula nested too deeply (more than ${MAX_FORMULA_DEPTH} levels of brackets and postfix operators)`,
    ]);
  });

  test("a chain of selections is one node", () => {
    const r = parseChecked(`Main() { return: F()${".a".repeat(100_000)} }`);
    expect(r.diagnostics).toEqual([]);
    const f = r.ast.funcs[0]!.steps[0]!.formula;
    expect(f.kind === "select" && f.fields.length).toBe(100_000);
  });

  test("a one-megabyte line of terms", () => {
    const r = parseChecked(`Main() { return: (${"1, ".repeat(300_000)}) }`);
    expect(r.diagnostics).toEqual([]);
  });

  test("a one-megabyte string, and an unterminated one", () => {
    expect(parseChecked(`Main() { return: "${"a".repeat(1 << 20)}" }`).diagnostics).toEqual([]);
    expect(parseChecked(`Main() { return: "${"a".repeat(1 << 20)}`).diagnostics).toHaveLength(1);
  });

  test("an unterminated comment or raw string of a megabyte", () => {
    expect(parseChecked(`Main() { /* ${"x".repeat(1 << 20)}`).diagnostics).toHaveLength(1);
    expect(parseChecked(`Main() { return: \`${"x\n".repeat(1 << 19)}`).diagnostics).toHaveLength(1);
  });

  test("many errors are cut off", () => {
    const r = parseChecked(`Main() { return: (${"1 ".repeat(10_000)}) }${")".repeat(10_000)}${" +".repeat(10_000)}`);
    expect(r.diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(r.diagnostics[MAX_DIAGNOSTICS]!.message).toBe("too many errors; stopped reporting");
  });
});

describe("speed", () => {
  /** A file of `lines` lines, of varied definitions. */
  function generate(lines: number): string {
    const out: string[] = [];
    for (let n = 0; out.length < lines; n++) {
      out.push(
        `// F${n} does things.`,
        `F${n}(x, y?) {`,
        `\ta: Sum(x, 0x1F, 1.5e3, "s\\t")`,
        `\tb: strings.Join(: a.b.c, sep: ",")(z: [1, 2, 3])[q: 1].f.g`,
        `\tinline: G${n}(v?) { return: v }(v: 2)`,
        `\treturn: (a: a, b: b, c: \`raw\`)`,
        `}`,
      );
    }
    return out.join("\n");
  }

  test("10,000 lines parse well within a second", () => {
    parseFile("warm.ko", generate(200));
    const text = generate(10_000);
    const start = performance.now();
    const r = parseFile("big.ko", text);
    const ms = performance.now() - start;
    expect(r.diagnostics).toEqual([]);
    expect(r.ast.funcs).toHaveLength(1429);
    // Typically 150-300 ms; the bound leaves room for slow, busy machines.
    expect(ms).toBeLessThan(1500);
  });
});
