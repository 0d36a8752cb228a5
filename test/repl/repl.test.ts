/**
 * `ko repl` as users use it: at a terminal (a tmux pseudo-terminal: prompt, continuation lines,
 * tab completion, history, Ctrl-C), and scripted through standard input.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { ReplEvaluator } from "../../src/repl/evaluator.js";
import { createSession } from "../../src/api/session.js";
import { ko, KO } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";
import { Terminal } from "./tmux.js";

/** A path NAME in a fresh scratch directory: a file holding TEXT, or nothing yet. */
function tmp(name: string, text?: string): string {
  return text !== undefined ? tempFile(name, text, "ko-repl-") : path.join(tempDir("ko-repl-"), name);
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
    // An error the checker proves is refused before the formula runs (exit 3), located in the input.
    const typed = await ko(["repl"], { input: 'Sum(1, "a")\n' });
    expect(typed.stderr).toBe(
      '<input>:1:1: error: basic types Int64 and String cannot be unified\n  Sum(1, "a")\n  ^^^^^^^^^^^\n  at repl._input:return (<input>:1:1)\n',
    );
    expect(typed.status).toBe(3);
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

  test("a step names a formula's value, evaluated once; later inputs and :type see it", async () => {
    const input = [
      's: Show("once")',
      "s",
      'x: (alpha: 1, beta: "s")',
      "x.alpha",
      "y: x.beta",
      ":type y",
      // A step replaced by one defined from it: y keeps its type, x has the new one.
      "x: x.alpha",
      ":type x",
      ":type y",
      "Sum(x, 41)",
      'bad: Panic("no")',
      "bad",
    ].join("\n");
    const out = await ko(["repl"], { input: `${input}\n` });
    // Show prints once, at the definition: "once" is then the step's value, twice.
    expect(out.stdout).toBe(
      ['"once"', '"once"', '"once"', '(alpha: 1, beta: "s")', "1", '"s"', "String", "1", "Int64", "String", "42", ""].join("\n"),
    );
    expect(out.stderr).toContain('<input>:1:6: unrecovered panic: "no"');
    expect(out.stderr).toContain("<input>:1:1: error: bad not known"); // a step that failed is not defined
    expect(out.status).toBe(3);
  });

  test(":type of a Kubernetes call is its record type, with no cluster; a k8s step runs on the embedded one", async () => {
    const env = { HOME: path.dirname(tmp("home")), KUBECONFIG: "" };
    const types = await ko(["repl"], {
      input: 'import "k8s"\n:type k8s.Get(kind: "Pod", name: "x")\n:type k8s.Get(kind: "StatefulSet", name: "x").spec.replicas\n',
      env,
    });
    expect(types.stdout).toBe("imported k8s\nV1Pod\n*Int64\n");
    expect(types.stderr).toBe(""); // static: no cluster was asked for
    expect(types.status).toBe(0);
    const step = await ko(["repl"], { input: 'import "k8s"\npods: k8s.List(kind: "Pod")\n:type pods\n', env, timeoutMs: 30000 });
    expect(step.stdout).toBe("imported k8s\nempty\n*(V1Pod | (V1Pod))\n");
    expect(step.stderr).toContain("using the embedded cluster");
    expect(step.status).toBe(0); // and the REPL ends, the embedded cluster with it
  });

  test("an input left open at the end is an error", async () => {
    const out = await ko(["repl"], { input: "Sum(1,\n" });
    expect(out.stderr).toContain("ends inside an open bracket");
    expect(out.status).toBe(3);
  });
});

describe("completion, as the terminal asks for it", () => {
  const signal = new AbortController().signal;
  const session = async (...inputs: string[]) => {
    const s = new ReplEvaluator({ session: createSession({ stdout: () => {}, stderr: () => {} }) });
    for (const i of inputs) expect((await s.submit(i, signal)).kind).not.toBe("error");
    return s;
  };

  test("after '.', the fields of the inferred type: of a step, a formula's value, a Kubernetes object", async () => {
    const s = await session('x: (alpha: 1, beta: "s")', "Wrap(n) { return: (value: n, size: Len(n)) }", 'import "k8s"');
    expect(s.completions("x.")).toEqual({ typed: "", candidates: ["alpha", "beta"] });
    expect(s.completions("x.al")).toEqual({ typed: "al", candidates: ["alpha"] });
    // Inside open brackets, in a step's formula, after :type.
    expect(s.completions("Sum(1, x.")).toEqual({ typed: "", candidates: ["alpha", "beta"] });
    expect(s.completions("y: (a: x.b")).toEqual({ typed: "b", candidates: ["beta"] });
    expect(s.completions(":type x.")).toEqual({ typed: "", candidates: ["alpha", "beta"] });
    expect(s.completions('Wrap(n: "ko").')).toEqual({ typed: "", candidates: ["value", "size"] });
    expect(s.completions('k8s.Get(kind: "Pod", name: "x").')).toEqual({
      typed: "",
      candidates: ["apiVersion", "kind", "metadata", "spec", "status"],
    });
    expect(s.completions('k8s.Get(kind: "Pod", name: "x").metadata.na')).toEqual({ typed: "na", candidates: ["name", "namespace"] });
    // Names, as before: steps among them.
    expect(s.completions("Wra").candidates).toEqual(["Wrap"]);
    expect(s.completions("Sum(x").candidates).toContain("x");
  });

  test("a replaced step's fields are the new one's", async () => {
    const s = await session("x: (alpha: 1)", "y: (inner: x)", "x: (gamma: x.alpha)");
    expect(s.completions("x.").candidates).toEqual(["gamma"]);
    expect(s.completions("y.inner.").candidates).toEqual(["alpha"]);
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

  test("tab after '.' lists the fields of the inferred type", async () => {
    const t = start(tmp("history"));
    await t.waitFor(/ko>\s*$/m);
    t.type('x: (alpha: 1, beta: "s")', "Enter");
    await t.waitFor(/^\(alpha: 1, beta: "s"\)$/m);
    t.type("x.");
    await t.waitFor(/ko> x\.$/m);
    t.type("", "Tab", "Tab");
    await t.waitFor(/^alpha\s+beta$/m);
    // Typed, seen, then Tab: readline takes keys and a Tab that come in one chunk for pasted text.
    t.type("al");
    await t.waitFor(/ko> x\.al$/m);
    t.type("", "Tab");
    await t.waitFor(/ko> x\.alpha$/m);
    t.type("", "Enter");
    await t.waitFor(/^1$/m);
    t.type("Wrap(n) { return: (value: n, size: Len(n)) }", "Enter");
    await t.waitFor(/defined Wrap/);
    t.type('Wrap(n: "ko").v');
    await t.waitFor(/ko> Wrap\(n: "ko"\)\.v$/m);
    t.type("", "Tab");
    await t.waitFor(/ko> Wrap\(n: "ko"\)\.value$/m);
    t.type("", "Enter");
    await t.waitFor(/^"ko"$/m);
  });

  test("tab completes a Kubernetes object's fields from its record type; :type names it", async () => {
    const home = path.dirname(tmp("home"));
    term = Terminal.start(`node ${KO} repl`, { KO_HISTORY: tmp("history"), HOME: home, KUBECONFIG: "" });
    const t = term;
    await t.waitFor(/ko>\s*$/m);
    t.type(':type k8s.Get(kind: "Pod", name: "x")', "Enter");
    await t.waitFor(/k8s not known/);
    t.type('import "k8s"', "Enter");
    await t.waitFor(/imported k8s/);
    t.type(':type k8s.Get(kind: "Pod", name: "x")', "Enter");
    await t.waitFor(/^V1Pod$/m);
    t.type('pods: k8s.List(kind: "Pod")', "Enter");
    await t.waitFor(/^empty$/m);
    t.type("pods.me", "Tab");
    await t.waitFor(/ko> pods\.metadata$/m);
    // Typed, then Tab pressed: sent in one write, a loaded machine may hand readline keys and Tabs as
    // one chunk, which it takes for pasted text rather than completion requests.
    t.type(".na");
    await t.waitFor(/ko> pods\.metadata\.na$/m);
    t.type("", "Tab", "Tab");
    await t.waitFor(/^name\s+namespace$/m);
    // Inside a manifest literal: the fields of the kind's spec (expected.ts).
    t.type("", "C-u", 'k8s.Apply(object: (apiVersion: "apps/v1", kind: "StatefulSet", spec: (servi', "Tab");
    await t.waitFor(/spec: \(serviceName:\s*$/m);
    t.type("", "C-u", ":quit", "Enter");
    await t.waitFor(/\[exited 0\]/);
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

  test("tab completes on a continuation line, with the lines before it: a step's fields, a manifest's", async () => {
    const home = path.dirname(tmp("home"));
    term = Terminal.start(`node ${KO} repl`, { KO_HISTORY: tmp("history"), HOME: home, KUBECONFIG: "" });
    const t = term;
    await t.waitFor(/ko>\s*$/m);
    t.type('x: (alpha: 1, beta: "s")', "Enter");
    await t.waitFor(/^\(alpha: 1, beta: "s"\)$/m);
    t.type("(", "Enter");
    await t.waitFor(/^\.\.\.\s*$/m);
    t.type("\ta: x.al");
    await t.waitFor(/^\.\.\.\s+a: x\.al$/m);
    t.type("", "Tab");
    await t.waitFor(/^\.\.\.\s+a: x\.alpha$/m);
    t.type(")", "Enter");
    await t.waitFor(/^\(a: 1\)$/m);
    t.type('import "k8s"', "Enter");
    await t.waitFor(/imported k8s/);
    // A field of a structure, after other fields, two lines into the input.
    t.type('k8s.Apply(object: (apiVersion: "apps/v1", kind: "StatefulSet"', "Enter");
    await t.waitFor(/^\.\.\.\s*$/m);
    t.type("\tspec: (replicas: 1, servi");
    await t.waitFor(/servi$/m);
    t.type("", "Tab");
    await t.waitFor(/^\.\.\.\s+spec: \(replicas: 1, serviceName:\s*$/m);
  });

  test("the function the REPL wraps a formula in is never offered", async () => {
    const t = start(tmp("history"));
    await t.waitFor(/ko>\s*$/m);
    t.type("_");
    await t.waitFor(/ko> _$/m);
    t.type("", "Tab", "Tab");
    // The keys are handled in order: when 2 is printed, any completion of "_" would be on the screen.
    t.type("", "C-u", "Sum(1, 1)", "Enter");
    const screen = await t.waitFor(/^2$/m);
    expect(screen).not.toContain("_input");
  });

  test("an input of several lines is one entry of the history, in the file and for Up", async () => {
    const history = tmp("history");
    const t = start(history);
    await t.waitFor(/ko>\s*$/m);
    for (const line of ["(", "\ta: 1", "\tb: Sum(1, 1)", ")"]) t.type(line, "Enter");
    await t.waitFor(/^\(a: 1, b: 2\)$/m);
    t.type("Prod(6, 7)", "Enter");
    await t.waitFor(/^42$/m);
    t.type("", "C-d");
    await t.waitFor(/\[exited 0\]/);
    t.stop();
    expect(fs.readFileSync(history, "utf8")).toBe(`\x1e${JSON.stringify("(\n\ta: 1\n\tb: Sum(1, 1)\n)")}\nProd(6, 7)\n`);
    // In a new session, Up twice brings the whole input back, and Enter runs it again.
    const again = start(history);
    await again.waitFor(/ko>\s*$/m);
    again.type("", "Up");
    await again.waitFor(/ko> Prod\(6, 7\)$/m);
    again.type("", "Up");
    await again.waitFor(/ko> \(\n\s+a: 1\n\s+b: Sum\(1, 1\)\n\)$/m);
    again.type("", "Enter");
    await again.waitFor(/^\(a: 1, b: 2\)$/m);
  });

  test("`ko` with no arguments on a terminal starts the REPL", async () => {
    term = Terminal.start(`node ${KO}`, { KO_HISTORY: tmp("history") });
    await term.waitFor(/Ko REPL/);
    term.type("Sum(1, 1)", "Enter");
    await term.waitFor(/^2$/m);
  });
});
