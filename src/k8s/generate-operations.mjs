// Generates stdlib/k8s/operations.json: every operation of every *Api class of
// @kubernetes/client-node, with its own parameter names and types, read from the client's own
// declarations (dist/gen/types/ObjectParamAPI.d.ts: each operation takes one request object whose
// interface lists the parameters). Package `k8s` registers them lazily from this file.
//
//   node src/k8s/generate-operations.mjs
import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);
const clientDir = path.dirname(require.resolve("@kubernetes/client-node/package.json"));
const version = JSON.parse(fs.readFileSync(path.join(clientDir, "package.json"), "utf8")).version;
const dts = fs.readFileSync(path.join(clientDir, "dist/gen/types/ObjectParamAPI.d.ts"), "utf8");

/** The request interfaces: name → [{name, type, optional}]. */
const requests = new Map();
for (const m of dts.matchAll(/export interface (\w+Request) \{([\s\S]*?)\n\}/g)) {
  const params = [];
  for (const p of m[2].matchAll(/^ {4}(\w+)(\?)?: (.+);$/gm)) {
    // The client prefixes a name that is a reserved word in TypeScript (`_continue`); Ko, for
    // which a leading `_` marks an argument that only orders steps, uses the API's own name.
    const param = { name: p[1].replace(/^_/, ""), type: p[3], optional: p[2] === "?" };
    if (param.name !== p[1]) param.key = p[1];
    params.push(param);
  }
  requests.set(m[1], params);
}

const operations = [];
for (const c of dts.matchAll(/export declare class Object(\w+Api) \{([\s\S]*?)\n\}/g)) {
  const api = c[1];
  for (const m of c[2].matchAll(/^ {4}(\w+)\(param(\?)?: (\w+Request)(?: = \{\})?, options\?: ConfigurationOptions\): Promise<(.+)>;$/gm)) {
    if (m[1].endsWith("WithHttpInfo")) continue;
    operations.push({ api, method: m[1], params: requests.get(m[3]) ?? [], result: m[4] });
  }
}

// Ko names: the method's name capitalised; where two API classes share one (getAPIResources),
// the class's group and version go in front (CoreV1GetAPIResources).
const count = new Map();
for (const o of operations) count.set(o.method, (count.get(o.method) ?? 0) + 1);
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);
for (const o of operations) o.name = count.get(o.method) > 1 ? `${o.api.replace(/Api$/, "")}${capital(o.method)}` : capital(o.method);

const out = path.join(repo, "stdlib/k8s/operations.json");
fs.writeFileSync(out, JSON.stringify({ client: version, operations }) + "\n");
console.log(`${operations.length} operations of ${new Set(operations.map((o) => o.api)).size} API classes → ${path.relative(repo, out)}`);
