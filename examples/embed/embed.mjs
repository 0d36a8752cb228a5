// Embedding Ko in a Node application: compile Ko source, bind a host function written in
// JavaScript, pass JavaScript arguments, get JavaScript results, and cancel with an AbortSignal.
//
//   node examples/embed/embed.mjs
import { compileSource, defineHost, T } from "../../dist/api/index.js";

// A host function the app exposes to Ko as `app.Lookup(key?)`: async, with effects.
const inventory = new Map([
  ["apples", 3],
  ["pears", 5],
]);
const lookup = defineHost({
  pkg: "app",
  name: "Lookup",
  doc: "The stock of an item in the app's inventory.",
  params: [{ name: "key", type: T.string, monadic: true }],
  result: T.int64,
  effects: "io",
  async: true,
  impl: async ([key]) => {
    await new Promise((r) => setTimeout(r, 5));
    return inventory.get(key) ?? 0;
  },
});

const program = compileSource(
  `
import "app"

Stock(items) {
	counted: Range(over: items, start: 0, with: add(carry, elem) {
		return: (carry: Sum(carry, app.Lookup(elem)))
	})
	return: (items: items, total: counted.residue)
}

Forever() {
	return: Hang()
}
`,
  { bind: [lookup] },
);

const result = await program.run("Stock", { items: ["apples", "pears", "plums"] });
console.log(JSON.stringify(result));

// Cancellation: a run that never ends is stopped by its AbortSignal.
try {
  await program.run("Forever", {}, { signal: AbortSignal.timeout(50) });
} catch (e) {
  console.log(`cancelled: ${e.name}`);
}
