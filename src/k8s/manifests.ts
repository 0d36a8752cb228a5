/**
 * `k8s.ApplyFile(path, namespace)`: what `kubectl apply -f` does, for Ko. PATH is a manifest
 * file — YAML with one or more documents separated by `---` lines, or JSON — or a directory,
 * whose `*.yaml`, `*.yml` and `*.json` files are read in name order (not its subdirectories,
 * as kubectl without `-R`). A document of kind `List` stands for its items.
 *
 * Everything is read and checked before anything is applied: every file must parse, and every
 * document must be an object with apiVersion, kind and metadata.name that fits its kind's
 * model (the check `Apply` makes of a literal), so a typo in the fifth document leaves the
 * cluster untouched. Then the objects are applied one at a time, in order — a Namespace before
 * what goes in it, a CustomResourceDefinition before its resources — each by server-side apply
 * as `Apply` does (policy, dry run and retries included), and the applied objects are returned.
 *
 * A file that cannot be read or parsed, and a document that is not a valid object, make an
 * operational failure of the input (D15): a panic `(error: "k8s.ApplyFile", message, file,
 * document)`, its message naming the file, the document's number and its line. An API error
 * is the usual panic `(code, reason, message, kind, name, namespace, verb)`, with `file` and
 * `document` added; the documents before it stay applied, as with kubectl.
 */
import * as fs from "node:fs/promises";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as YamlLib from "yaml";
import { defineHost, type HostFunction } from "../host/binding.js";
import { problemWith, T } from "../host/host-type.js";
import { once } from "../syntax/once.js";
import { KoPanic } from "../value/failure.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, field, FloatVal, int64, Opaque, Seq, Struct, type Field, type Value } from "../value/value.js";
import { kindType } from "./functions.js";
import { REDACTED } from "./objects.js";
import { connectionOf } from "./options.js";

const NAME = "k8s.ApplyFile";

/** The yaml library, loaded at the first use. */
const yamlLib = once(() => createRequire(import.meta.url)("yaml") as typeof YamlLib);

/** The names of the files of a directory that kubectl reads as manifests. */
const MANIFEST = /\.(ya?ml|json)$/;

/** One object of a manifest, and where it was written. */
interface Manifest {
  readonly object: Struct;
  readonly file: string;
  /** The document's number in its file, from 1. */
  readonly document: number;
  /** Where it is: `app.yaml: document 2 (line 12)`, `, item 3` for an item of a List. */
  readonly where: string;
}

export const applyFile: HostFunction = defineHost({
  pkg: "k8s",
  name: "ApplyFile",
  doc:
    "ApplyFile(path?, namespace) applies the objects of a manifest file (YAML documents separated by ---, or JSON) " +
    "or of every .yaml, .yml and .json file of a directory, in name order, as kubectl apply -f does, and returns them as " +
    "the cluster now has them. Every document is read and checked against its kind's model before any is applied; " +
    "then they are applied one at a time, in order. A file or document that is not a valid object panics with " +
    "(error, message, file, document); an API error with its usual fields, and file and document.",
  params: [
    {
      name: "path",
      type: T.string,
      monadic: true,
      doc: "a manifest file, or a directory of them (relative to the working directory, as for kubectl)",
    },
    {
      name: "namespace",
      type: T.string,
      optional: true,
      doc: 'the namespace of objects that name none (default: --namespace, else the kubeconfig context\'s, else "default")',
    },
  ],
  result: T.list(T.any),
  effects: "cluster",
  async: true,
  impl: async ([p, ns], ctx) => {
    const manifests = await readManifests(p as string);
    const connection = await connectionOf(ctx);
    const applied: Value[] = [];
    for (const m of manifests) {
      try {
        applied.push(await connection.apply(m.object, typeof ns === "string" ? ns : undefined));
      } catch (e) {
        if (!(e instanceof KoPanic && e.value instanceof Struct)) throw e;
        throw new KoPanic(new Struct([...e.value.fields, field("file", m.file), field("document", m.document)]));
      }
    }
    try {
      return listToValue(applied);
    } catch {
      // Objects whose types do not unify (a targetPort 80, another "http"): cluster data, kept as objects.ts keeps it.
      return new Seq(applied);
    }
  },
});

/** Every object the path holds, read and checked, in the order they are to be applied. */
async function readManifests(target: string): Promise<Manifest[]> {
  const manifests: Manifest[] = [];
  for (const file of await manifestFiles(target)) manifests.push(...parseManifests(file, await readText(file)));
  if (manifests.length === 0) throw failure(`no objects to apply in ${target}`, { file: target });
  return manifests;
}

/** The file, or the manifest files of the directory in name order. */
async function manifestFiles(target: string): Promise<string[]> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch (e) {
    throw fileFailure(target, e);
  }
  if (!stat.isDirectory()) return [target];
  let names: string[];
  try {
    names = await fs.readdir(target);
  } catch (e) {
    throw fileFailure(target, e);
  }
  return names
    .filter((n) => MANIFEST.test(n))
    .sort()
    .map((n) => path.join(target, n));
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (e) {
    throw fileFailure(file, e);
  }
}

/** The objects of one file's documents; empty documents are skipped. */
function parseManifests(file: string, text: string): Manifest[] {
  const { LineCounter, parseAllDocuments } = yamlLib();
  const lines = new LineCounter();
  const out: Manifest[] = [];
  parseAllDocuments(text, { intAsBigInt: true, lineCounter: lines }).forEach((doc, i) => {
    const document = i + 1;
    const where = `${file}: document ${document} (line ${lines.linePos(doc.range[0]).line})`;
    const fail = (problem: string) => failure(`${where}: ${problem}`, { file, document });
    // The library's message ends with an excerpt of the text; its first line says it all.
    if (doc.errors.length > 0) throw fail(`invalid YAML: ${doc.errors[0]!.message.split("\n")[0]!.replace(/:$/, "")}`);
    let js: unknown;
    try {
      js = doc.toJS();
    } catch (e) {
      throw fail(`invalid YAML: ${(e as Error).message}`); // excessive aliasing and the like
    }
    if (js === null || js === undefined) return;
    const object = objectOf(js, fail);
    if (object.get("kind") === "List" && object.get("items") !== EMPTY) {
      const items = object.get("items");
      (items instanceof Seq ? items.items : [items]).forEach((item, k) => {
        const at = `${where}, item ${k + 1}`;
        out.push(checked({ object: objectOf(item, fail), file, document, where: at }, (p) => failure(`${at}: ${p}`, { file, document })));
      });
    } else {
      out.push(checked({ object, file, document, where }, fail));
    }
  });
  return out;
}

/** A document as a structure, or the failure `fail` makes when it is not an object. */
function objectOf(x: unknown, fail: (problem: string) => KoPanic): Struct {
  const v = x instanceof Struct ? x : valueOf(x, false);
  if (!(v instanceof Struct)) throw fail(`not an object (a manifest holds objects with apiVersion, kind and metadata)`);
  return v;
}

/** The manifest, once its object has what `Apply` needs and fits its kind's model. */
function checked(m: Manifest, fail: (problem: string) => KoPanic): Manifest {
  const { object } = m;
  const apiVersion = object.get("apiVersion");
  const kind = object.get("kind");
  const metadata = object.get("metadata");
  const name = metadata instanceof Struct ? metadata.get("name") : EMPTY;
  if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string") {
    throw fail("an object needs apiVersion, kind and metadata.name");
  }
  const model = kindType(kind, apiVersion);
  const problem = model && problemWith(object, model, "");
  if (problem) throw fail(`${kind} ${name}: ${problem}`);
  return m;
}

/**
 * A value the yaml library made as a Ko value: mappings as structures in their order, `{}` as
 * the empty structure (an `emptyDir: {}` must stay), integers exact, null and `[]` as Empty
 * (Ko has no empty sequence), and the values of a Secret's data as redacted values, which
 * `Apply` sends as they are and nothing prints.
 */
function valueOf(x: unknown, secret: boolean): Value {
  if (x === null || x === undefined) return EMPTY;
  switch (typeof x) {
    case "boolean":
    case "string":
      return x;
    case "bigint":
      return x >= -(1n << 63n) && x < 1n << 63n ? int64(x) : new FloatVal("Float64", Number(x));
    case "number":
      return new FloatVal("Float64", x);
  }
  if (Array.isArray(x)) {
    const items = x.map((e) => valueOf(e, false));
    try {
      return listToValue(items);
    } catch {
      return new Seq(items.filter((e) => e !== EMPTY)); // elements whose types do not unify: the server judges
    }
  }
  const o = x as Record<string, unknown>;
  const isSecret = secret || o.kind === "Secret";
  const fields: Field[] = [];
  for (const [k, e] of Object.entries(o)) {
    const value =
      isSecret && (k === "data" || k === "stringData") && e !== null && typeof e === "object"
        ? redacted(e)
        : valueOf(e, isSecret && k === "items");
    if (value !== EMPTY) fields.push(field(k, value));
  }
  return new Struct(fields);
}

function redacted(data: object): Value {
  return new Struct(Object.entries(data).map(([k, v]) => field(k, new Opaque(REDACTED, v))));
}

function failure(message: string, extra: { file: string; document?: number }): KoPanic {
  const fields = [field("error", NAME), field("message", message), field("file", extra.file)];
  if (extra.document !== undefined) fields.push(field("document", extra.document));
  return new KoPanic(new Struct(fields));
}

function fileFailure(file: string, e: unknown): KoPanic {
  const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message;
  return failure(`${file}: ${reason}`, { file });
}
