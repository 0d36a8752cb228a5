/** `ko graph FILE|DIR [FUNC] [--format dot|mermaid|svg|json] [--depth N] [--run NAME] [-o FILE]`. */
import * as fs from "node:fs";
import * as path from "node:path";
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
  if (flags.output !== undefined) checkWritable(flags.output);
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
  if (flags.output === undefined) io.stdout(text);
  else {
    try {
      fs.writeFileSync(flags.output, text);
    } catch (e) {
      throw new UsageError(`-o: cannot write ${flags.output}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return EXIT.ok;
}

/** `-o FILE` must name a file in a directory that exists: a usage error before any drawing, not an I/O failure after. */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UsageError(`-o: cannot write ${file}: there is no directory ${dir}`);
  }
  if (!stat.isDirectory()) throw new UsageError(`-o: cannot write ${file}: ${dir} is not a directory`);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new UsageError(`-o: cannot write ${file}: it is a directory`);
}
