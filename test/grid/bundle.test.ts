/**
 * Programs travel to workers as bundles of their sources (src/grid/bundle.ts): a worker compiles
 * a program with no copy of its files, and gets the same functions and the same call keys as the
 * client — with a package from a root, a relative import and the standard library.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { createSession } from "../../src/api/session.js";
import { stdlibDir } from "../../src/api/program.js";
import { bundleProgram, bundleTree, openBundle } from "../../src/grid/bundle.js";
import { callKey } from "../../src/instrument/call-keys.js";
import { DISK } from "../../src/resolve/load.js";
import { tempDir, writeFiles } from "../support/temp.js";

test("a worker compiles a program from its bundle alone, to the same functions and call keys", async () => {
  const dir = writeFiles(tempDir("ko-bundle-"), {
    "app/main.ko":
      'import "./helpers"\nimport "shapes"\nimport "strings"\n\nMain(n) {\n\treturn: (twice: helpers.Twice(n: n), square: shapes.Square(n: n), word: strings.Upper("ok"))\n}\n',
    "app/helpers/twice.ko": "Twice(n) {\n\treturn: Sum(n, n)\n}\n",
    "root/shapes/square.ko": "Square(n) {\n\treturn: Prod(n, n)\n}\n",
  });
  const client = createSession({ roots: [path.join(dir, "root")] });
  const program = client.compileDir(path.join(dir, "app"));
  const sealed = bundleProgram(program.program, program.entry, program.roots, stdlibDir());
  const bundle = openBundle(sealed.text);
  expect(bundle.packages.map((p) => p.path)).toEqual(["app", "helpers", "shapes"]);

  // The worker: no file of the program on its disk any more, only the standard library.
  fs.rmSync(dir, { recursive: true });
  const worker = createSession({ roots: bundle.roots, tree: bundleTree(bundle, DISK, [stdlibDir()]) });
  const compiled = worker.compile(bundle.entry);
  const square = compiled.func("Square", "shapes")!;
  expect(square.identity).toBe(program.func("Square", "shapes")!.identity);
  const args = [{ name: "n", value: 7, monadic: false }];
  expect(callKey(square, args, { pure: true })).toBe(callKey(program.func("Square", "shapes")!, args, { pure: true }));
  expect(await worker.run(compiled, "Main", { n: 3 })).toEqual({ twice: 6, square: 9, word: "OK" });
  await Promise.all([client.close(), worker.close()]);
});
