/**
 * `ko eval` (reference 8.3): one expression, from `-e` or standard input, evaluated with builtins
 * only and printed in canonical form; errors located in the expression, with D19's statuses.
 */
import { describe, expect, test } from "vitest";
import { interrupt, ko } from "../support/cli.js";

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly input?: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number;
}

const cases: readonly Case[] = [
  { name: "an expression given with -e", args: ["-e", "Sum(1, 2, 3)"], stdout: "6\n", stderr: "", status: 0 },
  {
    name: "an expression over several lines on standard input",
    args: [],
    input: '(\n\ta: Sum(1, 2)\n\tb: "x"\n)\n',
    stdout: '(a: 3, b: "x")\n',
    stderr: "",
    status: 0,
  },
  {
    name: "what the checker proves wrong is refused before it runs (exit 3)",
    args: ["-e", 'Sum(1, "a")'],
    stdout: "",
    stderr:
      '<input>:1:1: error: basic types Int64 and String cannot be unified\n  Sum(1, "a")\n  ^^^^^^^^^^^\n  at repl._input:return (<input>:1:1)\n',
    status: 3,
  },
  {
    name: "a syntax error points into the expression, at nothing ko eval added around it",
    args: ["-e", "Sum(1,"],
    stdout: "",
    stderr: "<input>:1:4: error: bracket imbalance: '(' is not closed before '}'\n  Sum(1,\n     ^\n",
    status: 3,
  },
  {
    name: "a panic is a run-time failure (exit 1) with its call chain",
    args: ["-e", 'Panic(msg: "no")'],
    stdout: "",
    stderr: '<input>:1:1: unrecovered panic: (msg: "no")\n  Panic(msg: "no")\n  ^^^^^^^^^^^^^^^^\n  at repl._input:return (<input>:1:1)\n',
    status: 1,
  },
  {
    name: "a definition is not an expression (exit 2)",
    args: ["-e", "F() { return: 1 }"],
    stdout: "",
    stderr: "ko: ko eval takes one expression (a formula), not a command, a definition or a step\n",
    status: 2,
  },
  {
    name: "no expression at all (exit 2)",
    args: [],
    input: "",
    stdout: "",
    stderr: "ko: ko eval needs an expression: -e EXPR, or the expression on standard input\n",
    status: 2,
  },
];

describe("ko eval", () => {
  test.each(cases)("$name", async (c) => {
    const out = await ko(["eval", ...c.args], c.input !== undefined ? { input: c.input } : {});
    expect({ stdout: out.stdout, stderr: out.stderr, status: out.status }).toEqual({
      stdout: c.stdout,
      stderr: c.stderr,
      status: c.status,
    });
  });

  test("Ctrl-C ends an endless expression within a second, with exit 130", async () => {
    const { status, stderr, ms } = await interrupt(["eval", "-e", "Hang()"], { when: 700 });
    expect(ms).toBeLessThan(1000);
    expect(status).toBe(130);
    expect(stderr).toContain("interrupted (Ctrl-C)");
  });
});
