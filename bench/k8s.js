// Benchmarks of package `k8s` against the embedded cluster, and their targets:
//
// 1. The StopCockroachDB graph issues its independent list calls concurrently: with every list
//    request delayed by LATENCY ms, its five lists take about one latency, not five.
// 2. The overhead Ko adds per API call over calling @kubernetes/client-node directly: the same
//    N sequential reads, from Ko (k8s.Get) and from TypeScript (KubernetesObjectApi.read), each
//    giving the object decoded (a Ko value; the client's model object); and N sequential lists
//    by label selector (k8s.List; KubernetesObjectApi.list), each giving every object decoded.
//    The cluster is reached through a kubeconfig, so Ko's run is planned first as against any
//    cluster not its own (a run that only reads is its own plan: nothing runs twice). And the same
//    reads and lists through Ko's Kubernetes layer alone — the session's connection, called as
//    the bodies of k8s.Get and k8s.List call it, without the evaluator — which tells the
//    layer's share of the overhead from the evaluator's. Ko sends requests with a transport of
//    its own (src/k8s/transport.ts: Node's HTTP client rather than client-node's node-fetch), which
//    is faster than client-node's; so the reads and lists are also compared with client-node
//    sending through that same transport, which tells what Ko adds when both send alike.
// 3. The same for writes: R sequential create + get + delete round trips of a config map through
//    the generated operations (k8s.CreateNamespacedConfigMap...) and through CoreV1Api, against the
//    embedded cluster a session starts for its own runs (where each request is checked against the
//    policy and sent, without a planning pass: against another cluster a run that writes is planned
//    first, and its writes are sent twice, once as dry runs).
//
//   npm run build && node bench/k8s.js
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { createSession } from "../dist/api/session.js";
import { startCluster } from "../dist/cluster/index.js";
import { send as koTransport } from "../dist/k8s/transport.js";
import { recordResults } from "./results.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const example = path.join(here, "../examples/cockroachdb.ko");
const LATENCY = 100;
const N = 400;
const R = 100;
// Rounds of each side before the timed ones: V8 takes several to compile either side's hot code,
// and without them the comparison is of how soon each is compiled.
const WARM_UP = 5;
const ROUNDS = 7;

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
  for (const name of ["b1", "b2", "b3"])
    await client.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default", labels: { bench: "list" } },
      data: { name },
    });
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
}
// Lists the config maps labelled bench=list once per element of over, one list after the other.
Lists(over) {
	return: Range(over: over, with: list).residue
}
list(carry, elem) {
	return: (carry: Len(k8s.List(kind: "ConfigMap", namespace: "default", labelSelector: "bench=list", _after: carry)))
}`,
  });
  const over = Array.from({ length: N }, (_, i) => i);
  const cpuSince = (c0) => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  /**
   * Times the two sides in turn (so that both see the same machine), after WARM_UP rounds of each:
   * wall time, and the process's CPU time (the client's and the in-process server's) — on a machine
   * others share, CPU time says more about the work each side does than the wall clock.
   */
  const compare = async (direct, viaKo, calls) => {
    const samples = { ko: [], direct: [] };
    const cpu = { ko: [], direct: [] };
    for (let round = 0; round < WARM_UP; round++) {
      await direct();
      await viaKo();
    }
    for (let round = 0; round < ROUNDS; round++) {
      let c0 = process.cpuUsage();
      t0 = performance.now();
      await direct();
      samples.direct.push(performance.now() - t0);
      cpu.direct.push(cpuSince(c0));
      c0 = process.cpuUsage();
      t0 = performance.now();
      await viaKo();
      samples.ko.push(performance.now() - t0);
      cpu.ko.push(cpuSince(c0));
    }
    const perCall = (xs) => Math.round((median(xs) * 1000) / calls);
    return {
      calls,
      directMicrosecondsPerCall: perCall(samples.direct),
      koMicrosecondsPerCall: perCall(samples.ko),
      overheadPercent: Math.round((median(samples.ko) / median(samples.direct) - 1) * 1000) / 10,
      directCpuMicrosecondsPerCall: perCall(cpu.direct),
      koCpuMicrosecondsPerCall: perCall(cpu.ko),
      cpuOverheadPercent: Math.round((median(cpu.ko) / median(cpu.direct) - 1) * 1000) / 10,
    };
  };
  /** N sequential reads of the config map, and N sequential lists by label, through a client-node object API. */
  const callsThrough = (api) => ({
    reads: async () => {
      for (let i = 0; i < N; i++)
        await api.read({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "bench", namespace: "default" } });
    },
    lists: async () => {
      for (let i = 0; i < N; i++) await api.list("v1", "ConfigMap", "default", undefined, undefined, undefined, undefined, "bench=list");
    },
  });
  const clientNode = callsThrough(client);
  const koReads = () => session.run(reads, "Reads", { over });
  const koLists = () => session.run(reads, "Lists", { over });
  results.overhead = await compare(clientNode.reads, koReads, N);
  results.listOverhead = await compare(clientNode.lists, koLists, N);
  // client-node as above, sending through Ko's transport instead of its own.
  const onKoTransport = k8s.wrapHttpLibrary({
    send: async (ctx) => {
      const { status, headers, text } = await koTransport(ctx);
      return new k8s.ResponseContext(status, headers, { text: async () => text, binary: async () => Buffer.from(text) });
    },
  });
  const sameTransport = callsThrough(
    new k8s.KubernetesObjectApi(
      k8s.createConfiguration({
        baseServer: new k8s.ServerConfiguration(kc.getCurrentCluster().server, {}),
        authMethods: { default: kc },
        httpApi: onKoTransport,
      }),
    ),
  );
  results.overheadSameTransport = await compare(sameTransport.reads, koReads, N);
  results.listOverheadSameTransport = await compare(sameTransport.lists, koLists, N);
  // The connection as a call's body sees it (forCall), under a signal that never aborts.
  const layer = (await session.clusterConnection()).forCall(new AbortController().signal);
  results.layerOverhead = await compare(
    clientNode.reads,
    async () => {
      for (let i = 0; i < N; i++) await layer.get("ConfigMap", "bench", "default", undefined);
    },
    N,
  );
  results.layerListOverhead = await compare(
    clientNode.lists,
    async () => {
      for (let i = 0; i < N; i++) await layer.list("ConfigMap", "default", "bench=list");
    },
    N,
  );

  // --- 3. Create + get + delete, on the session's own embedded cluster ------------------------
  const own = createSession({ kubernetes: { cluster: "embedded" }, stdout: () => {}, stderr: () => {} });
  try {
    const trips = own.compile({
      kind: "text",
      pkgPath: "trips",
      path: "<trips>",
      text: `import "k8s"
// Creates, reads and deletes a config map of each name in names, one after the other.
RoundTrips(names) {
	return: Range(over: names, with: trip).residue
}
trip(carry, elem) {
	made: k8s.CreateNamespacedConfigMap(namespace: "default", body: (metadata: (name: elem), data: (i: elem)), _after: carry)
	read: k8s.ReadNamespacedConfigMap(name: elem, namespace: "default", _after: made)
	gone: k8s.DeleteNamespacedConfigMap(name: elem, namespace: "default", _after: read)
	return: (carry: gone.status)
}`,
    });
    const names = Array.from({ length: R }, (_, i) => `rt-${i}`);
    await own.run(trips, "RoundTrips", { names }); // starts the cluster, opens the connection
    const ownKc = new k8s.KubeConfig();
    ownKc.loadFromString((await own.clusterConnection()).cluster.kubeconfig);
    const createOwnAgent = ownKc.createAgent.bind(ownKc);
    let ownAgent;
    ownKc.createAgent = (c, options) => (ownAgent ??= createOwnAgent(c, { ...options, keepAlive: true }));
    const core = ownKc.makeApiClient(k8s.CoreV1Api);
    const directTrips = async () => {
      for (const name of names) {
        await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name }, data: { i: name } } });
        await core.readNamespacedConfigMap({ name, namespace: "default" });
        await core.deleteNamespacedConfigMap({ name, namespace: "default" });
      }
    };
    const koTrips = () => own.run(trips, "RoundTrips", { names });
    const t = await compare(directTrips, koTrips, R);
    results.roundTrips = {
      roundTrips: R,
      directMicrosecondsPerRoundTrip: t.directMicrosecondsPerCall,
      koMicrosecondsPerRoundTrip: t.koMicrosecondsPerCall,
      overheadPercent: t.overheadPercent,
      cpuOverheadPercent: t.cpuOverheadPercent,
    };
  } finally {
    await own.close();
  }
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
const l = results.listOverhead;
recordResults([
  {
    name: `k8s: ${l.calls} sequential lists by label selector (3 objects each), Ko (k8s.List) vs client-node, ms per call`,
    koMs: l.koMicrosecondsPerCall / 1000,
    baselineMs: l.directMicrosecondsPerCall / 1000,
    ratio: l.koMicrosecondsPerCall / l.directMicrosecondsPerCall,
  },
]);
const so = results.overheadSameTransport;
const sl = results.listOverheadSameTransport;
recordResults([
  {
    name: `k8s: ${so.calls} sequential reads, Ko (k8s.Get) vs client-node sending through Ko's transport, ms per call`,
    koMs: so.koMicrosecondsPerCall / 1000,
    baselineMs: so.directMicrosecondsPerCall / 1000,
    ratio: so.koMicrosecondsPerCall / so.directMicrosecondsPerCall,
  },
  {
    name: `k8s: ${sl.calls} sequential lists by label selector (3 objects each), Ko (k8s.List) vs client-node sending through Ko's transport, ms per call`,
    koMs: sl.koMicrosecondsPerCall / 1000,
    baselineMs: sl.directMicrosecondsPerCall / 1000,
    ratio: sl.koMicrosecondsPerCall / sl.directMicrosecondsPerCall,
  },
]);
const t = results.roundTrips;
recordResults([
  {
    name: `k8s: ${t.roundTrips} create+get+delete round trips, Ko (generated operations, own embedded cluster) vs client-node, ms per round trip`,
    koMs: t.koMicrosecondsPerRoundTrip / 1000,
    baselineMs: t.directMicrosecondsPerRoundTrip / 1000,
    ratio: t.koMicrosecondsPerRoundTrip / t.directMicrosecondsPerRoundTrip,
  },
]);
const c = results.concurrency;
console.log(
  `StopCockroachDB's five lists: ${c.fiveListsWallMs} ms at ${LATENCY} ms each (sequential would be ${c.fiveListsIfSequentialMs} ms)  target: close to ${LATENCY}`,
);
console.log(
  `Ko overhead per API call: ${o.overheadPercent}% (${o.koMicrosecondsPerCall} µs vs ${o.directMicrosecondsPerCall} µs; CPU time ${o.cpuOverheadPercent}%, ${o.koCpuMicrosecondsPerCall} µs vs ${o.directCpuMicrosecondsPerCall} µs)  target: < 5%`,
);
console.log(
  `Ko overhead per list: ${l.overheadPercent}% (${l.koMicrosecondsPerCall} µs vs ${l.directMicrosecondsPerCall} µs; CPU time ${l.cpuOverheadPercent}%, ${l.koCpuMicrosecondsPerCall} µs vs ${l.directCpuMicrosecondsPerCall} µs)  target: < 5%`,
);
const layerLine = (what, r) =>
  `Ko's Kubernetes layer alone, per ${what}: ${r.overheadPercent}% (${r.koMicrosecondsPerCall} µs vs ${r.directMicrosecondsPerCall} µs; CPU time ${r.cpuOverheadPercent}%, ${r.koCpuMicrosecondsPerCall} µs vs ${r.directCpuMicrosecondsPerCall} µs)`;
const sameLine = (what, r) =>
  `Ko overhead per ${what}, client-node sending through Ko's transport: ${r.overheadPercent}% (${r.koMicrosecondsPerCall} µs vs ${r.directMicrosecondsPerCall} µs; CPU time ${r.cpuOverheadPercent}%)`;
console.log(sameLine("API call", results.overheadSameTransport));
console.log(sameLine("list", results.listOverheadSameTransport));
console.log(layerLine("read", results.layerOverhead));
console.log(layerLine("list", results.layerListOverhead));
console.log(
  `Ko overhead per create+get+delete: ${t.overheadPercent}% (${t.koMicrosecondsPerRoundTrip} µs vs ${t.directMicrosecondsPerRoundTrip} µs; CPU time ${t.cpuOverheadPercent}%)`,
);
