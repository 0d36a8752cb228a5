/** The `ko` command's subcommands, exit statuses and handling of bad input, through the real CLI. */
import * as fs from "node:fs";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { interrupt, ko, KO, REPO } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";

const tmpFile = (name: string, content: string | Buffer) => tempFile(name, content, "ko-cli-");

describe("ko run", () => {
  test("runs the README's example", async () => {
    const out = await ko(["run", "examples/hello.ko"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('Hello, Ko\n(greeting: "Hello, world", shouted: "HELLO, WORLD", words: 2)\n');
  });

  test("the built ko is an executable, as npx and the bin link need", () => {
    fs.accessSync(KO, fs.constants.X_OK);
    const out = execFileSync(KO, ["run", "examples/hello.ko", "--no-cache"], { cwd: REPO, encoding: "utf8" });
    expect(out).toContain('shouted: "HELLO, WORLD"');
  });

  test("-l runs several functions in order and stops at the first failure", async () => {
    const file = tmpFile("multi.ko", 'A() { return: "a" }\nB() { return: Panic("b failed") }\nC() { return: "c" }\n');
    const out = await ko(["run", file, "-l", "A,B,C"]);
    expect(out.stdout).toBe('"a"\n');
    expect(out.stderr).toContain('unrecovered panic: "b failed"');
    expect(out.status).toBe(1);
  });

  test("a directory is one package named after it", async () => {
    const dir = tempDir("ko-dir-");
    const pkg = path.join(dir, "shop");
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, "a.ko"), "Main() { return: Helper }\n");
    fs.writeFileSync(path.join(pkg, "b.ko"), "Helper() { return: 1 }\n");
    const out = await ko(["run", pkg]);
    expect(out.stdout).toBe("shop.Helper\n");
  });

  test("relative imports and roots resolve packages (D20)", async () => {
    const dir = tempDir("ko-imp-");
    fs.mkdirSync(path.join(dir, "lib"));
    fs.mkdirSync(path.join(dir, "root/src/acme/util"), { recursive: true });
    fs.writeFileSync(path.join(dir, "lib/lib.ko"), "Twice(x?) { return: Sum(x, x) }\n");
    fs.writeFileSync(path.join(dir, "root/src/acme/util/u.ko"), 'Name() { return: "util" }\n');
    fs.writeFileSync(
      path.join(dir, "main.ko"),
      'import "./lib"\nimport "acme/util"\nMain() { return: (t: lib.Twice(21), n: util.Name(), v: util.Name) }\n',
    );
    const out = await ko(["run", "main.ko"], { cwd: dir, env: { KOPATH: path.join(dir, "root") } });
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe('(t: 42, n: "util", v: acme/util.Name)\n');
  });

  test("a missing file is a usage error", async () => {
    const out = await ko(["run", "no/such/file.ko"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("no such file or directory");
  });

  test("an unknown flag is a usage error", async () => {
    const out = await ko(["run", "examples/hello.ko", "--bogus"]);
    expect(out.status).toBe(2);
  });

  test("runaway recursion ends in a Ko error before the heap runs out, never a crash", async () => {
    const file = tmpFile("down.ko", "Down(n?) {\n\treturn: Down(Sum(n, 1))\n}\nMain() {\n\treturn: Down(0)\n}\n");
    const out = await ko(["run", file], { env: { NODE_OPTIONS: "--max-old-space-size=160" }, timeoutMs: 80000 });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/down\.ko:2:10: error: out of memory at call depth \d+/);
    expect(out.stderr).toMatch(/\.\.\. \d+ more frames \.\.\./);
    expect(out.stderr).not.toMatch(/RangeError|heap limit|FATAL/);
  }, 90000);

  test("Ctrl-C cancels a run within a second, lists the steps in flight and exits 130", async () => {
    const file = tmpFile("hang.ko", "Main() {\n\tforever: Hang()\n\treturn: forever\n}\n");
    const { status, stderr, ms } = await interrupt(["run", file], { when: 700 });
    expect(ms).toBeLessThan(1000);
    expect(status).toBe(130);
    expect(stderr).toContain("cancelled: interrupted (Ctrl-C)");
    expect(stderr).toMatch(/hang\.Main:forever \(.*hang\.ko:2:/);
  });

  test("Ctrl-C also stops a CPU-bound, tree-shaped recursion", async () => {
    const file = tmpFile(
      "fib.ko",
      "Fib(n?) {\n\treturn: Yield(if: Less(n, 2), then: Return[n], else: fibRec[n])()\n}\nfibRec(n?) {\n\treturn: Sum(Fib(Sum(n, -1)), Fib(Sum(n, -2)))\n}\nMain() { return: Fib(45) }\n",
    );
    const { status, stderr, ms } = await interrupt(["run", file, "--no-cache"], { when: 1500 });
    expect(ms).toBeLessThan(1000);
    expect(status).toBe(130);
    expect(stderr).toContain("cancelled: interrupted (Ctrl-C)");
    expect(stderr).toMatch(/fib\.fibRec:return/);
  });

  test("Ctrl-C also stops an endless synchronous Loop", async () => {
    const file = tmpFile("spin.ko", "Main() {\n\treturn: Loop(start: 0, step: Inc)\n}\n");
    const { status, ms } = await interrupt(["run", file], { when: 700 });
    expect(ms).toBeLessThan(1000);
    expect(status).toBe(130);
  });
});

describe("ko play", () => {
  test("runs PKG/FUNC from a root with the original's string arguments", async () => {
    const dir = tempDir("ko-play-");
    fs.mkdirSync(path.join(dir, "src/acme/greet"), { recursive: true });
    fs.writeFileSync(path.join(dir, "src/acme/greet/g.ko"), "Main(x?, y) { return: (x: x, y: y) }\n");
    const out = await ko(["play", "acme/greet/Main", "hello", "y=3=4"], { env: { KOPATH: dir } });
    expect(out.stdout).toBe('(x: "hello", y: "3=4")\n');
    const none = await ko(["play", "acme/greet/Main"], { env: { KOPATH: dir } });
    expect(none.stdout).toBe("()\n");
    const missing = await ko(["play", "acme/nope/Main"], { env: { KOPATH: dir } });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("package acme/nope not found");
  });
});

describe("bad input never crashes or hangs the parser", () => {
  const cases: [string, string | Buffer][] = [
    ["binary garbage", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
    ["unbalanced brackets", "Main() { return: ((((1, 2 }\n"],
    ["a 1 MB line", `Main() { return: "${"x".repeat(1 << 20)}" + }\n`],
    ["100,000 nested brackets", `Main() { return: ${"(".repeat(100000)}1${")".repeat(100000)} }\n`],
    ["an unterminated string", 'Main() { return: "abc\n}\n'],
    ["an unterminated comment", "Main() { return: 1 } /* never closed\n"],
  ];
  test.each(cases)("%s", async (_name, content) => {
    const file = tmpFile("bad.ko", content);
    const out = await ko(["run", file], { timeoutMs: 15000 });
    expect(out.signal).toBeNull();
    expect(out.status).toBe(3);
    expect(out.stderr).toMatch(/bad\.ko:\d+:\d+: error: /);
    expect(out.stderr).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
  });
});

describe("ko test", () => {
  test("runs Test* functions in name order and reports like the original", async () => {
    const out = await ko(["test", "test/testdata/ko-test/arith_test.ko"]);
    expect(out.stdout).toBe(
      [
        '(package: "arith_test")',
        '(fail: "TestAlsoFails", error: "Assertion failed")',
        '(message: "Expected values to be equal", values: (1, 2))',
        // Canonical printing: wider than 100 columns, so it unfolds.
        "(",
        '\tfail: "TestFailsWithMessage"',
        '\terror: (message: "Expected values to be equal", values: (1, 2))',
        ")",
        '(pass: "TestSum")',
        '(pass: "Testy")',
        '(package: "arith_test", passed: 2, failed: 2)',
        "(results: (passed: 2, failed: 2))",
        "2 passed, 2 failed",
        "",
      ].join("\n"),
    );
    expect(out.status).toBe(1);
  });

  test("a package with no tests says so", async () => {
    const out = await ko(["test", "examples/hello.ko"]);
    expect(out.stdout).toContain("No tests found in package hello");
    expect(out.status).toBe(0);
  });
});

describe("ko parse", () => {
  test("--ast prints the syntax tree as JSON", async () => {
    const out = await ko(["parse", "--ast", "examples/hello.ko"]);
    expect(out.status).toBe(0);
    const ast = JSON.parse(out.stdout) as { funcs: { name: { text: string } }[]; imports: { path: string }[] };
    expect(ast.funcs.map((f) => f.name.text)).toEqual(["Greeting", "Main"]);
    expect(ast.imports.map((i) => i.path)).toEqual(["strings"]);
  });

  test("syntax errors exit 3 and report every error", async () => {
    const file = tmpFile("two.ko", "A() { return: F(1, y: 2) }\nB() { return: 'c' }\n");
    const out = await ko(["parse", file]);
    expect(out.status).toBe(3);
    expect(out.stderr).toMatch(/two\.ko:1:\d+: error: /);
    expect(out.stderr).toMatch(/two\.ko:2:\d+: error: /);
  });
});

describe("ko list, doc, version", () => {
  test("list names every builtin, idiom and stdlib function", async () => {
    const out = await ko(["list"]);
    expect(out.status).toBe(0);
    for (const name of ["Sum", "Range", "Yield", "Memory", "Return", "Switch", "Join", "AssertEqual", "Marshal"]) {
      expect(out.stdout).toMatch(new RegExp(`\\b${name}\\b`));
    }
    expect(out.stdout).toMatch(/idiom\s+Return\s+Idiomatic/);
    expect(out.stdout).toMatch(/\(core\)\s+Sum\s+Builtin/);
  });

  test("doc shows a builtin, a package function and a whole package", async () => {
    const yieldDoc = await ko(["doc", "Yield"]);
    expect(yieldDoc.stdout).toMatch(/^Yield\(if/);
    const join = await ko(["doc", "strings.Join"]);
    expect(join.stdout).toMatch(/^strings\.Join\(string\?/);
    const testing = await ko(["doc", "testing"]);
    expect(testing.stdout).toContain("testing.AssertEqual(values?, messageBuilder)");
    const missing = await ko(["doc", "NoSuchThing"]);
    expect(missing.status).toBe(2);
  });

  test("doc shows a Kubernetes object type with its fields, their types and docs", async () => {
    const sts = await ko(["doc", "V1StatefulSetSpec"]);
    expect(sts.status).toBe(0);
    expect(sts.stdout).toMatch(/^k8s\.V1StatefulSetSpec \(a Kubernetes object type: a closed record\)\n/);
    expect(sts.stdout).toContain("\n    replicas: Integer\n        replicas is the desired number of replicas of the given Template.");
    expect(sts.stdout).toContain("\n    template: V1PodTemplateSpec\n");
    expect((await ko(["doc", "k8s.V1Pod"])).stdout).toContain("\n    spec: V1PodSpec\n");
    const missing = await ko(["doc", "k8s.V1Nope"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no builtin, idiom, package, function or Kubernetes object type named k8s.V1Nope");
  });

  test("version prints the version and a registry fingerprint", async () => {
    const out = await ko(["version"]);
    expect(out.stdout).toMatch(/^ko \d+\.\d+\.\d+ .* registry [0-9a-f]{12}\n$/);
  });

  test("no arguments prints help and exits with the usage status", async () => {
    const out = await ko([]);
    expect(out.status).toBe(2);
    expect(out.stdout + out.stderr).toContain("Usage: ko");
  });
});

void REPO;
