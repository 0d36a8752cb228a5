/**
 * A compiled program keeps its circuits and its sources, not their syntax trees (ARCHITECTURE.md,
 * "What a compiled program keeps"): a tool that reads `KoProgram.program` gets a Program loaded
 * and resolved again from the sources the compile read, the same as the one compiled.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { expect, test } from "vitest";
import { compileDir, defaultRegistry, stdlibDir } from "../../src/api/index.js";
import { Loader } from "../../src/resolve/load.js";
import type { Program } from "../../src/resolve/packages.js";
import { resolveProgram } from "../../src/resolve/resolve.js";
import { tempDir, writeFiles } from "../support/temp.js";

/** What a tool reads of a Program: packages, their files and functions (with the places of their definitions), and how many references and imports were resolved. */
function outline(program: Program) {
  return {
    entry: program.entry.path,
    packages: [...program.packages.values()].map((p) => ({
      path: p.path,
      dir: p.dir,
      files: p.files.map((f) => [f.path, f.text, [...f.aliases]]),
      funcs: [...p.funcs.values()].map((f) => [f.def.name.text, f.file.path, f.def.span.start.offset, f.def.span.end.offset, f.inline]),
    })),
    refs: program.refs.size,
    imports: [...program.imports.values()].map((p) => p.path),
  };
}

test("a tool's Program is derived again from the sources the compile read, even once they change on disk", () => {
  const root = tempDir();
  writeFiles(root, { "shapes/shapes.ko": "Square(side) { return: Area(w: side, h: side) }\nArea(w, h) { return: (w: w, h: h) }\n" });
  const dir = writeFiles(tempDir(), {
    "app/main.ko": 'import "shapes"\nimport "./util"\nMain() { return: shapes.Square(side: util.Two()) }\n',
    "app/more.ko": "Helper(x) { f: Inner(y) { return: y }\n\treturn: f(y: x) }\n",
    "app/util/util.ko": "Two() { return: 2 }\n",
  });
  const app = path.join(dir, "app");
  const registry = defaultRegistry();
  const loaded = new Loader({ registry, roots: [root], stdlibDir: stdlibDir() }).load({ kind: "dir", dir: app });
  const expected = outline(resolveProgram(loaded, registry).program);

  const program = compileDir(app, { roots: [root] });
  fs.rmSync(path.join(app, "util"), { recursive: true });
  fs.writeFileSync(path.join(app, "extra.ko"), "Extra() { return: 3 }\n");
  fs.writeFileSync(path.join(root, "shapes/shapes.ko"), "Square(side) { return: side }\n");

  const derived = program.program;
  expect(outline(derived)).toEqual(expected);
  expect(program.program).toBe(derived); // the same objects while the tool holds them
  expect(program.entryPackage.files.map((f) => path.basename(f.path))).toEqual(["main.ko", "more.ko"]);
  expect([...program.packages.keys()].sort()).toEqual(["app", "idiom", "shapes", "util"]);
});

test("a compiled program does not keep the syntax trees its circuits were built from", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const dir = writeFiles(tempDir(), { "app/main.ko": "Main() { return: Twice(x: 2) }\nTwice(x) { return: (a: x, b: x) }\n" });
  const program = compileDir(path.join(dir, "app"));
  for (const name of program.functionNames()) void program.func(name)!.circuit;
  const tree = new WeakRef(program.program);
  // A WeakRef keeps its target until the job that made it ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  expect(tree.deref()).toBeUndefined();
  expect(await program.run("Main", {}, { stdout: () => {}, stderr: () => {} })).toEqual({ a: 2, b: 2 });
});
