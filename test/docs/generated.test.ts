/**
 * docs/functions.md and docs/cli.md are written by scripts/reference.mjs from the registry behind
 * `ko list` / `ko doc` and from commander's definitions. These tests regenerate both from the
 * build and compare, so that a function or an option added without regenerating fails here; and
 * they hold the generator to the registry: every function `ko list` lists has its entry.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko, REPO } from "../support/cli.js";

interface Generated {
  readonly file: string;
  readonly text: string;
}

const script = path.join(REPO, "scripts/reference.mjs");
const { generatedFiles } = (await import(script)) as { generatedFiles: () => Promise<Generated[]> };
const files = await generatedFiles();
const functions = files.find((f) => f.file.endsWith("functions.md"))!.text;

describe("the generated references", () => {
  test.each(files.map((f) => [path.relative(REPO, f.file), f.text] as const))(
    "%s is up to date (node scripts/reference.mjs)",
    (file, text) => {
      expect(fs.readFileSync(path.join(REPO, file), "utf8"), `${file} is out of date: run node scripts/reference.mjs`).toBe(text);
    },
  );

  test("every function ko list lists has an entry in docs/functions.md, under its package", async () => {
    const listed = await ko(["list"]);
    expect(listed.status).toBe(0);
    const [header, ...lines] = listed.stdout.trimEnd().split("\n");
    // Columns by the header's positions: the construction builtin's name is empty.
    const [nameAt, kindAt] = [header!.indexOf("NAME"), header!.indexOf("KIND")];
    const rows = lines.map((line) => [line.slice(0, nameAt).trim(), line.slice(nameAt, kindAt).trim()]);
    expect(rows.length).toBeGreaterThan(1000);
    const missing = rows
      .map(([pkg, name]) => (pkg === "(core)" ? `\`${name}(` : `\`${pkg}.${name}(`))
      .filter((signature) => !functions.includes(signature));
    expect(missing).toEqual([]);
  });

  test("generated operations are grouped by API group and kind; the convenience layer comes first", () => {
    const convenience = functions.indexOf("## Kubernetes: the convenience layer");
    const operations = functions.indexOf("## Kubernetes: generated operations");
    expect(convenience).toBeGreaterThan(0);
    expect(operations).toBeGreaterThan(convenience);
    expect(functions.indexOf("### k8s.Apply\n")).toBeGreaterThan(convenience);
    expect(functions.indexOf("### k8s.Apply\n")).toBeLessThan(operations);
    const apps = functions.slice(functions.indexOf("### apps/v1\n"));
    const deployment = apps.slice(apps.indexOf("- **Deployment**"), apps.indexOf("- **ReplicaSet**"));
    expect(deployment).toContain("`k8s.ReadNamespacedDeployment(");
    expect(deployment).toContain("`k8s.PatchNamespacedDeploymentScale(");
  });
});
