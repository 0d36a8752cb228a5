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
import { hasModel, modelSchema } from "../k8s/models.js";
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
  return { pkg: f.pkg, name: f.name, kind: f.pkg === "" ? "builtin" : "host", signature: signature(f), doc: f.doc };
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
      });
    }
  }
  return entries.sort((a, b) => a.pkg.localeCompare(b.pkg) || a.name.localeCompare(b.name));
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
    for (const e of matches) {
      const where = e.pkg === "" ? "" : `${e.pkg}.`;
      out(`${where}${e.signature}\n${e.doc ? indent(e.doc) : "    (no documentation)\n"}\n`);
    }
  }
  return EXIT.ok;
}

/** A Kubernetes object type's fields, each with its type and first line of documentation. */
function writeModelDoc(query: string, write: (text: string) => void): boolean {
  const name = query.replace(/^k8s[./]/, "");
  if (!hasModel(name)) return false;
  const schema = modelSchema(name);
  let out = `k8s.${name} (a Kubernetes object type: a closed record)\n`;
  for (const field of schema.fieldNames()) {
    out += `    ${field}: ${showHostType(schema.field(field)!)}\n`;
    const doc = schema.fieldDoc?.(field);
    if (doc) out += `        ${doc}\n`;
  }
  write(out + "\n");
  return true;
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
