/** `ko runs [--dir D]` lists the named runs; `ko runs show NAME` shows one run's steps. */
import { runsDirFor } from "../instrument/ko-dir.js";
import { listRuns, loadRun, type RunSummary, type StepSummary } from "../journal/state.js";
import { EXIT, UsageError } from "../diag/exit.js";
import type { CliIO } from "./io.js";

export interface RunsFlags {
  readonly dir?: string;
}

export function runsCommand(action: string | undefined, name: string | undefined, flags: RunsFlags, io: CliIO): number {
  const runsDir = runsDirFor(flags.dir ?? ".");
  if (action === undefined) return list(runsDir, io);
  if (action !== "show") throw new UsageError(`ko runs: unknown action ${JSON.stringify(action)} (only show NAME)`);
  if (name === undefined) throw new UsageError("ko runs show needs the NAME of a run");
  const run = loadRun(runsDir, name);
  if (!run) throw new UsageError(`no run ${name} in ${runsDir}`);
  io.stdout(show(run));
  return EXIT.ok;
}

function list(runsDir: string, io: CliIO): number {
  const runs = listRuns(runsDir);
  if (runs.length === 0) {
    io.stdout(`no runs in ${runsDir}\n`);
    return EXIT.ok;
  }
  const rows = runs.map((r) => [
    r.name,
    r.state,
    r.last?.function ?? "",
    String(r.attempts),
    counts(r.steps),
    r.first?.at.replace("T", " ").slice(0, 19) ?? "",
  ]);
  io.stdout(table([["NAME", "STATE", "FUNCTION", "ATTEMPTS", "STEPS", "STARTED"], ...rows]));
  return EXIT.ok;
}

function counts(steps: readonly StepSummary[]): string {
  const by = new Map<string, number>();
  for (const s of steps) by.set(s.status, (by.get(s.status) ?? 0) + 1);
  return [...by].map(([status, n]) => `${n} ${status}`).join(", ") || "none";
}

export function show(run: RunSummary): string {
  const head =
    `run ${run.name}: ${run.state}` +
    (run.last ? `, ${run.last.function}, attempt ${run.attempts}, started ${run.last.at}` : "") +
    (run.ms !== undefined ? `, ${ms(run.ms)}` : "") +
    "\n" +
    (run.error ? `error: ${run.error}\n` : "");
  // A step of a function called more than once is told apart by its activation (call) number.
  const seen = new Map<string, number>();
  for (const s of run.steps) seen.set(`${s.function}:${s.step}`, (seen.get(`${s.function}:${s.step}`) ?? 0) + 1);
  const name = (s: StepSummary) => `${s.function}:${s.step}${seen.get(`${s.function}:${s.step}`)! > 1 ? ` #${s.activation}` : ""}`;
  const rows = run.steps.map((s) => [s.status, s.ms === undefined ? "-" : ms(s.ms), name(s), s.error ?? ""]);
  return head + table([["STATUS", "TIME", "STEP", "ERROR"], ...rows]);
}

function ms(n: number): string {
  return n < 1000 ? `${n.toFixed(1)} ms` : `${(n / 1000).toFixed(2)} s`;
}

/** Left-aligned columns, two spaces apart, without trailing spaces. */
function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows
    .map(
      (r) =>
        r
          .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
          .join("  ")
          .trimEnd() + "\n",
    )
    .join("");
}
