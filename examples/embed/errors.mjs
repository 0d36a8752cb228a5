// Failures an application can handle: what a run rejects with, and what Ko sees when a host
// function of the app fails.
//
//   node examples/embed/errors.mjs
import { compileSource, defineHost, KoCancelled, KoError, KoPanic, renderFailure, T } from "../../dist/api/index.js";

// A host function that fails the way JavaScript code fails: it throws (here, rejects).
const fetchUser = defineHost({
  pkg: "app",
  name: "FetchUser",
  doc: "The user with this id, from the app's store.",
  params: [{ name: "id", type: T.int64, monadic: true }],
  result: T.string,
  effects: "io",
  async: true,
  impl: async ([id]) => {
    const n = Number(id); // an Int64 argument: a number when it is a safe integer (README, "Embedding")
    if (n === 7) return "ann";
    const e = new Error(`no user ${n}`);
    e.code = "ENOUSER";
    throw e;
  },
});

// A host function that waits on something the run's signal can abort, as fetch() does.
const slowQuery = defineHost({
  pkg: "app",
  name: "SlowQuery",
  doc: "Waits a minute, unless the run is cancelled.",
  params: [],
  result: T.string,
  effects: "io",
  async: true,
  impl: (_args, ctx) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve("done"), 60_000);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(new globalThis.DOMException("This operation was aborted", "AbortError"));
      });
    }),
});

const program = compileSource(
  `
import "app"

// A failing host function is a panic: Recover catches it, with the error's message and name.
Name(id) {
	return: Recover(invoke: app.FetchUser[id], panic: fallback)
}

fallback(p?) {
	return: (missing: p.message, name: p.name, code: p.code)
}

Unguarded(id) {
	return: app.FetchUser(id)
}

Slow() {
	return: app.SlowQuery()
}

Big() {
	return: (small: 42, huge: Prod(4294967296, 4194304))
}

Broken() {
	return: Sum("one", 1)
}
`,
  { bind: [fetchUser, slowQuery] },
);
const quiet = { stderr: () => {} };

console.log(JSON.stringify(await program.run("Name", { id: 7 }, quiet)));
console.log(JSON.stringify(await program.run("Name", { id: 8 }, quiet)));

// An unrecovered panic rejects with a KoPanic: `data` is its value as JavaScript.
try {
  await program.run("Unguarded", { id: 9 }, quiet);
} catch (e) {
  if (!(e instanceof KoPanic)) throw e;
  console.log(`KoPanic: ${e.data.message} (${e.data.code})`);
  // The report `ko run` would print: the Ko location, the host function first in the call chain.
  process.stdout.write(renderFailure(e, program.sources));
}

// Cancelling a run whose host function is waiting: the run ends as KoCancelled.
try {
  await program.run("Slow", {}, { ...quiet, signal: AbortSignal.timeout(50) });
} catch (e) {
  if (!(e instanceof KoCancelled)) throw e;
  console.log(`KoCancelled: ${e.reason}; in flight: ${e.inFlight.map((f) => `${f.func}:${f.step}`).join(", ")}`);
}

// Integers: a number when it is a safe integer, else a bigint; or always a bigint.
const big = await program.run("Big", {}, quiet);
console.log(typeof big.small, typeof big.huge, String(big.huge));
const bigints = await program.run("Big", {}, { ...quiet, integers: "bigint" });
console.log(typeof bigints.small, typeof bigints.huge);

// A bug in the program is a KoError, not a panic: Recover does not catch it. This one the
// checker finds before the run.
try {
  await program.run("Broken", {}, quiet);
} catch (e) {
  if (!(e instanceof KoError)) throw e;
  console.log(`KoError: ${e.message}`);
}
