/**
 * Package `shell`: the original's gate beneath its `shell.CopyFile` (lib/shell).
 *
 * `GoShellCopy(source, sink)` copies the file `source` to the path `sink` with `cp`, as the
 * original does (it runs `cp` through /bin/sh; here `cp` gets its two arguments directly, so no
 * character of a path is ever read by a shell). Like the original, it reports the outcome as a
 * Bool: true if `cp` succeeded; false if it failed, after writing what `cp` said to standard error.
 * Cancelling the run stops the copy.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { cancellation, messageOf, stringOr, textArg } from "./helpers.js";
import { nodeChildProcess } from "./node-builtins.js";

/** Runs `cp source sink`; resolves with undefined on success, else with what went wrong. */
function copy(source: string, sink: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    nodeChildProcess().execFile("cp", [source, sink], { signal }, (error, _stdout, stderr) => {
      if (!error) return resolve(undefined);
      const status = typeof error.code === "number" ? `exit status ${error.code}` : messageOf(error);
      resolve(`${status}${stderr.trim() !== "" ? `: ${stderr.trim()}` : ""}`);
    });
  });
}

const GoShellCopy = defineHost({
  pkg: "shell",
  name: "GoShellCopy",
  doc:
    "GoShellCopy(source, sink) copies the file source to the path sink with cp; true if it succeeded, " +
    "false (after reporting cp's message on standard error) if not.",
  params: [
    { name: "source", type: T.string, optional: true },
    { name: "sink", type: T.string, optional: true },
  ],
  result: T.bool,
  effects: "io",
  // A planning pass copies nothing: it says what it would have copied.
  dryRun: {
    would: (fields) => `copy ${textArg(fields, "source")} to ${textArg(fields, "sink")}`,
    result: () => true,
  },
  async: true,
  impl: async ([source, sink], ctx) => {
    const from = stringOr(source!, "");
    const to = stringOr(sink!, "");
    const problem = await copy(from, to, ctx.signal);
    if (ctx.signal.aborted) throw cancellation(ctx.signal);
    if (problem === undefined) return true;
    ctx.stderr(`shell.GoShellCopy: cp ${JSON.stringify(from)} ${JSON.stringify(to)} failed (${problem})\n`);
    return false;
  },
});

export const shellFunctions: readonly HostFunction[] = [GoShellCopy];
