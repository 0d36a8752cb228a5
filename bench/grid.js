// The grid's overhead per remote call, measured (README "The grid"):
//
//   local        a call run in the client's process (the same session call, no grid)
//   round trip   one remote call at a time: the memo asked in vain, a job added, a worker takes
//                it, loads nothing (the program is cached after the first), runs the call,
//                writes the memo and ends the job, the client hears of it and reads the result
//   memo hit     the same call again: answered from the memo, no job
//   throughput   many calls in flight at once (distinct arguments), W workers × C slots
//
// Each call is one `session.run` of `Main(i)`, which calls `Echo(i) { return: Sum(i, 1) }`, so every
// figure includes what a session call costs by itself (the "local" line). Real components: a redis-server of its own on
// a free loopback port (no persistence), and real `ko worker` processes.
//
// Plain ESM over dist/ (run `npm run build` first):
//   node bench/grid.js [--calls N] [--bulk N] [--workers W] [--concurrency C]
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createSession } from "../dist/api/index.js";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const CALLS = option("--calls", 200);
const BULK = option("--bulk", 2000);
const WORKERS = option("--workers", 2);
const CONCURRENCY = option("--concurrency", 4);

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const KO = path.join(REPO, "dist/cli/main.js");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ko-bench-grid-"));
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a process and waits until its output says it is ready. */
function start(command, argv, ready) {
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let text = "";
    const onData = (d) => {
      text += d;
      if (ready.test(text)) resolve(child);
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${command} exited (${code}):\n${text}`)));
  });
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const ms = (x) => `${x.toFixed(2)} ms`;

async function timeEach(session, program, from, count) {
  const times = [];
  for (let i = from; i < from + count; i++) {
    const t0 = performance.now();
    const v = await session.run(program, "Main", { i });
    times.push(performance.now() - t0);
    if (v !== i + 1) throw new Error(`Echo(${i}) gave ${v}`);
  }
  return times;
}

// Main runs in the client, as a caller of Echo would: the local line is a call of Echo from it.
const source = `Main(i) {\n\treturn: Echo(i: i)\n}\n\nEcho(i) {\n\treturn: Sum(i, 1)\n}\n`;
const file = path.join(scratch, "echo.ko");
fs.writeFileSync(file, source);

try {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  await start(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", scratch],
    /Ready to accept/,
  );
  for (let w = 1; w <= WORKERS; w++) {
    await start(
      process.execPath,
      [KO, "worker", "--redis", url, "--prefix", "bench", "--name", `w${w}`, "--concurrency", String(CONCURRENCY)],
      /serving/,
    );
  }

  const local = createSession({ cache: false });
  const localProgram = local.compileFile(file);
  await timeEach(local, localProgram, 0, 50); // warm-up
  const localTimes = await timeEach(local, localProgram, 1000, CALLS);
  await local.close();

  const session = createSession({ cache: false, grid: { redis: url, prefix: "bench", remote: ["Echo"] } });
  const program = session.compileFile(file);
  await timeEach(session, program, 0, 20); // connections, the program sent and compiled on the workers
  const remote = await timeEach(session, program, 10_000, CALLS);
  const hits = await timeEach(session, program, 10_000, CALLS);

  const t0 = performance.now();
  const all = [];
  for (let i = 0; i < BULK; i++) all.push(session.run(program, "Main", { i: 100_000 + i }));
  await Promise.all(all);
  const seconds = (performance.now() - t0) / 1000;
  await session.close();

  const round = median(remote);
  const local1 = median(localTimes);
  console.log(
    `grid bench: ${CALLS} calls one at a time, ${BULK} at once; ${WORKERS} workers × ${CONCURRENCY} slots; ${os.cpus().length} cores`,
  );
  console.log(`  local call                 median ${ms(local1)}`);
  console.log(`  remote call (round trip)   median ${ms(round)}  (overhead ${ms(round - local1)})`);
  console.log(`  memo hit                   median ${ms(median(hits))}`);
  console.log(`  throughput                 ${Math.round(BULK / seconds)} calls/s (${BULK} calls in ${seconds.toFixed(2)} s)`);
} finally {
  for (const c of children.reverse()) c.kill("SIGTERM");
  await new Promise((r) => setTimeout(r, 500));
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  fs.rmSync(scratch, { recursive: true, force: true });
}
