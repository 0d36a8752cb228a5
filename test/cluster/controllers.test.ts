/** The simulated controllers, observed through the API as a client would. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Cluster, KObject } from "../../src/cluster/index.js";
import { http, testCluster, waitFor } from "./helpers.js";

let c: Cluster & { dir: string };
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.close());

const get = async (p: string) => (await http(c, "GET", p)).body;
const ready = (p: KObject) => (p.status?.conditions ?? []).some((x: KObject) => x.type === "Ready" && x.status === "True");
const template = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: [{ name: "main", image: "busybox:1.36" }] },
});

async function ns(name: string): Promise<void> {
  expect((await http(c, "POST", "/api/v1/namespaces", { metadata: { name } })).status).toBe(201);
}

describe("defaults of a new cluster", () => {
  test("four namespaces, the kubernetes service, a ready node, per-namespace defaults", async () => {
    const names = (await get("/api/v1/namespaces")).items.map((n: KObject) => n.metadata.name);
    expect(names).toEqual(["default", "kube-node-lease", "kube-public", "kube-system"]);
    const svc = await get("/api/v1/namespaces/default/services/kubernetes");
    expect(svc.spec.clusterIP).toBe("10.96.0.1");
    const node = (await get("/api/v1/nodes")).items[0];
    expect(node.status.conditions[0]).toMatchObject({ type: "Ready", status: "True" });
    await ns("fresh");
    await waitFor(
      "default service account",
      async () => (await http(c, "GET", "/api/v1/namespaces/fresh/serviceaccounts/default")).status === 200,
    );
    expect((await get("/api/v1/namespaces/fresh")).metadata.labels).toEqual({ "kubernetes.io/metadata.name": "fresh" });
  });
});

describe("pods and services", () => {
  test("a pod is scheduled, started and becomes Ready", async () => {
    await http(c, "POST", "/api/v1/namespaces/default/pods", {
      metadata: { name: "solo", labels: { app: "solo" } },
      spec: template({}).spec,
    });
    const p = await waitFor("pod ready", async () => {
      const p = await get("/api/v1/namespaces/default/pods/solo");
      return ready(p) && p;
    });
    expect(p.spec.nodeName).toBe("ko-node");
    expect(p.status.phase).toBe("Running");
    expect(p.status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(p.status.containerStatuses[0]).toMatchObject({
      name: "main",
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: {} },
    });
    expect(p.status.conditions.map((x: KObject) => x.type).sort()).toEqual([
      "ContainersReady",
      "Initialized",
      "PodReadyToStartContainers",
      "PodScheduled",
      "Ready",
    ]);
    const byNode = await get("/api/v1/pods?fieldSelector=spec.nodeName%3Dko-node,status.phase%3DRunning");
    expect(byNode.items.map((x: KObject) => x.metadata.name)).toContain("solo");
  });

  test("services get cluster IPs; headless ones get None; IPs cannot change", async () => {
    const svc = (
      await http(c, "POST", "/api/v1/namespaces/default/services", {
        metadata: { name: "web" },
        spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
      })
    ).body;
    expect(svc.spec.clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(svc.spec.clusterIPs).toEqual([svc.spec.clusterIP]);
    expect(svc.spec.ports[0]).toEqual({ port: 80, protocol: "TCP", targetPort: 80 });
    const headless = (
      await http(c, "POST", "/api/v1/namespaces/default/services", {
        metadata: { name: "db" },
        spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 5432 }] },
      })
    ).body;
    expect(headless.spec.clusterIPs).toEqual(["None"]);
    const changed = await http(
      c,
      "PATCH",
      "/api/v1/namespaces/default/services/web",
      { spec: { clusterIP: "10.96.0.99" } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(changed.status).toBe(422);
  });
});

describe("workloads", () => {
  test("StatefulSet: ordered pods with identity labels, claims from templates, status counters", async () => {
    await ns("sts");
    await http(c, "POST", "/apis/apps/v1/namespaces/sts/statefulsets", {
      metadata: { name: "db" },
      spec: {
        serviceName: "db",
        replicas: 3,
        selector: { matchLabels: { app: "db" } },
        template: template({ app: "db" }),
        volumeClaimTemplates: [
          { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } },
        ],
      },
    });
    const ss = await waitFor("3 ready replicas", async () => {
      const s = await get("/apis/apps/v1/namespaces/sts/statefulsets/db");
      return s.status?.readyReplicas === 3 && s;
    });
    expect(ss.status).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      availableReplicas: 3,
      observedGeneration: 1,
    });
    expect(ss.status.currentRevision).toBe(ss.status.updateRevision);
    const pods = (await get("/api/v1/namespaces/sts/pods")).items;
    expect(pods.map((p: KObject) => p.metadata.name)).toEqual(["db-0", "db-1", "db-2"]);
    // Ordered: each pod was created after its predecessor was ready.
    const created = pods.map((p: KObject) => Number(p.metadata.resourceVersion));
    expect(pods[1].metadata.labels).toMatchObject({
      app: "db",
      "statefulset.kubernetes.io/pod-name": "db-1",
      "apps.kubernetes.io/pod-index": "1",
      "controller-revision-hash": ss.status.updateRevision,
    });
    expect(pods[1].spec).toMatchObject({ hostname: "db-1", subdomain: "db" });
    expect(pods[1].spec.volumes).toEqual([{ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } }]);
    expect(created.length).toBe(3);
    const claims = (await get("/api/v1/namespaces/sts/persistentvolumeclaims")).items;
    expect(claims.map((p: KObject) => [p.metadata.name, p.status.phase])).toEqual([
      ["data-db-0", "Bound"],
      ["data-db-1", "Bound"],
      ["data-db-2", "Bound"],
    ]);
    expect(claims[0].metadata.labels).toEqual({ app: "db" });
    // Scale through /scale: the highest ordinal goes first.
    const scaled = await http(
      c,
      "PATCH",
      "/apis/apps/v1/namespaces/sts/statefulsets/db/scale",
      { spec: { replicas: 1 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(scaled.body).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      spec: { replicas: 1 },
      status: { selector: "app=db" },
    });
    await waitFor("scaled down", async () => (await get("/api/v1/namespaces/sts/pods")).items.length === 1);
    expect((await get("/api/v1/namespaces/sts/pods")).items[0].metadata.name).toBe("db-0");
  });

  test("Deployment → ReplicaSet → pods; conditions; rollout to a new template", async () => {
    await ns("dep");
    const body = {
      metadata: { name: "web" },
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: template({ app: "web" }) },
    };
    await http(c, "POST", "/apis/apps/v1/namespaces/dep/deployments", body);
    const d = await waitFor("available", async () => {
      const d = await get("/apis/apps/v1/namespaces/dep/deployments/web");
      return (
        d.status?.availableReplicas === 2 &&
        d.status.conditions?.find((x: KObject) => x.type === "Progressing")?.reason === "NewReplicaSetAvailable" &&
        d
      );
    });
    expect(d.status).toMatchObject({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, observedGeneration: 1 });
    expect(d.status.conditions.map((x: KObject) => [x.type, x.status, x.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
    const rs = (await get("/apis/apps/v1/namespaces/dep/replicasets")).items;
    expect(rs).toHaveLength(1);
    const hash = rs[0].metadata.labels["pod-template-hash"];
    expect(rs[0].metadata.name).toBe(`web-${hash}`);
    expect(rs[0].metadata.ownerReferences[0]).toMatchObject({
      kind: "Deployment",
      name: "web",
      controller: true,
      blockOwnerDeletion: true,
    });
    const pods = (await get("/api/v1/namespaces/dep/pods")).items;
    expect(pods.every((p: KObject) => p.metadata.name.startsWith(`web-${hash}-`) && p.metadata.labels["pod-template-hash"] === hash)).toBe(
      true,
    );
    await http(
      c,
      "PATCH",
      "/apis/apps/v1/namespaces/dep/deployments/web",
      { spec: { template: { spec: { containers: [{ name: "main", image: "busybox:1.37" }] } } } },
      { "content-type": "application/strategic-merge-patch+json" },
    );
    await waitFor("rolled out", async () => {
      const d = await get("/apis/apps/v1/namespaces/dep/deployments/web");
      const pods = (await get("/api/v1/namespaces/dep/pods")).items;
      return (
        d.status.observedGeneration === 2 &&
        d.status.updatedReplicas === 2 &&
        d.status.replicas === 2 &&
        pods.length === 2 &&
        pods.every((p: KObject) => p.spec.containers[0].image === "busybox:1.37")
      );
    });
    expect((await get("/apis/apps/v1/namespaces/dep/deployments/web")).metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
  });

  test("Job → pod → Succeeded → Complete; a failing job reaches its backoff limit", async () => {
    await ns("jobs");
    await http(c, "POST", "/apis/batch/v1/namespaces/jobs/jobs", {
      metadata: { name: "ok" },
      spec: { completions: 2, template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
    });
    const job = await waitFor("complete", async () => {
      const j = await get("/apis/batch/v1/namespaces/jobs/jobs/ok");
      return j.status?.conditions?.some((x: KObject) => x.type === "Complete" && x.status === "True") && j;
    });
    expect(job.status).toMatchObject({ succeeded: 2, ready: 0, terminating: 0 });
    expect(job.status.conditions.map((x: KObject) => x.type)).toEqual(["SuccessCriteriaMet", "Complete"]);
    expect(job.spec.selector.matchLabels["batch.kubernetes.io/controller-uid"]).toBe(job.metadata.uid);
    const pods = (await get("/api/v1/namespaces/jobs/pods?labelSelector=job-name%3Dok")).items;
    expect(pods.map((p: KObject) => p.status.phase)).toEqual(["Succeeded", "Succeeded"]);
    expect(pods[0].status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    await http(c, "POST", "/apis/batch/v1/namespaces/jobs/jobs", {
      metadata: { name: "bad" },
      spec: {
        backoffLimit: 1,
        template: {
          metadata: { annotations: { "ko.dev/exit-code": "3" } },
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] },
        },
      },
    });
    const bad = await waitFor("failed", async () => {
      const j = await get("/apis/batch/v1/namespaces/jobs/jobs/bad");
      return j.status?.conditions?.some((x: KObject) => x.type === "Failed") && j;
    });
    expect(bad.status.failed).toBe(2);
    expect(bad.status.conditions.find((x: KObject) => x.type === "Failed")).toMatchObject({
      reason: "BackoffLimitExceeded",
      message: "Job has reached the specified backoff limit",
    });
  });

  test("readiness held back until a Job completes", async () => {
    await ns("hold");
    const id = c.controllers.holdReadiness({ selector: "app=api", namespace: "hold", until: { jobComplete: "migrate" } });
    await http(c, "POST", "/api/v1/namespaces/hold/pods", { metadata: { name: "api", labels: { app: "api" } }, spec: template({}).spec });
    await waitFor("running", async () => (await get("/api/v1/namespaces/hold/pods/api")).status.phase === "Running");
    await c.controllers.idle();
    expect(ready(await get("/api/v1/namespaces/hold/pods/api"))).toBe(false);
    await http(c, "POST", "/apis/batch/v1/namespaces/hold/jobs", {
      metadata: { name: "migrate" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "m", image: "busybox" }] } } },
    });
    await waitFor("ready after the job", async () => ready(await get("/api/v1/namespaces/hold/pods/api")));
    c.controllers.releaseReadiness(id);
  });

  test("DaemonSet runs one pod on the node; PDB counts healthy pods", async () => {
    await ns("ds");
    await http(c, "POST", "/apis/apps/v1/namespaces/ds/daemonsets", {
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: template({ app: "agent" }) },
    });
    await http(c, "POST", "/apis/policy/v1/namespaces/ds/poddisruptionbudgets", {
      metadata: { name: "pdb" },
      spec: { minAvailable: 1, selector: { matchLabels: { app: "agent" } } },
    });
    await waitFor("daemonset ready", async () => (await get("/apis/apps/v1/namespaces/ds/daemonsets/agent")).status?.numberReady === 1);
    const pdb = await waitFor("pdb", async () => {
      const p = await get("/apis/policy/v1/namespaces/ds/poddisruptionbudgets/pdb");
      return p.status?.currentHealthy === 1 && p;
    });
    expect(pdb.status).toMatchObject({ expectedPods: 1, desiredHealthy: 1, disruptionsAllowed: 0 });
  });

  test("CronJob creates a Job per tick", async () => {
    await ns("cron");
    await http(c, "POST", "/apis/batch/v1/namespaces/cron/cronjobs", {
      metadata: { name: "tick" },
      spec: {
        schedule: "*/5 * * * *",
        jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "c", image: "busybox" }] } } } },
      },
    });
    const job = c.controllers.triggerCronJob("cron", "tick")!;
    expect(job.metadata.ownerReferences[0]).toMatchObject({ kind: "CronJob", name: "tick" });
    await waitFor("job complete and cronjob status", async () => {
      const cj = await get("/apis/batch/v1/namespaces/cron/cronjobs/tick");
      return cj.status?.lastScheduleTime && cj.status.lastSuccessfulTime && !cj.status.active;
    });
  });
});

describe("deletion", () => {
  async function owned(nsName: string) {
    await ns(nsName);
    await http(c, "POST", `/apis/apps/v1/namespaces/${nsName}/replicasets`, {
      metadata: { name: "rs" },
      spec: { replicas: 2, selector: { matchLabels: { app: "rs" } }, template: template({ app: "rs" }) },
    });
    await waitFor("2 pods", async () => (await get(`/api/v1/namespaces/${nsName}/pods`)).items.length === 2);
  }

  test("background propagation deletes dependents after the owner", async () => {
    await owned("gc-bg");
    const res = await http(c, "DELETE", "/apis/apps/v1/namespaces/gc-bg/replicasets/rs");
    expect(res.status).toBe(200);
    await waitFor("pods gone", async () => (await get("/api/v1/namespaces/gc-bg/pods")).items.length === 0);
  });

  test("foreground propagation keeps the owner until dependents are gone", async () => {
    await owned("gc-fg");
    const res = await http(c, "DELETE", "/apis/apps/v1/namespaces/gc-fg/replicasets/rs", { propagationPolicy: "Foreground" });
    expect(res.status).toBe(202);
    expect(res.body.metadata.finalizers).toEqual(["foregroundDeletion"]);
    expect(res.body.metadata.deletionTimestamp).toBeDefined();
    await waitFor("owner gone", async () => (await http(c, "GET", "/apis/apps/v1/namespaces/gc-fg/replicasets/rs")).status === 404);
    expect((await get("/api/v1/namespaces/gc-fg/pods")).items).toEqual([]);
  });

  test("orphan propagation leaves dependents without the owner reference", async () => {
    await owned("gc-or");
    await http(c, "DELETE", "/apis/apps/v1/namespaces/gc-or/replicasets/rs", { propagationPolicy: "Orphan" });
    await waitFor("owner gone", async () => (await http(c, "GET", "/apis/apps/v1/namespaces/gc-or/replicasets/rs")).status === 404);
    const pods = (await get("/api/v1/namespaces/gc-or/pods")).items;
    expect(pods).toHaveLength(2);
    expect(pods.every((p: KObject) => !p.metadata.ownerReferences)).toBe(true);
  });

  test("Jobs orphan their pods by default, as batch/v1 does", async () => {
    await ns("gc-job");
    await http(c, "POST", "/apis/batch/v1/namespaces/gc-job/jobs", {
      metadata: { name: "j" },
      spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } } },
    });
    await waitFor("pod", async () => (await get("/api/v1/namespaces/gc-job/pods")).items.length === 1);
    await http(c, "DELETE", "/apis/batch/v1/namespaces/gc-job/jobs/j");
    await waitFor("job gone", async () => (await http(c, "GET", "/apis/batch/v1/namespaces/gc-job/jobs/j")).status === 404);
    await c.controllers.idle();
    const pods = (await get("/api/v1/namespaces/gc-job/pods")).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.ownerReferences).toBeUndefined();
  });

  test("a terminating namespace refuses new content (403), empties itself and disappears", async () => {
    await owned("doomed");
    await http(c, "POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "keep", finalizers: ["example.com/hold"] } });
    const del = await http(c, "DELETE", "/api/v1/namespaces/doomed");
    expect(del.body.status.phase).toBe("Terminating");
    const refused = await http(c, "POST", "/api/v1/namespaces/doomed/configmaps", { metadata: { name: "late" } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      reason: "Forbidden",
      message: 'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
    });
    await waitFor(
      "only the finalized configmap remains",
      async () =>
        (await get("/api/v1/namespaces/doomed/pods")).items.length === 0 &&
        (await get("/apis/apps/v1/namespaces/doomed/replicasets")).items.length === 0,
    );
    expect(
      (await get("/api/v1/namespaces/doomed")).status.conditions.find((x: KObject) => x.type === "NamespaceContentRemaining")?.status,
    ).toBe("True");
    await http(
      c,
      "PATCH",
      "/api/v1/namespaces/doomed/configmaps/keep",
      { metadata: { finalizers: null } },
      { "content-type": "application/merge-patch+json" },
    );
    await waitFor("namespace gone", async () => (await http(c, "GET", "/api/v1/namespaces/doomed")).status === 404);
    expect((await http(c, "DELETE", "/api/v1/namespaces/kube-system")).status).toBe(403);
  });
});
