/**
 * The graph in Graphviz's DOT language: parameters as ellipses, steps as boxes (the returned
 * one with a double border), data edges solid, ordering edges dashed, arguments blue and results
 * bold blue, each drawn callee a cluster with its function's name; with a run's statuses, the
 * steps filled with their colours and a legend saying what each colour means.
 */
import type { Graph, GraphCluster, GraphEdge, GraphNode } from "./model.js";
import { STATUS_COLOURS, STATUS_ORDER, type NodeStatus } from "./status.js";

export function toDot(graph: Graph, statuses?: ReadonlyMap<string, NodeStatus>): string {
  const out: string[] = [
    `digraph ${quote(graph.function)} {`,
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const nodesIn = groupBy(graph.nodes, (n) => n.cluster);
  for (const n of nodesIn.get(undefined) ?? []) out.push(`  ${nodeLine(n, statuses?.get(n.id))}`);
  for (const c of graph.clusters) {
    out.push(`  subgraph ${quote(`cluster ${c.id}`)} {`);
    out.push(`    label=${quote(clusterLabel(c))}; style="rounded,dashed"; color="#888888"; fontname="Helvetica"; fontsize=10;`);
    for (const n of nodesIn.get(c.id) ?? []) out.push(`    ${nodeLine(n, statuses?.get(n.id))}`);
    out.push("  }");
  }
  if (statuses) out.push(...legend(statuses));
  for (const e of graph.edges) out.push(`  ${edgeLine(e)}`);
  out.push("}");
  return out.join("\n") + "\n";
}

/** What the colours of `--run` mean: a box per status the drawing uses, in a cluster of its own. */
function legend(statuses: ReadonlyMap<string, NodeStatus>): string[] {
  const used = STATUS_ORDER.filter((s) => [...statuses.values()].includes(s));
  const out = [
    `  subgraph "cluster legend" {`,
    `    label="status in the run"; style="rounded"; color="#bbbbbb"; fontname="Helvetica"; fontsize=10;`,
  ];
  for (const s of used) out.push(`    ${quote(`legend/${s}`)} [label=${quote(s)}, fillcolor=${quote(STATUS_COLOURS[s])}, fontsize=9];`);
  // Invisible edges keep the legend's boxes in a row.
  for (let i = 1; i < used.length; i++) out.push(`    ${quote(`legend/${used[i - 1]!}`)} -> ${quote(`legend/${used[i]!}`)} [style=invis];`);
  out.push("  }");
  return out;
}

function nodeLine(n: GraphNode, status: NodeStatus | undefined): string {
  const attrs: string[] = [`label=${quote(n.kind === "param" ? n.step : `${n.step}\n${n.op}`)}`];
  if (n.kind === "param") attrs.push("shape=ellipse");
  if (n.returns) attrs.push("peripheries=2");
  if (status !== undefined) attrs.push(`fillcolor=${quote(STATUS_COLOURS[status])}`, `tooltip=${quote(status)}`);
  return `${quote(n.id)} [${attrs.join(", ")}];`;
}

const EDGE_STYLES: Record<GraphEdge["kind"], string> = {
  data: "",
  order: ' [style=dashed, color="#777777"]',
  arg: ' [color="#3465a4"]',
  call: ' [style=bold, color="#3465a4"]',
};

function edgeLine(e: GraphEdge): string {
  return `${quote(e.from)} -> ${quote(e.to)}${EDGE_STYLES[e.kind]};`;
}

function clusterLabel(c: GraphCluster): string {
  const callers = c.callers.length > 1 ? ` (${c.callers.length} callers)` : "";
  return `${c.function}${c.recursive ? " (recursive)" : ""}${callers}`;
}

/** A DOT double-quoted string. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string | undefined, T[]> {
  const out = new Map<string | undefined, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(item);
  }
  return out;
}
