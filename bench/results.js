// bench/results.json keeps the latest figure of every benchmark, whichever script measured it:
// each script replaces the rows it measured, by name, and leaves the others as they were.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), "results.json");

/** Records rows `{ name, koMs, baselineMs, ratio }`, replacing those of the same names. */
export function recordResults(rows) {
  let kept = [];
  try {
    kept = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    // no figures yet
  }
  const names = new Set(rows.map((r) => r.name));
  const merged = kept.map((r) => (names.has(r.name) ? rows.find((n) => n.name === r.name) : r));
  for (const r of rows) if (!kept.some((k) => k.name === r.name)) merged.push(r);
  fs.writeFileSync(file, JSON.stringify(merged, null, 2) + "\n");
}
