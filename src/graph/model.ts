/**
 * The data-flow graph of a Ko function, as `ko graph` draws it: one node per parameter and per
 * labelled step (a step's anonymous sub-formulas belong to it), an edge wherever one step's
 * formula refers to another, and, to a chosen depth, the functions a step calls as clusters.
 *
 * An edge is a *data* edge when the value flows into the callee, and an *ordering* edge when it
 * only makes the step wait (reference 5.3): the term is labelled `_after` (dropped before the call),
 * or labelled with a name the callee does not declare, such as `after_` (ignored by it). Each
 * called function is one cluster, however many steps call it: `arg` edges join each calling step
 * to the parameters it passes, a `call` edge the cluster's result to the step.
 *
 * The model is plain data: it is what `--format json` prints, and what dot.ts and mermaid.ts draw.
 */
import { KoFunction, ownerOf, ownersOf, type Circuit, type StepOp } from "../compile/circuit.js";
import type { HostFunction } from "../host/binding.js";
import { printValue } from "../value/print.js";
import { Variety } from "../value/value.js";

export type NodeKind = "param" | "step";
/**
 * `data` and `order` join the steps of one function; `arg` joins a step that calls a drawn
 * function to the callee's parameters it passes, `call` the callee's result to that step.
 */
export type EdgeKind = "data" | "order" | "arg" | "call";

export interface GraphNode {
  /** Unique in the graph: the step's label, prefixed with `FUNCTION/` inside a cluster. */
  readonly id: string;
  /** The function's printed name (`pkg.Name`). */
  readonly function: string;
  /** The parameter's name or the step's label. */
  readonly step: string;
  readonly kind: NodeKind;
  /** What the step does: the function it calls, `[…]` for an augmentation, `.f` for a selection, a constant. */
  readonly op: string;
  /** True for the step whose value the function returns. */
  readonly returns: boolean;
  /** The cluster the node is in; undefined in the function drawn. */
  readonly cluster?: string;
  readonly line: number;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

/** A called function, drawn once however many steps call it. */
export interface GraphCluster {
  /** The function's printed name, which also prefixes the ids of its nodes. */
  readonly id: string;
  readonly function: string;
  /** The nodes whose steps call it, in the order they were found. */
  readonly callers: string[];
  /** How many calls away from the function drawn (1: called by it). */
  readonly depth: number;
  /** It calls itself, directly or through other drawn functions. */
  recursive: boolean;
}

export interface Graph {
  readonly function: string;
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly clusters: GraphCluster[];
}

/**
 * The graph of `fn`, with the functions it calls drawn as clusters down to `depth` calls deep.
 * Each function is drawn once: every step that calls it sends it its arguments (an `arg` edge to
 * each parameter it passes) and gets its result (a `call` edge from its `return`), so a function
 * called from three places has three callers, and a recursion is a loop back into a cluster.
 */
export function functionGraph(fn: KoFunction, depth = 0): Graph {
  const graph: Graph = { function: fn.displayName, nodes: [], edges: [], clusters: [] };
  // The functions drawn, each with the prefix of its node ids ("" for fn itself).
  const drawn = new Map<KoFunction, string>([[fn, ""]]);
  const clusterOf = new Map<KoFunction, GraphCluster>();
  addSteps(graph, fn, undefined);
  let level: KoFunction[] = [fn];
  for (let d = 1; d <= depth && level.length > 0; d++) {
    const next: KoFunction[] = [];
    for (const caller of level) {
      for (const { callee } of callSites(caller)) {
        if (drawn.has(callee)) continue;
        const cluster: GraphCluster = { id: callee.displayName, function: callee.displayName, callers: [], depth: d, recursive: false };
        drawn.set(callee, `${cluster.id}/`);
        clusterOf.set(callee, cluster);
        graph.clusters.push(cluster);
        addSteps(graph, callee, cluster);
        next.push(callee);
      }
    }
    level = next;
  }
  // The calls between drawn functions.
  const seen = new Set<string>();
  const edge = (from: string, to: string, kind: EdgeKind) => {
    const key = `${from}\u0000${to}\u0000${kind}`;
    if (seen.has(key)) return;
    seen.add(key);
    graph.edges.push({ from, to, kind });
  };
  for (const [caller, prefix] of drawn) {
    for (const { owner, callee, passes } of callSites(caller)) {
      const calleePrefix = drawn.get(callee);
      if (calleePrefix === undefined) continue;
      const at = prefix + owner;
      const cluster = clusterOf.get(callee);
      if (cluster && !cluster.callers.includes(at)) cluster.callers.push(at);
      if (cluster && reaches(callee, caller, drawn)) cluster.recursive = true;
      for (const param of passes) edge(at, calleePrefix + param, "arg");
      edge(calleePrefix + ownerOf(callee.circuit, callee.circuit.ret), at, "call");
    }
  }
  return graph;
}

/** Draws one function's parameters and labelled steps, and the edges between them. */
function addSteps(graph: Graph, fn: KoFunction, cluster: GraphCluster | undefined): void {
  const c = fn.circuit;
  const idOf = (owner: string) => (cluster ? `${cluster.id}/${owner}` : owner);
  const retOwner = ownerOf(c, c.ret);
  for (const [owner, index] of rootSteps(c)) {
    const step = c.steps[index]!;
    graph.nodes.push({
      id: idOf(owner),
      function: fn.displayName,
      step: owner,
      kind: step.op.op === "param" ? "param" : "step",
      op: describeOp(c, step.op),
      returns: owner === retOwner,
      ...(cluster ? { cluster: cluster.id } : {}),
      line: c.spans.step(index).start.line,
    });
  }
  for (const [key, kind] of ownerEdges(c)) {
    const [from, to] = key.split("\u0000") as [string, string];
    graph.edges.push({ from: idOf(from), to: idOf(to), kind });
  }
}

/** A step of a function calling a Ko function by name: its owner, the callee, the parameters it passes. */
interface CallSite {
  readonly owner: string;
  readonly callee: KoFunction;
  readonly passes: readonly string[];
}

function callSites(fn: KoFunction): CallSite[] {
  const c = fn.circuit;
  const out: CallSite[] = [];
  c.steps.forEach((step, i) => {
    if (step.op.op !== "invoke") return;
    const callee = staticCallee(c, step.op.callee);
    if (!(callee instanceof KoFunction)) return;
    const given = new Set([...augmentedNames(c, step.op.callee), ...step.op.groups.map((g) => g.name)]);
    const passes = callee.circuit.params.filter((p) => given.has(p.name) || (p.monadic && given.has(""))).map((p) => p.name);
    out.push({ owner: ownerOf(c, i), callee, passes });
  });
  return out;
}

/** The names of the fields an augmented callee already carries (`F[x: 1]()` passes x). */
function augmentedNames(c: Circuit, index: number): string[] {
  const op = c.steps[index]!.op;
  if (op.op === "augment") return [...op.groups.map((g) => g.name), ...augmentedNames(c, op.callee)];
  if (op.op === "const" && op.value instanceof Variety) return op.value.fields.map((f) => f.name);
  return [];
}

/** Whether `from` calls `to`, directly or through other drawn functions. */
function reaches(from: KoFunction, to: KoFunction, drawn: ReadonlyMap<KoFunction, string>): boolean {
  const seen = new Set<KoFunction>();
  const todo = [from];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (f === to) return true;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const site of callSites(f)) if (drawn.has(site.callee)) todo.push(site.callee);
  }
  return false;
}

/** Each owner (parameter or label) and the step that is its value, in step order. */
function rootSteps(c: Circuit): Map<string, number> {
  const out = new Map<string, number>();
  // A labelled step is its own owner's root; a label whose formula aliases another label's step owns nothing.
  c.steps.forEach((s, i) => {
    if (s.label !== undefined) out.set(s.label, i);
  });
  return new Map([...out].sort((a, b) => a[1] - b[1]));
}

/**
 * The edges between owners, each the strongest kind found: data if any value of one reaches the
 * other's callee, else order.
 */
function ownerEdges(c: Circuit): Map<string, EdgeKind> {
  const owners = ownersOf(c);
  const live = liveSteps(c, owners);
  const out = new Map<string, EdgeKind>();
  c.steps.forEach((s, i) => {
    const data = new Set(live[i] ? dataInputs(c, s.op) : []);
    for (const d of s.deps) {
      const from = owners[d]!;
      if (from === owners[i]) continue;
      const key = `${from}\u0000${owners[i]}`;
      if (data.has(d)) out.set(key, "data");
      else if (!out.has(key)) out.set(key, "order");
    }
  });
  return out;
}

/**
 * Which steps' values reach their owner's value: the owner's root step, and, working back, every
 * step another live step of the same owner takes as data.
 */
function liveSteps(c: Circuit, owners: readonly string[]): boolean[] {
  const live = c.steps.map((s) => s.label !== undefined);
  for (let i = c.steps.length - 1; i >= 0; i--) {
    if (!live[i]) continue;
    const s = c.steps[i]!;
    for (const d of dataInputs(c, s.op)) if (owners[d] === owners[i]) live[d] = true;
  }
  return live;
}

/** The inputs whose values a step passes on: not those of terms the callee ignores. */
function dataInputs(c: Circuit, op: StepOp): number[] {
  switch (op.op) {
    case "param":
    case "const":
      return [];
    case "select":
      return [op.input];
    case "augment":
    case "invoke": {
      const declared = declaredNames(staticCallee(c, op.callee));
      const out = [op.callee];
      for (const g of op.groups) if (declared(g.name)) out.push(...g.inputs);
      return out;
    }
  }
}

/** The function a callee step surely refers to: a function reference, possibly augmented. */
function staticCallee(c: Circuit, index: number): KoFunction | HostFunction | undefined {
  const op = c.steps[index]!.op;
  if (op.op === "const") return op.value instanceof Variety ? (op.value.callable as KoFunction | HostFunction) : undefined;
  if (op.op === "augment") return staticCallee(c, op.callee);
  return undefined;
}

/** Which argument names a callee takes; every name when the callee is not known or echoes them all. */
function declaredNames(callee: KoFunction | HostFunction | undefined): (name: string) => boolean {
  if (callee === undefined || (!(callee instanceof KoFunction) && callee.echoesArgs)) return () => true;
  const params: readonly { readonly name: string; readonly monadic?: boolean }[] =
    callee instanceof KoFunction ? callee.circuit.params : callee.params;
  const names = new Set(params.map((p) => p.name));
  const monadic = params.some((p) => p.monadic === true);
  return (name) => names.has(name) || (name === "" && monadic);
}

function describeOp(c: Circuit, op: StepOp): string {
  switch (op.op) {
    case "param":
      return "parameter";
    case "const":
      return clip(printValue(op.value));
    case "select":
      return `.${op.fields.join(".")}`;
    case "augment": {
      const callee = staticCallee(c, op.callee);
      return `${callee ? callee.displayName : ""}[…]`;
    }
    case "invoke": {
      // The construction builtin (a bracket with no sign) has no name.
      const callee = staticCallee(c, op.callee);
      return callee && callee.displayName !== "" ? callee.displayName : "(…)";
    }
  }
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, " ");
  return line.length <= 40 ? line : `${line.slice(0, 39)}…`;
}
