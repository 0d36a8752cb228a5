// Writes grammar/diagrams.html: railroad diagrams of the Ko grammar, drawn from the parser itself
// (Chevrotain's serialized grammar of src/syntax/parser.ts), as one self-contained page that needs
// no network: Chevrotain's diagram scripts and style are inlined.
//
//   npm run grammar          (after npm run build)
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createSyntaxDiagramsCode } from "chevrotain";
import { KoParser } from "../dist/syntax/parser.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// Chevrotain's package exports no diagrams entry: find the folder from the package's main file.
const require = createRequire(import.meta.url);
const diagrams = path.join(packageRoot(require.resolve("chevrotain")), "diagrams");
const BASE = "ko-diagrams-resource:";

/** The page's HTML. */
export function diagramsHtml() {
  const grammar = new KoParser().getSerializedGastProductions();
  let html = createSyntaxDiagramsCode(grammar, { resourceBase: BASE, css: `${BASE}diagrams.css` });
  html = html.replace(
    /<link rel='stylesheet' href='ko-diagrams-resource:diagrams\.css'>/,
    () => `<style>\n${read("diagrams.css")}\n</style>`,
  );
  html = html.replace(/<script src='ko-diagrams-resource:([^']+)'><\/script>/g, (_m, file) => `<script>\n${read(file)}\n</script>`);
  const title =
    "<title>Ko grammar: railroad diagrams</title>\n<h1 style='font-family: sans-serif'>Ko grammar</h1>\n" +
    "<p style='font-family: sans-serif'>Generated from the parser (src/syntax/parser.ts) by <code>npm run grammar</code>; the EBNF is in grammar/ko.ebnf.</p>\n";
  return html.replace('<div id="diagrams"', `${title}<div id="diagrams"`);
}

function packageRoot(file) {
  let dir = path.dirname(file);
  while (!fs.existsSync(path.join(dir, "package.json"))) dir = path.dirname(dir);
  return dir;
}

function read(file) {
  return fs.readFileSync(path.join(diagrams, file), "utf8").replace(/<\/script>/gi, "<\\/script>");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = path.join(here, "diagrams.html");
  fs.writeFileSync(out, diagramsHtml());
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
