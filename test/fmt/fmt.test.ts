/** `ko fmt` through the real command: the layout rules, comments, and the command's behaviour. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

async function fmt(source: string): Promise<string> {
  const out = await ko(["fmt"], { input: source });
  expect(out.stderr).toBe("");
  expect(out.status).toBe(0);
  return out.stdout;
}

function tmpDir(files: Record<string, string>): string {
  return writeFiles(tempDir("ko-fmt-"), files);
}

describe("layout", () => {
  test("one step per line in a function body, tabs, canonical separators", async () => {
    expect(await fmt("Main() { a: 1; b: F(x:a,y:  2), return: (a, b) }")).toBe(
      "Main() {\n\ta: 1\n\tb: F(x: a, y: 2)\n\treturn: (a, b)\n}\n",
    );
  });

  test("a bracket that does not fit in 100 columns gets one item per line, like canonical printing", async () => {
    const long = `"${"x".repeat(60)}"`;
    expect(await fmt(`Main() { return: F(a: ${long}, b: G(c: ${long})) }`)).toBe(
      `Main() {\n\treturn: F(\n\t\ta: ${long}\n\t\tb: G(c: ${long})\n\t)\n}\n`,
    );
  });

  test("a bracket written over several lines that fits is joined", async () => {
    expect(await fmt("Main() {\n\treturn: (\n\t\ta: 1\n\t\tb: 2\n\t)\n}\n")).toBe("Main() {\n\treturn: (a: 1, b: 2)\n}\n");
  });

  test("literals keep their spelling; use becomes import; functions are set off by blank lines", async () => {
    const source = 'use "strings" as s\nA() { return: (0x1F, 1_000, - 5, `raw`, "a\\tb") } B() { return: s.Upper("x") }\n';
    expect(await fmt(source)).toBe(
      'import "strings" as s\n\nA() {\n\treturn: (0x1F, 1_000, -5, `raw`, "a\\tb")\n}\n\nB() {\n\treturn: s.Upper("x")\n}\n',
    );
  });

  test("inline definitions, postfix chains and empty labels", async () => {
    expect(await fmt("Main() { return: G(a) { return: a }(a: 7).b[c: 3](: 1, d: 2) }")).toBe(
      "Main() {\n\treturn: G(a) { return: a }(a: 7).b[c: 3](: 1, d: 2)\n}\n",
    );
    expect(await fmt("Main() { return: G(a) { x: a, return: x }(a: 1) }")).toBe(
      "Main() {\n\treturn: G(a) {\n\t\tx: a\n\t\treturn: x\n\t}(a: 1)\n}\n",
    );
  });
});

describe("comments stay where they were", () => {
  test("doc comments, trailing comments, comments between items and at the end", async () => {
    const source = [
      "// the file",
      'import "strings" // strings',
      "",
      "// Main does it.",
      "Main(a, // first",
      "  b) {",
      "\tx: 1 // one",
      "",
      "\t// before return",
      "\treturn: (x, /* inline */ a, b /* after b */)",
      "\t// end of body",
      "}",
      "// end of file",
      "",
    ].join("\n");
    expect(await fmt(source)).toBe(
      [
        "// the file",
        'import "strings" // strings',
        "",
        "// Main does it.",
        "Main(",
        "\ta // first",
        "\tb",
        ") {",
        "\tx: 1 // one",
        "",
        "\t// before return",
        "\treturn: (x, /* inline */ a, b /* after b */)",
        "\t// end of body",
        "}",
        "// end of file",
        "",
      ].join("\n"),
    );
  });

  test("formatting twice changes nothing", async () => {
    const source = "F /* n */ (a /* a */, b?) /* c */ { x: /* v */ 1 // t\n return: x }\n";
    const once = await fmt(source);
    expect(await fmt(once)).toBe(once);
    expect(once).toContain("/* n */");
    expect(once).toContain("/* c */");
  });
});

describe("the command", () => {
  test("rewrites files in place, directories recursively, and leaves formatted files alone", async () => {
    const dir = tmpDir({ "a.ko": "Main() { return: 1 }", "sub/b.ko": "B() {\n\treturn: 2\n}\n", "notes.txt": "x" });
    const before = fs.statSync(path.join(dir, "sub/b.ko")).mtimeMs;
    const out = await ko(["fmt", dir]);
    expect(out.status).toBe(0);
    expect(fs.readFileSync(path.join(dir, "a.ko"), "utf8")).toBe("Main() {\n\treturn: 1\n}\n");
    expect(fs.statSync(path.join(dir, "sub/b.ko")).mtimeMs).toBe(before);
  });

  test("--check lists unformatted files, writes nothing, exits 1; 0 when all are formatted", async () => {
    const dir = tmpDir({ "a.ko": "Main() { return: 1 }", "b.ko": "B() {\n\treturn: 2\n}\n" });
    const out = await ko(["fmt", "--check", path.join(dir, "a.ko"), path.join(dir, "b.ko")]);
    expect(out.stdout).toBe(`${path.join(dir, "a.ko")}\n`);
    expect(out.status).toBe(1);
    expect(fs.readFileSync(path.join(dir, "a.ko"), "utf8")).toBe("Main() { return: 1 }");
    expect((await ko(["fmt", "--check", path.join(dir, "b.ko")])).status).toBe(0);
  });

  test("a file with a syntax error is reported and left as it was (exit 3)", async () => {
    const dir = tmpDir({ "bad.ko": "Main() { return: (1 }\n" });
    const out = await ko(["fmt", path.join(dir, "bad.ko")]);
    expect(out.status).toBe(3);
    expect(out.stderr).toMatch(/bad\.ko:1:\d+: error: /);
    expect(fs.readFileSync(path.join(dir, "bad.ko"), "utf8")).toBe("Main() { return: (1 }\n");
  });

  test("a missing file is a usage error", async () => {
    expect((await ko(["fmt", "/nonexistent/x.ko"])).status).toBe(2);
  });
});
