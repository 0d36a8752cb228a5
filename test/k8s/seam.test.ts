/**
 * The seam (src/k8s/seam.ts): every request to the API server passes the guard, whoever makes it.
 * A counting proxy stands between Ko and the cluster and sees what really reaches the server; the
 * guard says what it admitted and sent. They must agree, request for request, over a run that uses
 * the convenience layer, the generated operations, watches and the client's own discovery — and
 * requests made past Ko, with the connection's KubeConfig, are checked too (or refused, for the
 * helpers that do not say what they request).
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as K from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession } from "../../src/api/session.js";
import { classify } from "../../src/k8s/requests.js";
import { tempDir, testCluster } from "../cluster/helpers.js";
import type { TestCluster } from "./helpers.js";

let c: TestCluster;
let proxy: http.Server;
/** What reached the server through the proxy: `METHOD /path`. */
const seen: string[] = [];
/** The same requests, as the classifier needs them. */
const raw: { method: string; url: string; contentType?: string }[] = [];
let kubeconfig: string;

beforeAll(async () => {
  c = await testCluster({ delays: { complete: 300 } });
  const target = new URL(c.url);
  proxy = http.createServer((req, res) => {
    seen.push(`${req.method} ${new URL(req.url!, c.url).pathname}`);
    raw.push({
      method: req.method!,
      url: new URL(req.url!, c.url).toString(),
      ...(req.headers["content-type"] ? { contentType: req.headers["content-type"] } : {}),
    });
    // The cluster speaks https with its own authority; Ko speaks plain http to the proxy.
    const upstream = https.request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, ca: c.ca },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  const port = (proxy.address() as AddressInfo).port;
  kubeconfig = path.join(tempDir("ko-seam-"), "kubeconfig");
  // Plain http to the proxy: the client sends its token over http only when told to skip TLS checks.
  const proxied = fs
    .readFileSync(c.kubeconfigPath!, "utf8")
    .replace(c.url, `http://127.0.0.1:${port}`)
    .replace(/certificate-authority-data: .*/, "insecure-skip-tls-verify: true");
  fs.writeFileSync(kubeconfig, proxied);
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await c.close();
});

const SCRIPT = `import "k8s"
Main() {
	ns: k8s.CreateNamespace("counted")
	cm: k8s.Apply(namespace: "counted", object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "a", labels: (app: "x")), data: (k: "v")), _after: ns)
	generated: k8s.CreateNamespacedConfigMap(namespace: "counted", body: (metadata: (name: "b", labels: (app: "x"))), _after: ns)
	read: k8s.Get(kind: "ConfigMap", namespace: "counted", name: "a", _after: cm)
	patched: k8s.PatchNamespacedConfigMap(name: "b", namespace: "counted", body: (op: "add", path: "/data", value: (k: "w")), _after: generated)
	job: k8s.Apply(
		namespace: "counted"
		object: (
			apiVersion: "batch/v1"
			kind: "Job"
			metadata: (name: "work")
			spec: (template: (spec: (restartPolicy: "Never", containers: (name: "c", image: "busybox"))))
		)
		_after: ns
	)
	done: k8s.WaitFor(kind: "Job", namespace: "counted", name: "work", condition: "Complete", timeout: "20s", _after: job)
	listed: k8s.ListNamespacedConfigMap(namespace: "counted", labelSelector: "app=x", _after: (read, patched))
	gone: k8s.DeleteCollectionNamespacedConfigMap(namespace: "counted", labelSelector: "app=x", _after: (listed, done))
	return: (listed: Len(listed.items), done: Len(done))
}
`;

describe("the seam", { timeout: 60_000 }, () => {
  test("every request the server sees was admitted by the guard, and the guard sent nothing the server did not see", async () => {
    const dir = tempDir("ko-seam-run-");
    const file = path.join(dir, "counted.ko");
    fs.writeFileSync(file, SCRIPT);
    const session = createSession({ kubernetes: { kubeconfig, yes: true }, stdout: () => {}, stderr: () => {} });
    try {
      const result = await session.run(session.compileFile(file), "Main");
      expect(result).toEqual({ listed: 2, done: 1 });
      const connection = await session.clusterConnection();
      const guard = connection.guard;
      expect(seen.length).toBeGreaterThan(20);
      expect(guard.sentCount).toBe(seen.length);
      // Every kind of request went through: the client's discovery, reads, a watch, writes of both layers.
      for (const verb of ["discovery", "get", "list", "watch", "create", "patch", "deletecollection"])
        expect(guard.requests.get(verb) ?? 0, verb).toBeGreaterThan(0);
      // And each is one the classifier places (so the policy could judge it).
      for (const r of raw) expect(classify(r).type, `${r.method} ${r.url}`).not.toBe("unplaced");
      expect(seen.some((s) => s.includes("/deletecollection") || s.startsWith("DELETE /api/v1/namespaces/counted/configmaps"))).toBe(true);

      // Past Ko: a client made from the connection's KubeConfig passes the same guard, which (outside a
      // planned run, on a cluster that is not the run's own) lets reads through and refuses writes.
      const before = seen.length;
      const core = connection.kc.makeApiClient(K.CoreV1Api);
      expect((await core.listNamespace()).items.some((n) => n.metadata?.name === "counted")).toBe(true);
      expect(seen.length).toBe(before + 1);
      await expect(core.createNamespace({ body: { metadata: { name: "sneaky" } } })).rejects.toMatchObject({
        message: expect.stringContaining("writes to it are sent only in a run that was planned first"),
      });
      // Even on a transport of its own, a client with this KubeConfig is checked before it sends.
      const own = new K.CoreV1Api(
        K.createConfiguration({
          baseServer: new K.ServerConfiguration(connection.kc.getCurrentCluster()!.server, {}),
          authMethods: { default: connection.kc },
        }),
      );
      await expect(own.deleteNamespace({ name: "counted" })).rejects.toMatchObject({
        message: expect.stringContaining("refusing delete Namespace counted"),
      });
      // The helpers that do not say what they request are refused before they connect.
      await expect(new K.Log(connection.kc).log("counted", "x", "c", process.stdout)).rejects.toMatchObject({
        message: expect.stringContaining("refusing a request made through a client-node helper"),
      });
      expect(seen.length).toBe(before + 1);
      expect(guard.sentCount).toBe(seen.length);
    } finally {
      await session.close();
    }
  });
});
