/**
 * The command-line flags of `ko run` that send calls to a grid (`--grid`, `--remote`,
 * `--grid-prefix`), turned into the session's grid options. Light: nothing here loads the grid.
 */
import { UsageError } from "../diag/exit.js";
import type { GridOptions } from "../api/session.js";

export interface GridFlags {
  readonly grid?: string;
  readonly remote?: string;
  readonly gridPrefix?: string;
}

/** The session's grid options, or undefined for a run without a grid. */
export function gridOptions(flags: GridFlags): GridOptions | undefined {
  if (flags.grid === undefined) {
    if (flags.remote !== undefined) throw new UsageError("--remote needs --grid URL: the grid to run the calls on");
    if (flags.gridPrefix !== undefined) throw new UsageError("--grid-prefix needs --grid URL");
    return undefined;
  }
  const remote =
    flags.remote === undefined || flags.remote.trim() === "auto"
      ? "auto"
      : flags.remote
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  if (remote !== "auto" && remote.length === 0) throw new UsageError("--remote takes function names, F,G, or auto");
  if (remote !== "auto" && remote.includes("auto")) throw new UsageError("--remote takes either function names or auto, not both");
  return { redis: flags.grid, remote, ...(flags.gridPrefix !== undefined ? { prefix: flags.gridPrefix } : {}) };
}
