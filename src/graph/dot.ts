/**
 * The graph in Graphviz's DOT language: parameters as ellipses, steps as boxes (the returned
 * one with a double border), data edges solid, ordering edges dashed, calls bold, each drawn
 * callee a cluster with its function's name.
 */
import type { Graph, GraphCluster, GraphEdge, GraphNode } from "./model.js";
import { STATUS_COLOURS, type NodeStatus } from "./status.js";

export function toDot(graph: Graph, statuses?: ReadonlyMap<string, NodeStatus>): string {
  const out: string[] = [
    `digraph ${quote(graph.function)} {`,
    "  rankdir=LR;",
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const nodesIn = groupBy(graph.nodes, (n) => n.cluster);
  const clustersIn = groupBy(graph.clusters, (c) => c.parent);
  const emit = (cluster: string | undefined, indent: string) => {
    for (const n of nodesIn.get(cluster) ?? []) out.push(`${indent}${nodeLine(n, statuses?.get(n.id))}`);
    for (const c of clustersIn.get(cluster) ?? []) {
      out.push(`${indent}subgraph ${quote(`cluster ${c.id}`)} {`);
      out.push(`${indent}  label=${quote(clusterLabel(c))}; style="rounded,dashed"; color="#888888"; fontname="Helvetica"; fontsize=10;`);
      if (c.recursive) out.push(`${indent}  ${quote(`${c.id}/…`)} [label="…", shape=plaintext, style=""];`);
      emit(c.id, indent + "  ");
      out.push(`${indent}}`);
    }
  };
  emit(undefined, "  ");
  for (const e of graph.edges) out.push(`  ${edgeLine(e)}`);
  out.push("}");
  return out.join("\n") + "\n";
}

function nodeLine(n: GraphNode, status: NodeStatus | undefined): string {
  const attrs: string[] = [`label=${quote(n.kind === "param" ? n.step : `${n.step}\n${n.op}`)}`];
  if (n.kind === "param") attrs.push("shape=ellipse");
  if (n.returns) attrs.push("peripheries=2");
  if (status !== undefined) attrs.push(`fillcolor=${quote(STATUS_COLOURS[status])}`, `tooltip=${quote(status)}`);
  return `${quote(n.id)} [${attrs.join(", ")}];`;
}

function edgeLine(e: GraphEdge): string {
  const style = e.kind === "order" ? ' [style=dashed, color="#777777"]' : e.kind === "call" ? ' [style=bold, color="#3465a4"]' : "";
  return `${quote(e.from)} -> ${quote(e.to)}${style};`;
}

function clusterLabel(c: GraphCluster): string {
  return c.recursive ? `${c.function} (recursive)` : c.function;
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
