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
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

// ---------------------------------------------------------------------------------------------
// Node's modules, loaded when first used
//
// esbuild hoists every static import of a Node module to the top of the chunk, so each start of
// `ko` loaded child_process (for commander, which spawns only for subcommands run as programs),
// crypto, v8, fs/promises, os and async_hooks before doing anything, and wrapped each import in
// __toESM, which copies every export of the module into a new object: some 8 ms of a trivial run,
// most of it for modules the run never touches. In the script, each import of one of the modules
// below is a stand-in that requires the module when a property of it is first read. Modules Node
// has loaded at every start anyway (fs, path, url, events, process...) are required as they are,
// without the copy: a property read through a stand-in costs a little, and a stand-in is no
// `this` for methods that keep state on their module object (process.on).

/** The Node modules that are loaded on first use; any other is required at once. */
const DEFERRED = new Set([
  "async_hooks",
  "child_process",
  "crypto",
  "dgram",
  "dns",
  "fs/promises",
  "http",
  "https",
  "net",
  "os",
  "perf_hooks",
  "readline",
  "stream",
  "tls",
  "tty",
  "v8",
  "worker_threads",
  "zlib",
]);

/** Defines __koNodeModule(spec) at the top of the script: a deferred module's stand-in, or the module itself. */
const LAZY_NODE_MODULE = `const __koNodeModule = (() => {
  const deferred = new Set(${JSON.stringify([...DEFERRED])});
  const standIns = new Map();
  return (spec) => {
    if (!deferred.has(spec.replace(/^node:/, ""))) return require(spec);
    let standIn = standIns.get(spec);
    if (standIn === undefined) {
      let loaded;
      const load = () => (loaded ??= require(spec));
      standIn = new Proxy(Object.create(null), {
        get: (_, key) => (key === "default" ? load() : load()[key]),
        has: (_, key) => key === "default" || key in load(),
      });
      standIns.set(spec, standIn);
    }
    return standIn;
  };
})();`;

/**
 * Rewrites the script's imports of Node's modules (static imports, now require()s, with or without
 * __toESM, and commander's own require()s through the shared chunk's __require) to __koNodeModule.
 * @param {string} body
 */
function deferNodeModules(body) {
  const imports =
    /__toESM\(require\("(node:[\w/]+)"\)\)|\brequire\("(node:[\w/]+)"\)|\(0, import_chunk_\w+\.__require\)\("(node:[\w/]+)"\)/g;
  const rewritten = body.replace(imports, (_, a, b, c) => `__koNodeModule(${JSON.stringify(a ?? b ?? c)})`);
  // A module required as it is has no `default` (__toESM made one): a default import of it would read undefined.
  for (const [, name, spec] of rewritten.matchAll(/\bvar (\w+) = __koNodeModule\("node:([\w/]+)"\)/g)) {
    if (!DEFERRED.has(spec ?? "") && new RegExp(`\\b${name}\\.default\\b`).test(rewritten))
      throw new Error(`bundle: a default import of node:${spec} (import * as ... or named imports only)`);
  }
  return rewritten;
}

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
const startupFiles = await loadStartupAsScript(result.metafile);
for (const f of startupFiles) written.add(f);
for (const name of fs.readdirSync(chunkDir)) {
  const file = path.join(chunkDir, name);
  if (!written.has(file)) fs.rmSync(file, { recursive: true, force: true });
}
writeBin();
fs.chmodSync(path.join(outdir, "main.js"), 0o755);

// ---------------------------------------------------------------------------------------------
// The bin: dist/cli/ko.cjs
//
// Node starts an ES module through its ES module loader, which it builds for the purpose: the
// loader's own modules, fs/promises and the streams it reads files with, and an asynchronous
// resolve, read and compile for each module (with no code cache in Node 20). For `ko run` of a
// small script that was some 5 ms, as much as the run. The package's bin is therefore a
// CommonJS file that requires the start-up chunk's loader (below) directly; the ES modules are
// loaded only by what imports them later (a command's own chunk, the language server...).

/** Writes dist/cli/ko.cjs, which starts the loader `startupFiles` holds. */
function writeBin() {
  const loader = startupFiles.find((f) => f.endsWith(".cjs") && path.basename(f).startsWith("start-up-"));
  if (loader === undefined) throw new Error("bundle: no start-up loader was written");
  const bin = path.join(outdir, "ko.cjs");
  fs.writeFileSync(
    bin,
    `#!/usr/bin/env node
// The \`ko\` command, as the package's bin (scripts/bundle.mjs writes it): CommonJS, so that Node
// starts it without its ES module loader. dist/cli/main.js is the same start as an ES module.
"use strict";
// V8's compile cache where Node has one (22.1 and later), before the command is loaded.
require("node:module").enableCompileCache?.();
require(${JSON.stringify(`./chunks/${path.basename(loader)}`)}).runAsProcess(process.argv);
`,
  );
  fs.chmodSync(bin, 0o755);
}

// ---------------------------------------------------------------------------------------------
// The start-up chunk as a script with a code cache
//
// Node 20 has no compile cache for ES modules (module.enableCompileCache came in 22.1), so every
// start of `ko` parsed and compiled the start-up chunk (about a megabyte) and every function a
// run calls: a third of a trivial run's time. A classic script can be compiled with V8's code
// cache (vm.Script's cachedData), so the chunk is rewritten here into one: its code goes, as a
// CommonJS-style function body, to start-up-HASH.js, and the chunk's own file becomes a small
// ES module that compiles that script with the cache, runs it and exports what it exported. The
// other chunks import the chunk by its name as before and see no difference.
//
// The cache is made here, once a build: a `ko run` of examples/hello.ko with the fresh script,
// after which V8 serialises every function compiled by then (the start-up path of a run). V8
// checks a cache against its version, its flags and the source's length and refuses one that
// does not fit (another Node, `node --max-old-space-size=...`): the script is then compiled as
// any module is, and only the time is lost.
//
// The rewriting: esbuild's own ESM-to-CommonJS transform (static imports become require()s,
// exports a getter object). Three things a script lacks are handed in by the facade: `require`
// (Node's, plus the chunks the start-up chunk imports), the chunk's URL for `import.meta.url`
// (the facade's, in the same folder), and `import()` (a vm.Script can only import through an
// experimental hook, so each `import("...")` esbuild wrote is renamed to a function of the facade).

/**
 * Rewrites the start-up chunk of `metafile` into a script and a facade, and makes its code cache.
 * @param {esbuild.Metafile} metafile
 * @returns {Promise<string[]>} the files written beside the bundle's own
 */
async function loadStartupAsScript(metafile) {
  const entry = Object.entries(metafile.outputs).find(([, o]) => Object.keys(o.inputs).includes("src/cli/commands.ts"));
  if (entry === undefined) throw new Error("bundle: no chunk holds src/cli/commands.ts");
  const [chunkPath, chunk] = entry;
  const chunkFile = path.resolve(repo, chunkPath);
  const base = path.basename(chunkFile, ".js").replace(/^chunk-/, "");
  const scriptName = `start-up-${base}.js`;
  const cacheName = `start-up-${base}.cache`;
  const loaderName = `start-up-${base}.cjs`;
  const code = fs.readFileSync(chunkFile, "utf8");

  // The modules it holds, for readers and test/cli/startup.test.ts: esbuild's transform drops comments.
  const holds = [...code.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => `// ${m[1]}\n`).join("");
  const banner = code.indexOf("\n") + 1; // the createRequire banner: the facade hands `require` in
  const cjs = await esbuild.transform(code.slice(banner), {
    format: "cjs",
    platform: "node",
    target: "node20",
    define: { "import.meta.url": "__koChunkUrl" },
    charset: "ascii",
    logLevel: "warning",
  });
  let body = cjs.code;
  for (const i of chunk.imports.filter((i) => i.kind === "dynamic-import")) {
    const spec = i.external ? i.path : `./${path.basename(i.path)}`;
    body = body.split(`import(${JSON.stringify(spec)})`).join(`__koImport(${JSON.stringify(spec)})`);
  }
  if (/\bimport\s*\(/.test(body)) throw new Error(`bundle: an import() in ${chunkPath} was not renamed`);
  body = deferNodeModules(body);
  // ASCII only (esbuild escaped strings, regular expressions and names; what is left is in comments),
  // so that the facade reads the script as Latin-1: a one-byte string, made without decoding UTF-8.
  body = body.replace(/[^\t\n\r\x20-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)?.toString(16)}}`);

  const statics = chunk.imports.filter((i) => i.kind === "import-statement" && !i.external).map((i) => path.resolve(repo, i.path));
  const helpers = await Promise.all(statics.map(commonJsCopy));

  const exported = chunk.exports;
  const script = path.join(chunkDir, scriptName);
  fs.writeFileSync(script, `${holds}(function (exports, require, module, __koChunkUrl, __koImport) {\n${LAZY_NODE_MODULE}\n${body}\n})`);
  const loader = path.join(chunkDir, loaderName);
  fs.writeFileSync(
    loader,
    `// The start-up chunk, compiled with a code cache (scripts/bundle.mjs): its code is in ./${scriptName}.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const { pathToFileURL } = require("node:url");

const file = path.join(__dirname, ${JSON.stringify(`./${scriptName}`)});
const source = fs.readFileSync(file, "latin1"); // ASCII: the build made sure
const cachedData = (() => {
  try {
    return fs.readFileSync(path.join(__dirname, ${JSON.stringify(`./${cacheName}`)}));
  } catch {
    return undefined; // not made yet (the build's own training run), or removed: compile anew
  }
})();
const script = new vm.Script(source, { filename: file, cachedData });
// The chunks the script imports, as CommonJS copies (they hold esbuild's helpers, and no state).
const chunks = new Map([${helpers.map((h) => `[${JSON.stringify(`./${path.basename(h.of)}`)}, require(${JSON.stringify(`./${path.basename(h.copy)}`)})]`).join(", ")}]);
script.runInThisContext()(
  module.exports,
  (spec) => chunks.get(spec) ?? require(spec),
  module,
  pathToFileURL(__filename).href,
  (spec) => import(spec),
);
/** V8's code cache of the script as it is now: the build calls it after a training run. */
module.exports.startupCodeCache = () => script.createCachedData();
`,
  );
  fs.writeFileSync(
    chunkFile,
    `// The start-up chunk, for the chunks that import it: the module ./${loaderName} made, the one the ko command starts with.
import { createRequire } from "node:module";

const exported = createRequire(import.meta.url)(${JSON.stringify(`./${loaderName}`)});
${exported.map((name, n) => `const export${n} = exported.${name};`).join("\n")}
export { ${exported.map((name, n) => `export${n} as ${name}`).join(", ")} };
`,
  );

  // The training run, in a process of its own: the loader, then a `ko run` through its main().
  const cache = path.join(chunkDir, cacheName);
  fs.rmSync(cache, { force: true });
  const train = `
const fs = require("node:fs");
const m = require(${JSON.stringify(loader)});
m.main([process.argv[0], "ko", "run", ${JSON.stringify(path.join(repo, "examples", "hello.ko"))}]).then((code) => {
  if (code !== 0) throw new Error("the training run of examples/hello.ko failed");
  fs.writeFileSync(${JSON.stringify(cache)}, m.startupCodeCache());
});
`;
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-bundle-"));
  try {
    const r = spawnSync(process.execPath, ["-e", train], {
      cwd: repo,
      env: { ...process.env, KO_CACHE_DIR: cacheDir },
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.status !== 0) throw new Error("bundle: the training run for the code cache failed");
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  return [script, cache, loader, ...helpers.map((h) => h.copy)];
}

/**
 * A CommonJS copy of a chunk the start-up chunk imports (esbuild's helpers: __require,
 * __commonJS...), written beside it as NAME.cjs, for the loader to require. Such a chunk holds
 * functions only; one that imports anything would need its imports copied too, and is refused.
 * @param {string} file
 */
async function commonJsCopy(file) {
  const code = fs.readFileSync(file, "utf8");
  const banner = code.indexOf("\n") + 1; // the createRequire banner: a CommonJS module has require
  if (/^import\b/m.test(code.slice(banner))) throw new Error(`bundle: ${file}, imported by the start-up chunk, imports modules`);
  const cjs = await esbuild.transform(code.slice(banner), { format: "cjs", platform: "node", target: "node20", logLevel: "warning" });
  const copy = file.replace(/\.js$/, ".cjs");
  fs.writeFileSync(copy, cjs.code);
  return { of: file, copy };
}
