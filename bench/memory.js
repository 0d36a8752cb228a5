// The heap a compiled program keeps, per line of its source: what a session (the language server,
// the REPL, an embedding application) holds while it keeps a program. Run by bench/run.js as
//   node --expose-gc bench/memory.js
// and prints one JSON object, { lines, bytesPerLine }.
//
// The heap is measured after a full collection before and after compiling the 10,000-line file
// of the parse and compile benchmark, with the program still referenced. A small program is
// compiled first, so that what every program shares (the builtins' registry, the modules) is
// not counted.
import { compileSource } from "../dist/api/index.js";
import { tenThousandLines } from "./programs.js";

if (typeof globalThis.gc !== "function") throw new Error("run with node --expose-gc");
const gc = globalThis.gc;

const { ko: source } = tenThousandLines();
const lines = source.split("\n").length;
compileSource("Main() {\n\treturn: 1\n}\n", { pkgPath: "warm" });
gc();
const before = process.memoryUsage().heapUsed;
const program = compileSource(source, { pkgPath: "big" });
// Every circuit of the file built, as after a check of every function (a run's, or the language server's).
for (const fn of program.compiled.functions.get("big").values()) void fn.circuit;
gc();
const after = process.memoryUsage().heapUsed;
if (program.functionNames().length !== 1000) throw new Error("memory: the program does not have its 1000 functions");
console.log(JSON.stringify({ lines, bytesPerLine: Math.round((after - before) / lines) }));
