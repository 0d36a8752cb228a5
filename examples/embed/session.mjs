// A session gives an application everything `ko run` has: repository roots, a cluster (with its
// policy, dry run and confirmation), the results cache, named runs that can be resumed, and an
// event log. Here it runs against the embedded cluster, so it needs no Kubernetes anywhere.
//
//   node examples/embed/session.mjs
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createSession } from "../../dist/api/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const work = fs.mkdtempSync(path.join(os.tmpdir(), "ko-embed-"));

const session = createSession({
  roots: [path.join(here, "lib")], // `import "greeting"` is found here
  kubernetes: { cluster: "embedded", namespace: "demo" }, // or { kubeconfig, context, policy, plan, yes }
  cache: { dir: path.join(work, "cache") }, // pure calls are answered from here the next time
  runsDir: path.join(work, "runs"), // named runs are journaled here
  events: path.join(work, "events.jsonl"), // one JSON line per step started and ended
  stderr: () => {}, // the embedded cluster announces itself on stderr; keep this example's output short
});

try {
  const program = session.compileSource(`
import "k8s"
import "greeting"

Main(who) {
	namespace: k8s.CreateNamespace("demo")
	config: k8s.Apply(object: (
		apiVersion: "v1", kind: "ConfigMap"
		metadata: (name: "greeting")
		data: (text: greeting.Hello(who))
	), after_: namespace)
	return: k8s.Get(kind: "ConfigMap", name: "greeting", after_: config).data.text
}
`);
  console.log(await session.run(program, "Main", { who: "embedder" }, { name: "first" }));
  const steps = fs
    .readFileSync(path.join(work, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const done = steps.filter((e) => e.status === "done").map((e) => `${e.function}:${e.step}`);
  console.log(`steps done: ${[...new Set(done)].sort().join(", ")}`);
  console.log(`journaled: ${fs.existsSync(path.join(work, "runs", "first", "journal.jsonl"))}`);
} finally {
  await session.close();
  fs.rmSync(work, { recursive: true, force: true });
}
