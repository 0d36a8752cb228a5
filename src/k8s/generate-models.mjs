// Generates stdlib/k8s/models.json: the fields of every model of @kubernetes/client-node (V1Pod,
// V1StatefulSetSpec, ...), read from the client's own metadata — each model class's
// `attributeTypeMap` gives a field's JSON name, type and format — with the first sentence of each
// field's documentation from the class's declaration file. src/k8s/models.ts turns these into
// the closed record types the checker holds manifests and results to.
//
//   node src/k8s/generate-models.mjs
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const clientDir = path.dirname(require.resolve("@kubernetes/client-node/package.json"));
const version = JSON.parse(fs.readFileSync(path.join(clientDir, "package.json"), "utf8")).version;
const k8s = await import("@kubernetes/client-node");

/** A field's documentation, cut to its first sentence (hover and completion show one line). */
function firstSentence(text) {
  const flat = text
    .replace(/\\(["'])/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  const end = flat.search(/\.(\s|$)/);
  const sentence = end >= 0 ? flat.slice(0, end + 1) : flat;
  return sentence.length > 200 ? `${sentence.slice(0, 197)}...` : sentence;
}

/** name → doc, from the model's .d.ts (`/** ... *\/ 'name'?: type;`). */
function fieldDocs(model) {
  const file = path.join(clientDir, "dist/gen/models", `${model}.d.ts`);
  const docs = {};
  if (!fs.existsSync(file)) return docs;
  const text = fs.readFileSync(file, "utf8");
  for (const m of text.matchAll(/\/\*\*\n((?:\s*\*.*\n)+?)\s*\*\/\n\s*'([^']+)'\??:/g)) {
    docs[m[2]] = firstSentence(m[1].replace(/^\s*\* ?/gm, " "));
  }
  return docs;
}

const models = {};
for (const [name, cls] of Object.entries(k8s).sort(([a], [b]) => (a < b ? -1 : 1))) {
  if (typeof cls !== "function" || typeof cls.getAttributeTypeMap !== "function") continue;
  const docs = fieldDocs(name);
  models[name] = cls.getAttributeTypeMap().map((a) => {
    const field = [a.baseName, a.type, a.format ?? ""];
    const doc = docs[a.name];
    if (doc) field.push(doc);
    return field;
  });
}

const out = path.join(repo, "stdlib/k8s/models.json");
fs.writeFileSync(out, JSON.stringify({ client: version, models }) + "\n");
console.log(`${Object.keys(models).length} models → ${path.relative(repo, out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)`);
