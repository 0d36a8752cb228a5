/**
 * The language server's incremental parses (src/service/parses.ts) must give exactly what
 * parsing the whole text gives: the same tree, positions, comments and diagnostics, after any
 * edit, whether it reused the trees of unchanged definitions or not.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { plainSpan, SourceSpan } from "../../src/diag/span.js";
import { Parses } from "../../src/service/parses.js";
import { parseFile } from "../../src/syntax/index.js";

const FILE = "/virtual/t.ko";

/** A deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(): string {
  const out = ['import "strings"', "", "/* a block", "   comment */"];
  for (let i = 0; i < 40; i++) {
    out.push(
      `// F${i} combines its inputs.`,
      `F${i}(x, y?) {`,
      `\ta: Sum(x, ${i})`,
      `\tb: strings.Join(string: ("n", "${i}"), delimiter: "-")`,
    );
    out.push(i % 7 === 3 ? "\tc: `raw\nstring`" : `\tc: F${Math.max(0, i - 1)}(x: a, y: b)`);
    out.push(`\treturn: (a: a, b: b, c: c)`, i % 5 === 0 ? "} // trailing" : "}", "");
  }
  return out.join("\n");
}

/** Text snippets that edits insert: some harmless, some that break the syntax on purpose. */
const SNIPPETS = [
  "x",
  "1",
  ".",
  "(",
  ")",
  "{",
  "}",
  "\n",
  "\n\n",
  "// note\n",
  "/*",
  "*/",
  '"',
  "`",
  "G() { return: 1 }\n",
  "\tz: 2\n",
  ": ",
  ",",
  'import "x"\n',
];

/**
 * A tree with each span as its file, start and end positions: a reused tree's spans may find
 * their positions through the line starts of the text they were parsed in, which are the new
 * text's where they are (src/service/parses.ts), so positions are what must be equal.
 */
function positions(node: unknown): unknown {
  if (node === null || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map(positions);
  if (node instanceof SourceSpan) return plainSpan(node);
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, positions(v)]));
}

function expectSameParse(parses: Parses, text: string): void {
  const got = parses.parse(FILE, text);
  const want = parseFile(FILE, text);
  expect(positions(got.diagnostics)).toEqual(positions(want.diagnostics));
  expect(positions(got.comments)).toEqual(positions(want.comments));
  expect(positions(got.ast)).toEqual(positions(want.ast));
}

describe("incremental parses", () => {
  test("random edits of a package-sized file give what a whole parse gives", () => {
    const next = random(42);
    const parses = new Parses();
    let text = sample();
    expectSameParse(parses, text);
    for (let i = 0; i < 200; i++) {
      const at = Math.floor(next() * text.length);
      const remove = next() < 0.5 ? 0 : Math.floor(next() * 12);
      const insert = next() < 0.3 ? "" : SNIPPETS[Math.floor(next() * SNIPPETS.length)]!;
      text = text.slice(0, at) + insert + text.slice(at + remove);
      expectSameParse(parses, text);
      // Now and then mend it again, so that most edits start from a text that parses.
      if (next() < 0.3) {
        text = sample();
        expectSameParse(parses, text);
      }
    }
    expect(parses.reused).toBeGreaterThan(50);
  });

  test("typing a function, one character at a time, in the middle of a file", () => {
    const parses = new Parses();
    const base = sample();
    const at = base.indexOf("// F20");
    const typed = "// H documents H.\nH(n) {\n\tr: Sum(n, 1)\n\treturn: r\n}\n\n";
    for (let i = 0; i <= typed.length; i++) expectSameParse(parses, base.slice(0, at) + typed.slice(0, i) + base.slice(at));
  });

  test("the Ko files of this repository, each edited at every definition", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith(".ko")) files.push(p);
      }
    };
    for (const dir of ["stdlib", "examples", "test/testdata"]) walk(dir);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      const parses = new Parses();
      expectSameParse(parses, text);
      const starts = [...text.matchAll(/\n(?=\S)/g)];
      for (const m of starts.filter((_, i) => i % Math.ceil(starts.length / 15) === 0)) {
        expectSameParse(parses, text.slice(0, m.index + 1) + "X() { return: 1 }\n" + text.slice(m.index + 1));
        expectSameParse(parses, text.slice(0, m.index) + text.slice(m.index + 1));
      }
    }
  });
});
