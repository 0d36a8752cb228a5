// @ts-check
// Builds the extension: bundles src/extension.js with the language client into out/extension.js
// (so the package needs no node_modules: `vsce package --no-dependencies`), and copies the
// TextMate grammar from grammar/ into syntaxes/.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = path.dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [path.join(here, "src/extension.js")],
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  outfile: path.join(here, "out/extension.js"),
  minify: true,
  logLevel: "warning",
});
fs.mkdirSync(path.join(here, "syntaxes"), { recursive: true });
fs.copyFileSync(path.join(here, "../grammar/ko.tmLanguage.json"), path.join(here, "syntaxes/ko.tmLanguage.json"));
console.log("built out/extension.js and syntaxes/ko.tmLanguage.json");
