/**
 * `ko graph`: the DOT and JSON it prints are parsed back and compared with the compiled circuit —
 * a node per parameter and labelled step, an edge wherever a step refers to another, dashed when
 * it only orders — and the SVG is rendered in-process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { compileFile } from "../../src/api/index.js";
import { ownersOf } from "../../src/compile/circuit.js";
import type { Graph } from "../../src/graph/model.js";
import { ko } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const source = `import "build"

Main(n) {
	first: Compile(source: "a.c")
	second: Compile(source: "b.c", after_: first)
	third: Link(: first, : second, _after: n)
	shown: Show(after_: third)
	return: (first: first, third: third)
}

Compile(source) {
	flags: ("-O2", "-c")
	return: build.Exec(command: "cc", args: (flags, source))
}

Link(objects?) {
	return: Fact(objects)
}

Fact(n?) {
	return: Yield(if: Less(n, 1), then: Return[1], else: more[n])()
}

more(n?) {
	return: Prod(n, Fact(Sum(n, -1)))
}
`;

function project(): { dir: string; file: string } {
  const dir = tempDir("ko-graph-");
  const file = path.join(dir, "g.ko");
  fs.writeFileSync(file, source);
  return { dir, file };
}

interface ParsedDot {
  nodes: Map<string, Record<string, string>>;
  edges: { from: string; to: string; attrs: Record<string, string> }[];
  clusters: { id: string; label: string; nodes: string[] }[];
}

/** A small parser for the DOT that toDot writes: quoted ids, one statement a line. */
function parseDot(text: string): ParsedDot {
  const out: ParsedDot = { nodes: new Map(), edges: [], clusters: [] };
  const stack: ParsedDot["clusters"] = [];
  const str = String.raw`"((?:[^"\\]|\\.)*)"`;
  const unquote = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
  const attrs = (s: string | undefined) => {
    const a: Record<string, string> = {};
    for (const m of (s ?? "").matchAll(new RegExp(String.raw`(\w+)=(?:${str}|([^,\]\s]+))`, "g")))
      a[m[1]!] = m[2] !== undefined ? unquote(m[2]) : m[3]!;
    return a;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = line.match(new RegExp(String.raw`^subgraph ${str} \{$`)))) {
      const c = { id: unquote(m[1]!).replace(/^cluster /, ""), label: "", nodes: [] as string[] };
      out.clusters.push(c);
      stack.push(c);
    } else if (line === "}" && stack.length > 0) stack.pop();
    else if ((m = line.match(/^label="(.*)"; style=/)) && stack.length > 0) stack[stack.length - 1]!.label = m[1]!;
    else if ((m = line.match(new RegExp(String.raw`^${str} -> ${str}(?: \[(.*)\])?;$`)))) {
      out.edges.push({ from: unquote(m[1]!), to: unquote(m[2]!), attrs: attrs(m[3]) });
    } else if ((m = line.match(new RegExp(String.raw`^${str} \[(.*)\];$`)))) {
      const id = unquote(m[1]!);
      out.nodes.set(id, attrs(m[2]));
      stack[stack.length - 1]?.nodes.push(id);
    }
  }
  return out;
}

/** What the circuit says: each owner (parameter or label) and each pair of owners a step joins. */
function fromCircuit(file: string, fn = "Main") {
  const f = compileFile(file).func(fn)!;
  const ownerOf = ownersOf(f.circuit);
  const owners = new Set(ownerOf);
  const pairs = new Set<string>();
  f.circuit.steps.forEach((s, i) => {
    for (const d of s.deps) if (ownerOf[d] !== ownerOf[i]) pairs.add(`${ownerOf[d]} -> ${ownerOf[i]}`);
  });
  return { owners, pairs };
}

describe("ko graph", () => {
  test("DOT: a node per parameter and labelled step, edges as the circuit has them, ordering dashed", async () => {
    const { file } = project();
    const out = await ko(["graph", file]);
    expect(out.status).toBe(0);
    const dot = parseDot(out.stdout);
    const circuit = fromCircuit(file);
    expect(new Set(dot.nodes.keys())).toEqual(circuit.owners);
    expect(new Set(dot.edges.map((e) => `${e.from} -> ${e.to}`))).toEqual(circuit.pairs);
    const dashed = dot.edges.filter((e) => e.attrs.style === "dashed").map((e) => `${e.from} -> ${e.to}`);
    // after_ is not a parameter of Compile, _after is dropped; Show echoes after_, so it is data.
    expect(dashed.sort()).toEqual(["first -> second", "n -> third"]);
    expect(dot.nodes.get("n")!.shape).toBe("ellipse");
    expect(dot.nodes.get("first")!.label).toBe("first\ng.Compile");
    expect(dot.nodes.get("return")!.peripheries).toBe("2");
  });

  test("JSON agrees with DOT, and --depth draws each called function once, as a cluster", async () => {
    const { file } = project();
    const json = JSON.parse((await ko(["graph", file, "--format", "json", "--depth", "3"])).stdout) as Graph;
    const dot = parseDot((await ko(["graph", file, "--format", "dot", "--depth", "3"])).stdout);
    expect(json.function).toBe("g.Main");
    expect(new Set(json.nodes.map((n) => n.id))).toEqual(new Set(dot.nodes.keys()));
    expect(json.edges.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual(dot.edges.map((e) => `${e.from} -> ${e.to}`).sort());
    expect(json.clusters.map((c) => c.id)).toEqual(dot.clusters.map((c) => c.id));
    // Compile is called by two steps and drawn once, with both as its callers.
    expect(json.clusters.map((c) => [c.id, c.callers, c.depth])).toEqual([
      ["g.Compile", ["first", "second"], 1],
      ["g.Link", ["third"], 1],
      ["g.Fact", ["g.Link/return"], 2],
    ]);
    // Inside a cluster, the nodes are the callee's own, compared with its circuit.
    const compileNodes = json.nodes.filter((n) => n.cluster === "g.Compile").map((n) => n.step);
    expect(new Set(compileNodes)).toEqual(fromCircuit(file, "Compile").owners);
    // Each calling step passes its arguments to the callee's parameters and gets its result.
    for (const caller of ["first", "second"]) {
      expect(json.edges).toContainEqual({ from: caller, to: "g.Compile/source", kind: "arg" });
      expect(json.edges).toContainEqual({ from: "g.Compile/return", to: caller, kind: "call" });
    }
    // Every node is connected: none floats alone in the drawing.
    const ends = new Set(json.edges.flatMap((e) => [e.from, e.to]));
    expect(json.nodes.filter((n) => !ends.has(n.id)).map((n) => n.id)).toEqual([]);
    const shallow = JSON.parse((await ko(["graph", file, "--format", "json", "--depth", "1"])).stdout) as Graph;
    expect(shallow.clusters.map((c) => c.id)).toEqual(["g.Compile", "g.Link"]);
  });

  test("--depth on the CockroachDB walkthrough: each function drawn once, every node connected", async () => {
    const json = JSON.parse(
      (await ko(["graph", "examples/cockroachdb.ko", "StartCockroachDB", "--format", "json", "--depth", "2"])).stdout,
    ) as Graph;
    const functions = json.clusters.map((c) => c.function);
    expect(functions.length).toBe(new Set(functions).size);
    expect(functions).toContain("cockroachdb.TutorialNamespace");
    const tutorial = json.clusters.find((c) => c.function === "cockroachdb.TutorialNamespace")!;
    expect(tutorial.callers).toEqual([
      "ns",
      "cockroachdb.waitForCockroachDBPodsReady/return",
      "cockroachdb.initCockroachDB/return",
      "cockroachdb.waitForCockroachDBInitDone/ns",
    ]);
    const ends = new Set(json.edges.flatMap((e) => [e.from, e.to]));
    expect(json.nodes.filter((n) => !ends.has(n.id)).map((n) => n.id)).toEqual([]);
    // The arguments of `deploy` reach startCockroachDBNodes's parameters.
    expect(json.edges).toContainEqual({ from: "deploy", to: "cockroachdb.startCockroachDBNodes/namespace", kind: "arg" });
    expect(json.edges).toContainEqual({ from: "deploy", to: "cockroachdb.startCockroachDBNodes/after", kind: "arg" });
  });

  test("Mermaid and SVG", async () => {
    const { file, dir } = project();
    const mermaid = (await ko(["graph", file, "--format", "mermaid"])).stdout;
    expect(mermaid.split("\n")[0]).toBe("flowchart LR");
    expect(mermaid).toMatch(/n\d+ -\.-> n\d+/);
    const svgFile = path.join(dir, "g.svg");
    const svg = await ko(["graph", file, "--format", "svg", "--depth", "1", "-o", svgFile]);
    expect(svg.status).toBe(0);
    const text = fs.readFileSync(svgFile, "utf8");
    expect(text).toContain("<svg");
    expect(text).toContain("<title>first</title>");
    expect(text).toContain("stroke-dasharray");
  });

  test("--run colours steps by their status in a named run", async () => {
    const dir = tempDir("ko-graph-run-");
    fs.writeFileSync(path.join(dir, "r.ko"), `Main() {\n\tok: Sum(1, 2)\n\tbad: Panic(ok)\n\tnever: Sum(bad, 1)\n\treturn: never\n}\n`);
    expect((await ko(["run", "r.ko", "Main", "--name", "r1"], { cwd: dir })).status).toBe(1);
    const dot = parseDot((await ko(["graph", "r.ko", "--run", "r1"], { cwd: dir })).stdout);
    expect(dot.nodes.get("ok")!.tooltip).toBe("done");
    expect(dot.nodes.get("bad")!.tooltip).toBe("failed");
    expect(dot.nodes.get("never")!.tooltip).toBe("not run");
    expect(dot.nodes.get("bad")!.fillcolor).not.toBe(dot.nodes.get("ok")!.fillcolor);
    // A legend says what each colour means: a box per status drawn, filled with its colour.
    const legend = dot.clusters.find((c) => c.id === "legend")!;
    expect(legend.label).toBe("status in the run");
    expect(legend.nodes.map((id) => dot.nodes.get(id)!.label)).toEqual(["done", "failed", "not run"]);
    for (const status of ["done", "failed", "not run"])
      expect(dot.nodes.get(`legend/${status}`)!.fillcolor).toBe([...dot.nodes.values()].find((n) => n.tooltip === status)!.fillcolor);
    const mermaid = (await ko(["graph", "r.ko", "--run", "r1", "--format", "mermaid"], { cwd: dir })).stdout;
    expect(mermaid).toContain('subgraph legend["status in the run"]');
    expect(mermaid).toMatch(/legend_failed\["failed"\]:::failed/);
    expect((await ko(["graph", "r.ko", "--run", "nope"], { cwd: dir })).status).toBe(2);
  });

  test("usage errors", async () => {
    const { file } = project();
    expect((await ko(["graph", file, "--format", "png"])).status).toBe(2);
    expect((await ko(["graph", file, "Nope"])).status).toBe(2);
    expect((await ko(["graph", file, "--depth", "-1"])).status).toBe(2);
    const out = await ko(["graph", file, "--format", "svg", "-o", "/nonexistent/x.svg"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toBe("ko: -o: cannot write /nonexistent/x.svg: there is no directory /nonexistent\n");
  });
});
