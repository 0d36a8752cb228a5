/**
 * The VS Code extension in lsp/: it builds (the language client bundled, the grammar copied) and
 * packages with @vscode/vsce, offline, with --no-dependencies (nothing to ship but the bundle).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { REPO } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const LSP = path.join(REPO, "lsp");
const VSCE = path.join(REPO, "node_modules/.bin/vsce");
const FLAGS = ["--no-dependencies", "--skip-license", "--allow-missing-repository"];

test("the manifest declares the language, the grammar and the server command", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(LSP, "package.json"), "utf8")) as {
    contributes: { languages: object[]; grammars: object[] };
    activationEvents: string[];
  };
  expect(manifest.contributes.languages[0]).toMatchObject({ id: "ko", extensions: [".ko"] });
  expect(manifest.contributes.grammars[0]).toMatchObject({ language: "ko", scopeName: "source.ko", path: "./syntaxes/ko.tmLanguage.json" });
  expect(manifest.activationEvents).toEqual(["onLanguage:ko"]);
  const client = fs.readFileSync(path.join(LSP, "src/extension.js"), "utf8");
  expect(client).toContain('args: ["lsp"], transport: TransportKind.stdio');
});

test("vsce packages the extension with the bundled client and the grammar", () => {
  const out = path.join(tempDir("ko-vsix-"), "ko.vsix");
  execFileSync(VSCE, ["package", ...FLAGS, "--out", out], { cwd: LSP, stdio: "pipe" });
  expect(fs.statSync(out).size).toBeGreaterThan(10_000);
  const files = execFileSync(VSCE, ["ls", "--no-dependencies"], { cwd: LSP, encoding: "utf8" }).trim().split("\n").sort();
  expect(files).toEqual(["README.md", "language-configuration.json", "out/extension.js", "package.json", "syntaxes/ko.tmLanguage.json"]);
  expect(fs.readFileSync(path.join(LSP, "syntaxes/ko.tmLanguage.json"), "utf8")).toBe(
    fs.readFileSync(path.join(REPO, "grammar/ko.tmLanguage.json"), "utf8"),
  );
  // The bundle carries the language client, so the package needs no node_modules.
  expect(fs.readFileSync(path.join(LSP, "out/extension.js"), "utf8")).toContain("Ko language server");
}, 60_000);
