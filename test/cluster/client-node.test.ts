/** @kubernetes/client-node 1.x over real HTTP: typed APIs, the generic object API, Watch, informers. */
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Cluster } from "../../src/cluster/index.js";
import { testCluster, waitFor } from "./helpers.js";

let c: Cluster & { dir: string };
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let batch: k8s.BatchV1Api;

beforeAll(async () => {
  c = await testCluster({ bookmarkIntervalMs: 100 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfigPath!);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  batch = kc.makeApiClient(k8s.BatchV1Api);
});
afterAll(() => c.close());

const container = { name: "main", image: "busybox:1.36" };

describe("typed APIs", () => {
  test("CoreV1Api: namespaces, config maps, pods, errors as ApiException", async () => {
    await core.createNamespace({ body: { metadata: { name: "typed" } } });
    const cm = await core.createNamespacedConfigMap({
      namespace: "typed",
      body: { metadata: { name: "cfg", labels: { a: "b" } }, data: { k: "v" } },
    });
    expect(cm.metadata?.uid).toBeTruthy();
    const list = await core.listNamespacedConfigMap({ namespace: "typed", labelSelector: "a=b" });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(["cfg"]);
    const replaced = await core.replaceNamespacedConfigMap({ name: "cfg", namespace: "typed", body: { ...cm, data: { k: "w" } } });
    expect(replaced.data).toEqual({ k: "w" });
    const stale = await core
      .replaceNamespacedConfigMap({ name: "cfg", namespace: "typed", body: { ...cm, data: { k: "x" } } })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(k8s.ApiException);
    expect((stale as k8s.ApiException<string>).code).toBe(409);
    expect(JSON.parse((stale as k8s.ApiException<string>).body)).toMatchObject({ kind: "Status", reason: "Conflict" });
    const missing = await core.readNamespacedPod({ name: "nope", namespace: "typed" }).catch((e: unknown) => e);
    expect((missing as k8s.ApiException<string>).code).toBe(404);
    await core.createNamespacedPod({ namespace: "typed", body: { metadata: { name: "p" }, spec: { containers: [container] } } });
    const pod = await waitFor("running", async () => {
      const p = await core.readNamespacedPod({ name: "p", namespace: "typed" });
      return p.status?.phase === "Running" && p.status.conditions?.some((x) => x.type === "Ready" && x.status === "True") && p;
    });
    expect(pod.spec?.nodeName).toBe("ko-node");
    expect(pod.status?.startTime).toBeInstanceOf(Date);
    const patched = await core.patchNamespacedPod(
      { name: "p", namespace: "typed", body: [{ op: "add", path: "/metadata/labels", value: { x: "y" } }] },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.JsonPatch),
    );
    expect(patched.metadata?.labels).toEqual({ x: "y" });
    const status = await core.readNamespacedPodStatus({ name: "p", namespace: "typed" });
    expect(status.status?.podIP).toMatch(/^10\.244\./);
    await core.deleteNamespacedPod({ name: "p", namespace: "typed" });
    await waitFor("pod gone", async () => (await core.listNamespacedPod({ namespace: "typed" })).items.length === 0);
  });

  test("AppsV1Api: deployment rollout and StatefulSet scale subresource", async () => {
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "api" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "api" } },
          template: { metadata: { labels: { app: "api" } }, spec: { containers: [container] } },
        },
      },
    });
    await waitFor(
      "deployment available",
      async () => (await apps.readNamespacedDeploymentStatus({ name: "api", namespace: "default" })).status?.availableReplicas === 2,
    );
    await apps.createNamespacedStatefulSet({
      namespace: "default",
      body: {
        metadata: { name: "db" },
        spec: {
          serviceName: "db",
          replicas: 1,
          selector: { matchLabels: { app: "db" } },
          template: { metadata: { labels: { app: "db" } }, spec: { containers: [container] } },
        },
      },
    });
    // The Scale carries the StatefulSet's resourceVersion: a controller's status write in between is
    // a 409, and the client retries with a fresh read, as real clients must.
    let conflicts = 0;
    await waitFor("scaled to 3", async () => {
      const scale = await apps.readNamespacedStatefulSetScale({ name: "db", namespace: "default" });
      expect(scale.spec?.replicas).toBe(1);
      try {
        return await apps.replaceNamespacedStatefulSetScale({
          name: "db",
          namespace: "default",
          body: { ...scale, spec: { replicas: 3 } },
        });
      } catch (e) {
        if ((e as k8s.ApiException<unknown>).code !== 409) throw e;
        conflicts++;
        return undefined;
      }
    });
    expect(conflicts).toBeLessThan(10);
    const ss = await waitFor("3 ready", async () => {
      const s = await apps.readNamespacedStatefulSet({ name: "db", namespace: "default" });
      return s.status?.readyReplicas === 3 && s;
    });
    expect(ss.status?.currentRevision).toBe(ss.status?.updateRevision);
  });

  test("BatchV1Api: a Job completes", async () => {
    await batch.createNamespacedJob({
      namespace: "default",
      body: { metadata: { name: "once" }, spec: { template: { spec: { restartPolicy: "Never", containers: [container] } } } },
    });
    const job = await waitFor("complete", async () => {
      const j = await batch.readNamespacedJobStatus({ name: "once", namespace: "default" });
      return j.status?.conditions?.some((x) => x.type === "Complete" && x.status === "True") && j;
    });
    expect(job.status?.succeeded).toBe(1);
    expect(job.status?.completionTime).toBeInstanceOf(Date);
    await batch.deleteNamespacedJob({ name: "once", namespace: "default", propagationPolicy: "Background" });
    await waitFor(
      "job pods collected",
      async () => (await core.listNamespacedPod({ namespace: "default", labelSelector: "job-name=once" })).items.length === 0,
    );
  });
});

describe("KubernetesObjectApi", () => {
  test("create, read, list, server-side apply, delete of arbitrary kinds", async () => {
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    const svc = await client.create<k8s.V1Service>({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "generic", namespace: "default" },
      spec: { ports: [{ port: 8080 }], selector: { app: "x" } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\./);
    const read = await client.read<k8s.V1Service>({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "generic", namespace: "default" },
    });
    expect(read.spec?.ports?.[0]?.targetPort).toBe(8080);
    const applied = await client.patch<k8s.V1Deployment>(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "applied", namespace: "default" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "applied" } },
          template: { metadata: { labels: { app: "applied" } }, spec: { containers: [container] } },
        },
      },
      undefined,
      undefined,
      "ko-test",
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.managedFields?.[0]).toMatchObject({ manager: "ko-test", operation: "Apply" });
    const list = await client.list("apps/v1", "Deployment", "default");
    expect(list.items.map((d) => d.metadata?.name).sort()).toEqual(["api", "applied"]);
    await client.delete({ apiVersion: "v1", kind: "Service", metadata: { name: "generic", namespace: "default" } });
    const gone = await client
      .read({ apiVersion: "v1", kind: "Service", metadata: { name: "generic", namespace: "default" } })
      .catch((e: unknown) => e);
    expect((gone as k8s.ApiException<unknown>).code).toBe(404);
  });
});

describe("Watch and informers", () => {
  test("Watch streams typed events and ends when the server drops it", async () => {
    const watch = new k8s.Watch(kc);
    const seen: string[] = [];
    let ended: ((err: unknown) => void) | undefined;
    const done = new Promise((resolve) => (ended = resolve));
    await watch.watch(
      "/api/v1/namespaces/default/configmaps",
      { labelSelector: "watched=yes" },
      (type, obj) => seen.push(`${type} ${obj.metadata.name}`),
      (err) => ended!(err),
    );
    await waitFor("watch registered", () => c.faults.watches.size > 0);
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w1", labels: { watched: "yes" } } } });
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "ignored" } } });
    await core.patchNamespacedConfigMap(
      { name: "w1", namespace: "default", body: { data: { a: "1" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: "w1", namespace: "default" });
    await waitFor("events", () => seen.length >= 3);
    expect(seen).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
    c.faults.dropWatches({ resource: "configmaps" });
    await done;
  });

  test("an informer lists, watches, and resumes after its watch is dropped", async () => {
    await core.createNamespace({ body: { metadata: { name: "inf" } } });
    const path = "/api/v1/namespaces/inf/configmaps";
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: "inf" }));
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on(k8s.ADD, (o) => added.push(o.metadata!.name!));
    informer.on(k8s.DELETE, (o) => deleted.push(o.metadata!.name!));
    // Restarted as an application would; a restart that fails rejects unhandled, which fails the test.
    informer.on(k8s.ERROR, () => setTimeout(() => void informer.start(), 10));
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "before" } } });
    await informer.start();
    await waitFor("initial list", () => added.includes("before"));
    await waitFor("informer watching", () => c.faults.watches.size > 0);
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "during" } } });
    await waitFor("watched add", () => added.includes("during"));
    // Drop the watch: the informer reconnects from its last resourceVersion and sees what happened meanwhile.
    c.faults.dropWatches({ resource: "configmaps", namespace: "inf" });
    await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "after-drop" } } });
    await core.deleteNamespacedConfigMap({ name: "before", namespace: "inf" });
    await waitFor("resumed", () => added.includes("after-drop") && deleted.includes("before"));
    expect(
      informer
        .list("inf")
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(["after-drop", "during", "kube-root-ca.crt"]);
    await informer.stop();
  });
});
