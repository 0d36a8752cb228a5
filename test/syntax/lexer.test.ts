/** Tokens and literal values (reference section 1; D1, D2, D26, D32). */
import { describe, expect, test } from "vitest";
import { lex } from "../../src/syntax/index.js";
import { floatValue, intValue, invalidSeparator, scanNumber } from "../../src/syntax/literals.js";
import { describe as summary, formulaDiagnostics, formulaOf, parse, show } from "./helpers.js";

/** `Type:image` for each token the parser would see. */
function kinds(text: string): string[] {
  return lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe("token kinds", () => {
  test.each<[string, string[]]>([
    ["a.b", ["Ident:a", "Dot:.", "Ident:b"]],
    ["größe _ _after step2 日本 x١", ["Ident:größe", "Ident:_", "Ident:_after", "Ident:step2", "Ident:日本", "Ident:x١"]],
    ["𝒳y", ["Ident:𝒳y"]],
    ["import use as return true false", ["Ident:import", "Ident:use", "Ident:as", "Ident:return", "Ident:true", "Ident:false"]],
    [
      ": { } [ ] ( ) . - ?",
      ["Colon::", "LBrace:{", "RBrace:}", "LBracket:[", "RBracket:]", "LParen:(", "RParen:)", "Dot:.", "Minus:-", "Question:?"],
    ],
    ["a,b;c\nd", ["Ident:a", "Line:,", "Ident:b", "Line:;", "Ident:c", "Line:\n", "Ident:d"]],
    ["a\r\nb\t \rc", ["Ident:a", "Line:\n", "Ident:b", "Ident:c"]],
    ["1 1.5 .5 1. 1e3 0x1F", ["Int:1", "Float:1.5", "Float:.5", "Float:1.", "Float:1e3", "Int:0x1F"]],
    ["-5 - 5", ["Minus:-", "Int:5", "Minus:-", "Int:5"]],
    ["12ab", ["Int:12", "Ident:ab"]],
    ["x.e1", ["Ident:x", "Dot:.", "Ident:e1"]],
    ["\"s\" `r` 'c'", ['InterpretedString:"s"', "RawString:`r`", "CharLiteral:'c'"]],
    ["a // c\nb /* d\ne */ c", ["Ident:a", "Line:\n", "Ident:b", "Ident:c"]],
    ["\ufeffa", ["Ident:a"]],
  ])("%j", (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  test("comments are kept apart, in order, a line comment without its newline", () => {
    const r = lex("a // one\n/* two\n */ b //");
    expect(r.comments.map((c) => c.image)).toEqual(["// one", "/* two\n */", "//"]);
    expect(r.problems).toEqual([]);
  });

  test("parseFile lists comments with kind and span", () => {
    const r = parse("// top\nMain() { /* in */ return: 1 }");
    expect(r.comments.map((c) => [c.kind, c.text, c.span.start.line, c.span.start.col])).toEqual([
      ["line", "// top", 1, 1],
      ["block", "/* in */", 2, 10],
    ]);
  });
});

describe("positions", () => {
  test("columns count UTF-16 units from the line start, a tab counting one", () => {
    const r = parse('Main() {\n\tx: "é😀", y: 1\n\treturn: 1 }');
    const y = r.ast.funcs[0]!.steps[1]!;
    expect(y.label!.span.start).toEqual({ line: 2, col: 12, offset: 20 });
  });

  test("a raw string spanning lines moves the following positions", () => {
    const f = parse("Main() {\n\tr: `a\nb\nc`, return: r }").ast.funcs[0]!;
    expect(f.steps[0]!.formula.span.start).toMatchObject({ line: 2, col: 5 });
    expect(f.steps[0]!.formula.span.end).toMatchObject({ line: 4, col: 3 });
    expect(f.steps[1]!.label!.span.start).toMatchObject({ line: 4, col: 5 });
  });

  test("a carriage return does not start a line", () => {
    const d = parse("Main() {\r\n\tx: 1 +\r\n}").diagnostics;
    expect(d.map((x) => [x.span.start.line, x.span.start.col])).toEqual([[2, 7]]);
  });
});

describe("integer literals", () => {
  test.each<[string, bigint]>([
    ["0", 0n],
    ["42", 42n],
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
    ["017", 17n],
    ["0x10", 16n],
    ["0XfF", 255n],
    ["0o17", 15n],
    ["0O17", 15n],
    ["0b1010", 10n],
    ["0B11", 3n],
    ["1_000_000", 1000000n],
    ["0xFF_FF", 65535n],
    ["0x_FF", 255n],
    ["0b_1", 1n],
    ["0_1", 1n],
    ["0x7fffffffffffffff", 9223372036854775807n],
    ["-0x10", -16n],
    ["- 5", -5n],
    ["-0x8000000000000000", -9223372036854775808n],
  ])("%s", (text, value) => {
    const f = formulaOf(text);
    expect(f.kind).toBe("int");
    expect(f.kind === "int" && f.value).toBe(value);
  });

  test.each<[string, RegExp, number]>([
    ["1__0", /'_' must separate successive digits/, 20],
    ["1_", /'_' must separate successive digits/, 19],
    ["0x_", /hexadecimal literal has no digits/, 18],
    ["0x", /hexadecimal literal has no digits/, 18],
    ["0b", /binary literal has no digits/, 18],
    ["0b2", /invalid digit '2' in binary literal/, 20],
    ["0o19", /invalid digit '9' in octal literal/, 21],
    ["0x__1", /'_' must separate successive digits/, 21],
    ["9223372036854775808", /integer literal 9223372036854775808 is out of the Int64 range/, 18],
    ["-9223372036854775809", /-9223372036854775809 is out of the Int64 range/, 19],
    ["0x10000000000000000", /out of the Int64 range/, 18],
  ])("%s is an error", (text, message, col) => {
    const d = formulaDiagnostics(text);
    expect(summary(d)).toMatch(message);
    expect(d).toHaveLength(1);
    expect(d[0]!.span.start).toMatchObject({ line: 1, col });
    expect(d[0]!.stage).toBe(/overflow|range/.test(message.source) ? "syntax" : "lex");
  });
});

describe("float literals", () => {
  test.each<[string, number]>([
    ["1.5", 1.5],
    [".5", 0.5],
    ["1.", 1],
    ["1e3", 1000],
    ["1E3", 1000],
    ["0.5e-3", 0.0005],
    ["-3.14e+11", -3.14e11],
    ["-0.0", -0],
    ["5e-324", 5e-324],
    ["1234567.0", 1234567],
    ["1_000.000_1", 1000.0001],
    ["1.e3", 1000],
    ["0.3333333333333333", 0.3333333333333333],
  ])("%s", (text, value) => {
    const f = formulaOf(text);
    expect(f.kind).toBe("float");
    expect(f.kind === "float" && f.value).toBe(value);
  });

  test.each<[string, RegExp]>([
    ["1e", /exponent has no digits/],
    ["1e+", /exponent has no digits/],
    ["1._5", /'_' must separate successive digits/],
    ["1_.5", /'_' must separate successive digits/],
    ["0x1p3", /hexadecimal floating-point literals are not supported/],
    ["0x1.8", /hexadecimal floating-point literals are not supported/],
    ["0b1.0", /binary floating-point literals are not supported/],
    ["1e400", /float literal 1e400 is out of the Float64 range/],
  ])("%s is an error", (text, message) => {
    const d = formulaDiagnostics(text);
    expect(summary(d)).toMatch(message);
    expect(d).toHaveLength(1);
  });
});

describe("number scanning", () => {
  test.each<[string, number]>([
    ["1_000", -1],
    ["0x_1", -1],
    ["1__0", 2],
    ["1_", 1],
    ["0_x", 1],
    ["1e1_0", -1],
    ["1_e1", 1],
  ])("invalidSeparator(%s) = %d", (lit, index) => {
    expect(invalidSeparator(lit)).toBe(index);
  });

  test("a number stops before letters that are not its digits", () => {
    expect(scanNumber("0x1fg", 0)).toMatchObject({ end: 4, isFloat: false, problems: [] });
    expect(scanNumber("12.5.3", 0)).toMatchObject({ end: 4, isFloat: true });
  });

  test("values", () => {
    expect(intValue("0B1_1")).toBe(3n);
    expect(intValue("0o7_7")).toBe(63n);
    expect(floatValue("1_0.5")).toBe(10.5);
  });
});

describe("interpreted strings", () => {
  test.each<[string, string]>([
    ['""', ""],
    ['"a\\tb"', "a\tb"],
    ['"line1\\nline2"', "line1\nline2"],
    ['"say \\"hi\\""', 'say "hi"'],
    ['"c:\\\\dir"', "c:\\dir"],
    ['"héllo ünïcode"', "héllo ünïcode"],
    ['"\\u00e9\\u4e16"', "é世"],
    ['"\\x01\\x7f"', "\x01\x7f"],
    ['"\\a\\b\\f\\v\\r"', "\x07\b\f\v\r"],
    ['"\\101\\x42"', "AB"],
    ['"\\xff\\377"', "\u00ff\u00ff"],
    ['"\\U0001F600"', "😀"],
    ['"\\u00a0"', "\u00a0"],
    ['"# @ + `"', "# @ + `"],
  ])("%s", (text, value) => {
    expect(formulaOf(text)).toMatchObject({ kind: "string", value, raw: false });
  });

  test.each<[string, RegExp, number]>([
    ['"\\q"', /unknown escape sequence '\\q'/, 19],
    ['"\\\'"', /unknown escape sequence '\\'/, 19],
    ['"ab\\x4g"', /escape sequence \\x4 needs 2 hexadecimal digits/, 21],
    ['"\\u12"', /escape sequence \\u12 needs 4 hexadecimal digits/, 19],
    ['"\\400"', /octal escape value > 255/, 19],
    ['"\\12"', /escape sequence \\12 needs 3 octal digits/, 19],
    ['"\\uDFFF"', /\\uDFFF is not a valid Unicode code point/, 19],
    ['"\\U00110000"', /is not a valid Unicode code point/, 19],
    ['"\\😀"', /unknown escape sequence '\\😀'/, 19],
    ['"\\\u0001"', /unknown escape sequence '\\\\x01'/, 19],
  ])("%s is an error", (text, message, col) => {
    const d = formulaDiagnostics(text);
    expect(summary(d)).toMatch(message);
    expect(d).toHaveLength(1);
    expect(d[0]!.span.start.col).toBe(col);
    expect(d[0]!.code).toBe("lex/bad-escape");
  });

  test("a raw newline ends the string with an error, and lexing goes on", () => {
    const r = parse('Main() {\n\ta: "abc\n\treturn: "ok"\n}');
    expect(summary(r.diagnostics)).toBe("2:5 string literal not terminated before end of line");
    expect(r.ast.funcs[0]!.steps[1]!.formula).toMatchObject({ kind: "string", value: "ok" });
  });

  test("a string not terminated before the end of the file", () => {
    expect(summary(parse('Main() { return: "abc').diagnostics)).toBe("1:18 string literal not terminated before end of file");
  });
});

describe("raw strings (D1)", () => {
  test.each<[string, string]>([
    ["`ab`", "ab"],
    ["`a\\nb`", "a\\nb"],
    ["`x\ny`", "x\ny"],
    ["`p\r\nq`", "p\nq"],
    ['`say "hi"`', 'say "hi"'],
    ["``", ""],
  ])("%j", (text, value) => {
    expect(formulaOf(text)).toMatchObject({ kind: "string", value, raw: true });
  });

  test("an unterminated raw string is an error at its back-quote", () => {
    const d = parse("Main() { return: `abc\n}").diagnostics;
    expect(summary(d)).toBe("1:18 raw string literal not terminated before end of file");
  });
});

describe("character literals", () => {
  test.each(["'a'", "'\\n'", "'ab'", "'\\q'"])("%s is rejected with one clean error at it", (text) => {
    const d = formulaDiagnostics(text);
    expect(summary(d)).toBe("1:18 character literals are not Ko; use a string");
    expect(d[0]!.code).toBe("lex/char-literal");
    expect(d[0]!.span.end.col).toBe(18 + text.length);
  });

  test("an unterminated one too", () => {
    expect(summary(formulaDiagnostics("'a"))).toBe("1:18 character literals are not Ko; use a string");
  });
});

describe("unrecognized characters", () => {
  test.each<[string, string]>([
    ["+", '"+"'],
    ["=", '"="'],
    ["#", '"#"'],
    ["!", '"!"'],
    ["<", '"<"'],
    ["@", '"@"'],
    ["*", '"*"'],
    ["/", '"/"'],
    ["\\", '"\\\\"'],
    ["\f", '"\\x0c"'],
    ["\0", '"\\x00"'],
    ["\u00a0", '"\\u00a0"'],
    ["\u2028", '"\\u2028"'],
    ["\ud800", '"\\ud800"'],
  ])("%j", (ch, shown) => {
    const d = parse(`Main() { return: 1 ${ch} }`).diagnostics;
    expect(summary(d)).toBe(`1:20 unrecognized token ${shown}`);
    expect(d[0]!.code).toBe("lex/unrecognized-token");
    expect(d[0]!.stage).toBe("lex");
  });

  test("a run of them is one error, separate runs are separate errors", () => {
    const d = parse("Main() { return: 1 +=+ 2 ! }").diagnostics;
    expect(summary(d)).toBe('1:20 unrecognized token "+"\n1:26 unrecognized token "!"');
  });
});

describe("comments", () => {
  test("an unterminated block comment is an error at its start", () => {
    const d = parse("Main() { return: 1 }\n\n  /* never\n closed").diagnostics;
    expect(summary(d)).toBe("3:3 comment not terminated: '/*' has no matching '*/'");
    expect(d[0]!.code).toBe("lex/unterminated-comment");
  });

  test("block comments do not nest", () => {
    const d = parse("Main() { /* a /* b */ return: 1 }").diagnostics;
    expect(d).toEqual([]);
  });

  test("a comment inside a line does not end it", () => {
    expect(show(formulaOf("F(x: 1) /* c */ (y: 2)"))).toBe("F(x: 1)(y: 2)");
  });
});
