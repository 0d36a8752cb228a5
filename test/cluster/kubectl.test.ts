/** The real kubectl against the cluster: each test has its own cluster (port), kubeconfig and cache. */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Cluster } from "../../src/cluster/index.js";
import { findKubectl, kubectl, kubectlMinor, testCluster, waitFor } from "./helpers.js";

const bin = findKubectl();
// A machine without kubectl gets it from test/cluster/kubectl.sh; only an explicit opt-out skips these tests.
const skip = !bin && process.env.KO_SKIP_KUBECTL === "1";

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {tier: web}
data:
  mode: fast
`;

let c: Cluster & { dir: string };
beforeEach(async () => {
  c = await testCluster();
});
afterEach(() => c.close());

const k = (args: string[], input?: string) => kubectl(c, args, input !== undefined ? { input } : {});
/** Splits a kubectl table into rows of columns (split on runs of 2+ spaces). */
const table = (out: string) =>
  out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s{2,}/));

describe.skipIf(skip)("kubectl", () => {
  test("get prints the server's table columns", async () => {
    expect((await k(["apply", "-f", "-"], MANIFEST)).code).toBe(0);
    await waitFor(
      "deployment ready",
      async () => (await k(["get", "deploy", "web", "-o", "jsonpath={.status.readyReplicas}"])).stdout === "2",
    );
    const pods = table((await k(["get", "pods"])).stdout);
    expect(pods[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    expect(pods.slice(1).map((r) => r.slice(1, 4))).toEqual([
      ["1/1", "Running", "0"],
      ["1/1", "Running", "0"],
    ]);
    expect(pods[1]![0]).toMatch(/^web-[a-z0-9]{10}-[a-z0-9]{5}$/);
    const wide = table((await k(["get", "pods", "-o", "wide"])).stdout);
    expect(wide[0]).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    expect(wide[1]![5]).toMatch(/^10\.244\.0\.\d+$/);
    expect(wide[1]![6]).toBe("ko-node");
    const deploy = table((await k(["get", "deployments"])).stdout);
    expect(deploy[0]).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    expect(deploy[1]!.slice(0, 4)).toEqual(["web", "2/2", "2", "2"]);
    const svc = table((await k(["get", "svc", "web"])).stdout);
    expect(svc[0]).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(svc[1]!.slice(0, 5)).toEqual(["web", "ClusterIP", expect.stringMatching(/^10\./), "<none>", "80/TCP"]);
    const all = (await k(["get", "all"])).stdout;
    expect(all).toContain("deployment.apps/web");
    expect(all).toContain("replicaset.apps/web-");
    const missing = await k(["get", "pod", "nope"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): pods "nope" not found');
  });

  test("apply -f twice client-side, then --server-side", async () => {
    const first = await k(["apply", "-f", "-"], MANIFEST);
    expect(first.stdout.trim().split("\n")).toEqual(["deployment.apps/web created", "service/web created", "configmap/settings created"]);
    const second = await k(["apply", "-f", "-"], MANIFEST);
    expect(second.stdout.trim().split("\n")).toEqual([
      "deployment.apps/web unchanged",
      "service/web unchanged",
      "configmap/settings unchanged",
    ]);
    expect(second.stderr).toBe("");
    const changed = await k(["apply", "-f", "-"], MANIFEST.replace("mode: fast", "mode: slow").replace("replicas: 2", "replicas: 3"));
    expect(changed.stdout).toContain("deployment.apps/web configured");
    expect(changed.stdout).toContain("configmap/settings configured");
    expect((await k(["get", "cm", "settings", "-o", "jsonpath={.data.mode}"])).stdout).toBe("slow");
    // Values changed by client-side apply belong to kubectl-client-side-apply: applying the same
    // values server-side shares them, applying others would conflict (as on a real cluster).
    const conflicting = await k(["apply", "--server-side", "-f", "-"], MANIFEST);
    expect(conflicting.stderr).toContain(
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    expect(conflicting.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.mode');
    const ssa = await k(
      ["apply", "--server-side", "-f", "-"],
      MANIFEST.replace("mode: fast", "mode: slow").replace("replicas: 2", "replicas: 3"),
    );
    expect(ssa.stderr).toBe("");
    expect(ssa.stdout.trim().split("\n")).toEqual([
      "deployment.apps/web serverside-applied",
      "service/web serverside-applied",
      "configmap/settings serverside-applied",
    ]);
    expect((await k(["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"])).stdout).toBe("3");
    // kubectl hides managedFields from 1.21 on unless asked.
    const showManaged = kubectlMinor() >= 21 ? ["--show-managed-fields"] : [];
    const managers = JSON.parse((await k(["get", "cm", "settings", "-o", "json", ...showManaged])).stdout).metadata.managedFields.map(
      (m: any) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toContain("kubectl/Apply");
    // Another manager owning a field: a conflict, then --force-conflicts.
    // kubectl 1.26+ moved kubectl-client-side-apply's fields to "kubectl" after its first
    // server-side apply; older ones leave both managers owning .data.mode.
    expect(
      (await k(["apply", "--server-side", "--field-manager=other", "-f", "-"], MANIFEST.replace("mode: fast", "mode: other"))).stderr,
    ).toMatch(
      /Apply failed with (1 conflict: conflict with "kubectl": \.data\.mode|2 conflicts: conflicts with "kubectl":\n- \.data\.mode\nconflicts with "kubectl-client-side-apply" using v1:\n- \.data\.mode)/,
    );
    expect(
      (
        await k(
          ["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-"],
          MANIFEST.replace("mode: fast", "mode: other"),
        )
      ).code,
    ).toBe(0);
    expect((await k(["get", "cm", "settings", "-o", "jsonpath={.data.mode}"])).stdout).toBe("other");
  });

  test("delete -l deletes exactly the labelled objects", async () => {
    const cms = ["a", "b", "c"]
      .map((n, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  labels: {tier: ${i < 2 ? "web" : "db"}}\n`)
      .join("---\n");
    expect((await k(["apply", "-f", "-"], cms)).code).toBe(0);
    const del = await k(["delete", "configmaps", "-l", "tier=web"]);
    expect(del.stdout.trim().split("\n")).toEqual(['configmap "a" deleted', 'configmap "b" deleted']);
    const left = (await k(["get", "cm", "-o", "name"])).stdout.trim().split("\n");
    expect(left).toEqual(["configmap/c", "configmap/kube-root-ca.crt"]);
  });

  test("wait --for=condition=Ready and for a Job to complete", async () => {
    await c.close();
    c = await testCluster({ delays: { ready: 300, complete: 300 } });
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: m, image: busybox}\n`;
    expect((await k(["apply", "-f", "-"], MANIFEST + "---\n" + job)).code).toBe(0);
    const notYet = await k(["wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=50ms"]);
    expect(notYet.code).not.toBe(0);
    const waited = await k(["wait", "--for=condition=Ready", "pod", "-l", "app=web", "--timeout=10s"]);
    expect(waited.code).toBe(0);
    expect(waited.stdout.trim().split("\n")).toHaveLength(2);
    expect(waited.stdout).toMatch(/pod\/web-\S+ condition met/);
    const complete = await k(["wait", "--for=condition=Complete", "job/migrate", "--timeout=10s"]);
    expect(complete.stdout.trim()).toBe("job.batch/migrate condition met");
    expect((await k(["rollout", "status", "deployment/web", "--timeout=10s"])).stdout.trim()).toBe(
      'deployment "web" successfully rolled out',
    );
  });

  test("get -w streams changes as table rows", async () => {
    const child = spawn(bin!, ["get", "pods", "-w", "--cache-dir", path.join(c.dir, "kube-cache")], {
      env: { ...process.env, KUBECONFIG: c.kubeconfigPath!, HOME: c.dir },
    });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    try {
      // kubectl prints nothing for an empty list: wait until its watch is open on the server.
      await waitFor("watch open", () => c.faults.watches.size > 0, 10_000);
      expect(
        (
          await k(
            ["apply", "-f", "-"],
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: watched\nspec:\n  containers:\n  - {name: c, image: busybox}\n",
          )
        ).code,
      ).toBe(0);
      await waitFor("running and ready row", () => /watched\s+1\/1\s+Running\s+0/.test(out), 10_000);
      expect((await k(["delete", "pod", "watched", "--wait=true"])).code).toBe(0);
      await waitFor("terminating row", () => /watched\s+\S+\s+Terminating/.test(out), 10_000);
      const rows = out.split("\n").filter((l) => l.startsWith("watched"));
      expect(rows[0]).toMatch(/^watched\s+0\/1\s+Pending\s+0/);
      expect(out.split("\n").filter((l) => l.startsWith("NAME"))).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
  });

  test("scale, patch and label work through their own request shapes", async () => {
    expect((await k(["apply", "-f", "-"], MANIFEST)).code).toBe(0);
    expect((await k(["scale", "deployment/web", "--replicas=3"])).stdout.trim()).toBe("deployment.apps/web scaled");
    await waitFor("3 pods", async () => (await k(["get", "pods", "-l", "app=web", "-o", "name"])).stdout.trim().split("\n").length === 3);
    expect((await k(["label", "cm", "settings", "extra=yes"])).stdout.trim()).toBe("configmap/settings labeled");
    expect((await k(["patch", "cm", "settings", "-p", '{"data":{"more":"1"}}'])).stdout.trim()).toBe("configmap/settings patched");
    expect((await k(["patch", "cm", "settings", "--type=json", "-p", '[{"op":"remove","path":"/data/more"}]'])).stdout.trim()).toBe(
      "configmap/settings patched",
    );
    expect(JSON.parse((await k(["get", "cm", "settings", "-o", "json"])).stdout)).toMatchObject({
      metadata: { labels: { tier: "web", extra: "yes" } },
      data: { mode: "fast" },
    });
  });

  test("create generators send protobuf bodies, which the server decodes", async () => {
    expect((await k(["create", "namespace", "team"])).stdout.trim()).toBe("namespace/team created");
    expect((await k(["-n", "team", "create", "deployment", "api", "--image=nginx:1.25", "--replicas=2", "--port=8080"])).code).toBe(0);
    expect(
      (await k(["-n", "team", "create", "secret", "generic", "creds", "--from-literal=user=admin", "--type=example.com/basic"])).code,
    ).toBe(0);
    // kubectl before 1.21 creates CronJobs as batch/v1beta1, which a 1.32 server no longer serves.
    const cron = kubectlMinor() >= 21;
    if (cron) {
      expect((await k(["-n", "team", "create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date"])).code).toBe(
        0,
      );
      expect((await k(["-n", "team", "create", "job", "now", "--from=cronjob/nightly"])).code).toBe(0);
    }
    expect((await k(["-n", "team", "expose", "deployment", "api", "--port=80", "--target-port=8080"])).code).toBe(0);
    const d = JSON.parse((await k(["-n", "team", "get", "deploy", "api", "-o", "json"])).stdout);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: "nginx",
      image: "nginx:1.25",
      ports: [{ containerPort: 8080, protocol: "TCP" }],
    });
    const secret = JSON.parse((await k(["-n", "team", "get", "secret", "creds", "-o", "json"])).stdout);
    expect(secret).toMatchObject({ type: "example.com/basic", data: { user: Buffer.from("admin").toString("base64") } });
    if (cron) {
      const job = JSON.parse((await k(["-n", "team", "get", "job", "now", "-o", "json"])).stdout);
      expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: "CronJob", name: "nightly" });
      expect(job.spec.template.spec.containers[0].command).toEqual(["date"]);
    }
    const svc = JSON.parse((await k(["-n", "team", "get", "svc", "api", "-o", "json"])).stdout);
    expect(svc.spec).toMatchObject({ selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] });
  });
});
