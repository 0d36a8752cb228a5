// Benchmarks of package `k8s` against the embedded cluster, and their targets:
//
// 1. The StopCockroachDB graph issues its independent list calls concurrently: with every list
//    request delayed by LATENCY ms, its five lists take about one latency, not five.
// 2. The overhead Ko adds per API call over calling @kubernetes/client-node directly: the same
//    N sequential reads, from Ko (k8s.Get) and from TypeScript (KubernetesObjectApi.read).
//
//   npm run build && node bench/k8s.js
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { createSession } from "../dist/api/session.js";
import { startCluster } from "../dist/cluster/index.js";
import { recordResults } from "./results.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, "../examples/cockroachdb.ko");
const LATENCY = 100;
const N = 400;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-bench-k8s-"));
const cluster = await startCluster({ kubeconfigPath: path.join(dir, "kubeconfig") });
// One session for every run: one connection, as a ko run has.
const session = createSession({ kubernetes: { kubeconfig: cluster.kubeconfigPath, yes: true }, stdout: () => {}, stderr: () => {} });
const compile = (entry) => session.compile(entry);
const results = {};

try {
  // --- 1. Concurrency of the StopCockroachDB graph -------------------------------------------
  const program = compile({ kind: "file", file: example });
  await session.run(program, "StartCockroachDB", {});
  const listsOnly = compile({
    kind: "text",
    pkgPath: "lists",
    path: "<lists>",
    text: `import "k8s"
// The list calls of StopCockroachDB, without the deletions that follow them.
Lists() {
	ns: "cockroachdb-tutorial"
	jobs: k8s.ListJobsByLabelSelector(namespace: ns, labelSelector: "app=cockroachdb")
	nodes: k8s.ListStatefulSetsByLabelSelector(namespace: ns, labelSelector: "app=cockroachdb")
	budgets: k8s.ListPodDisruptionBudgetsByLabelSelector(namespace: ns, labelSelector: "app=cockroachdb")
	services: k8s.ListServicesByLabelSelector(namespace: ns, labelSelector: "app=cockroachdb")
	volumes: k8s.ListPersistentVolumeClaimsByLabelSelector(namespace: ns, labelSelector: "app=cockroachdb")
	return: Len(Merge(jobs, nodes, budgets, services, volumes))
}`,
  });
  await session.run(listsOnly, "Lists", {}); // discovery, warm-up
  cluster.faults.latency({ verb: "list", latencyMs: LATENCY });
  let t0 = performance.now();
  const objects = await session.run(listsOnly, "Lists", {});
  const lists = performance.now() - t0;
  t0 = performance.now();
  await session.run(program, "StopCockroachDB", {});
  const stop = performance.now() - t0;
  cluster.faults.clear();
  results.concurrency = {
    latencyPerListMs: LATENCY,
    objectsListed: objects,
    fiveListsWallMs: Math.round(lists),
    fiveListsIfSequentialMs: 5 * LATENCY,
    stopCockroachDBWallMs: Math.round(stop),
    peakInflight: (await session.clusterConnection()).limiter.peak,
  };

  // --- 2. Overhead per call ------------------------------------------------------------------
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  // One keep-alive agent, as ko's connection has (src/k8s/connection.ts): without it client-node
  // makes an agent, so a TLS handshake, per request, and the comparison would time handshakes.
  const createAgent = kc.createAgent.bind(kc);
  let agent;
  kc.createAgent = (c, options) => (agent ??= createAgent(c, { ...options, keepAlive: true }));
  const client = k8s.KubernetesObjectApi.makeApiClient(kc);
  await client.create({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bench", namespace: "default" }, data: { a: "1", b: "2" } });
  const reads = compile({
    kind: "text",
    pkgPath: "reads",
    path: "<reads>",
    text: `import "k8s"
// Reads the config map once per element of over, one read after the other.
Reads(over) {
	return: Range(over: over, with: read).residue
}
read(carry, elem) {
	return: (carry: Len(k8s.Get(kind: "ConfigMap", namespace: "default", name: "bench", _after: carry)))
}`,
  });
  const over = Array.from({ length: N }, (_, i) => i);
  const direct = async () => {
    for (let i = 0; i < N; i++)
      await client.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bench", namespace: "default" } });
  };
  const viaKo = () => session.run(reads, "Reads", { over });
  const samples = { ko: [], direct: [] };
  await direct();
  await viaKo();
  for (let round = 0; round < 7; round++) {
    // Alternate, so that both see the same machine.
    t0 = performance.now();
    await direct();
    samples.direct.push(performance.now() - t0);
    t0 = performance.now();
    await viaKo();
    samples.ko.push(performance.now() - t0);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const perCall = (xs) => (median(xs) * 1000) / N;
  results.overhead = {
    calls: N,
    directMicrosecondsPerCall: Math.round(perCall(samples.direct)),
    koMicrosecondsPerCall: Math.round(perCall(samples.ko)),
    overheadPercent: Math.round((median(samples.ko) / median(samples.direct) - 1) * 1000) / 10,
  };
} finally {
  await session.close();
  await cluster.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify(results, null, 2));
const o = results.overhead;
recordResults([
  {
    name: `k8s: ${o.calls} sequential reads, Ko (k8s.Get) vs client-node, ms per call`,
    koMs: o.koMicrosecondsPerCall / 1000,
    baselineMs: o.directMicrosecondsPerCall / 1000,
    ratio: o.koMicrosecondsPerCall / o.directMicrosecondsPerCall,
  },
]);
const c = results.concurrency;
console.log(
  `StopCockroachDB's five lists: ${c.fiveListsWallMs} ms at ${LATENCY} ms each (sequential would be ${c.fiveListsIfSequentialMs} ms)  target: close to ${LATENCY}`,
);
console.log(
  `Ko overhead per API call: ${results.overhead.overheadPercent}% (${results.overhead.koMicrosecondsPerCall} µs vs ${results.overhead.directMicrosecondsPerCall} µs)  target: < 5%`,
);
