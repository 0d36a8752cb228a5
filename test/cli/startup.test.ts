/**
 * What a start of the bundled `ko` loads (scripts/bundle.mjs). All the code of src/ that every
 * start needs is in one chunk; the optional stages (the Kubernetes client and session, the YAML
 * library, the language server, the REPL, the formatter, graph drawing, the embedded cluster, the
 * grid with BullMQ and ioredis) are
 * loaded only by the commands and programs that use them. The modules a process loads are
 * recorded by test/support/record-modules.mjs; a chunk is known by the `// src/...` and
 * `// node_modules/...` lines esbuild writes above each module it holds.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { KO, REPO } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";

const RECORDER = pathToFileURL(path.join(REPO, "test/support/record-modules.mjs")).href;
const BUNDLE = path.dirname(KO);

interface Loaded {
  /** Files of the bundle (dist/cli) loaded, in load order. */
  readonly bundle: string[];
  /** Every other file loaded (CommonJS packages required at run time). */
  readonly others: string[];
  /** The files loaded as ES modules, through Node's ES module loader. */
  readonly esModules: string[];
  readonly stdout: string;
}

function load(args: string[]): Loaded {
  const dir = tempDir("ko-startup-");
  const list = path.join(dir, "modules");
  const r = spawnSync(process.execPath, ["--import", RECORDER, KO, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, KO_RECORD_MODULES: list, KO_CACHE_DIR: path.join(dir, "cache") },
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const lines = fs
    .readFileSync(list, "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("node:"));
  const files = lines.map((l) => (l.startsWith("file:") ? fileURLToPath(l) : l));
  const esModules = lines.filter((l) => l.startsWith("file:")).map((l) => fileURLToPath(l));
  const inBundle = (f: string) => !path.relative(BUNDLE, f).startsWith("..");
  return {
    bundle: [...new Set(files.filter(inBundle))],
    others: [...new Set(files.filter((f) => !inBundle(f)))],
    esModules: [...new Set(esModules)],
    stdout: r.stdout,
  };
}

/**
 * The modules a file of the bundle holds, as esbuild names them (src/cli/run.ts, node_modules/yaml/dist/index.js).
 * The start-up chunk is a facade that runs its code as a script (scripts/bundle.mjs): that script's modules are the chunk's.
 */
function modulesIn(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const script = startupScriptOf(text);
  const own = [...text.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!);
  return script === undefined ? own : [...own, ...modulesIn(path.join(path.dirname(file), script))];
}

/** The script a facade of the bundle compiles with a code cache, named by its first line. */
function startupScriptOf(text: string): string | undefined {
  return /^\/\/ The start-up chunk, compiled with a code cache \(scripts\/bundle\.mjs\): its code is in \.\/([\w-]+\.js)\.$/m.exec(
    text,
  )?.[1];
}

const OPTIONAL = [
  /^node_modules\/@kubernetes\//,
  /^node_modules\/yaml\//,
  /^node_modules\/vscode-/,
  /^node_modules\/@hpcc-js\//,
  /^src\/k8s\/session\.ts$/,
  /^src\/lsp\//,
  /^src\/repl\//,
  /^src\/fmt\//,
  /^src\/graph\//,
  /^src\/cluster\//,
  // The grid: BullMQ and ioredis, loaded by `--grid`, `ko worker` and `ko grid` only.
  /^node_modules\/bullmq\//,
  /^node_modules\/ioredis\//,
  /^src\/grid\//,
  /^src\/worker\//,
  /^src\/api\/grid\.ts$/,
];

test("ko run of a small script loads one chunk of src/ and none of the optional stages, and no ES module", () => {
  const { bundle, others, esModules, stdout } = load(["run", "examples/hello.ko"]);
  expect(stdout).toBe('Hello, Ko\n(greeting: "Hello, world", shouted: "HELLO, WORLD", words: 2)\n');
  expect(bundle[0]).toBe(KO);
  // The bin is CommonJS and requires the start-up chunk's loader: no ES module is loaded. (The
  // recording, preloaded with --import, makes Node run the entry itself through its ES module loader.)
  expect(path.basename(KO)).toBe("ko.cjs");
  expect(esModules.filter((f) => f !== KO)).toEqual([]);
  const modules = new Map(bundle.map((f) => [f, modulesIn(f)]));
  // The start-up chunk: every module of src/ loaded is in it (main.js holds only the entry point).
  const withSource = bundle.filter((f) => f !== KO && modules.get(f)!.some((m) => m.startsWith("src/")));
  expect(withSource.map((f) => path.relative(BUNDLE, f))).toHaveLength(1);
  const startup = modules.get(withSource[0]!)!;
  for (const m of ["src/cli/commands.ts", "src/cli/run.ts", "src/runtime/eval.ts", "src/types/index.ts", "src/cache/open.ts"])
    expect(startup).toContain(m);
  // Nothing optional, neither bundled nor required from node_modules.
  const all = [...modules.values()].flat();
  expect(all.filter((m) => OPTIONAL.some((re) => re.test(m)))).toEqual([]);
  expect(others.filter((f) => /node_modules/.test(f))).toEqual([]);
});

/** Node's own modules (node:crypto, node:net...) a process of `ko` loads, from process.moduleLoadList at exit. */
function nodeModulesLoaded(args: string[], env: Record<string, string>): { modules: Set<string>; stdout: string } {
  const dir = tempDir("ko-startup-");
  const list = path.join(dir, "builtins");
  const record = `import * as fs from "node:fs"; process.on("exit", () => fs.writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join("\\n")));`;
  const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent(record)}`, KO, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const modules = fs
    .readFileSync(list, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("NativeModule ") && !l.startsWith("NativeModule internal/"))
    .map((l) => l.slice("NativeModule ".length));
  return { modules: new Set(modules), stdout: r.stdout };
}

// Modules a trivial run has no use for: child processes, hashing, sockets, terminals, compression.
const UNUSED_BY_HELLO = ["child_process", "crypto", "dgram", "http", "https", "net", "os", "tls", "tty", "worker_threads", "zlib"];

test("ko run of a small script loads none of Node's modules it does not use, first run or again", () => {
  const cache = path.join(tempDir("ko-startup-"), "cache");
  for (const run of ["first (parses, stores)", "again (reads the parses)"]) {
    const { modules, stdout } = nodeModulesLoaded(["run", "examples/hello.ko"], { KO_CACHE_DIR: cache });
    expect(stdout, run).toBe('Hello, Ko\n(greeting: "Hello, world", shouted: "HELLO, WORLD", words: 2)\n');
    expect(
      UNUSED_BY_HELLO.filter((m) => modules.has(m)),
      run,
    ).toEqual([]);
  }
});

test("a module left out of the start is loaded when a script needs it (os.TempDir)", () => {
  const file = tempFile("uses.ko", 'import "os"\nMain() { return: Len(os.TempDir()) }\n', "ko-startup-");
  const { modules, stdout } = nodeModulesLoaded(["run", "--no-cache", file], {});
  expect(Number(stdout)).toBeGreaterThan(0);
  expect(modules.has("os")).toBe(true);
});

test("the recording sees a package loaded when a script uses it (encoding/yaml)", () => {
  // (yaml.Unmarshal reads with the yaml library; yaml.Marshal writes without it, yaml-emit.ts.)
  const file = tempFile("y.ko", 'import "encoding/yaml"\nMain() { return: yaml.Unmarshal("a: 1") }\n', "ko-startup-");
  const { others, stdout } = load(["run", file]);
  expect(stdout).toBe("(a: 1)\n");
  expect(others.some((f) => f.split(path.sep).join("/").includes("node_modules/yaml/"))).toBe(true);
});

test("ko run -o json writes without the YAML library; -o yaml loads it only to write", () => {
  const isYaml = (f: string) => f.split(path.sep).join("/").includes("node_modules/yaml/");
  const json = load(["run", "examples/hello.ko", "-o", "json"]);
  expect(json.stdout).toContain('"greeting": "Hello, world",\n');
  expect(json.others.some(isYaml)).toBe(false);
  expect(json.bundle.flatMap(modulesIn).some((m) => /^node_modules\/yaml\//.test(m))).toBe(false);
  const yaml = load(["run", "examples/hello.ko", "-o", "yaml"]);
  expect(yaml.stdout).toContain("greeting: Hello, world\n");
  expect(yaml.others.some(isYaml)).toBe(true);
});

test("the bundle keeps no chunk of an earlier build", () => {
  // Every file in dist/cli/chunks is imported by ko.cjs, main.js, lsp-worker.js or another chunk (or read by one: a script, its code cache).
  const chunks = path.join(BUNDLE, "chunks");
  const names = fs.readdirSync(chunks);
  const referenced = new Set<string>();
  for (const f of [KO, path.join(BUNDLE, "main.js"), path.join(BUNDLE, "lsp-worker.js"), ...names.map((n) => path.join(chunks, n))]) {
    for (const m of fs.readFileSync(f, "utf8").matchAll(/["']\.\.?\/(?:chunks\/)?([\w-]+\.(?:c?js|cache))["']/g)) referenced.add(m[1]!);
  }
  expect(names.filter((n) => !referenced.has(n))).toEqual([]);
});

test("the start-up chunk runs as a script whose code cache this Node accepts", () => {
  const { bundle } = load(["run", "examples/hello.ko"]);
  const facades = bundle.filter((f) => startupScriptOf(fs.readFileSync(f, "utf8")) !== undefined);
  expect(facades).toHaveLength(1);
  const script = path.join(path.dirname(facades[0]!), startupScriptOf(fs.readFileSync(facades[0]!, "utf8"))!);
  const cache = script.replace(/\.js$/, ".cache");
  expect(fs.statSync(cache).size).toBeGreaterThan(0);
  // As the facade compiles it, in a plain node process (V8 refuses a cache made under other flags).
  const probe = `const fs = require("node:fs"), vm = require("node:vm");
const s = new vm.Script(fs.readFileSync(process.argv[1], "utf8"), { filename: process.argv[1], cachedData: fs.readFileSync(process.argv[2]) });
process.stdout.write(String(s.cachedDataRejected));`;
  const r = spawnSync(process.execPath, ["-e", probe, script, cache], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("false");
});
