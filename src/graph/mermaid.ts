/**
 * The graph as a Mermaid flowchart (for Markdown that renders Mermaid): the same shapes and
 * edge styles as the DOT drawing — `-->` data and arguments, `-.->` ordering, `==>` results — with node ids
 * renamed n0, n1, ... since Mermaid's ids cannot hold every character a label can.
 */
import type { Graph, GraphEdge, GraphNode } from "./model.js";
import { STATUS_COLOURS, STATUS_ORDER, type NodeStatus } from "./status.js";

export function toMermaid(graph: Graph, statuses?: ReadonlyMap<string, NodeStatus>): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const out: string[] = ["flowchart LR"];
  for (const n of graph.nodes.filter((x) => x.cluster === undefined)) out.push(`  ${ids.get(n.id)}${shape(n)}`);
  graph.clusters.forEach((c, i) => {
    const label = `${c.function}${c.recursive ? " (recursive)" : ""}`;
    out.push(`  subgraph c${i}["${text(label)}"]`);
    for (const n of graph.nodes.filter((x) => x.cluster === c.id)) out.push(`    ${ids.get(n.id)}${shape(n)}`);
    out.push("  end");
  });
  for (const e of graph.edges) out.push(`  ${ids.get(e.from)} ${ARROWS[e.kind]} ${ids.get(e.to)}`);
  if (statuses) {
    const used = STATUS_ORDER.filter((s) => [...statuses.values()].includes(s));
    for (const s of used) out.push(`  classDef ${className(s)} fill:${STATUS_COLOURS[s]}`);
    for (const [id, s] of statuses) if (ids.has(id)) out.push(`  class ${ids.get(id)} ${className(s)}`);
    // The legend: what each colour means.
    out.push(`  subgraph legend["status in the run"]`);
    for (const s of used) out.push(`    legend_${className(s)}["${text(s)}"]:::${className(s)}`);
    out.push("  end");
  }
  return out.join("\n") + "\n";
}

const ARROWS: Record<GraphEdge["kind"], string> = { data: "-->", order: "-.->", arg: "-->", call: "==>" };

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
