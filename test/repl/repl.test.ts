/**
 * `ko repl` as users use it: at a terminal (a tmux pseudo-terminal: prompt, continuation lines,
 * tab completion, history, Ctrl-C), and scripted through standard input.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ko, KO } from "../support/cli.js";
import { Terminal } from "./tmux.js";

function tmp(name: string, text?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-repl-"));
  const file = path.join(dir, name);
  if (text !== undefined) fs.writeFileSync(file, text);
  return file;
}

describe("without a terminal: one result per input", () => {
  test("formulas, imports, definitions over several lines, commands", async () => {
    const input = [
      "Sum(1, 2)",
      'import "strings"',
      "Shout(s?) {",
      "\treturn: strings.Upper(s)",
      "}",
      'Shout("ko")',
      "(",
      "\ta: 1",
      '\tb: Shout("x")',
      ")",
      ":graph Shout",
      "",
      "// a comment is not an input",
      ":quit",
      "Sum(5, 5)",
    ].join("\n");
    const out = await ko(["repl"], { input });
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe(
      [
        "3",
        "imported strings",
        "defined Shout",
        '"KO"',
        '(a: 1, b: "X")',
        "Shout(s?)",
        "  #0 s: param 0",
        "  #1 const strings.Upper",
        "  #2 return: #1(?: #0)",
        "  returns #2",
        "edges: #1 -> #2, #0 -> #2",
        "",
      ].join("\n"),
    );
    expect(out.status).toBe(0);
  });

  test("a later definition replaces an earlier one; :load defines a file's functions", async () => {
    const file = tmp("lib.ko", 'import "strings"\n\n// Twice doubles.\nTwice(n?) {\n\treturn: Sum(n, n)\n}\n');
    const out = await ko(["repl"], { input: `F() { return: 1 }\nF() { return: 2 }\nF()\n:load ${file}\nTwice(21)\n` });
    expect(out.stdout).toBe("defined F\ndefined F\n2\nimported strings; defined Twice\n42\n");
  });

  test("errors point at the input, and the session goes on; the status is the last failure's", async () => {
    const out = await ko(["repl"], { input: 'Lenn(1, 2, 3)\nPanic("no")\nLen(1, 2, 3)\n' });
    expect(out.stdout).toBe("3\n");
    expect(out.stderr).toContain("<input>:1:1: error: Lenn not known");
    expect(out.stderr).toContain("did you mean Len?");
    expect(out.stderr).toContain('<input>:1:1: unrecovered panic: "no"');
    expect(out.status).toBe(1);
    const compile = await ko(["repl"], { input: "F( { return: 1 }\n" });
    expect(compile.status).toBe(3);
  });

  test(":type prints a formula's inferred type, with the session's definitions; unknown commands are errors", async () => {
    const input = [
      ":type Sum(1, 2)",
      ':type (a: 1, b: "s")',
      "Wrap(n) { return: (value: n, size: Len(n)) }",
      ':type Wrap(n: "ko")',
      ':type Wrap(n: "ko").size',
      ':type Sum(1, "a")',
      ":nope",
    ].join("\n");
    const out = await ko(["repl"], { input: `${input}\n` });
    expect(out.stdout).toBe(
      [
        "Int64",
        "(a: Int64, b: String)",
        "defined Wrap",
        "(value: String, size: Int64)",
        "Int64",
        "Never",
        "  fails: basic types Int64 and String cannot be unified",
        "",
      ].join("\n"),
    );
    expect(out.stderr).toContain("unknown command :nope");
    expect(out.status).toBe(2);
  });

  test("an input left open at the end is an error", async () => {
    const out = await ko(["repl"], { input: "Sum(1,\n" });
    expect(out.stderr).toContain("ends inside an open bracket");
    expect(out.status).toBe(3);
  });
});

describe("on a terminal", () => {
  let term: Terminal | undefined;
  afterEach(() => term?.stop());

  const start = (history: string) => {
    term = Terminal.start(`node ${KO} repl`, { KO_HISTORY: history });
    return term;
  };

  test("prompt, result, continuation lines while a bracket is open, :quit", async () => {
    const t = start(tmp("history"));
    await t.waitFor(/ko>\s*$/m);
    t.type("Sum(40, 2)", "Enter");
    await t.waitFor(/^42$/m);
    t.type("(", "Enter");
    await t.waitFor(/^\.\.\.\s*$/m);
    t.type("a: 1, b: 2)", "Enter");
    await t.waitFor(/^\(a: 1, b: 2\)$/m);
    t.type(":quit", "Enter");
    await t.waitFor(/\[exited 0\]/);
  });

  test("tab completes from the language server's completion engine", async () => {
    const t = start(tmp("history"));
    await t.waitFor(/ko>\s*$/m);
    t.type("Pair(left, right?) { return: (left, right) }", "Enter");
    await t.waitFor(/defined Pair/);
    t.type("Pai", "Tab");
    await t.waitFor(/ko> Pair$/m);
    t.type("(le", "Tab");
    await t.waitFor(/ko> Pair\(left:\s*$/m);
    t.type("1, right: Su", "Tab");
    await t.waitFor(/ko> Pair\(left: 1, right: Sum$/m);
    t.type("(2, 3))", "Enter");
    await t.waitFor(/^\(1, 5\)$/m);
  });

  test("Ctrl-C cancels the running evaluation, not the REPL; at the prompt it clears the input", async () => {
    const t = start(tmp("history"));
    await t.waitFor(/ko>\s*$/m);
    t.type("Loop(start: 0, step: Inc)", "Enter");
    await new Promise((r) => setTimeout(r, 700));
    t.type("", "C-c");
    await t.waitFor(/cancelled: interrupted \(Ctrl-C\)/);
    t.type("(1,", "Enter");
    await t.waitFor(/^\.\.\.\s*$/m);
    t.type("", "C-c");
    await t.waitFor(/ko>\s*$/m);
    t.type("Len(1, 2, 3)", "Enter");
    await t.waitFor(/^3$/m);
  });

  test("history persists across sessions", async () => {
    const history = tmp("history");
    const t = start(history);
    await t.waitFor(/ko>\s*$/m);
    t.type("Prod(6, 7)", "Enter");
    await t.waitFor(/^42$/m);
    t.type("", "C-d");
    await t.waitFor(/\[exited 0\]/);
    t.stop();
    expect(fs.readFileSync(history, "utf8")).toBe("Prod(6, 7)\n");
    const again = start(history);
    await again.waitFor(/ko>\s*$/m);
    again.type("", "Up");
    await again.waitFor(/ko> Prod\(6, 7\)$/m);
  });

  test("`ko` with no arguments on a terminal starts the REPL", async () => {
    term = Terminal.start(`node ${KO}`, { KO_HISTORY: tmp("history") });
    await term.waitFor(/Ko REPL/);
    term.type("Sum(1, 1)", "Enter");
    await term.waitFor(/^2$/m);
  });
});
