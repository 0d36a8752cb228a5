/**
 * The language server through the protocol, as an editor uses it: `ko lsp --stdio` started as a
 * process, a vscode-jsonrpc client, sources with `<|>` cursor markers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LspClient, marked, uri, workspace, type LspDiagnostic, type Position } from "./client.js";

interface CompletionItem {
  label: string;
  detail?: string;
  kind?: number;
  labelDetails?: { detail?: string; description?: string };
  textEdit?: { newText: string; range: { start: Position; end: Position } };
  documentation?: { value: string };
}

interface Location {
  uri: string;
  range: { start: Position; end: Position };
}

let dir: string;
let client: LspClient;
let counter = 0;

beforeAll(async () => {
  dir = workspace({
    // A package of two files, and a package it imports.
    "shop/main.ko": 'import "./lib"\n\nMain() {\n\ttotal: Price(item: "tea")\n\treturn: lib.Twice(total)\n}\n',
    "shop/price.ko":
      '// Price is what an item costs.\nPrice(item, count?) {\n\treturn: 3\n}\n\nOther() {\n\treturn: Price(item: "x", count: 2)\n}\n',
    "shop/lib/lib.ko": "// Twice doubles a number.\nTwice(n?) {\n\treturn: Sum(n, n)\n}\n",
  });
  client = await LspClient.start(dir);
});

afterAll(async () => {
  await client.stop();
});

/** Opens `source` (with markers) as a new file in its own directory; returns the file and cursors. */
async function openMarked(source: string, name = "t.ko"): Promise<{ file: string; cursors: Position[] }> {
  const m = marked(source);
  const sub = path.join(dir, `case${counter++}`);
  fs.mkdirSync(sub);
  const file = path.join(sub, name);
  fs.writeFileSync(file, m.text);
  await client.open(file, m.text);
  return { file, cursors: m.cursors };
}

function completion(file: string, position: Position): Promise<CompletionItem[]> {
  return client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri: uri(file) }, position });
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label);
}

async function hoverText(file: string, position: Position): Promise<string | undefined> {
  const h = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
    textDocument: { uri: uri(file) },
    position,
  });
  return h?.contents.value;
}

describe("completion", () => {
  test("a builtin from its first letters, with its signature", async () => {
    const { file, cursors } = await openMarked("Main() { return: Su<|> }");
    const items = await completion(file, cursors[0]!);
    const sum = items.find((i) => i.label === "Sum");
    expect(sum?.detail).toMatch(/^Sum\(value\?: .*\)/);
    expect(sum?.textEdit?.range.start).toEqual({ line: 0, character: 17 });
    expect(labels(items).every((l) => l.toLowerCase().startsWith("su"))).toBe(true);
  });

  test("parameters and steps in scope come first, then the package's functions, idioms and builtins", async () => {
    const { file, cursors } = await openMarked("Helper() { return: 1 }\nMain(count) {\n\tfirst: 1\n\treturn: (<|>)\n}\n");
    const l = labels(await completion(file, cursors[0]!));
    expect(l.slice(0, 2)).toEqual(["count", "first"]);
    expect(l).toContain("Helper");
    expect(l).toContain("Return"); // an idiom
    expect(l).toContain("Yield"); // a builtin
    expect(l).not.toContain("return"); // the return step is not a value
    expect(l.indexOf("Helper")).toBeLessThan(l.indexOf("Yield"));
  });

  test("an inline definition sees only its own parameters and steps", async () => {
    const { file, cursors } = await openMarked("Main(outer) {\n\tx: 1\n\treturn: G(inner) { return: i<|> }(inner: 2)\n}\n");
    const l = labels(await completion(file, cursors[0]!));
    expect(l).toContain("inner");
    expect(l).not.toContain("outer");
  });

  test("members of an imported package after its alias", async () => {
    const { file, cursors } = await openMarked('import "strings" as s\nMain() { return: s.J<|> }\n');
    const items = await completion(file, cursors[0]!);
    expect(labels(items)).toEqual(["Join"]);
    expect(items[0]!.detail).toContain("delimiter");
  });

  test("argument names inside a call's brackets, the monadic one marked, used ones left out", async () => {
    const { file, cursors } = await openMarked(
      'import "strings"\nMain() { return: strings.Join(<|>) }\nF() { return: strings.Join(delimiter: ",", <|>) }\n',
    );
    const first = await completion(file, cursors[0]!);
    const args = first.filter((i) => i.textEdit?.newText.endsWith(": "));
    expect(args.map((i) => i.label)).toEqual(["string", "delimiter"]);
    expect(args[0]!.labelDetails?.description).toBe("monadic");
    expect(args[1]!.labelDetails).toBeUndefined();
    const second = await completion(file, cursors[1]!);
    expect(second.filter((i) => i.textEdit?.newText.endsWith(": ")).map((i) => i.label)).toEqual(["string"]);
  });

  test("argument names of a Ko function of the package", async () => {
    const { file, cursors } = await openMarked("Pair(left, right?) { return: (left, right) }\nMain() { return: Pair(l<|>) }\n");
    const items = await completion(file, cursors[0]!);
    expect(items[0]).toMatchObject({ label: "left", textEdit: { newText: "left: " } });
  });

  test("package paths inside an import", async () => {
    const { file, cursors } = await openMarked('import "str<|>"\nMain() { return: 1 }\n');
    const items = await completion(file, cursors[0]!);
    expect(labels(items)).toContain("strings");
    const rel = await openMarked('import "./<|>"\nMain() { return: 1 }\n');
    fs.mkdirSync(path.join(path.dirname(rel.file), "helpers"));
    expect(labels(await completion(rel.file, rel.cursors[0]!))).toContain("./helpers");
  });

  test("works in a half-typed file: unclosed brackets, a missing return", async () => {
    const { file, cursors } = await openMarked("Main(n) {\n\tx: Sum(n, Pro<|>\n");
    expect(labels(await completion(file, cursors[0]!))).toContain("Prod");
  });

  test("nothing inside strings and comments", async () => {
    const { file, cursors } = await openMarked('Main() {\n\ta: "Su<|>"\n\t// Su<|>\n\treturn: a\n}\n');
    expect(await completion(file, cursors[0]!)).toEqual([]);
    expect(await completion(file, cursors[1]!)).toEqual([]);
  });

  test("right after typing, before the server has analysed the change", async () => {
    const { file } = await openMarked("Main(alpha) {\n\treturn: 1\n}\n");
    await client.edit(file, { line: 1, character: 9 }, { line: 1, character: 10 }, "al");
    const l = labels(await completion(file, { line: 1, character: 11 }));
    expect(l).toContain("alpha");
  });
});

describe("hover", () => {
  test("a builtin: signature and documentation", async () => {
    const { file, cursors } = await openMarked("Main() { return: Su<|>m(1, 2) }");
    const text = await hoverText(file, cursors[0]!);
    expect(text).toContain("Sum(value?:");
    expect(text).toContain("Adds integers");
  });

  test("a Ko function across files: its signature and doc comment", async () => {
    const file = path.join(dir, "shop/main.ko");
    await client.open(file, fs.readFileSync(file, "utf8"));
    const text = await hoverText(file, { line: 3, character: 10 });
    expect(text).toContain("shop.Price(item, count?)");
    expect(text).toContain("Price is what an item costs.");
    expect(await hoverText(file, { line: 4, character: 14 })).toContain("lib.Twice(n?)");
  });

  test("a parameter, a step, an import alias, an argument label of a host function", async () => {
    const { file, cursors } = await openMarked(
      'import "strings" as s\nMain(n<|>) {\n\tx<|>: 1\n\treturn: s<|>.Join(str<|>ing: ("a", "b"))\n}\n',
    );
    expect(await hoverText(file, cursors[0]!)).toContain("(parameter) n");
    expect(await hoverText(file, cursors[1]!)).toContain("(step) x: 1");
    expect(await hoverText(file, cursors[2]!)).toContain('import "strings" as s');
    expect(await hoverText(file, cursors[3]!)).toContain("(parameter) string?");
  });
});

describe("signature help", () => {
  test("the active parameter follows the label, or the monadic one for an unnamed value", async () => {
    const { file, cursors } = await openMarked(
      'import "strings"\nMain() { return: strings.Join(("a"), delimiter: <|>) }\nF() { return: strings.Join(<|>("a")) }\n',
    );
    const help = await client.request<{ signatures: { label: string }[]; activeParameter: number }>("textDocument/signatureHelp", {
      textDocument: { uri: uri(file) },
      position: cursors[0]!,
    });
    expect(help.signatures[0]!.label).toMatch(/^strings\.Join\(string\?: \(String\).*, delimiter: String.*\) String$/);
    expect(help.activeParameter).toBe(1);
  });
});

describe("go to definition and references", () => {
  const main = () => path.join(dir, "shop/main.ko");

  test("a function in another file of the package, and in an imported package", async () => {
    await client.open(main(), fs.readFileSync(main(), "utf8"));
    const defs = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri: uri(main()) },
      position: { line: 3, character: 10 },
    });
    expect(defs).toEqual([
      { uri: uri(path.join(dir, "shop/price.ko")), range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } } },
    ]);
    const twice = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri: uri(main()) },
      position: { line: 4, character: 13 },
    });
    expect(twice[0]!.uri).toBe(uri(path.join(dir, "shop/lib/lib.ko")));
    const alias = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri: uri(main()) },
      position: { line: 4, character: 9 },
    });
    expect(alias[0]!.range.start).toEqual({ line: 0, character: 7 });
  });

  test("steps and parameters", async () => {
    const { file, cursors } = await openMarked("Main(n) {\n\tx: 1\n\treturn: Sum(x<|>, n<|>)\n}\n");
    const step = await client.request<Location[]>("textDocument/definition", { textDocument: { uri: uri(file) }, position: cursors[0]! });
    expect(step[0]!.range.start).toEqual({ line: 1, character: 1 });
    const param = await client.request<Location[]>("textDocument/definition", { textDocument: { uri: uri(file) }, position: cursors[1]! });
    expect(param[0]!.range.start).toEqual({ line: 0, character: 5 });
  });

  test("references of a function across files and packages, with and without its declaration", async () => {
    const lib = path.join(dir, "shop/lib/lib.ko");
    const refs = await client.request<Location[]>("textDocument/references", {
      textDocument: { uri: uri(lib) },
      position: { line: 1, character: 1 },
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => `${path.relative(dir, new URL(r.uri).pathname)}:${r.range.start.line}`).sort()).toEqual([
      "shop/lib/lib.ko:1",
      "shop/main.ko:4",
    ]);
    const price = await client.request<Location[]>("textDocument/references", {
      textDocument: { uri: uri(path.join(dir, "shop/price.ko")) },
      position: { line: 1, character: 2 },
      context: { includeDeclaration: false },
    });
    expect(price.map((r) => `${path.basename(r.uri)}:${r.range.start.line}`).sort()).toEqual(["main.ko:3", "price.ko:6"]);
  });
});

describe("imports", () => {
  test("references of an import alias; definition from a use of the alias and from the path", async () => {
    const { file, cursors } = await openMarked('import "./<|>lib" as l<|>ib\nMain() {\n\ta: li<|>b.Twice(1)\n\treturn: lib.Twice(a)\n}\n');
    fs.mkdirSync(path.join(path.dirname(file), "lib"));
    fs.writeFileSync(path.join(path.dirname(file), "lib/lib.ko"), "Twice(n?) {\n\treturn: Sum(n, n)\n}\n");
    await client.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [] });
    const refs = await client.request<Location[]>("textDocument/references", {
      textDocument: { uri: uri(file) },
      position: cursors[1]!,
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => `${r.range.start.line}:${r.range.start.character}`)).toEqual(["0:18", "2:4", "3:9"]);
    const fromUse = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri: uri(file) },
      position: cursors[2]!,
    });
    expect(fromUse[0]!.range.start).toEqual({ line: 0, character: 18 });
    const fromPath = await client.request<Location[]>("textDocument/definition", {
      textDocument: { uri: uri(file) },
      position: cursors[0]!,
    });
    expect(fromPath[0]!.uri).toBe(uri(path.join(path.dirname(file), "lib/lib.ko")));
  });
});

describe("rename", () => {
  test("a step: its label and every reference", async () => {
    const { file, cursors } = await openMarked("Main() {\n\tcount<|>: 1\n\treturn: Sum(count, count)\n}\n");
    const edit = await client.request<{ changes: Record<string, { newText: string; range: { start: Position } }[]> }>(
      "textDocument/rename",
      {
        textDocument: { uri: uri(file) },
        position: cursors[0]!,
        newName: "total",
      },
    );
    expect(edit.changes[uri(file)]!.map((e) => `${e.range.start.line}:${e.range.start.character}`)).toEqual(["1:1", "2:13", "2:20"]);
  });

  test("a parameter, with the argument labels that name it at call sites", async () => {
    const { file, cursors } = await openMarked("F(size<|>) { return: size }\nMain() { return: F(size: 2) }\n");
    const edit = await client.request<{ changes: Record<string, { range: { start: Position } }[]> }>("textDocument/rename", {
      textDocument: { uri: uri(file) },
      position: cursors[0]!,
      newName: "n",
    });
    expect(edit.changes[uri(file)]!.map((e) => `${e.range.start.line}:${e.range.start.character}`)).toEqual(["0:2", "0:18", "1:19"]);
  });

  test("a function across the files of its package", async () => {
    const price = path.join(dir, "shop/price.ko");
    const edit = await client.request<{ changes: Record<string, unknown[]> }>("textDocument/rename", {
      textDocument: { uri: uri(price) },
      position: { line: 1, character: 0 },
      newName: "Cost",
    });
    expect(
      Object.keys(edit.changes)
        .map((u) => path.basename(u))
        .sort(),
    ).toEqual(["main.ko", "price.ko"]);
    expect(edit.changes[uri(price)]).toHaveLength(2);
  });

  test("refused when the new name would change what a reference means", async () => {
    const { file, cursors } = await openMarked("Main(n) {\n\tx<|>: 1\n\treturn: Sum(x, n)\n}\n");
    const params = { textDocument: { uri: uri(file) }, position: cursors[0]! };
    await expect(client.request("textDocument/rename", { ...params, newName: "n" })).rejects.toThrow(/already has a step or parameter n/);
    await expect(client.request("textDocument/rename", { ...params, newName: "Sum" })).rejects.toThrow(/already means something/);
    await expect(client.request("textDocument/rename", { ...params, newName: "2x" })).rejects.toThrow(/not a name/);
  });

  test("prepareRename gives the name's range; builtins cannot be renamed", async () => {
    const { file, cursors } = await openMarked("Main() {\n\tstep<|>: Sum<|>(1)\n\treturn: step\n}\n");
    const ok = await client.request<{ range: { start: Position; end: Position }; placeholder: string }>("textDocument/prepareRename", {
      textDocument: { uri: uri(file) },
      position: cursors[0]!,
    });
    expect(ok).toEqual({ range: { start: { line: 1, character: 1 }, end: { line: 1, character: 5 } }, placeholder: "step" });
    await expect(client.request("textDocument/prepareRename", { textDocument: { uri: uri(file) }, position: cursors[1]! })).rejects.toThrow(
      /only functions/,
    );
  });
});

describe("diagnostics", () => {
  test("syntax and resolution errors of a half-typed file, then none once it is fixed", async () => {
    const { file } = await openMarked("Main() {\n\tx: Sum(1,\n\treturn: Nope\n");
    const d = await client.diagnosticsFor(file, (ds) => ds.length > 0);
    const codes = d.map((x) => x.code);
    expect(codes).toContain("syntax/unclosed-bracket");
    await client.edit(file, { line: 0, character: 0 }, { line: 3, character: 0 }, "Main() {\n\tx: Sum(1, 2)\n\treturn: x\n}\n");
    expect(await client.diagnosticsFor(file, (ds) => ds.length === 0)).toEqual([]);
  });

  test("a lexical error and an unknown name with its suggestion", async () => {
    const { file } = await openMarked("Main() {\n\ta: 1 + 2\n\treturn: Lenn(a)\n}\n");
    const d = await client.diagnosticsFor(file, (ds) => ds.length >= 2);
    expect(d.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.source} ${x.code}`)).toEqual(
      expect.arrayContaining(["1:6 ko lex lex/unrecognized-token", "2:9 ko resolve resolve/unknown-name"]),
    );
    expect(d.find((x) => x.code === "resolve/unknown-name")!.message).toContain("did you mean Len?");
  });

  test("published within 200 ms of a change", async () => {
    const { file } = await openMarked("Main() {\n\treturn: 1\n}\n");
    await client.diagnosticsFor(file);
    const started = performance.now();
    const next = client.nextDiagnostics(file);
    await client.edit(file, { line: 1, character: 9 }, { line: 1, character: 10 }, "Nope");
    const d = await next;
    expect(d[0]?.code).toBe("resolve/unknown-name");
    expect(performance.now() - started).toBeLessThan(200);
  });

  test('a quick fix for "did you mean"', async () => {
    const { file } = await openMarked('import "strings"\nMain() {\n\treturn: strings.Jion(Lenn("x"))\n}\n');
    const d = await client.diagnosticsFor(file, (ds) => ds.length === 2);
    const actions = await client.request<
      { title: string; edit: { changes: Record<string, { newText: string; range: { start: Position } }[]> } }[]
    >("textDocument/codeAction", { textDocument: { uri: uri(file) }, range: d[0]!.range, context: { diagnostics: d } });
    expect(actions.map((a) => a.title).sort()).toEqual(["Change to Len", "Change to strings.Join"]);
    const join = actions.find((a) => a.title === "Change to strings.Join")!;
    expect(join.edit.changes[uri(file)]).toEqual([
      { range: { start: { line: 2, character: 17 }, end: { line: 2, character: 21 } }, newText: "Join" },
    ]);
  });

  test("an unsaved buffer (not a file) is analysed too", async () => {
    const untitled = "untitled:Untitled-1";
    await client.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: untitled, languageId: "ko", version: 1, text: "Main() { return: Lenn(1) }" },
    });
    const published = await client.diagnosticsForUri(untitled, (d) => d.length > 0);
    expect(published.map((d) => d.code)).toEqual(["resolve/unknown-name"]);
    const items = await client.request<CompletionItem[]>("textDocument/completion", {
      textDocument: { uri: untitled },
      position: { line: 0, character: 19 },
    });
    expect(labels(items)).toContain("Len");
  });

  test("a directory of separate scripts is not one package", async () => {
    const scripts = workspace({ "a.ko": "Main() { return: 1 }\n", "b.ko": "Main() { return: 2 }\n" });
    await client.open(path.join(scripts, "a.ko"), "Main() { return: 1 }\n");
    expect(await client.diagnosticsFor(path.join(scripts, "a.ko"))).toEqual([] as LspDiagnostic[]);
  });
});

describe("outline, tokens, folding, formatting", () => {
  test("document symbols: imports, functions with parameters and steps", async () => {
    const { file } = await openMarked('import "strings"\nMain(n) {\n\tx: G(a) { return: a }(a: n)\n\treturn: x\n}\n');
    const symbols = await client.request<{ name: string; kind: number; children?: { name: string; children?: { name: string }[] }[] }[]>(
      "textDocument/documentSymbol",
      { textDocument: { uri: uri(file) } },
    );
    expect(symbols.map((s) => s.name)).toEqual(["strings", "Main"]);
    expect(symbols[1]!.children!.map((c) => c.name)).toEqual(["n", "x", "return"]);
    expect(symbols[1]!.children![1]!.children!.map((c) => c.name)).toEqual(["G"]);
  });

  test("workspace symbols find functions in every package", async () => {
    const found = await client.request<{ name: string; containerName: string }[]>("workspace/symbol", { query: "twic" });
    expect(found.map((s) => `${s.containerName}.${s.name}`)).toContain("lib.Twice");
  });

  test("semantic tokens tell parameters, steps, functions, builtins and aliases apart", async () => {
    const source = 'import "strings" as s\nMain(n) {\n\tx: s.Upper(n)\n\treturn: Len(x)\n}\n';
    const { file } = await openMarked(source);
    const legend = ["namespace", "function", "parameter", "variable", "property", "keyword", "comment", "string", "number"];
    const { data } = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri: uri(file) } });
    const lines = source.split("\n");
    const tokens: string[] = [];
    let line = 0;
    let char = 0;
    for (let i = 0; i < data.length; i += 5) {
      line += data[i]!;
      char = data[i]! === 0 ? char + data[i + 1]! : data[i + 1]!;
      tokens.push(`${lines[line]!.slice(char, char + data[i + 2]!)}=${legend[data[i + 3]!]}${data[i + 4]! & 2 ? "+lib" : ""}`);
    }
    expect(tokens).toEqual([
      "import=keyword",
      '"strings"=string',
      "as=keyword",
      "s=namespace",
      "Main=function",
      "n=parameter",
      "x=variable",
      "s=namespace",
      "Upper=function+lib",
      "n=parameter",
      "return=keyword",
      "Len=function+lib",
      "x=variable",
    ]);
  });

  test("folding ranges for bodies, long brackets and comment blocks", async () => {
    const { file } = await openMarked("// one\n// two\nMain() {\n\treturn: (\n\t\ta: 1\n\t\tb: 2\n\t)\n}\n");
    const folds = await client.request<{ startLine: number; endLine: number; kind?: string }[]>("textDocument/foldingRange", {
      textDocument: { uri: uri(file) },
    });
    expect(folds).toEqual(
      expect.arrayContaining([
        { startLine: 0, endLine: 1, kind: "comment" },
        { startLine: 2, endLine: 6 },
        { startLine: 3, endLine: 5 },
      ]),
    );
  });

  test("formatting uses ko fmt's layout; a file with syntax errors is left alone", async () => {
    const { file } = await openMarked("Main() { a: 1, return: a }");
    const edits = await client.request<{ newText: string }[]>("textDocument/formatting", {
      textDocument: { uri: uri(file) },
      options: { tabSize: 4, insertSpaces: false },
    });
    expect(edits.map((e) => e.newText)).toEqual(["Main() {\n\ta: 1\n\treturn: a\n}\n"]);
    const broken = await openMarked("Main() { a: (1, return: a }");
    expect(
      await client.request("textDocument/formatting", {
        textDocument: { uri: uri(broken.file) },
        options: { tabSize: 4, insertSpaces: false },
      }),
    ).toEqual([]);
  });
});
