/**
 * A run's requests to the API server share keep-alive connections (src/k8s/connection.ts): a TLS
 * handshake per request cost several times the request itself against the embedded cluster. A
 * TCP proxy stands between `ko run` and the cluster, TLS passing through it untouched, and counts
 * the connections opened for a run of many sequential reads.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { tempDir, testCluster } from "../cluster/helpers.js";
import { koRun, writeFile, type TestCluster } from "./helpers.js";

let c: TestCluster;
let proxy: net.Server;
let connections = 0;
let kubeconfig: string;

beforeAll(async () => {
  c = await testCluster();
  const target = new URL(c.url);
  proxy = net.createServer((client) => {
    connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const port = (proxy.address() as AddressInfo).port;
  // The server's certificate names 127.0.0.1, so the proxy's address is as good as the server's own.
  kubeconfig = path.join(tempDir("ko-reuse-"), "kubeconfig");
  fs.writeFileSync(kubeconfig, fs.readFileSync(c.kubeconfigPath!, "utf8").replace(c.url, `https://127.0.0.1:${port}`));
});

afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await c.close();
});

test("forty sequential reads of a run go over a few connections, not one each", { timeout: 90_000 }, async () => {
  const reads = Array.from({ length: 40 }, (_, i) => i + 1).join(", ");
  const file = writeFile(
    tempDir("ko-reuse-run-"),
    "reads.ko",
    `import "k8s"
Main() {
	made: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "reused", namespace: "default"), data: (a: "1")))
	return: Range(over: (${reads}), with: read, carry: made).residue
}
read(carry, elem) {
	return: (carry: k8s.Get(kind: "ConfigMap", namespace: "default", name: "reused", _after: carry).data.a)
}
`,
  );
  const r = await koRun({ ...c, kubeconfigPath: kubeconfig }, [file]);
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe('"1"\n');
  expect(connections).toBeGreaterThan(0);
  expect(connections).toBeLessThanOrEqual(4);
});
