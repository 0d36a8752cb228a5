/**
 * The formatter on every Ko program we have: the repository's examples, standard library and
 * test data (chunked files split into their programs), and the conformance suite. For
 * each program without syntax errors: formatting succeeds, is idempotent, keeps the syntax tree
 * and the comments, and compiles to the same graphs (or to the same compile errors).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { compile, KoCompileError } from "../../src/api/program.js";
import { ownersOf, type Circuit, type StepOp } from "../../src/compile/circuit.js";
import { formatSource } from "../../src/fmt/index.js";
import { shape } from "../../src/fmt/verify.js";
import { printValue } from "../../src/value/print.js";
import { parseFile } from "../../src/syntax/index.js";
import { readChunks } from "../support/chunked.js";
import { REPO } from "../support/cli.js";
import { CONFORMANCE } from "../support/conformance.js";

function koFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return koFiles(p);
    return e.name.endsWith(".ko") ? [p] : [];
  });
}

interface Program {
  readonly name: string;
  readonly file: string;
  readonly text: string;
}

/** Every program: chunked test data files give one program per chunk. */
function corpus(): Program[] {
  const out: Program[] = [];
  for (const dir of ["examples", "stdlib", "test/testdata"].map((d) => path.join(REPO, d))) {
    for (const file of koFiles(dir)) {
      const text = fs.readFileSync(file, "utf8");
      const rel = path.relative(REPO, file);
      if (/^---$/m.test(text)) for (const c of readChunks(file)) out.push({ name: `${rel}:${c.line}`, file, text: c.text });
      else out.push({ name: rel, file, text });
    }
  }
  for (const file of koFiles(CONFORMANCE))
    out.push({ name: `conformance/${path.basename(file)}`, file, text: fs.readFileSync(file, "utf8") });
  return out;
}

const programs = corpus().filter((p) => parseFile(p.file, p.text).diagnostics.length === 0);

/** Circuits of every function of every package, as text without source positions. */
function graphs(file: string, text: string): string {
  try {
    const program = compile(
      { kind: "file", file },
      { readFile: (f) => (f === file ? text : fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined) },
    );
    const out: string[] = [];
    for (const [pkg, fns] of [...program.compiled.functions].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [name, fn] of [...fns].sort(([a], [b]) => a.localeCompare(b))) out.push(`${pkg}.${name} ${circuitText(fn.circuit)}`);
    }
    return out.join("\n");
  } catch (e) {
    if (!(e instanceof KoCompileError)) throw e;
    return `compile error:\n${e.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n")}`;
  }
}

/** A step's operation without where its parts are written (spans are not meaning). */
function meaning(op: StepOp): unknown {
  if (op.op === "const") return { op: "const", value: printValue(op.value) };
  if (op.op === "invoke" || op.op === "augment") return { ...op, groups: op.groups.map((g) => ({ name: g.name, inputs: g.inputs })) };
  return op;
}

function circuitText(c: Circuit): string {
  const owners = ownersOf(c);
  return JSON.stringify({
    params: c.params,
    ret: c.ret,
    steps: c.steps.map((s, i) => ({
      op: meaning(s.op),
      deps: s.deps,
      label: s.label,
      owner: owners[i],
    })),
  });
}

describe("formatting every Ko program in the repository and the conformance suite", () => {
  test("the corpus is large enough to mean something", () => {
    expect(programs.length).toBeGreaterThan(100);
  });

  test.each(programs.map((p) => [p.name, p] as const))("%s", (_name, p) => {
    const once = formatSource(p.file, p.text);
    if (!once.ok) throw new Error(once.diagnostics.map((d) => d.message).join("\n"));
    const twice = formatSource(p.file, once.text);
    expect(twice.ok && twice.text, "idempotent").toBe(once.text);

    const before = parseFile(p.file, p.text);
    const after = parseFile(p.file, once.text);
    expect(shape(after.ast)).toBe(shape(before.ast));
    expect(after.comments.map((c) => c.text.trimEnd())).toEqual(before.comments.map((c) => c.text.trimEnd()));

    expect(graphs(p.file, once.text)).toBe(graphs(p.file, p.text));
  });
});
