/**
 * "Did you mean" suggestions for near-miss names.
 *
 * Names can be of any length (a generated or pasted identifier of a megabyte is still one name),
 * so no comparison here costs more than the shorter name's length times the distance allowed:
 * the distance is computed in a band around the diagonal and given up once it must exceed the
 * limit, and a limit is never more than MAX_DISTANCE.
 */

/** No suggestion is further than this from the name, however long the name. */
export const MAX_DISTANCE = 8;

/** Edit distance (insertions, deletions, substitutions, adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  return boundedDistance(a, b, Math.max(a.length, b.length));
}

/**
 * The edit distance of `a` and `b` if it is at most `max`, else `max + 1`. Costs
 * O(min(|a|, |b|) · max): only the cells within `max` of the diagonal can hold a distance that
 * small (optimal string alignment, as `editDistance`).
 */
export function boundedDistance(a: string, b: string, max: number): number {
  if (a.length > b.length) [a, b] = [b, a];
  const m = a.length;
  const n = b.length;
  if (n - m > max) return max + 1;
  if (m === 0) return n;
  const over = max + 1;
  // Rows i-2, i-1 and i of the table, over columns 0..n; cells outside the band stay `over`.
  let twoBack = new Array<number>(n + 1).fill(over);
  let prev = new Array<number>(n + 1).fill(over);
  let row = new Array<number>(n + 1).fill(over);
  for (let j = 0; j <= Math.min(n, max); j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    const from = Math.max(1, i - max);
    const to = Math.min(n, i + max);
    row.fill(over, Math.max(0, from - 2), Math.min(n, to + 2) + 1);
    row[0] = i <= max ? i : over;
    let best = row[0];
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, twoBack[j - 2]! + 1);
      }
      row[j] = v > over ? over : v;
      if (row[j]! < best) best = row[j]!;
    }
    if (best > max) return over;
    [twoBack, prev, row] = [prev, row, twoBack];
  }
  return Math.min(prev[n]!, over);
}

/** The closest candidate within a distance proportional to the name's length (at most MAX_DISTANCE), if any. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(MAX_DISTANCE, Math.max(1, Math.floor(name.length / 3)));
  return closestWithin(name, candidates, limit);
}

/** The closest candidate at most `limit` edits from `name` (a case-only difference counts half), if any. */
export function closestWithin(name: string, candidates: Iterable<string>, limit: number): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const lower = name.toLowerCase();
  for (const c of candidates) {
    if (c === name || c === "") continue;
    if (Math.abs(c.length - name.length) > Math.min(limit, bestDist)) continue;
    const dist = c.length === name.length && c.toLowerCase() === lower ? 0.5 : boundedDistance(name, c, Math.min(limit, bestDist));
    if (dist < bestDist || (dist === bestDist && best !== undefined && c < best)) {
      best = c;
      bestDist = dist;
    }
  }
  return bestDist <= limit ? best : undefined;
}
