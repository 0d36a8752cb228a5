// @ts-check
// Bundles the `ko` command into dist/cli: main.js (the entry point), lsp-worker.js (the language
// server's diagnostics worker) and dist/cli/chunks/ (the code they share and what they load later).
//
//   node scripts/bundle.mjs        (npm run bundle; npm run build runs it after tsc)
//
// What every start of `ko` needs is in ONE chunk. esbuild's code splitting puts a module in a chunk
// according to the set of entry points that reach it, counting each `import()` target as an entry
// point of its own; so without help the modules `ko run` loads at start are spread over a dozen
// chunks, one per combination of the optional stages (the cache, the REPL, the language server,
// `ko graph`...) that happen to use them too, and each chunk is one more file for Node to find,
// read and link at every start. Here every module loaded on its own — each target of an `import()`
// in src/, and the worker — is loaded through a wrapper that first imports src/cli/commands.ts,
// the module whose static imports are what every start loads. Every module of that start-up set is
// then reached from every entry point alike, and esbuild puts them all in the same chunk. The
// wrappers cost nothing at run time: commands.ts is always loaded before anything imports them
// (in the worker, it is loaded with the worker, which uses most of it anyway).
//
// Chunks of earlier builds are removed once the new ones are written (not before, so that a `ko`
// started during a build does not find its files gone).
import * as esbuild from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(repo, "src") + path.sep;
const outdir = path.join(repo, "dist", "cli");
const chunkDir = path.join(outdir, "chunks");
/** The start-up set: commands.ts and everything it imports statically. */
const startup = path.join(repo, "src", "cli", "commands.ts");
const worker = path.join(repo, "src", "lsp", "worker.ts");

/**
 * Loads each separately loaded module of src/ through a wrapper that imports the start-up set first.
 * @type {esbuild.Plugin}
 */
const oneStartupChunk = {
  name: "one-startup-chunk",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "resolving") return undefined;
      if (args.kind !== "dynamic-import" && args.kind !== "entry-point") return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "resolving",
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const file = resolved.path;
      if (resolved.external || !file.startsWith(src) || file === startup) return undefined;
      if (args.kind === "entry-point" && file !== worker) return undefined;
      return { path: file, namespace: "ko-separately-loaded" };
    });
    build.onLoad({ filter: /.*/, namespace: "ko-separately-loaded" }, (args) => ({
      contents: `import ${JSON.stringify(startup)};\nexport * from ${JSON.stringify(args.path)};\n`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

const result = await esbuild.build({
  absWorkingDir: repo,
  entryPoints: { main: "src/cli/main.ts", "lsp-worker": "src/lsp/worker.ts" },
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  metafile: true,
  // Bundled CommonJS packages call require(); an ES module has none of its own.
  banner: { js: "import { createRequire as __koRequire } from 'node:module'; const require = __koRequire(import.meta.url);" },
  plugins: [oneStartupChunk],
});

const written = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(repo, f)));
for (const name of fs.readdirSync(chunkDir)) {
  const file = path.join(chunkDir, name);
  if (!written.has(file)) fs.rmSync(file, { recursive: true, force: true });
}
fs.chmodSync(path.join(outdir, "main.js"), 0o755);
