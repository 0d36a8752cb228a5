/**
 * The links of the guides and of the README lead somewhere: every relative link names a file of the
 * repository, and every `#anchor` a heading of the file it points into, with the anchor GitHub
 * makes of the heading's text.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { REPO } from "../support/cli.js";

/** GitHub's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The anchors of a Markdown file's headings (outside fenced blocks), with GitHub's -1, -2 for repeats. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    let name = base;
    for (let n = 1; out.has(name); n++) name = `${base}-${n}`;
    out.add(name);
  }
  return out;
}

/** The targets of a Markdown text's inline links `[text](target)`, outside fenced blocks and code spans. */
function links(markdown: string): string[] {
  const prose = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

const files = [
  "README.md",
  ...fs
    .readdirSync(path.join(REPO, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("links", () => {
  test.each(files)("%s: every relative link and anchor resolves", (file) => {
    const text = fs.readFileSync(path.join(REPO, file), "utf8");
    const broken: string[] = [];
    for (const target of links(text)) {
      if (/^[a-z]+:/.test(target)) continue;
      const [where, anchor] = target.split("#") as [string, string | undefined];
      const into = where === "" ? path.join(REPO, file) : path.resolve(path.dirname(path.join(REPO, file)), where);
      if (!fs.existsSync(into)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && into.endsWith(".md") && !anchors(fs.readFileSync(into, "utf8")).has(anchor)) {
        broken.push(`${target}: no such heading`);
      }
    }
    expect(broken).toEqual([]);
  });
});
