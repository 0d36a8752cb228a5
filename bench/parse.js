// The syntax stage alone on the 10,000-line file of the parse and compile benchmark: the time of
// lexing and of parseFile (lex, brackets, parse, AST), and the heap the AST keeps per source line.
// Prints one JSON object.
//
//   node --expose-gc bench/parse.js [dist directory, default ../dist]
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { tenThousandLines } from "./programs.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const gc = globalThis.gc;
const dist = path.resolve(process.argv[2] ?? new URL("../dist", import.meta.url).pathname);
const { lex, parseFile } = await import(pathToFileURL(path.join(dist, "syntax/index.js")).href);

const { ko: source } = tenThousandLines();
const lines = source.split("\n").length;

/**
 * Times in milliseconds of `fn` over `runs` runs, after `warmup` runs: the median wall time, and
 * the median CPU time of the process (its collector's threads included), which a machine busy with
 * other work disturbs less.
 */
function time(fn, { runs = 21, warmup = 10 } = {}) {
  for (let i = 0; i < warmup; i++) fn();
  const wall = [];
  const cpu = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (xs) => +xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
  return { wall: median(wall), cpu: median(cpu) };
}

function retainedBytesPerLine(make) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept === undefined) throw new Error("nothing kept");
  return Math.round((after - before) / lines);
}

const result = parseFile("big.ko", source);
if (result.diagnostics.length > 0 || result.ast.funcs.length !== 1000) throw new Error("parse: the file does not parse cleanly");
const lexMs = time(() => lex(source));
const parseMs = time(() => parseFile("big.ko", source));
const astBytesPerLine = retainedBytesPerLine(() => parseFile("big.ko", source));
const tokenBytesPerLine = retainedBytesPerLine(() => lex(source));
console.log(JSON.stringify({ lines, lexMs, parseMs, astBytesPerLine, tokenBytesPerLine }));
