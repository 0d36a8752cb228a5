// bench/results.json keeps the latest figure of every benchmark, whichever script measured it:
// each script replaces the rows it measured, by name, and leaves the others as they were.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json");

/**
 * What identifies a benchmark: its name without the measured figures some names carry in
 * brackets ("create+get+delete via client-node (525 round trips/s)").
 */
const benchmarkOf = (name) => name.replace(/\s*\([^)]*\d[^)]*\)/g, "");

/** Records rows `{ name, koMs, baselineMs, ratio }`, replacing those of the same benchmarks. */
export function recordResults(rows) {
  let kept = [];
  try {
    kept = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // no figures yet
  }
  const fresh = new Map(rows.map((r) => [benchmarkOf(r.name), r]));
  const merged = kept.map((r) => fresh.get(benchmarkOf(r.name)) ?? r);
  for (const [id, r] of fresh) if (!kept.some((k) => benchmarkOf(k.name) === id)) merged.push(r);
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + "\n");
}
