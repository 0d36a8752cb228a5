/** `ko graph FILE|DIR [FUNC] [--format dot|mermaid|svg|json] [--depth N] [--run NAME] [-o FILE]`. */
import * as fs from "node:fs";
import { runsDirFor } from "../instrument/ko-dir.js";
import { functionGraph } from "../graph/model.js";
import { toDot } from "../graph/dot.js";
import { toMermaid } from "../graph/mermaid.js";
import { nodeStatuses, type NodeStatus } from "../graph/status.js";
import { loadRun } from "../journal/state.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { cliSession, compileOrReport } from "./run.js";
import { fileOrDir } from "./targets.js";
import type { CliIO } from "./io.js";

export interface GraphFlags {
  readonly format: string;
  readonly depth: string;
  readonly run?: string;
  readonly output?: string;
  readonly root: string[];
}

const FORMATS = ["dot", "mermaid", "svg", "json"];

export async function graphCommand(target: string, func: string | undefined, flags: GraphFlags, io: CliIO): Promise<number> {
  if (!FORMATS.includes(flags.format)) throw new UsageError(`--format is one of ${FORMATS.join(", ")}, not ${flags.format}`);
  const depth = Number(flags.depth);
  if (!Number.isInteger(depth) || depth < 0) throw new UsageError(`--depth expects a whole number, got ${flags.depth}`);
  const compiled = compileOrReport(cliSession(flags.root), fileOrDir(target), io.stderr);
  if (typeof compiled === "number") return compiled;
  const name = func ?? "Main";
  const fn = compiled.func(name);
  if (!fn) throw new UsageError(`function ${name} not found in package ${compiled.packagePath}`);
  const graph = functionGraph(fn, depth);
  let statuses: Map<string, NodeStatus> | undefined;
  if (flags.run !== undefined) {
    const run = loadRun(runsDirFor(target), flags.run);
    if (!run) throw new UsageError(`no run ${flags.run} in ${runsDirFor(target)}`);
    statuses = nodeStatuses(graph, run);
  }
  let text: string;
  switch (flags.format) {
    case "json":
      text =
        JSON.stringify({ ...graph, nodes: graph.nodes.map((n) => (statuses ? { ...n, status: statuses.get(n.id) } : n)) }, null, 2) + "\n";
      break;
    case "mermaid":
      text = toMermaid(graph, statuses);
      break;
    case "svg": {
      const { dotToSvg } = await import("../graph/svg.js");
      text = await dotToSvg(toDot(graph, statuses));
      break;
    }
    default:
      text = toDot(graph, statuses);
  }
  if (flags.output !== undefined) fs.writeFileSync(flags.output, text);
  else io.stdout(text);
  return EXIT.ok;
}
