// Writes the generated references of docs/ from the code itself, so that they cannot drift:
//
//   docs/functions.md  every function `ko list` and `ko doc` know (src/api/catalog.ts's one
//                      registry): the core builtins, the idioms, the standard packages, the k8s
//                      convenience layer, the generated Kubernetes operations grouped by API group
//                      and kind, and the Kubernetes object types
//   docs/cli.md        every `ko` command with its arguments and options, from commander's
//                      definitions (src/cli/commands.ts)
//
//   node scripts/reference.mjs           (after npm run build) writes both
//   node scripts/reference.mjs --check   writes nothing; exits 1 if either is out of date
//
// test/docs/reference-generated.test.ts regenerates both and compares them with the files.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = (module) => import(path.join(repo, "dist", module));

/** Markdown text of a doc comment: `<` would start an HTML tag on GitHub (`<redacted>` would vanish). */
function prose(text) {
  return text.trim().replace(/</g, "&lt;");
}

/** An anchor GitHub makes of a heading's text (lower case, spaces to dashes, most punctuation dropped). */
function anchor(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** `AppsV1Api` → `apps/v1`, `CoreV1Api` → `core/v1`, `CustomObjectsApi` → `customobjects`. */
function apiGroup(api) {
  const m = /^(.*?)(V\d+(?:(?:alpha|beta)\d+)?)?Api$/.exec(api);
  if (!m) return api;
  const group = m[1].toLowerCase();
  return m[2] ? `${group}/${m[2].toLowerCase()}` : group;
}

/** The kind a model names: V1PodList → Pod, V1beta1CSIStorageCapacity → CSIStorageCapacity. */
function modelKind(model) {
  return model.replace(/^(?:[A-Z][a-z]+)*V\d+(?:(?:alpha|beta)\d+)?/, "").replace(/List$/, "");
}

const VERBS = [
  "connectDelete",
  "connectGet",
  "connectHead",
  "connectOptions",
  "connectPatch",
  "connectPost",
  "connectPut",
  "deleteCollection",
  "create",
  "delete",
  "list",
  "patch",
  "read",
  "replace",
  "get",
];

/**
 * The kind an operation is about: its method without the verb and `Namespaced`, matched against
 * the kinds of the same API's results (the longest that fits), so that `readNamespacedPodLog` is
 * about Pod and `listPodForAllNamespaces` too. `getAPIResources` and its like are "discovery".
 */
function operationKind(op, kinds) {
  const verb = VERBS.find((v) => op.method.startsWith(v)) ?? "";
  const rest = op.method.slice(verb.length).replace(/^Namespaced/, "");
  if (/^API(Resources|Group|Versions)$|^Code$/.test(rest)) return "discovery";
  const fits = kinds.filter((k) => rest.startsWith(k)).sort((a, b) => b.length - a.length);
  return fits[0] ?? rest;
}

function signatureLine(e) {
  return `\`${e.pkg === "" ? "" : `${e.pkg}.`}${e.signature}\``;
}

/** One function: its signature and documentation, under a heading of its name. */
function entrySection(e, level) {
  const name = e.name === "" ? "(construction)" : e.name;
  return `${"#".repeat(level)} ${e.pkg === "" ? "" : `${e.pkg}.`}${name}\n\n${signatureLine(e)}\n\n${e.doc ? prose(e.doc) : "(no documentation)"}\n`;
}

/** The markdown of docs/functions.md. */
export async function renderFunctions() {
  const { allEntries } = await dist("api/catalog.js");
  const { loadOperations } = await dist("k8s/generated.js");
  /** @type {{pkg: string, name: string, kind: string, signature: string, doc: string}[]} */
  const entries = allEntries();
  const operations = loadOperations();
  const k8s = new Map(entries.filter((e) => e.pkg === "k8s").map((e) => [e.name, e]));

  // Each operation's registered entry: under its own name, or with its class in front where the
  // convenience layer has the name (src/k8s/generated.ts).
  const generated = new Map();
  for (const op of operations) {
    const own = k8s.get(op.name);
    const calls = `calls ${op.api}.${op.method} `;
    const entry = own?.doc.includes(calls) ? own : k8s.get(`${op.api.replace(/Api$/, "")}${op.name}`);
    if (entry?.doc.includes(calls)) generated.set(entry.name, { op, entry });
  }
  const convenience = [...k8s.values()].filter((e) => !generated.has(e.name));
  const builtins = entries.filter((e) => e.pkg === "");
  const idioms = entries.filter((e) => e.pkg === "idiom");
  const packages = [...new Set(entries.map((e) => e.pkg))].filter((p) => p !== "" && p !== "idiom" && p !== "k8s").sort();

  // Operations by API group, then by kind.
  const groups = new Map();
  const kindsOf = new Map();
  for (const { op } of generated.values()) {
    const kinds = kindsOf.get(op.api) ?? [];
    if (/^V\d/.test(op.result) || /^[A-Z][a-z]+V\d/.test(op.result)) kinds.push(modelKind(op.result));
    kindsOf.set(op.api, kinds);
  }
  for (const { op, entry } of generated.values()) {
    const group = apiGroup(op.api);
    const kind = operationKind(op, kindsOf.get(op.api) ?? []);
    const byKind = groups.get(group) ?? new Map();
    byKind.set(kind, [...(byKind.get(kind) ?? []), { op, entry }]);
    groups.set(group, byKind);
  }
  const groupNames = [...groups.keys()].sort((a, b) => (a.startsWith("core/") ? -1 : b.startsWith("core/") ? 1 : a.localeCompare(b)));

  const models = Object.keys(JSON.parse(fs.readFileSync(path.join(repo, "stdlib/k8s/models.json"), "utf8")).models).sort();
  const modelGroups = new Map();
  for (const m of models) {
    const prefix = /^((?:[A-Z][a-z]+)*V\d+(?:(?:alpha|beta)\d+)?)/.exec(m)?.[1] ?? "other";
    modelGroups.set(prefix, [...(modelGroups.get(prefix) ?? []), m]);
  }

  const out = [];
  out.push(
    "# Functions",
    "",
    "<!-- Generated by scripts/reference.mjs from the registry behind `ko list` and `ko doc`; do not edit. -->",
    "",
    "Every function a Ko program can call, as `ko list` lists them and `ko doc NAME` shows them, written out by",
    "`node scripts/reference.mjs` from the same registry (a test fails when this file is out of date). The",
    "[language guide](language.md) explains how to call them; `?` marks the parameter that takes the unnamed",
    "(monadic) argument, and `(optional)` a parameter that may be left out.",
    "",
    `- [Core builtins](#core-builtins) (${builtins.length})`,
    `- [Idioms](#idioms) (${idioms.length})`,
    `- [Standard packages](#standard-packages): ${packages.map((p) => `[${p}](#${anchor(p)})`).join(", ")}`,
    `- [Kubernetes: the convenience layer](#kubernetes-the-convenience-layer) (${convenience.length})`,
    `- [Kubernetes: generated operations](#kubernetes-generated-operations) (${generated.size}, by API group and kind)`,
    `- [Kubernetes object types](#kubernetes-object-types) (${models.length})`,
    "",
    "## Core builtins",
    "",
    "Seen by every package under their bare names (reference 6.3).",
    "",
  );
  for (const e of builtins) out.push(entrySection(e, 3));
  out.push(
    "## Idioms",
    "",
    "Small functions written in Ko (`stdlib/idiom`), seen by every package under their bare names (reference 6.4).",
    "",
  );
  for (const e of idioms) out.push(entrySection(e, 3));
  out.push("## Standard packages", "", 'Reached with `import "PATH"` and called as `ALIAS.Name` (reference 6.5, 6.6).', "");
  for (const p of packages) {
    out.push(`### ${p}`, "");
    for (const e of entries.filter((x) => x.pkg === p)) out.push(entrySection(e, 4));
  }
  out.push(
    "## Kubernetes: the convenience layer",
    "",
    'What most programs need, after `import "k8s"`: see the [Kubernetes guide](kubernetes.md).',
    "",
  );
  for (const e of convenience) out.push(entrySection(e, 3));
  out.push(
    "## Kubernetes: generated operations",
    "",
    "Every operation of every API class of @kubernetes/client-node, with the client's own parameter names, grouped by",
    "API group and version, then by the kind it is about. Each returns its model as a closed record (see",
    "[object types](#kubernetes-object-types)); `ko doc k8s.NAME` shows one, `ko doc MODEL` a model's fields.",
    "",
  );
  for (const g of groupNames) {
    const byKind = groups.get(g);
    out.push(`### ${g}`, "");
    for (const kind of [...byKind.keys()].sort()) {
      out.push(`- **${kind}**`);
      for (const { entry } of byKind.get(kind).sort((a, b) => a.entry.name.localeCompare(b.entry.name))) {
        out.push(`  - ${signatureLine(entry)}`);
      }
    }
    out.push("");
  }
  out.push(
    "## Kubernetes object types",
    "",
    "Each is a closed record type with the client's fields; `ko doc NAME` lists the fields with their types and",
    "documentation. `Apply` holds an object to the type its `apiVersion` and `kind` name.",
    "",
  );
  for (const [prefix, names] of modelGroups) out.push(`- **${prefix}**: ${names.map((n) => `\`${n}\``).join(", ")}`);
  out.push("");
  return out.join("\n");
}

function optionLine(o) {
  const parts = [o.description];
  if (o.argChoices) parts.push(`one of ${o.argChoices.map((c) => `\`${c}\``).join(", ")}`);
  if (o.defaultValue !== undefined && !(Array.isArray(o.defaultValue) && o.defaultValue.length === 0) && !o.negate) {
    parts.push(`default \`${String(o.defaultValue)}\``);
  }
  return `| \`${o.flags.replace(/\|/g, "\\|")}\` | ${parts.join("; ").replace(/\|/g, "\\|").replace(/</g, "&lt;")} |`;
}

function commandSection(cmd, prefix) {
  const name = `${prefix} ${cmd.name()}`;
  const description = cmd.description();
  const out = [
    `## ${name}`,
    "",
    `${description.charAt(0).toUpperCase()}${description.slice(1)}.`,
    "",
    "```text",
    `${name} ${cmd.usage()}`,
    "```",
    "",
  ];
  const args = cmd.registeredArguments;
  if (args.length > 0) {
    out.push("| argument | |", "|---|---|");
    for (const a of args) {
      const shown = `${a.required ? "<" : "["}${a.name()}${a.variadic ? "..." : ""}${a.required ? ">" : "]"}`;
      out.push(`| \`${shown}\` | ${(a.description || "").replace(/</g, "&lt;")} |`);
    }
    out.push("");
  }
  if (cmd.options.length > 0) {
    out.push("| option | |", "|---|---|");
    for (const o of cmd.options) out.push(optionLine(o));
    out.push("");
  }
  const subs = cmd.commands.flatMap((sub) => commandSection(sub, name));
  return [...out, ...subs];
}

/** The markdown of docs/cli.md. */
export async function renderCli() {
  const { program } = await dist("cli/commands.js");
  const { processIO } = await dist("cli/io.js");
  const ko = program([], processIO, () => {});
  const out = [
    "# The `ko` command",
    "",
    "<!-- Generated by scripts/reference.mjs from commander's definitions (src/cli/commands.ts); do not edit. -->",
    "",
    "Every command with its arguments and options, as `ko COMMAND --help` shows them. Exit statuses: 0 success;",
    "1 a run-time error, an unrecovered panic or a failing test; 2 a usage error; 3 a syntax or type error;",
    "130 a run interrupted by Ctrl-C.",
    "",
    ko.commands.map((c) => `[${c.name()}](#${anchor(`ko ${c.name()}`)})`).join(" · "),
    "",
  ];
  for (const c of ko.commands) out.push(...commandSection(c, "ko"));
  return out.join("\n");
}

/** The generated files, each with the text it should hold. */
export async function generatedFiles() {
  return [
    { file: path.join(repo, "docs/functions.md"), text: await renderFunctions() },
    { file: path.join(repo, "docs/cli.md"), text: await renderCli() },
  ];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const { file, text } of await generatedFiles()) {
    const now = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (now === text) continue;
    if (check) {
      console.error(`${path.relative(repo, file)} is out of date: run node scripts/reference.mjs`);
      stale++;
    } else fs.writeFileSync(file, text);
  }
  process.exitCode = stale > 0 ? 1 : 0;
}
