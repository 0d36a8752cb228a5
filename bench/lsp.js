// Benchmark of the language server on a generated 5,000-line file, through the protocol as an
// editor drives it: `ko lsp --stdio` (the built command in dist/) and a vscode-jsonrpc client.
//
//   npm run bench:lsp        (builds first)
//   node bench/lsp.js        (uses the current build)
//
// Measures completion and hover (p50/p95 over many positions, with the file unchanged; hover shows
// inferred types), completion right after a keystroke, the time from an edit to its diagnostics
// (type errors included), and the server's memory.
// Targets: completion and hover p95 < 50 ms, diagnostics < 200 ms, memory < 300 MB.
// Writes bench/lsp-results.json.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";
import { analyze } from "../dist/service/analysis.js";
import { Parses } from "../dist/service/parses.js";
import { parseFile } from "../dist/syntax/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const KO = path.resolve(here, "../dist/cli/main.js");
const LINES = 5000;

/** A package-sized file: documented functions with steps that call builtins, a stdlib package and each other. */
function generate(lines) {
  const out = ['import "strings"', ""];
  for (let i = 0; out.length < lines - 4; i++) {
    out.push(
      `// F${i} combines its inputs.`,
      `F${i}(x, y?) {`,
      `\ta: Sum(x, ${i})`,
      `\tb: strings.Join(string: ("n", "${i}"), delimiter: "-")`,
      `\tc: F${Math.max(0, i - 1)}(x: a, y: b)`,
      `\treturn: (a: a, b: b, c: c)`,
      `}`,
      ``,
    );
  }
  out.push("Main() {", "\treturn: F1(x: 1)", "}");
  return out.join("\n") + "\n";
}

function percentile(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Median CPU milliseconds of `fn` in this process: what an analysis costs, whatever the machine's load. */
function cpuMs(fn, runs = 9) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    fn();
    const d = process.cpuUsage(before);
    samples.push((d.user + d.system) / 1000);
  }
  return percentile(samples, 50);
}

function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-lsp-bench-"));
  const file = path.join(dir, "big.ko");
  const text = generate(LINES);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const lines = text.split("\n");

  const child = spawn(process.execPath, [KO, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let onDiagnostics = () => {};
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    if (p.uri === uri) onDiagnostics(p.diagnostics);
  });
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  await conn.sendNotification("initialized", {});

  const diagnostics = (pred) => new Promise((resolve) => (onDiagnostics = (d) => pred(d) && resolve(d)));
  let t0 = performance.now();
  const first = diagnostics(() => true);
  await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "ko", version: 1, text } });
  await first;
  const openMs = performance.now() - t0;

  // Positions: just after the F of each `c: F12(` call, and on `Sum`, `x` and `F12` for hovers.
  const calls = [];
  const hovers = [];
  lines.forEach((l, line) => {
    if (l.startsWith("\tc: F")) calls.push({ line, character: 5 });
    if (l.startsWith("\ta: Sum(")) hovers.push({ line, character: 5 }, { line, character: 8 }, { line: line + 2, character: 5 });
  });
  const pick = (list, n) => Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);

  const time = async (fn) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const completion = (position) => conn.sendRequest("textDocument/completion", { textDocument: { uri }, position });
  const hover = (position) => conn.sendRequest("textDocument/hover", { textDocument: { uri }, position });

  for (const p of pick(calls, 20)) await completion(p); // warm up
  const completionMs = [];
  for (const p of pick(calls, 300)) completionMs.push(await time(() => completion(p)));
  const hoverMs = [];
  for (const p of pick(hovers, 300)) hoverMs.push(await time(() => hover(p)));

  // Typing: insert a character, ask for completion as soon as the change is sent (the editor does
  // not wait for the server to take it in), undo it.
  let version = 1;
  const edit = (range, newText) =>
    conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: ++version },
      contentChanges: [{ range, text: newText }],
    });
  const typingMs = [];
  for (const p of pick(calls, 40)) {
    const at = { line: p.line, character: 5 };
    await edit({ start: at, end: at }, "1");
    typingMs.push(await time(() => completion({ line: p.line, character: 6 })));
    await edit({ start: at, end: { line: p.line, character: 6 } }, "");
    await new Promise((r) => setTimeout(r, 60)); // as fast as a typist, and the analysis runs in between
  }

  // Diagnostics after an edit: break a reference, then mend it; time each edit to its diagnostics.
  const diagnosticsMs = [];
  await new Promise((r) => setTimeout(r, 400));
  for (const p of pick(calls, 20)) {
    const at = { line: p.line, character: 4 };
    const broken = diagnostics((d) => d.length > 0);
    t0 = performance.now();
    await edit({ start: at, end: { line: p.line, character: 5 } }, "G");
    await broken;
    diagnosticsMs.push(performance.now() - t0);
    const mended = diagnostics((d) => d.length === 0);
    t0 = performance.now();
    await edit({ start: at, end: { line: p.line, character: 5 } }, "F");
    await mended;
    diagnosticsMs.push(performance.now() - t0);
  }

  const memory = rssMb(child.pid);
  // Where an edit's time goes, in-process: parsing the file; the whole analysis (load, resolve,
  // type check) from scratch; and the analysis the server makes after an edit, which parses
  // again only the definition edited (service/parses.ts).
  const parseCpu = cpuMs(() => parseFile(file, text));
  const read = (t) => (f) => (f === file ? t : fs.existsSync(f) ? fs.readFileSync(f, "utf8") : undefined);
  const analyzeCpu = cpuMs(() => analyze({ kind: "dir", dir }, { roots: [], readFile: read(text) }).diagnostics);
  const parses = new Parses();
  // A first analysis fills `parses`, as the server's first does (its diagnostics are a getter that runs it).
  void analyze({ kind: "dir", dir }, { roots: [], readFile: read(text), parses }).diagnostics;
  // As the diagnostics loop above edits: break a reference (`F12` → `G12`), mend it.
  const edited = pick(calls, 5).flatMap((p) => {
    const at = lines.slice(0, p.line).join("\n").length + 1 + 4;
    return [text.slice(0, at) + "G" + text.slice(at + 1), text];
  });
  let next = 0;
  const editCpu = cpuMs(
    () => analyze({ kind: "dir", dir }, { roots: [], readFile: read(edited[next++ % edited.length]), parses }).diagnostics,
  );
  await conn.sendRequest("shutdown");
  await conn.sendNotification("exit");
  fs.rmSync(dir, { recursive: true, force: true });

  const rows = [
    { name: "open 5,000 lines → diagnostics", ms: openMs },
    { name: "completion p50", ms: percentile(completionMs, 50) },
    { name: "completion p95", ms: percentile(completionMs, 95), target: 50 },
    { name: "hover p50", ms: percentile(hoverMs, 50) },
    { name: "hover p95", ms: percentile(hoverMs, 95), target: 50 },
    { name: "completion after a keystroke p95", ms: percentile(typingMs, 95), target: 50 },
    { name: "edit → diagnostics p50", ms: percentile(diagnosticsMs, 50) },
    { name: "edit → diagnostics p95", ms: percentile(diagnosticsMs, 95), target: 200 },
    { name: "  of which: parse, CPU ms (in-process)", ms: parseCpu },
    { name: "  of which: whole analysis, CPU ms", ms: analyzeCpu },
    { name: "  of which: after an edit, CPU ms", ms: editCpu },
    { name: "server memory, RSS now (MB)", ms: memory.rss, target: 300 },
    { name: "server memory, peak RSS (MB)", ms: memory.peak, target: 300 },
  ];
  for (const r of rows) {
    const verdict = r.target === undefined ? "" : r.ms <= r.target ? `  ok (< ${r.target})` : `  OVER ${r.target}`;
    console.log(`${r.name.padEnd(36)} ${r.ms.toFixed(1).padStart(8)}${verdict}`);
  }
  fs.writeFileSync(
    path.join(here, "lsp-results.json"),
    JSON.stringify(
      rows.map((r) => ({ name: r.name, value: Number(r.ms.toFixed(2)), target: r.target })),
      null,
      2,
    ) + "\n",
  );
  child.kill();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
