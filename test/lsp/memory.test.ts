/**
 * The language server's memory stays flat under a long stream of edits, as an editor sends them
 * (incremental didChange, with hovers and pauses in which diagnostics are published). The
 * server's heaps are read through its `ko/memory` request, after a full collection (the server
 * runs with --expose-gc): the main thread's, and the diagnostics worker's. Before the fix, every
 * analysis kept the one before it (analysis.ts), tens of kilobytes an edit: 50,000 edits ran the
 * server out of memory.
 */
import * as path from "node:path";
import { expect, test } from "vitest";
import { LspClient, uri, workspace } from "./client.js";

const TEXT = [
  'import "strings"',
  "",
  "F(x, y?) {",
  "\ta: Sum(x, 1)",
  '\tb: strings.Join(string: ("n", "1"), delimiter: "-")',
  "\treturn: (a: a, b: b)",
  "}",
  "",
  "Main() {",
  "\treturn: F(x: 1)",
  "}",
  "",
].join("\n");

interface Memory {
  heapUsed: number;
  workerHeapUsed: number | null;
}

const EDITS = 50_000;
/** Bytes the heaps may grow by between the 5,000th and the last edit: under 100 bytes an edit. */
const BOUND = 4_000_000;

test(`the server's heaps do not grow over ${EDITS} edits`, async () => {
  const dir = workspace({ "m.ko": TEXT });
  const file = path.join(dir, "m.ko");
  const client = await LspClient.start(dir, {}, ["--expose-gc"]);
  try {
    await client.open(file, TEXT);
    expect(await client.diagnosticsFor(file)).toEqual([]);
    const at = { line: 3, character: 13 }; // after `Sum(x, 1` in F
    const past = { line: 3, character: 14 };
    let version = 1;
    let before: Memory | undefined;
    for (let i = 0; i < EDITS; i++) {
      // Type a digit, then delete it: the text goes back and forth between two versions.
      const change = i % 2 === 0 ? { range: { start: at, end: at }, text: "9" } : { range: { start: at, end: past }, text: "" };
      void client.connection.sendNotification("textDocument/didChange", {
        textDocument: { uri: uri(file), version: ++version },
        contentChanges: [change],
      });
      // Now and then the editor asks for a hover (the main thread analyses), and typing pauses
      // long enough for the worker to analyse and publish.
      if (i % 25 === 0) await client.request("textDocument/hover", { textDocument: { uri: uri(file) }, position: at });
      if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 30));
      if (i === 5_000) before = await client.request<Memory>("ko/memory", {});
    }
    const after = await client.request<Memory>("ko/memory", {});
    expect(client.publications).toBeGreaterThan(50);
    expect(after.heapUsed - before!.heapUsed).toBeLessThan(BOUND);
    expect(after.workerHeapUsed).not.toBeNull();
    expect(after.workerHeapUsed! - before!.workerHeapUsed!).toBeLessThan(BOUND);
    // The server still answers from the text as edited: back where it started, well typed.
    expect(await client.diagnosticsFor(file, (d) => d.length === 0)).toEqual([]);
  } finally {
    await client.stop();
  }
}, 120_000);
