/**
 * Colouring a graph by a named run (`ko graph --run NAME`): each node gets the status its step
 * had in the run's last attempt. A step of a function called several times (a node in a cluster,
 * say) shows the most telling of its statuses: a failure before anything still running, that
 * before anything done.
 */
import type { RunSummary, StepStatus } from "../journal/state.js";
import type { Graph } from "./model.js";

export type NodeStatus = StepStatus | "not run";

const RANK: Record<NodeStatus, number> = { failed: 6, interrupted: 5, running: 4, done: 3, cached: 2, replayed: 1, "not run": 0 };

export function nodeStatuses(graph: Graph, run: RunSummary): Map<string, NodeStatus> {
  const byStep = new Map<string, NodeStatus>();
  for (const s of run.steps) {
    const key = `${s.function}\u0000${s.step}`;
    const old = byStep.get(key);
    if (old === undefined || RANK[s.status] > RANK[old]) byStep.set(key, s.status);
  }
  const out = new Map<string, NodeStatus>();
  for (const n of graph.nodes) out.set(n.id, n.kind === "param" ? "done" : (byStep.get(`${n.function}\u0000${n.step}`) ?? "not run"));
  return out;
}

/** The statuses in the order a legend lists them. */
export const STATUS_ORDER: readonly NodeStatus[] = ["done", "cached", "replayed", "running", "interrupted", "failed", "not run"];

/** Fill colours, light enough for black text. */
export const STATUS_COLOURS: Record<NodeStatus, string> = {
  done: "#c6f0c2",
  cached: "#cfe3fa",
  replayed: "#cfe3fa",
  failed: "#f7b2ac",
  running: "#fbe3a1",
  interrupted: "#fbe3a1",
  "not run": "#eeeeee",
};
