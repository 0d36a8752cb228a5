/**
 * Inferred types in the language server (types-bridge.ts), through the protocol as an editor
 * uses it: hover, completion after `.`, and the checker's diagnostics, also while a file is half
 * typed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LspClient, MarkedFiles, uri, workspace, type LspDiagnostic, type Position } from "./client.js";

interface CompletionItem {
  label: string;
  detail?: string;
  kind?: number;
}

const FIELD = 5; // CompletionItemKind.Field
const ERROR = 1;
const WARNING = 2;

let dir: string;
let client: LspClient;
let files: MarkedFiles;

beforeAll(async () => {
  dir = workspace({});
  client = await LspClient.start(dir);
  files = new MarkedFiles(client, dir);
});

afterAll(async () => {
  await client.stop();
});

async function hoverText(file: string, position: Position): Promise<string> {
  const h = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
    textDocument: { uri: uri(file) },
    position,
  });
  return h?.contents.value ?? "";
}

function completion(file: string, position: Position): Promise<CompletionItem[]> {
  return client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri: uri(file) }, position });
}

function fields(items: CompletionItem[]): string[] {
  return items.filter((i) => i.kind === FIELD).map((i) => `${i.label}: ${i.detail}`);
}

describe("hover shows inferred types", () => {
  test("of a step, a parameter, a selected field, and a function's signature per specialisation", async () => {
    const { file, cursors } = await files.open(
      'Main() {\n\tx<|>: (a: 1, b: "s")\n\treturn: Wrap(n: x.a<|>)\n}\n\n// Wrap puts a value in a structure.\nWr<|>ap(n<|>) {\n\treturn: (value: n)\n}\n\nOther() {\n\treturn: Wrap(n: "s")\n}\n',
    );
    const step = await hoverText(file, cursors[0]!);
    expect(step).toContain("(step) x");
    expect(step).toContain("inferred type:\n```ko\n(a: Int64, b: String)\n```");
    expect(await hoverText(file, cursors[1]!)).toContain("```ko\nInt64\n```");
    const fn = await hoverText(file, cursors[2]!);
    expect(fn).toContain("Wrap puts a value in a structure.");
    expect(fn).toMatch(
      /inferred types:\n```ko\ncase\d+\.Wrap\(n: Int64\) \(value: Int64\)\ncase\d+\.Wrap\(n: String\) \(value: String\)\n```$/,
    );
    expect(await hoverText(file, cursors[3]!)).toContain("```ko\nInt64 | String\n```");
  });

  test("inside a formula; none on the name of a function called", async () => {
    const { file, cursors } = await files.open('Main() {\n\treturn: (a: Sum<|>(1, 2), b: Len("<|>x"))\n}\n');
    const callee = await hoverText(file, cursors[0]!);
    expect(callee).toContain("Sum(value?:");
    expect(callee).not.toContain("inferred type");
    expect(await hoverText(file, cursors[1]!)).toBe("inferred type:\n```ko\nString\n```");
  });

  test("while the file does not compile, those of the last text that did", async () => {
    const { file, cursors } = await files.open('Main() {\n\tx: (a: 1, b: "s")\n\t<|>\n\treturn: x<|>\n}\n');
    expect(await hoverText(file, cursors[1]!)).toContain("(a: Int64, b: String)");
    // A half-typed step before the reference: the reference has moved, and the text no longer parses.
    await client.edit(file, cursors[0]!, cursors[0]!, "y: Sum(x.a,");
    await client.diagnosticsFor(file, (ds) => ds.some((d) => d.source === "ko syntax"));
    const moved = { line: cursors[1]!.line, character: cursors[1]!.character };
    expect(await hoverText(file, { line: moved.line, character: moved.character - 1 })).toContain("(a: Int64, b: String)");
    expect(await hoverText(file, { line: 2, character: 10 })).toContain("```ko\nInt64\n```"); // `a` of x.a, in the new text
  });

  test("of a type that shares its parts, 2^40 of them unfolded: bounded, the rest elided", async () => {
    const lines = ["Main() {", "\ts0: 1"];
    for (let i = 1; i <= 40; i++) lines.push(`\ts${i}: (a: s${i - 1}, b: s${i - 1})`);
    lines.push("\treturn: s40", "}", "");
    const { file } = await files.open(lines.join("\n"));
    expect(await client.diagnosticsFor(file)).toEqual([]);
    const text = await hoverText(file, { line: 41, character: 2 });
    expect(text).toContain("(step) s40");
    expect(text).toContain("b: ...");
    expect(text.length).toBeLessThan(10_000);
  });

  test("in a function no entry calls: its parameters of any type", async () => {
    const { file, cursors } = await files.open("Label(name) {\n\tr<|>: (name: name, size: 3)\n\treturn: r\n}\n");
    expect(await hoverText(file, cursors[0]!)).toContain("(name: Unknown, size: Int64)");
  });
});

describe("completion after `.` lists the fields of the inferred type", () => {
  test("of a step, as the editor types the dot", async () => {
    const { file, cursors } = await files.open('Main() {\n\tx: (a: 1, b: "s")\n\treturn: x<|>\n}\n');
    await hoverText(file, cursors[0]!); // the server has analysed the text as opened
    await client.edit(file, cursors[0]!, cursors[0]!, ".");
    const after = { line: cursors[0]!.line, character: cursors[0]!.character + 1 };
    expect(fields(await completion(file, after))).toEqual(["a: Int64", "b: String"]);
  });

  test("of a field of a field, and of a call's result and its fields, in a text that compiles", async () => {
    const { file, cursors } = await files.open(
      'Pair(l, r) {\n\treturn: (left: l, right: r)\n}\n\nMain() {\n\tx: (inner: (deep: 1, s: "t"))\n\ty: x.inner.<|>deep\n\tz: Pair(l: y, r: x).right.inner.<|>s\n\treturn: Pair(l: y, r: x).<|>left\n}\n',
    );
    expect(fields(await completion(file, cursors[0]!))).toEqual(["deep: Int64", "s: String"]);
    // A field of a field of a call's result: the selection is one step, ending after `s`.
    expect(fields(await completion(file, cursors[1]!))).toEqual(["deep: Int64", "s: String"]);
    expect(fields(await completion(file, cursors[2]!))).toEqual(["left: Int64", "right: (inner: (deep: Int64, s: String))"]);
  });

  test("after a dotted name in a new line of a function that no longer compiles", async () => {
    const { file, cursors } = await files.open("Main() {\n\tx: (a: 1, b: (c: true))\n\treturn: x\n}\n<|>");
    await hoverText(file, { line: 1, character: 1 });
    // A new function's text first, then a line in Main that names x (not in the last good text).
    await client.edit(file, cursors[0]!, cursors[0]!, "F() {\n");
    await client.edit(file, { line: 2, character: 0 }, { line: 2, character: 0 }, "\tz: x.b.\n");
    expect(fields(await completion(file, { line: 2, character: 8 }))).toEqual(["c: Bool"]);
  });
});

describe("type diagnostics", () => {
  test("a certain failure is an error at its step, with the severities of ko check", async () => {
    // A spun call nobody waits for may fail, but need not stop the program (D32): a warning.
    const { file } = await files.open('Main() { return: Sum(1, "a") }\n\nLater() {\n\ts: Spin(Sum["b"])\n\treturn: 1\n}\n');
    const d = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.source === "ko type"));
    const errors = d.filter((x) => x.severity === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: "type/unify",
      source: "ko type",
      message: "basic types Int64 and String cannot be unified",
      range: { start: { line: 0, character: 17 }, end: { line: 0, character: 28 } },
    });
    const warnings = d.filter((x) => x.severity === WARNING);
    expect(warnings.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.message}`)).toEqual([
      "3:4 may fail: Sum: argument value: expects (Integer), got String",
    ]);
  });

  test("a misspelled manifest field is an error at the call, with the field's own place as related information", async () => {
    const { file } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "a"), dta: (k: "v")))\n}\n',
    );
    const d = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.source === "ko type"));
    const error = d.find((x) => x.severity === ERROR)!;
    expect(error.message).toBe("k8s.Apply: argument object: V1ConfigMap has no field dta (did you mean data?)");
    expect(error.range.start).toEqual({ line: 3, character: 9 });
    expect(error.relatedInformation?.[0]).toMatchObject({
      message: "the field is written here",
      location: { range: { start: { line: 3, character: 88 } } }, // the label dta
    });
  });

  test("quick fixes change a misspelled manifest field, and a misspelled field selected from an object", async () => {
    const { file } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "a", lables: (app: "x"))))\n}\n\nRead() {\n\treturn: k8s.Get(kind: "Pod", name: "p").metadata.nmae\n}\n',
    );
    const d = await client.diagnosticsFor(file, (ds) => ds.filter((x) => x.severity === ERROR).length === 2);
    const actions = await client.request<
      { title: string; edit: { changes: Record<string, { newText: string; range: { start: Position; end: Position } }[]> } }[]
    >("textDocument/codeAction", { textDocument: { uri: uri(file) }, range: d[0]!.range, context: { diagnostics: d } });
    const edits = Object.fromEntries(actions.map((a) => [a.title, a.edit.changes[uri(file)]]));
    expect(edits).toEqual({
      "Change lables to labels": [{ range: { start: { line: 3, character: 87 }, end: { line: 3, character: 93 } }, newText: "labels" }],
      "Change nmae to name": [{ range: { start: { line: 7, character: 50 }, end: { line: 7, character: 54 } }, newText: "name" }],
    });
  });

  test("a half-typed file gets its syntax diagnostics, and its type errors again once it compiles", async () => {
    const { file } = await files.open("Main() {\n\tx: Sum(1, 2)\n\treturn: x\n}\n");
    expect(await client.diagnosticsFor(file)).toEqual([] as LspDiagnostic[]);
    await client.edit(file, { line: 1, character: 11 }, { line: 1, character: 12 }, '"a"');
    const typeError = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.code === "type/unify"));
    expect(typeError.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.code}`)).toEqual(["1:4 type/unify"]);
    // Half typed: a bracket left open. Syntax errors only: the checker needs a program that compiles.
    await client.edit(file, { line: 2, character: 9 }, { line: 2, character: 10 }, "Sum(x,");
    const syntax = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.source === "ko syntax"));
    expect(syntax.every((x) => x.source !== "ko type")).toBe(true);
    await client.edit(file, { line: 2, character: 9 }, { line: 2, character: 15 }, "x");
    const again = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.code === "type/unify"));
    expect(again.map((x) => x.source)).toEqual(["ko type"]);
  });

  test("a function nothing calls is checked for arguments of any type: an error whatever they are is an error (D33)", async () => {
    const { file } = await files.open('helper(x) {\n\treturn: Sum(x, "a")\n}\n\npick(x) {\n\treturn: x.a.b\n}\n');
    const d = await client.diagnosticsFor(file, (ds) => ds.some((x) => x.source === "ko type"));
    expect(d.map((x) => `${x.severity} ${x.range.start.line}:${x.range.start.character} ${x.message}`)).toEqual([
      `${ERROR} 1:9 Sum: argument value: expects (Integer), got String`,
    ]);
    expect(d[0]!.relatedInformation?.map((r) => r.message)).toEqual([
      expect.stringMatching(/^in case\d+\.helper\(x: Unknown\) \(nothing calls it: checked for arguments of any type\)$/),
    ]);
    // Fixed, the error goes; where the function is called, it is checked per call as before.
    await client.edit(file, { line: 1, character: 16 }, { line: 1, character: 19 }, "1");
    await client.diagnosticsFor(file, (ds) => ds.length === 0);
  });

  test("an argument the callee does not declare, close to one it does, is a warning with a quick fix (D35)", async () => {
    const { file } = await files.open("F(value?) {\n\treturn: Sum(value, 1)\n}\n\nMain() {\n\treturn: F(valeu: 1, after: 2)\n}\n");
    const d = await client.diagnosticsFor(file, (ds) => ds.length > 0);
    expect(d.map((x) => `${x.severity} ${x.range.start.line}:${x.range.start.character}-${x.range.end.character} ${x.message}`)).toEqual([
      expect.stringMatching(/^2 5:11-16 case\d+\.F has no parameter valeu: the argument only orders the call \(did you mean value\?\)$/),
    ]);
    const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>(
      "textDocument/codeAction",
      { textDocument: { uri: uri(file) }, range: d[0]!.range, context: { diagnostics: d } },
    );
    expect(actions.map((a) => [a.title, a.edit.changes[uri(file)]?.[0]?.newText])).toEqual([["Change to value", "value"]]);
  });

  test("a failure inside an imported package is shown where the package is called", async () => {
    const pkg = workspace({
      "app/main.ko": 'import "./lib"\n\nMain() {\n\treturn: lib.Twice(n: "x")\n}\n',
      "app/lib/lib.ko": "Twice(n) {\n\treturn: Sum(n, n)\n}\n",
    });
    const file = path.join(pkg, "app/main.ko");
    await client.open(file, fs.readFileSync(file, "utf8"));
    const d = await client.diagnosticsFor(file, (ds) => ds.length > 0);
    expect(d.map((x) => `${x.range.start.line}:${x.range.start.character} ${x.source}`)).toEqual(["3:9 ko type"]);
    expect(d[0]!.message).toMatch(/^Sum: argument value: .* \(in lib\.Twice at .*lib\.ko:2:10\)$/);
  });
});
