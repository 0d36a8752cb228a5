/**
 * grammar/diagrams.html, the railroad diagrams drawn from the parser's own grammar: it is what
 * `npm run grammar` generates now (so it is in step with the parser), needs nothing from the
 * network, and its scripts draw one diagram per rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as vm from "node:vm";
import type { ISerializedGast } from "chevrotain";
import { Window } from "happy-dom";
import { expect, test } from "vitest";
import { KoParser } from "../../src/syntax/parser.js";
import { REPO } from "../support/cli.js";

const PAGE = path.join(REPO, "grammar/diagrams.html");

test("the page is up to date with the parser (regenerate with npm run grammar)", async () => {
  const { diagramsHtml } = await import("../../grammar/generate.mjs");
  expect(fs.readFileSync(PAGE, "utf8")).toBe(diagramsHtml());
});

test("the page is self-contained and draws a diagram for every rule", async () => {
  const html = fs.readFileSync(PAGE, "utf8");
  expect(html).not.toMatch(/<script src=|<link /);
  const window = new Window();
  try {
    window.document.body.innerHTML = '<div id="diagrams"></div>';
    // The page's scripts, run with the page's document as a browser would run them.
    const context = vm.createContext({ document: window.document, console });
    context.window = context;
    for (const m of html.matchAll(/<script>([\s\S]*?)<\/script>/g)) vm.runInContext(m[1]!, context);
    const div = window.document.getElementById("diagrams")!;
    const rules = new KoParser().getSerializedGastProductions().map((r) => (r as ISerializedGast & { name: string }).name);
    expect([...div.querySelectorAll("h2")].map((h) => h.textContent)).toEqual(rules);
    expect(div.querySelectorAll("svg").length).toBe(rules.length);
  } finally {
    await window.happyDOM.close();
  }
});
