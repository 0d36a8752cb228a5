/**
 * The graph as a Mermaid flowchart (for Markdown that renders Mermaid): the same shapes and
 * edge styles as the DOT drawing — `-->` data, `-.->` ordering, `==>` calls — with node ids
 * renamed n0, n1, ... since Mermaid's ids cannot hold every character a label can.
 */
import type { Graph, GraphNode } from "./model.js";
import { STATUS_COLOURS, type NodeStatus } from "./status.js";

export function toMermaid(graph: Graph, statuses?: ReadonlyMap<string, NodeStatus>): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const clusterIds = new Map(graph.clusters.map((c, i) => [c.id, `c${i}`]));
  const out: string[] = ["flowchart LR"];
  const emit = (cluster: string | undefined, indent: string) => {
    for (const n of graph.nodes.filter((x) => x.cluster === cluster)) out.push(`${indent}${ids.get(n.id)}${shape(n)}`);
    for (const c of graph.clusters.filter((x) => x.parent === cluster)) {
      out.push(`${indent}subgraph ${clusterIds.get(c.id)}["${text(c.recursive ? `${c.function} (recursive)` : c.function)}"]`);
      emit(c.id, indent + "  ");
      out.push(`${indent}end`);
    }
  };
  emit(undefined, "  ");
  for (const e of graph.edges) {
    const arrow = e.kind === "order" ? "-.->" : e.kind === "call" ? "==>" : "-->";
    out.push(`  ${ids.get(e.from)} ${arrow} ${ids.get(e.to)}`);
  }
  if (statuses) {
    const used = new Set(statuses.values());
    for (const s of used) out.push(`  classDef ${className(s)} fill:${STATUS_COLOURS[s]}`);
    for (const [id, s] of statuses) if (ids.has(id)) out.push(`  class ${ids.get(id)} ${className(s)}`);
  }
  return out.join("\n") + "\n";
}

function shape(n: GraphNode): string {
  if (n.kind === "param") return `(["${text(n.step)}"])`;
  const label = `${text(n.step)}<br/>${text(n.op)}`;
  return n.returns ? `[["${label}"]]` : `["${label}"]`;
}

/** Text inside a quoted Mermaid label: quotes and markup characters as entities. */
function text(s: string): string {
  return s.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

function className(s: NodeStatus): string {
  return s.replace(/ /g, "_");
}
