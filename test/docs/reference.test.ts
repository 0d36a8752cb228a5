/**
 * docs/reference.md stays whole, and the comments that cite it stay true: every decision D1-D35
 * has its heading exactly once; every "Dn" and "reference N.M" in a comment of the code names a
 * section that exists; no comment cites the specification outside the repository or an issue
 * number (the reference states the reasons instead); the contents' links reach their headings.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { lex } from "../../src/syntax/index.js";
import { REPO } from "../support/cli.js";

const DECISIONS = 35;
const reference = fs.readFileSync(path.join(REPO, "docs/reference.md"), "utf8");

/** The headings of the reference, outside fenced code blocks. */
function headings(markdown: string): { level: number; text: string }[] {
  const out: { level: number; text: string }[] = [];
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^(#{1,6}) +(.*?) *#*$/.exec(line);
    if (m) out.push({ level: m[1]!.length, text: m[2]! });
  }
  return out;
}

const heads = headings(reference);
/** Section numbers with a heading: "4" for `## 4 Values and types`, "4.2" for `### 4.2 Types`. */
const sections = new Set(heads.flatMap((h) => /^(\d+(?:\.\d+)?) /.exec(h.text)?.[1] ?? []));
/** Decision numbers with a heading `### Dn Title`, once per heading. */
const decisionHeads = heads.filter((h) => h.level === 3 && /^D\d+ \S/.test(h.text)).map((h) => Number(/^D(\d+)/.exec(h.text)![1]));

// ---------------------------------------------------------------------------------------------
// Comments of the code

interface Comment {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const SCANNED = ["src", "test", "bench", "scripts", "grammar", "stdlib"];
/** Copies of the shared conformance suite, kept byte for byte as they are there (.ci/run compares them). */
const COPIES = path.join(REPO, "test", "conformance");

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : filesUnder(p);
    return dir === COPIES && !p.endsWith(".ts") ? [] : [p];
  });
}

const lineAt = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;

/** The comments of a TypeScript or JavaScript file, found by the TypeScript parser. */
function scriptComments(file: string, text: string): Comment[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const seen = new Set<number>();
  const out: Comment[] = [];
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const r of ranges ?? []) {
      if (seen.has(r.pos)) continue;
      seen.add(r.pos);
      out.push({ file, line: lineAt(text, r.pos), text: text.slice(r.pos, r.end) });
    }
  };
  const visit = (node: ts.Node) => {
    if (node.kind >= ts.SyntaxKind.FirstToken && node.kind <= ts.SyntaxKind.LastToken) {
      collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
      collect(ts.getTrailingCommentRanges(text, node.getEnd()));
    }
    node.getChildren(source).forEach(visit);
  };
  visit(source);
  return out;
}

/** The comments of a Ko file, found by Ko's own lexer. */
function koComments(file: string, text: string): Comment[] {
  return lex(text).comments.map((c) => ({ file, line: lineAt(text, c.startOffset), text: c.image }));
}

/** The comments of an EBNF file: `(* ... *)`. */
function ebnfComments(file: string, text: string): Comment[] {
  return [...text.matchAll(/\(\*[\s\S]*?\*\)/g)].map((m) => ({ file, line: lineAt(text, m.index), text: m[0] }));
}

function commentsOf(file: string): Comment[] {
  const text = fs.readFileSync(file, "utf8");
  const rel = path.relative(REPO, file);
  if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(file)) return scriptComments(rel, text);
  if (file.endsWith(".ko")) return koComments(rel, text);
  if (file.endsWith(".ebnf")) return ebnfComments(rel, text);
  return [];
}

const comments = SCANNED.flatMap((dir) => filesUnder(path.join(REPO, dir))).flatMap(commentsOf);

/** Every section number a "reference N.M" citation names, lists and ranges included ("reference 1.3, 1.6-1.8"). */
function referenceCitations(text: string): string[] {
  const n = String.raw`\d+(?:\.\d+)?`;
  const cite = new RegExp(String.raw`\breference (?:section )?(${n}(?:\s*(?:,|-|–|and)\s*${n})*)`, "gi");
  return [...text.matchAll(cite)].flatMap((m) => m[1]!.match(new RegExp(n, "g"))!);
}

/** The lines of a comment for which `bad` holds, as `FILE:LINE: text`. */
function linesWhere(c: Comment, bad: (line: string) => boolean): string[] {
  return c.text.split("\n").flatMap((text, i) => (bad(text) ? [`${c.file}:${c.line + i}: ${text.trim()}`] : []));
}

// ---------------------------------------------------------------------------------------------

describe("docs/reference.md", () => {
  test("has sections 1-12 and the subsections comments cite, numbered as the original's specification", () => {
    for (let s = 1; s <= 12; s++) expect(sections, `section ${s}`).toContain(String(s));
    const subsections: Record<number, number> = { 1: 10, 2: 2, 3: 7, 4: 8, 5: 7, 6: 6, 7: 4, 8: 5 };
    for (const [s, count] of Object.entries(subsections)) {
      for (let k = 1; k <= count; k++) expect(sections, `section ${s}.${k}`).toContain(`${s}.${k}`);
    }
  });

  test("has a heading `### Dn Title` for every decision D1-D35, exactly once, in order", () => {
    const expected = Array.from({ length: DECISIONS }, (_, i) => i + 1);
    expect(decisionHeads).toEqual(expected);
  });

  test("its contents' links reach headings", () => {
    // GitHub's anchors: lower case, punctuation dropped, spaces to hyphens.
    const slug = (text: string) =>
      text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/ /g, "-");
    const anchors = new Set(heads.map((h) => slug(h.text)));
    const links = [...reference.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(DECISIONS);
    expect(links.filter((a) => !anchors.has(a))).toEqual([]);
  });
});

describe("citations in comments", () => {
  test("the scan sees the comments of the code", () => {
    expect(comments.length).toBeGreaterThan(1000);
    expect(comments.some((c) => c.file.endsWith(".ko"))).toBe(true);
  });

  test('every "Dn" names a decision of docs/reference.md', () => {
    const unknown = (text: string) => [...text.matchAll(/\bD(\d+)\b/g)].some((m) => !decisionHeads.includes(Number(m[1])));
    expect(comments.flatMap((c) => linesWhere(c, unknown))).toEqual([]);
  });

  test('every "reference N.M" names a section of docs/reference.md', () => {
    expect(comments.flatMap((c) => referenceCitations(c.text)).length).toBeGreaterThan(50);
    const unknown = (text: string) => referenceCitations(text).some((s) => !sections.has(s));
    expect(comments.flatMap((c) => linesWhere(c, unknown))).toEqual([]);
  });

  test("no comment cites the specification outside the repository, or an issue number", () => {
    const stale = /\bspec(?:ification)? (?:section )?\d|ko-spec|\bissues? #?\d/i;
    expect(comments.flatMap((c) => linesWhere(c, (line) => stale.test(line)))).toEqual([]);
  });
});
