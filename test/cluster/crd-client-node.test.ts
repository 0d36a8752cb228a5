/**
 * An operator's client, @kubernetes/client-node 1.x, against custom resources: the CRD created
 * through ApiextensionsV1Api, objects through CustomObjectsApi (status patched through its
 * subresource), an informer's list and watch that resumes after its watch is dropped, events
 * recorded through events.k8s.io and read through core/v1, and leader election's Lease.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Cluster } from "../../src/cluster/index.js";
import { HERE, testCluster, waitFor } from "./helpers.js";

let c: Cluster & { dir: string };
let kc: k8s.KubeConfig;
let custom: k8s.CustomObjectsApi;

// Loaded as an application loads manifests: into the typed model (whose fields are named
// _default, xKubernetesPreserveUnknownFields...), serialized back to JSON when sent.
const CRD = k8s.loadYaml<k8s.V1CustomResourceDefinition>(fs.readFileSync(path.join(HERE, "fixtures", "crds", "widgets.yaml"), "utf8"));
const gvr = { group: "example.com", version: "v1", plural: "widgets" };
const widget = (name: string, size = "small") => ({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name }, spec: { size } });

beforeAll(async () => {
  c = await testCluster({ controllers: false, bookmarkIntervalMs: 100 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfigPath!);
  custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  await ext.createCustomResourceDefinition({ body: CRD });
  await waitFor("established", async () => {
    const crd = await ext.readCustomResourceDefinition({ name: "widgets.example.com" });
    return crd.status?.conditions?.some((x) => x.type === "Established" && x.status === "True");
  });
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: "ops" } } });
});
afterAll(() => c.close());

describe("custom resources through client-node", () => {
  test("CustomObjectsApi: create, status patch, defaults, a 422 as ApiException", async () => {
    const made = await custom.createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("w") });
    expect(made.spec).toEqual({ size: "small", replicas: 1 });
    const status = await custom.patchNamespacedCustomObjectStatus(
      { ...gvr, namespace: "ops", name: "w", body: { status: { phase: "Running", observedGeneration: 1 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(status.status).toEqual({ phase: "Running", observedGeneration: 1 });
    const invalid = await custom
      .createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("x", "huge") })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(k8s.ApiException);
    expect((invalid as k8s.ApiException<string>).code).toBe(422);
    expect(JSON.parse((invalid as k8s.ApiException<string>).body)).toMatchObject({
      reason: "Invalid",
      details: { causes: [{ field: "spec.size", reason: "FieldValueNotSupported" }] },
    });
    await custom.deleteNamespacedCustomObject({ ...gvr, namespace: "ops", name: "w" });
  });

  test("an informer lists and watches custom resources, and resumes after its watch is dropped", async () => {
    const informer = k8s.makeInformer(
      kc,
      "/apis/example.com/v1/namespaces/ops/widgets",
      () => custom.listNamespacedCustomObject({ ...gvr, namespace: "ops" }) as Promise<k8s.KubernetesListObject<k8s.KubernetesObject>>,
    );
    const seen: string[] = [];
    informer.on(k8s.ADD, (o) => seen.push(`ADD ${o.metadata!.name}`));
    informer.on(k8s.UPDATE, (o: any) => seen.push(`UPDATE ${o.metadata.name} ${o.spec.size}`));
    informer.on(k8s.DELETE, (o) => seen.push(`DELETE ${o.metadata!.name}`));
    informer.on(k8s.ERROR, () => setTimeout(() => void informer.start(), 10));
    await custom.createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("before") });
    await informer.start();
    await waitFor("initial list", () => seen.includes("ADD before"));
    await waitFor("watching", () => c.faults.watches.size > 0);
    await custom.createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("during") });
    await custom.patchNamespacedCustomObject(
      { ...gvr, namespace: "ops", name: "during", body: { spec: { size: "large" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await waitFor("update seen", () => seen.includes("UPDATE during large"));
    c.faults.dropWatches({ resource: "widgets" });
    await custom.createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("after-drop") });
    await custom.deleteNamespacedCustomObject({ ...gvr, namespace: "ops", name: "before" });
    await waitFor("resumed", () => seen.includes("ADD after-drop") && seen.includes("DELETE before"));
    expect(
      informer
        .list("ops")
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(["after-drop", "during"]);
    await informer.stop();
  });

  test("events recorded through events.k8s.io are read through core/v1, as kubectl describe reads them", async () => {
    const events = kc.makeApiClient(k8s.EventsV1Api);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const w = await custom.createNamespacedCustomObject({ ...gvr, namespace: "ops", body: widget("evented") });
    await events.createNamespacedEvent({
      namespace: "ops",
      body: {
        metadata: { generateName: "evented." },
        regarding: { apiVersion: "example.com/v1", kind: "Widget", name: "evented", namespace: "ops", uid: w.metadata.uid },
        eventTime: new Date(),
        type: "Normal",
        reason: "Created",
        action: "Reconcile",
        note: "made the widget",
        reportingController: "example.com/widget-operator",
        reportingInstance: "widget-operator-0",
      },
    });
    const list = await core.listNamespacedEvent({
      namespace: "ops",
      fieldSelector: `involvedObject.name=evented,involvedObject.namespace=ops,involvedObject.kind=Widget,involvedObject.uid=${w.metadata.uid}`,
    });
    expect(list.items.map((e) => [e.reason, e.message, e.reportingComponent])).toEqual([
      ["Created", "made the widget", "example.com/widget-operator"],
    ]);
    expect(list.items[0]!.eventTime).toBeTruthy();
  });

  test("leader election's Lease: one of two candidates wins a race on resourceVersion", async () => {
    const coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    await coordination.createNamespacedLease({
      namespace: "ops",
      body: { metadata: { name: "widget-operator" }, spec: { holderIdentity: "", leaseDurationSeconds: 15 } },
    });
    const lease = await coordination.readNamespacedLease({ name: "widget-operator", namespace: "ops" });
    const acquire = (identity: string) =>
      coordination
        .replaceNamespacedLease({
          name: "widget-operator",
          namespace: "ops",
          body: {
            ...lease,
            spec: { ...lease.spec, holderIdentity: identity, acquireTime: new Date(), renewTime: new Date(), leaseTransitions: 1 },
          },
        })
        .then(
          (l) => `won ${l.spec?.holderIdentity}`,
          (e: k8s.ApiException<string>) => `lost ${e.code}`,
        );
    const results = await Promise.all([acquire("a"), acquire("b")]);
    expect(results.filter((r) => r.startsWith("won"))).toHaveLength(1);
    expect(results).toContain("lost 409");
    const held = await coordination.readNamespacedLease({ name: "widget-operator", namespace: "ops" });
    expect(results).toContain(`won ${held.spec?.holderIdentity}`);
    // MicroTime, written back with microseconds (client-node hands it over as the server's text).
    expect(String(held.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });
});
