/** AST shapes (reference 2.1), spans, and doc comments. */
import { describe, expect, test } from "vitest";
import type { Formula } from "../../src/syntax/ast.js";
import { at, formulaOf, funcOf, parse, parseClean, show, showFunc, showTerms } from "./helpers.js";

describe("formulas", () => {
  test.each<[string, string]>([
    // literals and references
    ["1", "1"],
    ["-5", "-5"],
    ['"s"', '"s"'],
    ["`r`", 'raw"r"'],
    ["x", "x"],
    ["true", "true"],
    ["a.b.c", "a.b.c"],
    // construction, invocation, augmentation
    ["()", "()"],
    ["[]", "[]"],
    ["(1, 2)", "(1, 2)"],
    ["[5]", "[5]"],
    ["(a: 1, b: 2)", "(a: 1, b: 2)"],
    ["(: 1, y: 2)", "(: 1, y: 2)"],
    ["F()", "F()"],
    ["F(x: 1)", "F(x: 1)"],
    ["Sum[1]", "Sum[1]"],
    ["F[x: 1](y: 2)", "F[x: 1](y: 2)"],
    // a dotted name right after an identifier is one reference (note 8)
    ["a.b(1)", "a.b(1)"],
    ['str.Upper("ko")', 'str.Upper("ko")'],
    // postfix chains bind left to right (note 7)
    ["F(x: 1)(y: 2).a.b[c: 3]()", "{F(x: 1)(y: 2)}.a.b[c: 3]()"],
    ["MakePair(x: 10).second", "{MakePair(x: 10)}.second"],
    ["MakePair(x: 10).adder()", "{MakePair(x: 10)}.adder()"],
    ["(a: 1).x.y", "{(a: 1)}.x.y"],
    ["(a: 1).x(1).y", "{{(a: 1)}.x(1)}.y"],
    ["(a: 1)[]", "(a: 1)[]"],
    ['"s".f', '{"s"}.f'],
    ["Yield(if: true, then: Return[8]) ()", "Yield(if: true, then: Return[8])()"],
    // inline definitions, with postfix operators (note 9)
    ["G(a) { return: a }", "def G(a) {return: a}"],
    ["G(a) { return: a }(a: 7)", "def G(a) {return: a}(a: 7)"],
    ["G(a) { return: a }.x", "{def G(a) {return: a}}.x"],
    ["apply(f: sq(v?) { return: Prod(v, v) }, x: 6)", "apply(f: def sq(v?) {return: Prod(v, v)}, x: 6)"],
    ["H() { return: G(a) { return: a } }", "def H() {return: def G(a) {return: a}}"],
    // blank items and separators
    ["(1,,2)", "(1, 2)"],
    ["(1; 2)", "(1, 2)"],
    ["(\n1\n\n2\n)", "(1, 2)"],
    ["(,)", "()"],
    ["F(\n\tx: 1 // one\n\ty: 2, /* two */\n)", "F(x: 1, y: 2)"],
  ])("%j", (text, expected) => {
    expect(show(formulaOf(text))).toBe(expected);
  });

  test("a call is not an inline definition unless '{' follows its ')' directly", () => {
    const f = funcOf("Main() {\n\ta: G(a)\n\tb: G(a) {return: a}\n\treturn: a\n}");
    expect(showTerms(f.steps)).toBe("a: G(a), b: def G(a) {return: a}, return: a");
  });

  test("a newline ends a formula: a bracket on the next line is a separate term", () => {
    const f = funcOf("Main() {\n\treturn: Yield(x)\n\t()\n}");
    expect(showTerms(f.steps)).toBe("return: Yield(x), ()");
  });

  test("negative literals and the minus sign", () => {
    expect(formulaOf("- 5")).toMatchObject({ kind: "int", value: -5n });
    expect(formulaOf("-1.5")).toMatchObject({ kind: "float", value: -1.5 });
    expect(Object.is((formulaOf("-0.0") as { value: number }).value, -0)).toBe(true);
  });
});

describe("files", () => {
  test("imports, with and without alias, and use", () => {
    const ast = parseClean('import "strings" as str\nuse "integer"\nimport `encoding/json`\nMain() { return: 1 }');
    expect(ast.imports.map((i) => [i.path, i.alias?.text, at(i.span), at(i.pathSpan)])).toEqual([
      ["strings", "str", "1:1-1:24", "1:8-1:17"],
      ["integer", undefined, "2:1-2:14", "2:5-2:14"],
      ["encoding/json", undefined, "3:1-3:23", "3:8-3:23"],
    ]);
    expect(ast.imports[0]!.alias!.span).toMatchObject({ start: { line: 1, col: 21 } });
  });

  test("top-level items need no separator (D12)", () => {
    const ast = parseClean('import "x" One() { return: 1 } Two() { return: 2 }Three(){return: 3}');
    expect(ast.imports).toHaveLength(1);
    expect(ast.funcs.map(showFunc)).toEqual(["One() {return: 1}", "Two() {return: 2}", "Three() {return: 3}"]);
  });

  test("the words import and use name functions when a '(' follows", () => {
    const ast = parseClean("import() { return: 1 }\nuse(x) { return: x }");
    expect(ast.funcs.map((f) => f.name.text)).toEqual(["import", "use"]);
  });

  test("an empty file, and one with only comments and blank lines", () => {
    expect(parseClean("")).toMatchObject({ imports: [], funcs: [] });
    expect(parseClean("\n// c\n/* d */\n\n")).toMatchObject({ imports: [], funcs: [] });
  });

  test("the file span covers the text", () => {
    const ast = parseClean("Main() { return: 1 }\n");
    expect(ast.file).toBe("test.ko");
    expect(at(ast.span)).toBe("1:1-2:1");
  });

  test("definitions after a top-level error are still parsed", () => {
    const r = parse("One() { return: 1 }\nx: 1\nTwo() { return: 2 } ] y\nThree() { return: 3 }");
    expect(r.ast.funcs.map((f) => f.name.text)).toEqual(["One", "Two", "Three"]);
    expect(r.diagnostics.map((d) => d.span.start.line)).toEqual([2, 3, 3]);
  });
});

describe("definitions", () => {
  test("parameters: monadic, separated by newlines, with comments between", () => {
    const f = funcOf("Params(\n\t// first\n\ta\n\t/* second */\n\tb?; c\n) {\n\treturn: Sum(a, b)\n}", "Params");
    expect(showFunc(f)).toBe("Params(a, b?, c) {return: Sum(a, b)}");
    expect(f.params[1]!.name.span).toMatchObject({ start: { line: 5, col: 2 }, end: { line: 5, col: 3 } });
  });

  test("a body keeps unlabelled and empty-labelled terms for the resolver", () => {
    const f = funcOf("Main() {\n\t1\n\t: 2\n\treturn: 3\n}");
    expect(f.steps.map((t) => t.label?.text)).toEqual([undefined, "", "return"]);
    expect(f.steps[1]!.label!.span).toMatchObject({ start: { line: 3, col: 2 }, end: { line: 3, col: 3 } });
  });

  test("steps keep source order, including forward references and unicode labels", () => {
    const f = funcOf("Main() {\n\ttotal: Sum(größe, 1)\n\tgröße: - 5\n\treturn: total\n}");
    expect(f.steps.map((t) => t.label!.text)).toEqual(["total", "größe", "return"]);
  });

  test("spans: definition, body's closing brace, steps", () => {
    const f = funcOf("Main() {\n\tx: F(a: 1)\n\treturn: x\n}");
    expect(at(f.span)).toBe("1:1-4:2");
    expect(at(f.name.span)).toBe("1:1-1:5");
    expect(at(f.bodySpan)).toBe("4:1-4:2");
    expect(at(f.steps[0]!.span)).toBe("2:2-2:12");
  });

  test("an inline definition's span and its own body span", () => {
    const inline = formulaOf("G(a) { return: a }(a: 7)");
    expect(inline.kind).toBe("invoke");
    const def = (inline as Extract<Formula, { kind: "invoke" }>).callee!;
    expect(def.kind).toBe("inline");
    expect(at(def.span)).toBe("1:18-1:36");
    if (def.kind === "inline") expect(at(def.def.bodySpan)).toBe("1:35-1:36");
    expect(at(inline.span)).toBe("1:18-1:42");
  });
});

describe("formula spans", () => {
  test.each<[string, string]>([
    ["-5", "1:18-1:20"],
    ["- 5", "1:18-1:21"],
    ["a.b.c", "1:18-1:23"],
    ["F(x: 1)", "1:18-1:25"],
    ["F(x: 1).a.b", "1:18-1:29"],
    ["F(x: 1) (y: 2)", "1:18-1:32"],
    ['"é"', "1:18-1:21"],
  ])("%j", (text, span) => {
    expect(at(formulaOf(text).span)).toBe(span);
  });

  test("argsSpan runs from the bracket's opener to its closer", () => {
    const f = formulaOf("F[x: 1](y: 2)");
    expect(f.kind).toBe("invoke");
    if (f.kind !== "invoke") return;
    expect(at(f.argsSpan)).toBe("1:25-1:31");
    expect(f.callee?.kind === "augment" && at(f.callee.argsSpan)).toBe("1:19-1:25");
  });

  test("every span names the file", () => {
    const f = formulaOf("F(x: 1)");
    expect(f.span.file).toBe("test.ko");
  });
});

describe("doc comments", () => {
  const doc = (text: string, name = "F") => parse(text).ast.funcs.find((f) => f.name.text === name)?.doc;

  test.each<[string, string | undefined]>([
    ["// Adds things.\nF() { return: 1 }", "Adds things."],
    ["// One.\n//  Two, indented.\n//\n// Four.\nF() { return: 1 }", "One.\n Two, indented.\n\nFour."],
    ["/* Block. */\nF() { return: 1 }", "Block."],
    ["/*\n * Starred\n * lines.\n */\nF() { return: 1 }", "Starred\nlines."],
    ["/* a */ /* b */\nF() { return: 1 }", "a\nb"],
    ["// Far.\n\nF() { return: 1 }", undefined],
    ["// Lost.\n\n// Kept.\nF() { return: 1 }", "Kept."],
    ["F() { return: 1 }", undefined],
    ['import "x" // trailing\nF() { return: 1 }', undefined],
    ["G() { return: 1 } // trailing\nF() { return: 1 }", undefined],
    ["// Doc.\nG() { return: 1 } F() { return: 1 }", undefined],
    ["// Doc.\r\nF() { return: 1 }", "Doc."],
  ])("%j", (text, expected) => {
    expect(doc(text)).toBe(expected);
  });

  test("the doc of the other function stays its own", () => {
    const text = "// G's.\nG() { return: 1 }\n// F's.\nF() { return: 1 }";
    expect([doc(text, "G"), doc(text, "F")]).toEqual(["G's.", "F's."]);
  });

  test("an inline definition starting its line gets the comment above it", () => {
    const f = funcOf("Main() {\n\treturn: (\n\t\t// Squares.\n\t\tsq(v?) { return: v }\n\t)\n}");
    const inline = f.steps[0]!.formula.kind === "invoke" ? f.steps[0]!.formula.terms[0]!.formula : undefined;
    expect(inline?.kind === "inline" && inline.def.doc).toBe("Squares.");
  });
});
