// @ts-check
// bench/results.json: the figures of every benchmark script, one row each, by name. A script
// replaces the rows it measured and keeps the others' (bench/run.js's table, bench/k8s.js's
// overhead), so the file holds every figure whichever scripts ran last.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json");

/**
 * Writes `rows` into bench/results.json, replacing rows of the same name, keeping the rest in place.
 * @param {{ name: string, koMs: number | null, baselineMs: number | null, ratio: number | null }[]} rows
 */
export function recordResults(rows) {
  /** @type {{ name: string }[]} */
  let kept = [];
  try {
    kept = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    kept = []; // none yet
  }
  const fresh = new Map(rows.map((r) => [r.name, r]));
  const merged = kept.map((r) => fresh.get(r.name) ?? r);
  for (const r of rows) if (!kept.some((k) => k.name === r.name)) merged.push(r);
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + "\n");
}
