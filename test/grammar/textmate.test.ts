/**
 * The TextMate grammar (grammar/ko.tmLanguage.json), tokenised as VS Code does it. Samples check
 * the scopes of each construct; every Ko file we have is then checked against the compiler's own
 * lexer: what the lexer calls a comment, a string or a number, the grammar colours as one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { Float, Int, InterpretedString, lex, RawString } from "../../src/syntax/index.js";
import { REPO } from "../support/cli.js";
import { summary, tokenize, type Token } from "./textmate.js";

describe("scopes of each construct", () => {
  test("imports", async () => {
    expect(summary(await tokenize('import "strings" as s\nuse "integer"\n'))).toEqual([
      "import=keyword.control.import.ko",
      '"strings"=string.quoted.double.import.ko',
      "as=keyword.control.as.ko",
      "s=entity.name.namespace.ko",
      "use=keyword.control.import.ko",
      '"integer"=string.quoted.double.import.ko',
    ]);
  });

  test("a definition: name, parameters with the monadic mark, step labels, return", async () => {
    const s = summary(await tokenize("Main(n, m?) {\n\tx: n\n\treturn: x\n}\n"));
    expect(s).toEqual(
      expect.arrayContaining([
        "Main=entity.name.function.ko",
        "n=variable.parameter.ko",
        "?=storage.modifier.monadic.ko",
        "x=variable.other.step.ko",
        "return=keyword.control.return.ko",
      ]),
    );
  });

  test("parameters over several lines, with comments between them", async () => {
    const s = summary(await tokenize("Params(\n\t// first\n\ta\n\t/* second */\n\tb?\n) {\n\treturn: Sum(a, b)\n}\n"));
    expect(s.filter((t) => t.includes("=variable.parameter"))).toEqual(["a=variable.parameter.ko", "b=variable.parameter.ko"]);
    expect(s).toContain("first=comment.line.double-slash.ko");
  });

  test("calls, qualified calls, argument labels, selections, booleans", async () => {
    const s = summary(await tokenize("F() {\n\treturn: s.Upper(value: Yield(if: true, then: 1).x)\n}\n"));
    expect(s).toEqual(
      expect.arrayContaining([
        "s=variable.other.ko",
        "Upper=entity.name.function.call.ko",
        "value=variable.parameter.argument.ko",
        "Yield=entity.name.function.call.ko",
        "if=variable.parameter.argument.ko",
        "true=constant.language.boolean.ko",
        "x=variable.other.member.ko",
      ]),
    );
  });

  test("an inline definition inside a formula", async () => {
    const s = summary(await tokenize("F() {\n\treturn: G(a) { return: a }(a: 7)\n}\n"));
    expect(s).toEqual(expect.arrayContaining(["G=entity.name.function.ko", "a=variable.parameter.ko", "a=variable.parameter.argument.ko"]));
  });

  test("literals: every integer form, floats, escapes, raw strings over lines", async () => {
    const s = summary(
      await tokenize('F() {\n\treturn: (0x1F, 0o17, 0b101, 1_000, 1.5, .5, 1., 1e3, -3.14e+11, "a\\tb\\q", `raw\nline`)\n}\n'),
    );
    expect(s).toEqual(
      expect.arrayContaining([
        "0x1F=constant.numeric.integer.hexadecimal.ko",
        "0o17=constant.numeric.integer.octal.ko",
        "0b101=constant.numeric.integer.binary.ko",
        "1_000=constant.numeric.integer.ko",
        "1.5=constant.numeric.float.ko",
        ".5=constant.numeric.float.ko",
        "1.=constant.numeric.float.ko",
        "1e3=constant.numeric.float.ko",
        "3.14e+11=constant.numeric.float.ko",
        "\\t=constant.character.escape.ko",
        "\\q=invalid.illegal.escape.ko",
        "raw=string.quoted.other.raw.ko",
        "line=string.quoted.other.raw.ko",
      ]),
    );
  });

  test("characters Ko does not have are marked invalid", async () => {
    const s = summary(await tokenize("F() {\n\treturn: 1 + 'c'\n}\n"));
    expect(s).toEqual(expect.arrayContaining(["+=invalid.illegal.character.ko", "'c'=invalid.illegal.character-literal.ko"]));
  });
});

// ---------------------------------------------------------------------------------------------

function koFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? koFiles(p) : e.name.endsWith(".ko") ? [p] : [];
  });
}

const corpus = ["examples", "stdlib", "test/testdata", "test/conformance"]
  .flatMap((d) => koFiles(path.join(REPO, d)))
  .filter((f) => lex(fs.readFileSync(f, "utf8")).problems.length === 0);

/** The scopes of the grammar's tokens that overlap [start, end). */
function scopesOver(tokens: readonly Token[], start: number, end: number): string[][] {
  return tokens.filter((t) => t.end > start && t.start < end && t.text.trim() !== "").map((t) => [...t.scopes]);
}

describe("agrees with the compiler's lexer on every Ko file", () => {
  test("there are files to check", () => expect(corpus.length).toBeGreaterThan(50));

  test.each(corpus.map((f) => [path.relative(path.resolve(REPO, ".."), f), f] as const))("%s", async (_name, file) => {
    const text = fs.readFileSync(file, "utf8");
    const tokens = await tokenize(text);
    const lexed = lex(text);
    const expectScope = (start: number, end: number, what: RegExp, kind: string) => {
      for (const scopes of scopesOver(tokens, start, end)) {
        expect(
          scopes.some((s) => what.test(s)),
          `${kind} at ${start}: ${JSON.stringify(text.slice(start, end))} has ${scopes.join(" ")}`,
        ).toBe(true);
      }
    };
    for (const c of lexed.comments) expectScope(c.startOffset, c.startOffset + c.image.length, /^comment\./, "comment");
    for (const t of lexed.tokens) {
      const end = t.startOffset + t.image.length;
      if (t.tokenType === InterpretedString || t.tokenType === RawString) expectScope(t.startOffset, end, /^string\./, "string");
      if (t.tokenType === Int || t.tokenType === Float) expectScope(t.startOffset, end, /^constant\.numeric\./, "number");
    }
    expect(
      tokens.some((t) => t.scopes.some((s) => s.startsWith("invalid."))),
      "no token is marked invalid",
    ).toBe(false);
  });
});
