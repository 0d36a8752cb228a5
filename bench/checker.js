// Benchmarks of what once ran away in the checker, the language server and the evaluator, through
// the built `ko` as a user and an editor drive it:
//
// - the 40-level program (`s0: 1` then `sI: (a: sI-1, b: sI-1)`): `ko check`, `ko check --types`,
//   and the language server (open → diagnostics, hover on s40), time and peak memory;
// - "did you mean" on an unknown name of 1 MB (`ko check`);
// - the language server's heap per edit over a long stream of edits (its `ko/memory` request,
//   the server run with --expose-gc);
// - a runaway branching recursion (`Fib` without a base case, no argument): time to the Ko error
//   and peak memory.
//
//   npm run build && node bench/checker.js            (uses the current build)
//   node bench/checker.js --ko path/to/dist/cli/main.js   (another build, for before/after)
//
// Peak memory is the process's VmHWM, read from /proc while it runs (Linux). Writes
// bench/checker-results.json.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { clearInterval, setInterval } from "node:timers";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node";

const here = path.dirname(fileURLToPath(import.meta.url));
const flag = process.argv.indexOf("--ko");
const KO = flag >= 0 ? path.resolve(process.argv[flag + 1]) : path.resolve(here, "../dist/cli/main.js");
/** Past this a measurement is given up (and reported as such). */
const LIMIT_MS = Number(process.env.KO_BENCH_LIMIT_MS ?? 120_000);

function doubling(levels) {
  const lines = ["Main() {", "\ts0: 1"];
  for (let i = 1; i <= levels; i++) lines.push(`\ts${i}: (a: s${i - 1}, b: s${i - 1})`);
  lines.push(`\treturn: s${levels}`, "}", "");
  return lines.join("\n");
}

function peakMb(pid) {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;
  } catch {
    return NaN;
  }
}

/** Runs `node [flags] KO args`, timing it and watching its peak memory. */
function run(args, { nodeFlags = [] } = {}) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, KO, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let peak = 0;
    let out = "";
    const watch = setInterval(() => (peak = Math.max(peak, peakMb(child.pid) || 0)), 20);
    const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
    child.stdout.resume(); // read and dropped
    child.stderr.setEncoding("utf8").on("data", (d) => (out += d.slice(0, 2000)));
    child.on("exit", () => (peak = Math.max(peak, peakMb(child.pid) || 0)));
    child.on("close", (status, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      resolve({ ms: performance.now() - t0, peakMb: peak, status, signal, stderr: out });
    });
  });
}

async function lsp(dir, { nodeFlags = [] } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, KO, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "ignore"] });
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = [];
  conn.onNotification("textDocument/publishDiagnostics", (p) => {
    for (const w of waiting.splice(0)) w(p);
  });
  conn.listen();
  await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
  await conn.sendNotification("initialized", {});
  return {
    child,
    conn,
    published: () => new Promise((resolve) => waiting.push(resolve)),
    async stop() {
      child.kill();
      conn.dispose();
    },
  };
}

const within = (promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve("timeout"), LIMIT_MS))]);

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-checker-bench-"));
  const results = [];
  const report = (name, value, unit, note = "") => {
    results.push({ name, value: Number.isFinite(value) ? Math.round(value * 100) / 100 : null, unit, ...(note ? { note } : {}) });
    console.log(`${name.padEnd(58)} ${Number.isFinite(value) ? value.toFixed(1).padStart(10) : "—".padStart(10)} ${unit} ${note}`);
  };
  try {
    // The 40-level program, by ko check.
    const deep = path.join(dir, "deep.ko");
    fs.writeFileSync(deep, doubling(40));
    for (const args of [
      ["check", deep],
      ["check", "--types", deep],
    ]) {
      const r = await run(args);
      const done = r.signal === null;
      report(`40 levels: ko ${args.slice(0, -1).join(" ")} — time`, done ? r.ms : NaN, "ms", done ? "" : `stopped after ${LIMIT_MS} ms`);
      report(`40 levels: ko ${args.slice(0, -1).join(" ")} — peak RSS`, r.peakMb, "MB");
    }

    // The 40-level program in the language server: open → diagnostics, then hover on s40.
    {
      const ws = path.join(dir, "ws");
      fs.mkdirSync(ws);
      const file = path.join(ws, "deep.ko");
      fs.writeFileSync(file, doubling(40));
      const uri = pathToFileURL(file).href;
      const server = await lsp(ws);
      let t0 = performance.now();
      const first = server.published();
      await server.conn.sendNotification("textDocument/didOpen", {
        textDocument: { uri, languageId: "ko", version: 1, text: doubling(40) },
      });
      const opened = await within(first);
      report("40 levels: server, open → diagnostics", opened === "timeout" ? NaN : performance.now() - t0, "ms");
      t0 = performance.now();
      const hover = await within(
        server.conn
          .sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 41, character: 2 } })
          .catch(() => "failed"),
      );
      const hoverNote = hover === "timeout" ? `no answer after ${LIMIT_MS} ms` : hover === "failed" ? "the server failed" : "";
      report("40 levels: server, hover on s40", hoverNote ? NaN : performance.now() - t0, "ms", hoverNote);
      report("40 levels: server, peak RSS", peakMb(server.child.pid), "MB");
      await server.stop();
    }

    // An unknown name of 1 MB.
    {
      const big = path.join(dir, "big.ko");
      fs.writeFileSync(big, `Main() { return: ${"x".repeat(1 << 20)} }\n`);
      const r = await run(["check", big]);
      report(
        "unknown name of 1 MB: ko check (did you mean)",
        r.signal === null ? r.ms : NaN,
        "ms",
        r.signal === null ? "" : `stopped after ${LIMIT_MS} ms`,
      );
    }

    // The server's heap per edit.
    {
      const ws = path.join(dir, "edits");
      fs.mkdirSync(ws);
      const file = path.join(ws, "m.ko");
      const text =
        'import "strings"\n\nF(x, y?) {\n\ta: Sum(x, 1)\n\tb: strings.Join(string: ("n", "1"), delimiter: "-")\n\treturn: (a: a, b: b)\n}\n\nMain() {\n\treturn: F(x: 1)\n}\n';
      fs.writeFileSync(file, text);
      const uri = pathToFileURL(file).href;
      const server = await lsp(ws, { nodeFlags: ["--expose-gc"] });
      const first = server.published();
      await server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "ko", version: 1, text } });
      await first;
      const at = { line: 3, character: 13 };
      let version = 1;
      const memory = () => server.conn.sendRequest("ko/memory", {}).catch(() => undefined);
      const rss = () => {
        try {
          return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.child.pid}/status`, "utf8"))[1]) / 1024;
        } catch {
          return NaN;
        }
      };
      const EDITS = 20_000;
      let before;
      let rssBefore;
      const t0 = performance.now();
      for (let i = 0; i < EDITS; i++) {
        const change =
          i % 2 === 0 ? { range: { start: at, end: at }, text: "9" } : { range: { start: at, end: { line: 3, character: 14 } }, text: "" };
        void server.conn.sendNotification("textDocument/didChange", {
          textDocument: { uri, version: ++version },
          contentChanges: [change],
        });
        if (i % 25 === 0) await server.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: at });
        if (i % 500 === 499) await new Promise((r) => setTimeout(r, 30));
        if (i === 2_000) {
          before = await memory();
          rssBefore = rss();
        }
      }
      const after = await memory();
      const perEdit = (a, b) => (a === undefined || b === undefined ? NaN : (a - b) / (EDITS - 2_000));
      report(`server: ${EDITS} edits (hover every 25), time`, performance.now() - t0, "ms");
      report(
        "server: main heap growth per edit",
        perEdit(after?.heapUsed, before?.heapUsed),
        "bytes",
        after ? "" : "no ko/memory in this build",
      );
      report("server: worker heap growth per edit", perEdit(after?.workerHeapUsed, before?.workerHeapUsed), "bytes");
      report("server: RSS growth per edit", ((rss() - rssBefore) * 1024 * 1024) / (EDITS - 2_000), "bytes");
      await server.stop();
    }

    // A runaway branching recursion.
    {
      const fib = path.join(dir, "fib.ko");
      fs.writeFileSync(fib, "Fib(n) { return: Sum(Fib(Sum(n, -1)), Fib(Sum(n, -2))) }\nMain() { return: Fib() }\n");
      const r = await run(["run", fib, "--no-cache"]);
      const koError = r.status === 1 && /error: out of memory/.test(r.stderr);
      report(
        "runaway Fib(): time to the Ko error",
        r.ms,
        "ms",
        koError
          ? ""
          : `ended otherwise: status ${r.status} ${r.signal ?? ""} ${/FATAL|heap limit/.test(r.stderr) ? "(V8 out of memory)" : ""}`,
      );
      report("runaway Fib(): peak RSS", r.peakMb, "MB");
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (flag < 0) fs.writeFileSync(path.join(here, "checker-results.json"), JSON.stringify(results, null, 2) + "\n");
}

await main();
