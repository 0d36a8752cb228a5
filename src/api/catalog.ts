/**
 * `ko list`, `ko doc` and `ko version`: what the language offers, from one registry — the host
 * functions (core builtins, stdlib bindings) and the Ko functions of the standard library.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { compile, defaultRegistry, stdlibDir } from "./program.js";
import { signature, type HostFunction } from "../host/binding.js";
import { showHostType } from "../host/host-type.js";
import { findModel, modelType, recordOf } from "../k8s/models.js";
import { isGeneratedOperation } from "../k8s/generated.js";
import type { FuncDef } from "../syntax/ast.js";
import { EXIT, UsageError } from "../diag/exit.js";

export const VERSION = "0.1.0";

/** One documented function, whether bound in TypeScript or written in Ko. */
interface Entry {
  readonly pkg: string;
  readonly name: string;
  readonly kind: "builtin" | "idiom" | "stdlib" | "host";
  readonly signature: string;
  readonly doc: string;
  /** One of the Kubernetes client's operations (k8s/generated.ts): listed after the convenience layer. */
  readonly generated: boolean;
}

function koSignature(def: FuncDef): string {
  return `${def.name.text}(${def.params.map((p) => p.name.text + (p.monadic ? "?" : "")).join(", ")})`;
}

/** Every standard package that has Ko files, by path. */
function stdlibPackages(): string[] {
  const root = stdlibDir();
  const out: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
      else if (e.name.endsWith(".ko") && !out.includes(rel)) out.push(rel);
    }
  };
  walk(root, "");
  return out.sort();
}

function hostEntry(f: HostFunction): Entry {
  return {
    pkg: f.pkg,
    name: f.name,
    kind: f.pkg === "" ? "builtin" : "host",
    signature: signature(f),
    doc: f.doc,
    generated: isGeneratedOperation(f),
  };
}

export function allEntries(): Entry[] {
  const registry = defaultRegistry();
  const entries = registry.all().map(hostEntry);
  for (const pkgPath of stdlibPackages()) {
    const prog = compile({ kind: "package", pkgPath });
    const pkg = prog.program.packages.get(pkgPath);
    for (const [name, info] of pkg?.funcs ?? []) {
      if (info.inline) continue;
      entries.push({
        pkg: pkgPath,
        name,
        kind: pkgPath === "idiom" ? "idiom" : "stdlib",
        signature: koSignature(info.def),
        doc: info.def.doc ?? "",
        generated: false,
      });
    }
  }
  // In a package, what people write by hand (k8s.Apply, Get, WaitFor) before the client's operations.
  return entries.sort((a, b) => a.pkg.localeCompare(b.pkg) || Number(a.generated) - Number(b.generated) || a.name.localeCompare(b.name));
}

function firstLine(doc: string): string {
  return doc.split("\n")[0]!.trim();
}

export function listCommand(out: (text: string) => void): number {
  const entries = allEntries();
  const kindLabel = { builtin: "Builtin", idiom: "Idiomatic", stdlib: "Ko", host: "Host" } as const;
  const rows = entries.map((e) => [e.pkg === "" ? "(core)" : e.pkg, e.name, kindLabel[e.kind], firstLine(e.doc)]);
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), 7));
  const head = ["PACKAGE", "NAME", "KIND", "DESCRIPTION"];
  for (const r of [head, ...rows]) {
    out(
      r
        .map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell))
        .join("  ")
        .trimEnd() + "\n",
    );
  }
  return EXIT.ok;
}

/**
 * `ko doc NAME`: a bare builtin or idiom name, a package path, `pkg/Func` / `pkg.Func`, or a
 * Kubernetes object type (`V1StatefulSetSpec`, `k8s.V1Pod`) with its fields.
 */
export function docCommand(names: string[], out: (text: string) => void): number {
  const entries = allEntries();
  for (const query of names) {
    const matches = matchDoc(entries, query);
    if (matches.length === 0 && writeModelDoc(query, out)) continue;
    if (matches.length === 0) throw new UsageError(`no builtin, idiom, package, function or Kubernetes object type named ${query}`);
    matches.forEach((e, i) => {
      if (e.generated && !matches[i - 1]?.generated && i > 0)
        out(`── the Kubernetes client's operations, generated (${matches.length - i}) ──\n\n`);
      const where = e.pkg === "" ? "" : `${e.pkg}.`;
      out(`${where}${e.signature}\n${e.doc ? indent(e.doc) : "    (no documentation)\n"}\n`);
    });
  }
  return EXIT.ok;
}

/**
 * A Kubernetes object type's fields, each with its type and first line of documentation. The
 * type is named in full (`V1Pod`, `k8s.V1Pod`) or by its kind (`Pod`), and may be followed by a
 * path of fields (`Pod.spec.containers`): then the fields of the type there.
 */
function writeModelDoc(query: string, write: (text: string) => void): boolean {
  const found = findModel(query.replace(/^k8s[./]/, ""));
  if (found === undefined) return false;
  const { model, fields, missing } = found;
  const path = `k8s.${[model, ...fields.map((f) => f.name)].join(".")}`;
  if (missing) throw new UsageError(`${path} has no field ${missing.name} (k8s.${missing.of} has ${fieldList(missing.of)})`);
  const last = fields[fields.length - 1];
  const schema = last === undefined ? findModelSchema(model) : recordOf(last.type);
  let out = last === undefined ? `k8s.${model} (a Kubernetes object type: a closed record)\n` : `${path}: ${showHostType(last.type)}\n`;
  if (last !== undefined) {
    const parent = fields.length > 1 ? recordOf(fields[fields.length - 2]!.type) : findModelSchema(model);
    const doc = parent?.fieldDoc?.(last.name);
    if (doc) out += `    ${doc}\n`;
    if (schema) out += `  the fields of k8s.${schema.name}:\n`;
  }
  for (const field of schema?.fieldNames() ?? []) {
    out += `    ${field}: ${showHostType(schema!.field(field)!)}\n`;
    const doc = schema!.fieldDoc?.(field);
    if (doc) out += `        ${doc}\n`;
  }
  write(out + "\n");
  return true;
}

function findModelSchema(model: string) {
  return recordOf(modelType(model));
}

function fieldList(model: string): string {
  return findModelSchema(model)?.fieldNames().join(", ") ?? "no fields";
}

function indent(doc: string): string {
  return doc
    .trim()
    .split("\n")
    .map((l) => `    ${l}\n`)
    .join("");
}

function matchDoc(entries: Entry[], query: string): Entry[] {
  const byPkg = entries.filter((e) => e.pkg === query);
  if (byPkg.length > 0) return byPkg;
  const cut = Math.max(query.lastIndexOf("/"), query.lastIndexOf("."));
  if (cut > 0) {
    const pkg = query.slice(0, cut);
    const name = query.slice(cut + 1);
    const found = entries.filter((e) => e.pkg === pkg && e.name === name);
    if (found.length > 0) return found;
  }
  const bare = entries.filter((e) => (e.pkg === "" || e.pkg === "idiom") && e.name === query);
  return bare.length > 0 ? bare : entries.filter((e) => e.name === query);
}

/** The version and a fingerprint of the registry: the hash of every signature (reference 8.5). */
export function versionCommand(out: (text: string) => void): number {
  const registry = defaultRegistry();
  const hash = createHash("sha256");
  for (const f of registry.all()) hash.update(`${f.pkg}.${signature(f)}\n`);
  out(`ko ${VERSION} (Ko for Node, node ${process.version}) registry ${hash.digest("hex").slice(0, 12)}\n`);
  return EXIT.ok;
}
