/**
 * Daily-use papercuts of the `ko` command, each through the real CLI as a user meets it: output
 * piped into `head`, a mistyped flag, the help's own example, an output file that cannot be written.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { KO, ko, REPO } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

describe("output closed early (ko … | head)", () => {
  test.each([["list"], ["doc k8s"]])("ko %s | head -2 ends quietly", (args) => {
    // bash gives each command's status of the pipe in PIPESTATUS; ko's standard error is bash's.
    const script = `node ${KO} ${args} | head -2 >/dev/null; echo "status \${PIPESTATUS[0]}"`;
    const out = spawnSync("bash", ["-c", script], { cwd: REPO, encoding: "utf8" });
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe("status 0\n");
  });
});

test("ko run of a long result | head -c 100 ends quietly", () => {
  // Written straight to the descriptor (src/cli/io.ts): a closed pipe is EPIPE there too.
  const dir = tempDir("ko-papercuts-");
  writeFiles(dir, { "long.ko": 'import "strings"\nMain() {\n\treturn: strings.Repeat(string: "line\\n", count: 100000)\n}\n' });
  const script = `node ${KO} run --no-cache long.ko | head -c 100 >/dev/null; echo "status \${PIPESTATUS[0]}"`;
  const out = spawnSync("bash", ["-c", script], { cwd: dir, encoding: "utf8" });
  expect(out.stderr).toBe("");
  expect(out.stdout).toBe("status 0\n");
});

describe("a misused command prints its error and its usage line, not the whole help", () => {
  test.each([
    [
      ["run", "examples/hello.ko", "--bogus"],
      "error: unknown option '--bogus'",
      "usage: ko run [options] <target> [func]  (see ko run --help)",
    ],
    [["run"], "error: missing required argument 'target'", "usage: ko run [options] <target> [func]  (see ko run --help)"],
    [
      ["graph", "x.ko", "--formt", "svg"],
      "error: unknown option '--formt'\n(Did you mean --format?)",
      "usage: ko graph [options] <target> [func]  (see ko graph --help)",
    ],
    [
      ["cluster", "serve", "--bogus"],
      "error: unknown option '--bogus'",
      "usage: ko cluster serve [options]  (see ko cluster serve --help)",
    ],
    [["bogus"], "error: unknown command 'bogus'", "usage: ko [options] [command]  (see ko --help)"],
  ])("ko %j", async (args, error, usage) => {
    const out = await ko(args);
    expect(out.status).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toBe(`${error}\n${usage}\n`);
  });

  test("--help still prints the whole help, with status 0", async () => {
    const out = await ko(["run", "--help"]);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("--no-progress");
  });
});

test("ko play --help's example runs as shown", async () => {
  const help = await ko(["play", "--help"]);
  expect(help.status).toBe(0);
  const example = /^ {2}ko (play .*?) {4}prints (.*)$/m.exec(help.stdout);
  expect(example, help.stdout).not.toBeNull();
  const [, command, printed] = example!;
  const out = await ko(command!.split(" "));
  expect(out.stderr).toBe("");
  expect(out.status).toBe(0);
  expect(out.stdout).toBe(`${printed}\n`);
});

describe("an unclosed bracket is reported first, without the errors its repair would invent", () => {
  test.each([
    [
      "Main() {\n\ta: Sum(1, 2\n\tb: Sum(a, 3)\n\treturn: b\n}\n",
      "u.ko:2:8: error: bracket imbalance: '(' is not closed before the next line's term\n" +
        "  \ta: Sum(1, 2\n  \t      ^\n" +
        "u.ko:3:2: note: the next term starts here\n",
    ],
    [
      "Main() {\n\ta: (x: 1, y: 2\n\treturn: a\n}\n",
      "u.ko:2:5: error: bracket imbalance: '(' is not closed before the next line's term\n" +
        "  \ta: (x: 1, y: 2\n  \t   ^\n" +
        "u.ko:3:2: note: the next term starts here\n",
    ],
    [
      // The syntax error comes first, though the duplicate label it does not cause is above it.
      "Main() {\n\ta: 1\n\ta: 2\n\tb: Sum(1, 2\n\treturn: a\n}\n",
      "u.ko:4:8: error: bracket imbalance: '(' is not closed before the next line's term\n" +
        "  \tb: Sum(1, 2\n  \t      ^\n" +
        "u.ko:5:2: note: the next term starts here\n" +
        "u.ko:3:2: error: duplicate step label a\n  \ta: 2\n  \t^\n" +
        "u.ko:2:2: note: a first defined here\n",
    ],
  ])("ko run and ko check on %j", async (source, expected) => {
    const dir = writeFiles(tempDir(), { "u.ko": source });
    for (const command of ["run", "check"]) {
      const out = await ko([command, "u.ko"], { cwd: dir });
      expect(out.stderr).toBe(expected);
      expect(out.status).toBe(3);
    }
  });
});

describe("a failure inside the library's Branch is headed at the user's line, the library's frames after it", () => {
  const idiom = `${REPO}/stdlib/idiom/idiom.ko`;
  const libraryFrames = `  at idiom.Invoke:return (${idiom}:54:10)\n  at idiom.Branch:return (${idiom}:61:10)\n`;
  test.each([
    [
      "a run-time error",
      "\tzero: Sum(1, -1)\n\tr: idiom.Branch(if: true, then: Ratio[value: (1, zero)], else: 2)\n",
      1,
      "b.ko:5:5: error: integer division by zero\n" +
        "  \tr: idiom.Branch(if: true, then: Ratio[value: (1, zero)], else: 2)\n" +
        `  \t   ${"^".repeat(62)}\n` +
        `${idiom}:54:10: note: where it fails, in the standard library: idiom.Invoke:return\n` +
        libraryFrames +
        "  at b.Main:r (b.ko:5:5)\n",
    ],
    [
      "a panic",
      '\tr: idiom.Branch(if: true, then: Panic["boom"], else: 2)\n',
      1,
      'b.ko:4:5: unrecovered panic: "boom"\n' +
        '  \tr: idiom.Branch(if: true, then: Panic["boom"], else: 2)\n' +
        `  \t   ${"^".repeat(52)}\n` +
        `${idiom}:54:10: note: where it fails, in the standard library: idiom.Invoke:return\n` +
        libraryFrames +
        "  at b.Main:r (b.ko:4:5)\n",
    ],
    [
      "a type error the checker finds",
      "\tr: idiom.Branch(if: true, then: Ratio[x: 1], else: 2)\n",
      3,
      "b.ko:4:5: error: Ratio: argument value: missing\n" +
        "  \tr: idiom.Branch(if: true, then: Ratio[x: 1], else: 2)\n" +
        `  \t   ${"^".repeat(50)}\n` +
        `${idiom}:54:10: note: where it fails, in the standard library: idiom.Invoke:return\n` +
        `${idiom}:53:1: note: in idiom.Invoke(variety: Variety) called at ${idiom}:61:10\n` +
        `${idiom}:59:1: note: in idiom.Branch(if: Bool, then: Variety, else: Int64) called at b.ko:4:5\n` +
        libraryFrames +
        "  at b.Main:r (b.ko:4:5)\n",
    ],
  ])("%s", async (_, body, status, expected) => {
    const dir = writeFiles(tempDir(), { "b.ko": `import "idiom"\n\nMain() {\n${body}\treturn: r\n}\n` });
    const out = await ko(["run", "b.ko"], { cwd: dir });
    expect(out.stderr).toBe(expected);
    expect(out.status).toBe(status);
  });
});
