// The phases of "parse + compile a 10,000-line file" (bench/run.js) one by one, on its file:
// parsing, loading + resolving + compiling from the parse, and building every function's circuit.
// bench/run.js times them together, where parsing's share hides the others; this is for work on
// one of them. Run after a build as
//   node bench/compile-phases.js [runs]
// and prints one JSON object of medians in milliseconds of the process's CPU time, which another
// process on a shared machine disturbs less than it does wall time (it counts the collector's
// helper threads too).
import { compileSource, defaultRegistry } from "../dist/api/index.js";
import { compileProgram } from "../dist/compile/compile.js";
import { parseFile } from "../dist/syntax/index.js";
import { tenThousandLines } from "./programs.js";

const runs = Number(process.argv[2] ?? 30);
const { ko: source } = tenThousandLines();
const pkgPath = "big";

/** Milliseconds of CPU time this process has used. */
function cpu() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The median CPU time of `fn` over `runs` runs, after a few to warm up. */
function median(fn) {
  for (let i = 0; i < 5; i++) fn();
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t0 = cpu();
    fn();
    samples.push(cpu() - t0);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)] * 10) / 10;
}

// The loader is given the file's parse, so that what is timed is everything after parsing.
const parsed = parseFile(`${pkgPath}.ko`, source);
const parse = (file, text) => (text === source ? parsed : parseFile(file, text));
// Held, so that every run compiles the same Program (a KoProgram derives it again when none is held).
const resolved = compileSource(source, { pkgPath, parse }).program;
const construction = defaultRegistry().lookup("", "");

const phases = {
  parse: median(() => parseFile(`${pkgPath}.ko`, source)),
  resolveAndCompile: median(() => compileSource(source, { pkgPath, parse })),
  // A fresh compilation of the resolved program each time, whose circuits are all unbuilt.
  buildCircuits: median(() => {
    for (const fn of compileProgram(resolved, construction, { lazy: true }).functions.get(pkgPath).values()) void fn.circuit;
  }),
};
console.log(JSON.stringify(phases));
