// Benchmarks of the embedded Kubernetes API server (`ko cluster`), through real HTTPS:
//   - create+get+delete round trips through @kubernetes/client-node, against the same client
//     talking to a minimal in-process HTTPS server that keeps config maps in a Map (the floor);
//   - time for a 3-replica StatefulSet to report ready with zero controller delays;
//   - a list of 10,000 pods with a label selector (target: under 100 ms).
//
//   npm run build && node bench/cluster.js
//
// `runClusterBench()` returns rows { name, koMs, baselineMs, ratio, target } for bench/run.js.
import * as https from "node:https";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@kubernetes/client-node";
import { newTlsIdentity } from "../dist/cluster/certificates.js";
import { startCluster } from "../dist/cluster/index.js";

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A CoreV1Api client of a server, through a kubeconfig written to `dir` (its URL, authority and token). */
function clientFor({ url, ca, token }, dir) {
  const file = path.join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  const caData = Buffer.from(ca).toString("base64");
  fs.writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: b\n  cluster:\n    server: ${url}\n    certificate-authority-data: ${caData}\ncontexts:\n- name: b\n  context: {cluster: b, user: b}\ncurrent-context: b\nusers:\n- name: b\n  user: {token: "${token}"}\n`,
  );
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(file);
  // One keep-alive agent, as ko's connection has (src/k8s/connection.ts): client-node would make
  // one per request, and every request would time a TLS handshake rather than the server.
  const create = kc.createAgent.bind(kc);
  let agent;
  kc.createAgent = (cluster, options) => (agent ??= create(cluster, { ...options, keepAlive: true }));
  return kc.makeApiClient(k8s.CoreV1Api);
}

/** GET over https with the server's authority and token; resolves with the body's text. */
function get({ url, ca, token }, p) {
  return new Promise((resolve, reject) => {
    https
      .get(url + p, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (d) => (text += d));
        res.on("end", () => resolve(text));
      })
      .on("error", reject);
  });
}

/**
 * The floor: a server that only stores and returns JSON, no Kubernetes semantics — over https
 * with a certificate of the same kind, as the embedded cluster is, so that both pay for TLS.
 */
async function minimalServer() {
  const store = new Map();
  let rv = 0;
  const tls = newTlsIdentity();
  const server = https.createServer({ keepAlive: true, key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const send = (code, obj) => {
        const text = JSON.stringify(obj);
        res.writeHead(code, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
        res.end(text);
      };
      const name = req.url.split("?")[0].split("/")[6];
      if (req.method === "POST") {
        const o = JSON.parse(Buffer.concat(chunks).toString());
        o.metadata.resourceVersion = String(++rv);
        store.set(o.metadata.name, o);
        return send(201, o);
      }
      const o = store.get(name);
      if (!o) return send(404, { kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound" });
      if (req.method === "DELETE") store.delete(name);
      send(200, o);
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `https://127.0.0.1:${server.address().port}`, ca: tls.ca, token: "-", close: () => new Promise((r) => server.close(r)) };
}

async function roundTrips(core, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const name = `rt-${i}`;
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name }, data: { i: String(i) } } });
    await core.readNamespacedConfigMap({ name, namespace: "default" });
    await core.deleteNamespacedConfigMap({ name, namespace: "default" });
  }
  return (performance.now() - t0) / n;
}

export async function runClusterBench({ log = () => {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ko-bench-"));
  const rows = [];
  const cluster = await startCluster();
  try {
    // 1. Round trips.
    const core = clientFor(cluster, dir);
    const floor = await minimalServer();
    const floorCore = clientFor(floor, dir);
    await roundTrips(core, 50);
    await roundTrips(floorCore, 50);
    const koRt = median([await roundTrips(core, 300), await roundTrips(core, 300), await roundTrips(core, 300)]);
    const baseRt = median([await roundTrips(floorCore, 300), await roundTrips(floorCore, 300), await roundTrips(floorCore, 300)]);
    await floor.close();
    rows.push({
      name: `create+get+delete via client-node (${Math.round(1000 / koRt)} round trips/s)`,
      koMs: koRt,
      baselineMs: baseRt,
      ratio: koRt / baseRt,
      target: "ratio < 3",
    });
    log(rows[rows.length - 1]);

    // 2. StatefulSet readiness, observed by the client.
    const appsApi = (() => {
      const kc = new k8s.KubeConfig();
      kc.loadFromString(cluster.kubeconfig);
      const create = kc.createAgent.bind(kc); // one keep-alive agent, as in clientFor
      let agent;
      kc.createAgent = (c, options) => (agent ??= create(c, { ...options, keepAlive: true }));
      return kc.makeApiClient(k8s.AppsV1Api);
    })();
    const stsTimes = [];
    for (let i = 0; i < 5; i++) {
      const name = `db-${i}`;
      const t0 = performance.now();
      await appsApi.createNamespacedStatefulSet({
        namespace: "default",
        body: {
          metadata: { name },
          spec: {
            serviceName: name,
            replicas: 3,
            selector: { matchLabels: { app: name } },
            template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "busybox" }] } },
            volumeClaimTemplates: [
              { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
            ],
          },
        },
      });
      for (;;) {
        const s = await appsApi.readNamespacedStatefulSetStatus({ name, namespace: "default" });
        if (s.status?.readyReplicas === 3) break;
        await new Promise((r) => setImmediate(r));
      }
      stsTimes.push(performance.now() - t0);
    }
    rows.push({
      name: "3-replica StatefulSet ready (zero delays)",
      koMs: median(stsTimes),
      baselineMs: NaN,
      ratio: NaN,
      target: "< 100 ms",
    });
    log(rows[rows.length - 1]);
  } finally {
    await cluster.close();
  }

  // 3. A list of 10,000 pods with a label selector (1% match), raw HTTP and client-node.
  const big = await startCluster({ controllers: false });
  try {
    const pods = big.registry.resolve("pods");
    for (let i = 0; i < 10_000; i++)
      big.api.create(
        pods,
        "default",
        {
          metadata: { name: `pod-${i}`, labels: { app: `app-${i % 100}`, tier: i % 2 ? "web" : "db" } },
          spec: { containers: [{ name: "c", image: "busybox:1.36", env: [{ name: "I", value: String(i) }] }] },
        },
        { fieldManager: "bench" },
      );
    await big.controllers.idle();
    const query = `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent("app=app-7,tier in (web)")}`;
    const fetchTimes = [];
    let count = 0;
    for (let i = 0; i < 15; i++) {
      const t0 = performance.now();
      const list = JSON.parse(await get(big, query));
      fetchTimes.push(performance.now() - t0);
      count = list.items.length;
    }
    rows.push({
      name: `list 10,000 pods, label selector (${count} match), raw HTTPS`,
      koMs: median(fetchTimes),
      baselineMs: NaN,
      ratio: NaN,
      target: "< 100 ms",
    });
    log(rows[rows.length - 1]);
    const core = clientFor(big, dir);
    const cnTimes = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      await core.listNamespacedPod({ namespace: "default", labelSelector: "app=app-7,tier in (web)" });
      cnTimes.push(performance.now() - t0);
    }
    rows.push({
      name: "list 10,000 pods, label selector, client-node",
      koMs: median(cnTimes),
      baselineMs: NaN,
      ratio: NaN,
      target: "< 100 ms",
    });
    log(rows[rows.length - 1]);
    const allTimes = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await get(big, "/api/v1/namespaces/default/pods");
      allTimes.push(performance.now() - t0);
    }
    rows.push({ name: "list all 10,000 pods, raw HTTPS (for scale)", koMs: median(allTimes), baselineMs: NaN, ratio: NaN, target: "-" });
    log(rows[rows.length - 1]);
  } finally {
    await big.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rows = await runClusterBench();
  const fmt = (x) => (Number.isFinite(x) ? x.toFixed(2) : "-");
  const table = [
    ["benchmark", "ko ms", "baseline ms", "ratio", "target"],
    ...rows.map((r) => [r.name, fmt(r.koMs), fmt(r.baselineMs), fmt(r.ratio), r.target]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
}
