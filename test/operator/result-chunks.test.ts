/** How a large result's JSON is cut for ConfigMaps: at most LIMIT bytes a piece, never inside a character. */
import { expect, test } from "vitest";
import { utf8Chunks } from "../../src/operator/status-offload.js";

const cases: readonly { text: string; limit: number; pieces: string[] }[] = [
  { text: "", limit: 4, pieces: [] },
  { text: "abcdefgh", limit: 4, pieces: ["abcd", "efgh"] },
  { text: "abcdefghi", limit: 4, pieces: ["abcd", "efgh", "i"] },
  // é is 2 bytes: a piece ends before the character that would not fit.
  { text: "aéé", limit: 4, pieces: ["aé", "é"] },
  // 😀 is 4 bytes (a surrogate pair in JavaScript): whole, or not at all.
  { text: "ab😀c", limit: 4, pieces: ["ab", "😀", "c"] },
  { text: "€€€", limit: 5, pieces: ["€", "€", "€"] },
  // A limit below a character's size cannot be kept: each character is a piece of its own.
  { text: "é😀", limit: 1, pieces: ["é", "😀"] },
];

test.each(cases)("$text in pieces of $limit bytes", ({ text, limit, pieces }) => {
  const got = utf8Chunks(text, limit);
  expect(got).toEqual(pieces);
  expect(got.join("")).toBe(text);
  for (const p of got) expect(Buffer.byteLength(p, "utf8") <= limit || [...p].length === 1).toBe(true);
});
