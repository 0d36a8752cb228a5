/**
 * grammar/ko.ebnf stays in step with the parser: the same rules, each referring to the same
 * rules and the same tokens as the Chevrotain grammar's serialized form says it does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ISerializedGast } from "chevrotain";
import { expect, test } from "vitest";
import { allTokens } from "../../src/syntax/index.js";
import { KoParser } from "../../src/syntax/parser.js";
import { REPO } from "../support/cli.js";

interface Rule {
  readonly rules: Set<string>;
  readonly tokens: Set<string>;
}

/** The rules of the EBNF: for each, the rules and tokens it refers to ("(" becomes LParen). */
function ebnfRules(text: string): Map<string, Rule> {
  const byPattern = new Map(allTokens.filter((t) => typeof t.PATTERN === "string").map((t) => [t.PATTERN as string, t.name]));
  const body = text.replace(/\(\*[\s\S]*?\*\)/g, " ");
  const out = new Map<string, { names: string[]; quoted: string[] }>();
  for (const m of body.matchAll(/([A-Za-z]\w*)\s*=([^;]*);/g)) {
    const rhs = m[2]!;
    const quoted = [...rhs.matchAll(/"([^"]*)"/g)].map((q) => q[1]!);
    const names = [...rhs.replace(/"[^"]*"/g, " ").matchAll(/[A-Za-z]\w*/g)].map((n) => n[0]);
    out.set(m[1]!, { names, quoted });
  }
  const rules = new Map<string, Rule>();
  for (const [name, { names, quoted }] of out) {
    const tokens = new Set(names.filter((n) => !out.has(n)));
    for (const q of quoted) tokens.add(byPattern.get(q) ?? `unknown token "${q}"`);
    rules.set(name, { rules: new Set(names.filter((n) => out.has(n))), tokens });
  }
  return rules;
}

/** A serialized rule, non-terminal or terminal: Chevrotain's ISerializedGast leaves out their name. */
type Named = ISerializedGast & { readonly name: string };

/** The same, read from the parser's serialized grammar. */
function parserRules(): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  for (const rule of new KoParser().getSerializedGastProductions()) {
    const r: Rule = { rules: new Set(), tokens: new Set() };
    const walk = (node: ISerializedGast) => {
      if (node.type === "NonTerminal") r.rules.add((node as Named).name);
      if (node.type === "Terminal") r.tokens.add((node as Named).name);
      for (const child of node.definition ?? []) walk(child);
    };
    walk(rule);
    rules.set((rule as Named).name, r);
  }
  return rules;
}

test("ko.ebnf has the parser's rules, each referring to the same rules and tokens", () => {
  const ebnf = ebnfRules(fs.readFileSync(path.join(REPO, "grammar/ko.ebnf"), "utf8"));
  const parser = parserRules();
  expect([...ebnf.keys()].sort()).toEqual([...parser.keys()].sort());
  for (const [name, rule] of parser) {
    expect([...ebnf.get(name)!.rules].sort(), `rules used by ${name}`).toEqual([...rule.rules].sort());
    expect([...ebnf.get(name)!.tokens].sort(), `tokens used by ${name}`).toEqual([...rule.tokens].sort());
  }
});
