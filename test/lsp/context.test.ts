/** What the completion engine reads at the cursor, on text that may not parse yet. */
import { describe, expect, test } from "vitest";
import { cursorContext } from "../../src/service/cursor.js";
import { OffsetMap } from "../../src/service/edits.js";
import { marked } from "./client.js";

function at(source: string) {
  const m = marked(source);
  const lines = m.text.split("\n");
  const c = m.cursors[0]!;
  const offset = lines.slice(0, c.line).reduce((n, l) => n + l.length + 1, 0) + c.character;
  return cursorContext(m.text, offset, 0);
}

describe("cursor context", () => {
  test("a name being typed in a formula, and where it starts", () => {
    expect(at("Main() { return: Su<|> }")).toMatchObject({ kind: "formula", typed: "Su", from: 17, inBody: true, termStart: false });
  });

  test("the start of a step in a body", () => {
    expect(at("Main() {\n\tre<|>\n}")).toMatchObject({ kind: "formula", typed: "re", inBody: true, termStart: true });
  });

  test("a call's brackets: the callee, the labels written, the current term's label", () => {
    expect(at('Main() { return: strings.Join(delimiter: ",", s<|>) }')).toMatchObject({
      kind: "formula",
      termStart: true,
      call: { callee: ["strings", "Join"], usedLabels: ["delimiter"], label: undefined },
    });
    expect(at("Main() { return: F(x: 1, y: G(<|>) }")).toMatchObject({ call: { callee: ["G"], usedLabels: [] } });
    expect(at("Main() { return: F(x: Su<|>) }")).toMatchObject({ termStart: false, call: { callee: ["F"], label: "x" } });
    expect(at("Main() { return: F(G(1) <|>) }")).toMatchObject({ call: { callee: ["F"], unlabelled: true } });
  });

  test("members after an alias, fields after a bracket", () => {
    expect(at("Main() { return: strings.Jo<|> }")).toMatchObject({ kind: "member", qualifier: ["strings"], typed: "Jo" });
    expect(at("Main() { return: a.b.<|> }")).toMatchObject({ kind: "member", qualifier: ["a", "b"], typed: "" });
    expect(at("Main() { return: F(1).<|> }")).toMatchObject({ kind: "select", typed: "" });
  });

  test("an import path", () => {
    expect(at('import "enc<|>')).toMatchObject({ kind: "import", typed: "enc", from: 8 });
  });

  test("nothing in strings, comments, parameter lists, at top level or in a number", () => {
    for (const s of [
      'Main() { return: "Su<|>" }',
      "Main() { // Su<|>\n}",
      "Main() { /* Su<|> */ }",
      "Main(a, b<|>) {}",
      "Ma<|>",
      "Main() { return: 12<|> }",
      "Main() { return: `raw <|>",
    ]) {
      expect(at(s), s).toEqual({ kind: "none" });
    }
  });
});

describe("offsets across edits", () => {
  test("text typed since maps to where it was typed; text before and after shifts", () => {
    // "abcdef" → insert "XY" at 2 → "abXYcdef" → replace "d" (5..6) by "" → "abXYcef"
    const map = new OffsetMap([
      { start: 2, end: 2, length: 2 },
      { start: 5, end: 6, length: 0 },
    ]);
    expect(map.toOld(0)).toBe(0);
    expect(map.toOld(4)).toBe(2); // just after the typed "XY": where it was typed
    expect(map.toOld(3)).toBe(2);
    expect(map.toOld(6)).toBe(5); // "f"
    expect(map.toNew(5)).toBe(6);
    expect(map.toNew(3)).toBe(5); // before the deleted "d", now before "e"
    expect(map.toNew(4)).toBe(5);
    expect(map.toNew(1)).toBe(1);
    expect(new OffsetMap([{ start: 1, end: 4, length: 1 }]).toNew(2)).toBe(undefined); // inside replaced text
  });
});
