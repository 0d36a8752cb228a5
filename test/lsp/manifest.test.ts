/**
 * Completion and hover of Kubernetes object fields inside manifest literals (expected.ts), the
 * way a YAML schema does it in editors: in an argument of a host call whose parameter is a record
 * (`k8s.Apply`'s object, refined by its apiVersion and kind; a generated operation's body), and
 * in a manifest built in a function of its own, through the real server over stdio.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LspClient, MarkedFiles, uri, workspace, type Position } from "./client.js";

interface CompletionItem {
  label: string;
  detail?: string;
  kind?: number;
  textEdit?: { newText: string };
  sortText?: string;
  documentation?: { value: string };
}

const FIELD = 5; // CompletionItemKind.Field

let dir: string;
let client: LspClient;
let files: MarkedFiles;

beforeAll(async () => {
  dir = workspace({});
  client = await LspClient.start(dir);
  files = new MarkedFiles(client, dir);
});

afterAll(async () => {
  await client.stop();
});

function completion(file: string, position: Position): Promise<CompletionItem[]> {
  return client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri: uri(file) }, position });
}

async function hoverText(file: string, position: Position): Promise<string> {
  const h = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
    textDocument: { uri: uri(file) },
    position,
  });
  return h?.contents.value ?? "";
}

function fieldLabels(items: CompletionItem[]): string[] {
  return items.filter((i) => i.kind === FIELD).map((i) => i.label);
}

function item(items: CompletionItem[], label: string): CompletionItem | undefined {
  return items.find((i) => i.label === label && i.kind === FIELD);
}

describe("in an argument of a host call whose parameter is a record", () => {
  test("k8s.Apply's object, refined by its apiVersion and kind: the spec's fields with type and doc, ranked first", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "apps/v1", kind: "StatefulSet", spec: (replicas: 3, <|>)))\n}\n',
    );
    const items = await completion(file, cursors[0]!);
    const labels = fieldLabels(items);
    expect(labels).toEqual(expect.arrayContaining(["serviceName", "template", "selector", "volumeClaimTemplates"]));
    expect(labels).not.toContain("replicas"); // already given
    const serviceName = item(items, "serviceName")!;
    expect(serviceName.detail).toBe("String");
    expect(serviceName.textEdit?.newText).toBe("serviceName: ");
    expect(serviceName.documentation?.value).toMatch(/service/i);
    expect(item(items, "template")!.detail).toBe("V1PodTemplateSpec");
    // Ranked like arguments, before the values of the scope.
    const first = [...items].sort((a, b) => (a.sortText ?? "").localeCompare(b.sortText ?? ""))[0]!;
    expect(first.kind).toBe(FIELD);
  });

  test("nested through labels, a list's element record counting for the list", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (\n\t\tapiVersion: "apps/v1"\n\t\tkind: "StatefulSet"\n\t\tspec: (template: (spec: (containers: (<|>))))\n\t\tmetadata: (<|>name: "db")\n\t))\n}\n',
    );
    const container = fieldLabels(await completion(file, cursors[0]!));
    expect(container).toEqual(expect.arrayContaining(["name", "image", "ports", "resources", "env"]));
    const meta = fieldLabels(await completion(file, cursors[1]!));
    expect(meta).toEqual(expect.arrayContaining(["labels", "namespace", "annotations"]));
    expect(meta).not.toContain("name"); // given after the cursor
  });

  test("an element of a sequence of records: each unnamed term", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "v1", kind: "Pod", spec: (containers: ((name: "a", image: "x"), (<|>)))))\n}\n',
    );
    expect(fieldLabels(await completion(file, cursors[0]!))).toEqual(expect.arrayContaining(["name", "image", "command"]));
  });

  test("a generated operation's record parameter", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.CreateNamespacedPod(namespace: "x", body: (<|>))\n}\n',
    );
    const labels = fieldLabels(await completion(file, cursors[0]!));
    expect(labels).toEqual(expect.arrayContaining(["apiVersion", "kind", "metadata", "spec"]));
  });

  test("what is typed filters the fields", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "apps/v1", kind: "StatefulSet", spec: (ser<|>)))\n}\n',
    );
    expect(fieldLabels(await completion(file, cursors[0]!))).toEqual(["serviceName"]);
  });
});

describe("in a manifest built in a function of its own", () => {
  const source =
    'import "k8s"\n\nstatefulSet() {\n\treturn: (\n\t\tapiVersion: "apps/v1"\n\t\tkind: "StatefulSet"\n\t\tmetadata: (name: "cockroachdb")\n\t\tspec: (\n\t\t\tserviceName: "cockroachdb"\n\t\t\trepl<|>icas: 3\n\t\t\t<|>\n\t\t\ttemplate: (spec: (containers: ((name: "db", <|>))))\n\t\t)\n\t)\n}\n';

  test("the kind's spec, then a container through the list of containers; fields given not offered", async () => {
    const { file, cursors } = await files.open(source);
    const spec = fieldLabels(await completion(file, cursors[1]!));
    expect(spec).toEqual(expect.arrayContaining(["selector", "volumeClaimTemplates", "podManagementPolicy"]));
    expect(spec).not.toContain("serviceName");
    expect(spec).not.toContain("replicas");
    expect(spec).not.toContain("template"); // given below the cursor
    const container = fieldLabels(await completion(file, cursors[2]!));
    expect(container).toEqual(expect.arrayContaining(["image", "ports"]));
    expect(container).not.toContain("name");
  });

  test("hover on a field's label: its type and V1StatefulSetSpec's doc", async () => {
    const { file, cursors } = await files.open(source);
    const text = await hoverText(file, cursors[0]!);
    expect(text).toContain("(field) replicas: Integer");
    expect(text).toContain("field of V1StatefulSetSpec");
    expect(text).toMatch(/desired number of replicas/i);
  });

  test("not in a file that does not import k8s, nor in a plain structure", async () => {
    const plain = await files.open('import "k8s"\n\nMain() {\n\tx: (a: 1, <|>)\n\treturn: (name: "n", spec: (<|>))\n}\n');
    expect(fieldLabels(await completion(plain.file, plain.cursors[0]!))).toEqual([]);
    expect(fieldLabels(await completion(plain.file, plain.cursors[1]!))).toEqual([]);
    const noImport = await files.open('Main() {\n\treturn: (apiVersion: "apps/v1", kind: "StatefulSet", spec: (<|>))\n}\n');
    expect(fieldLabels(await completion(noImport.file, noImport.cursors[0]!))).toEqual([]);
  });

  test("a reference inside a manifest keeps its own type (an owner reference is no StatefulSet)", async () => {
    const { file, cursors } = await files.open(
      'import "k8s"\n\npod() {\n\treturn: (apiVersion: "v1", kind: "Pod", metadata: (ownerReferences: ((apiVersion: "apps/v1", kind: "StatefulSet", <|>))))\n}\n',
    );
    const labels = fieldLabels(await completion(file, cursors[0]!));
    expect(labels).toEqual(expect.arrayContaining(["name", "uid", "controller"]));
    expect(labels).not.toContain("spec");
  });
});
