/**
 * The layers of ARCHITECTURE.md, held against the imports of src/. The order lives in one place,
 * the `layers` block of ARCHITECTURE.md: each line is a layer, lowest first; folders on one line
 * are peers. A module may import its own folder and folders of lower layers, never a peer's or a
 * higher layer's, so no two folders can import each other, even through a third.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { REPO } from "../support/cli.js";

const SRC = path.join(REPO, "src");

/** Folder → layer index, from the `layers` block of ARCHITECTURE.md. */
function readLayers(): Map<string, number> {
  const doc = fs.readFileSync(path.join(REPO, "ARCHITECTURE.md"), "utf8");
  const block = /^```layers\n([\s\S]*?)^```/m.exec(doc);
  if (!block) throw new Error("ARCHITECTURE.md has no ```layers block");
  const layers = new Map<string, number>();
  block[1]!
    .split("\n")
    .map((l) => l.replace(/#.*/, "").trim())
    .filter((l) => l !== "")
    .forEach((line, i) => {
      for (const folder of line.split("/").map((f) => f.trim())) layers.set(folder, i);
    });
  return layers;
}

interface Import {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(ts|mts|mjs)$/.test(e.name) ? [p] : [];
  });
}

/** Every import of every module of src/: static, dynamic and re-exports. */
function importsOf(file: string): Import[] {
  const text = fs.readFileSync(file, "utf8");
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((f) => ({
    file: path.relative(REPO, file),
    line: ts.getLineAndCharacterOfPosition(ts.createSourceFile(file, text, ts.ScriptTarget.Latest), f.pos).line + 1,
    specifier: f.fileName,
  }));
}

const folderOf = (abs: string): string => path.relative(SRC, abs).split(path.sep)[0]!;

const layers = readLayers();
const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe("the layers of ARCHITECTURE.md", () => {
  test("name every folder of src/, and only those", () => {
    const folders = fs
      .readdirSync(SRC, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect([...layers.keys()].sort()).toEqual(folders);
    expect(fs.readdirSync(SRC).filter((f) => !fs.statSync(path.join(SRC, f)).isDirectory())).toEqual([]);
  });

  test("hold: every import of src/ goes to its own folder or a lower layer", () => {
    const wrong: string[] = [];
    for (const imp of imports) {
      if (!imp.specifier.startsWith(".")) continue;
      const from = folderOf(path.join(REPO, imp.file));
      const to = path.resolve(path.dirname(path.join(REPO, imp.file)), imp.specifier);
      if (!to.startsWith(SRC + path.sep)) {
        wrong.push(`${imp.file}:${imp.line}: imports ${imp.specifier}, outside src/`);
        continue;
      }
      const target = folderOf(to);
      if (target === from) continue;
      const a = layers.get(from)!;
      const b = layers.get(target)!;
      if (b >= a) wrong.push(`${imp.file}:${imp.line}: ${from} (layer ${a}) imports ${target} (layer ${b}): ${imp.specifier}`);
    }
    expect(wrong).toEqual([]);
  });

  test("the embedded cluster stands alone: Node's modules and the YAML parser only", () => {
    const foreign = imports
      .filter((i) => i.file.startsWith("src/cluster/"))
      .filter((i) => !i.specifier.startsWith("node:") && i.specifier !== "yaml")
      .filter((i) => !path.resolve(path.dirname(path.join(REPO, i.file)), i.specifier).startsWith(path.join(SRC, "cluster") + path.sep));
    expect(foreign.map((i) => `${i.file}:${i.line}: ${i.specifier}`)).toEqual([]);
  });
});
