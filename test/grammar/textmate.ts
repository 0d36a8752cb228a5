/** Tokenising with the TextMate grammar as VS Code does: vscode-textmate with the Oniguruma WASM. */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as oniguruma from "vscode-oniguruma";
import * as vsctm from "vscode-textmate";
import { REPO } from "../support/cli.js";

export const GRAMMAR = path.join(REPO, "grammar/ko.tmLanguage.json");

export interface Token {
  readonly line: number;
  /** Offsets in the whole text. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly scopes: readonly string[];
}

let grammar: Promise<vsctm.IGrammar> | undefined;

async function load(): Promise<vsctm.IGrammar> {
  const require = createRequire(import.meta.url);
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope: string) => (scope === "source.ko" ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null),
  });
  const g = await registry.loadGrammar("source.ko");
  if (g === null) throw new Error("grammar source.ko did not load");
  return g;
}

/** Every token of `text`, line by line, as an editor would colour it. */
export async function tokenize(text: string): Promise<Token[]> {
  const g = await (grammar ??= load());
  const out: Token[] = [];
  let stack = vsctm.INITIAL;
  let offset = 0;
  text.split("\n").forEach((line, i) => {
    const r = g.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, line.length);
      if (end > t.startIndex)
        out.push({ line: i, start: offset + t.startIndex, end: offset + end, text: line.slice(t.startIndex, end), scopes: t.scopes });
    }
    stack = r.ruleStack;
    offset += line.length + 1;
  });
  return out;
}

/** `text=scope` for each token whose innermost scope is not plain source, for compact assertions. */
export function summary(tokens: readonly Token[]): string[] {
  return tokens.filter((t) => t.text.trim() !== "" && t.scopes.length > 1).map((t) => `${t.text.trim()}=${t.scopes[t.scopes.length - 1]}`);
}
