/**
 * Custom resources over HTTP: a CRD's life (names, Established, discovery, OpenAPI, deletion with
 * its objects), several versions in one storage, the status and scale subresources, patches,
 * selectors, watches, defaults on read, size limits; and the resources an operator uses besides:
 * Events in both APIs, and Leases.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import YAML from "yaml";
import type { Cluster, KObject } from "../../src/cluster/index.js";
import { establish, HERE, http, testCluster, waitEvents, waitFor } from "./helpers.js";

const load = (file: string): KObject => YAML.parse(fs.readFileSync(path.join(HERE, "fixtures", "crds", file), "utf8"));
const WIDGETS = load("widgets.yaml");
const GADGETS = load("gadgets.yaml");
const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
const W = "/apis/example.com/v1/namespaces/default/widgets";
const MERGE = { "content-type": "application/merge-patch+json" };

let c: Cluster & { dir: string };
beforeEach(async () => {
  c = await testCluster({ controllers: false });
});
afterEach(() => c.close());

const widget = (name: string, spec: KObject = { size: "small" }, extra: KObject = {}) => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name, ...extra },
  spec,
});
const condition = (o: KObject, type: string) => o.status?.conditions?.find((x: KObject) => x.type === type);

describe("a CustomResourceDefinition", () => {
  test("is Established once its names are accepted, and then discovered", async () => {
    await establish(c, WIDGETS);
    const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
    expect(condition(crd, "NamesAccepted")).toMatchObject({ status: "True", reason: "NoConflicts", message: "no conflicts found" });
    expect(condition(crd, "Established")).toMatchObject({
      status: "True",
      reason: "InitialNamesAccepted",
      message: "the initial names have been accepted",
    });
    expect(crd.status.acceptedNames).toEqual({
      plural: "widgets",
      singular: "widget",
      kind: "Widget",
      listKind: "WidgetList",
      shortNames: ["wd"],
      categories: ["all"],
    });
    expect(crd.status.storedVersions).toEqual(["v1"]);
    expect(crd.spec.conversion).toEqual({ strategy: "None" });
    expect(crd.metadata.generation).toBe(1);

    const groups = (await http(c, "GET", "/apis")).body.groups;
    expect(groups.find((g: KObject) => g.name === "example.com")).toEqual({
      name: "example.com",
      versions: [
        { groupVersion: "example.com/v1", version: "v1" },
        { groupVersion: "example.com/v1beta1", version: "v1beta1" },
      ],
      preferredVersion: { groupVersion: "example.com/v1", version: "v1" },
    });
    expect((await http(c, "GET", "/apis/example.com")).body.preferredVersion.version).toBe("v1");
    const resources = (await http(c, "GET", "/apis/example.com/v1")).body.resources;
    expect(resources.map((r: KObject) => r.name)).toEqual(["widgets", "widgets/status", "widgets/scale"]);
    expect(resources[0]).toMatchObject({
      singularName: "widget",
      namespaced: true,
      kind: "Widget",
      shortNames: ["wd"],
      categories: ["all"],
    });
    expect(resources[2]).toMatchObject({ group: "autoscaling", version: "v1", kind: "Scale" });

    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
    const aggregated = (await http(c, "GET", "/apis", undefined, { accept })).body;
    const group = aggregated.items.find((g: KObject) => g.metadata.name === "example.com");
    expect(group.versions.map((v: KObject) => v.version)).toEqual(["v1", "v1beta1"]);
    expect(group.versions[0].resources[0]).toMatchObject({
      resource: "widgets",
      scope: "Namespaced",
      shortNames: ["wd"],
      categories: ["all"],
      subresources: [
        { subresource: "status", responseKind: { group: "example.com", version: "v1", kind: "Widget" } },
        { subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } },
      ],
    });
  });

  test("whose names another CRD of its group has is not accepted, and not served", async () => {
    await establish(c, WIDGETS);
    const clash = YAML.parse(YAML.stringify(WIDGETS));
    clash.metadata.name = "gizmos.example.com";
    clash.spec.names = { plural: "gizmos", kind: "Widget", shortNames: ["wd"] };
    expect((await http(c, "POST", CRDS, clash)).status).toBe(201);
    const crd = await waitFor("names checked", async () => {
      const got = (await http(c, "GET", `${CRDS}/gizmos.example.com`)).body;
      return condition(got, "NamesAccepted") && got;
    });
    // The last of its conflicts (singular, short name, kind, list kind) is the one the condition tells.
    expect(condition(crd, "NamesAccepted")).toMatchObject({
      status: "False",
      reason: "ListKindConflict",
      message: '"WidgetList" is already in use',
    });
    expect(condition(crd, "Established")).toMatchObject({ status: "False", reason: "NotAccepted", message: "not all names are accepted" });
    expect(crd.status.acceptedNames).toEqual({ plural: "gizmos", kind: "" });
    expect((await http(c, "GET", "/apis/example.com/v1/namespaces/default/gizmos")).status).toBe(404);
  });

  test("serves several versions from one storage version: only apiVersion changes", async () => {
    await establish(c, WIDGETS);
    const beta = "/apis/example.com/v1beta1/namespaces/default/widgets";
    const events = waitEvents(c, `${beta}?watch=true`, (e) => e.length >= 2);
    const created = await http(c, "POST", beta, {
      ...widget("old", { size: "large", legacy: "kept in storage" }),
      apiVersion: "example.com/v1beta1",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ apiVersion: "example.com/v1beta1", spec: { size: "large", legacy: "kept in storage" } });
    // Stored in v1, the storage version, as written.
    expect(c.store.get("example.com/widgets", "default", "old")).toMatchObject({
      apiVersion: "example.com/v1",
      spec: { legacy: "kept in storage" },
    });
    // Read in v1: v1's schema prunes and defaults on read.
    const v1 = (await http(c, "GET", `${W}/old`)).body;
    expect(v1).toMatchObject({ apiVersion: "example.com/v1", spec: { size: "large", replicas: 1 } });
    expect(v1.spec.legacy).toBeUndefined();
    expect(v1.metadata.managedFields[0].apiVersion).toBe("example.com/v1beta1");
    // A write in v1 is read in v1beta1 too.
    await http(c, "PATCH", `${W}/old`, { spec: { replicas: 3 } }, MERGE);
    const got = await events;
    expect(got.map((e: KObject) => [e.type, e.object.apiVersion, e.object.spec.replicas])).toEqual([
      ["ADDED", "example.com/v1beta1", undefined],
      ["MODIFIED", "example.com/v1beta1", 3],
    ]);
    // The list kind and a wrong version in the body.
    expect((await http(c, "GET", beta)).body).toMatchObject({ kind: "WidgetList", apiVersion: "example.com/v1beta1" });
    const wrong = await http(c, "POST", W, { ...widget("x"), apiVersion: "example.com/v1beta1" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toBe(
      "the API version in the data (example.com/v1beta1) does not match the expected API version (example.com/v1)",
    );
  });

  test("a new storage version is added to storedVersions, and new writes are stored in it", async () => {
    await establish(c, WIDGETS);
    await http(c, "POST", W, widget("first"));
    const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
    crd.spec.versions[0].storage = true;
    crd.spec.versions[1].storage = false;
    const updated = await http(c, "PUT", `${CRDS}/widgets.example.com`, crd);
    expect(updated.body.status.storedVersions).toEqual(["v1", "v1beta1"]);
    await waitFor("served anew", () => c.registry.at("example.com", "v1", "widgets")?.custom?.storageVersion === "v1beta1");
    await http(c, "POST", W, widget("second"));
    expect(c.store.get("example.com/widgets", "default", "first")!.apiVersion).toBe("example.com/v1");
    expect(c.store.get("example.com/widgets", "default", "second")!.apiVersion).toBe("example.com/v1beta1");
    // A stored version may not leave spec.versions.
    const dropped = { ...updated.body, spec: { ...updated.body.spec, versions: [updated.body.spec.versions[0]] } };
    const refused = await http(c, "PUT", `${CRDS}/widgets.example.com`, dropped);
    expect(refused.body.message).toBe(
      'CustomResourceDefinition.apiextensions.k8s.io "widgets.example.com" is invalid: status.storedVersions[0]: Invalid value: "v1": must appear in spec.versions',
    );
  });

  test("a deprecated version says so with every response", async () => {
    await establish(c, WIDGETS);
    const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
    crd.spec.versions[0].deprecated = true;
    expect((await http(c, "PUT", `${CRDS}/widgets.example.com`, crd)).status).toBe(200);
    await waitFor("served anew", async () => (await http(c, "GET", "/apis/example.com/v1beta1/widgets")).headers.get("warning"));
    const list = await http(c, "GET", "/apis/example.com/v1beta1/widgets");
    expect(list.headers.get("warning")).toBe('299 - "example.com/v1beta1 Widget is deprecated"');
    expect((await http(c, "GET", W)).headers.get("warning")).toBeNull();
    crd.spec.versions[0].deprecationWarning = "use example.com/v1";
    crd.metadata.resourceVersion = undefined;
    await http(c, "PUT", `${CRDS}/widgets.example.com`, crd);
    await waitFor("new warning", async () =>
      (await http(c, "GET", "/apis/example.com/v1beta1/widgets")).headers.get("warning")?.includes("use example.com/v1"),
    );
  });

  test("defaults added to the schema apply on read to objects stored before", async () => {
    await establish(c, WIDGETS);
    await http(c, "POST", W, widget("before"));
    const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
    const v1 = crd.spec.versions.find((v: KObject) => v.name === "v1");
    v1.schema.openAPIV3Schema.properties.spec.properties.color = { type: "string", default: "blue" };
    const updated = await http(c, "PUT", `${CRDS}/widgets.example.com`, crd);
    expect(updated.status).toBe(200);
    expect(updated.body.metadata.generation).toBe(2);
    expect((await http(c, "GET", `${W}/before`)).body.spec).toEqual({ size: "small", replicas: 1, color: "blue" });
    expect(c.store.get("example.com/widgets", "default", "before")!.spec.color).toBeUndefined();
  });

  test("is cluster-scoped when it says so", async () => {
    await establish(c, GADGETS);
    const gadgets = "/apis/tools.example.org/v1alpha1/gadgets";
    const made = await http(c, "POST", gadgets, {
      apiVersion: "tools.example.org/v1alpha1",
      kind: "Gadget",
      metadata: { name: "g" },
      spec: {},
    });
    expect(made.status).toBe(201);
    expect(made.body.metadata.namespace).toBeUndefined();
    expect((await http(c, "GET", "/apis/tools.example.org/v1alpha1/namespaces/default/gadgets")).status).toBe(404);
    // No status subresource: status is written with the object, and counts as a change of generation.
    const patched = await http(c, "PATCH", `${gadgets}/g`, { status: { ready: true } }, MERGE);
    expect(patched.body).toMatchObject({ status: { ready: true }, metadata: { generation: 2 } });
    expect((await http(c, "GET", `${gadgets}/g/status`)).status).toBe(404);
  });

  test("being deleted deletes its objects first (Terminating), then goes; a finalizer holds an object", async () => {
    await establish(c, WIDGETS);
    await http(c, "POST", W, widget("held", { size: "small" }, { finalizers: ["example.com/hold"] }));
    await http(c, "POST", W, widget("free"));
    const watch = waitEvents(c, `${W}?watch=true`, () => false, 60_000);
    const deleted = await http(c, "DELETE", `${CRDS}/widgets.example.com`);
    expect(deleted.body.metadata.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    expect(condition(deleted.body, "Terminating")).toMatchObject({ status: "True", reason: "InstanceDeletionPending" });
    await waitFor("instance deletion", async () => {
      const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
      return condition(crd, "Terminating")?.reason === "InstanceDeletionInProgress";
    });
    expect((await http(c, "GET", `${W}/free`)).status).toBe(404);
    const held = (await http(c, "GET", `${W}/held`)).body;
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    const refused = await http(c, "POST", W, widget("late"));
    expect(refused.status).toBe(405);
    expect(refused.body).toMatchObject({
      reason: "MethodNotAllowed",
      message: "create not allowed while custom resource definition is terminating",
    });
    // The watch was ended when the CRD started terminating (its type is served anew).
    await watch.ended;
    await http(c, "PATCH", `${W}/held`, { metadata: { finalizers: null } }, MERGE);
    await waitFor("CRD gone", async () => (await http(c, "GET", `${CRDS}/widgets.example.com`)).status === 404);
    expect((await http(c, "GET", "/apis")).body.groups.map((g: KObject) => g.name)).not.toContain("example.com");
    expect((await http(c, "GET", W)).status).toBe(404);
  });
});

describe("custom resources", () => {
  beforeEach(async () => {
    await establish(c, WIDGETS);
  });

  test("status subresource: each write changes only its part; generation counts spec changes", async () => {
    const made = (await http(c, "POST", W, widget("w"))).body;
    expect(made.metadata.generation).toBe(1);
    const status = { replicas: 2, observedGeneration: 1, phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
    // A status write ignores spec and metadata changes.
    const s = await http(c, "PUT", `${W}/w/status`, {
      ...made,
      spec: { size: "large" },
      metadata: { ...made.metadata, labels: { a: "b" } },
      status,
    });
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({ spec: { size: "small" }, status, metadata: { generation: 1 } });
    expect(s.body.metadata.labels).toBeUndefined();
    // A main write ignores status; a spec change bumps generation, a label change does not.
    const m = await http(c, "PUT", `${W}/w`, { ...s.body, spec: { size: "large" }, status: { phase: "Done" } });
    expect(m.body).toMatchObject({ spec: { size: "large" }, status: { phase: "Running" }, metadata: { generation: 2 } });
    const l = await http(c, "PATCH", `${W}/w`, { metadata: { labels: { tier: "x" } } }, MERGE);
    expect(l.body.metadata.generation).toBe(2);
    // observedGeneration is the client's to write.
    const o = await http(c, "PATCH", `${W}/w/status`, { status: { observedGeneration: 2 } }, MERGE);
    expect(o.body.status.observedGeneration).toBe(2);
    // Status writes are validated against the status schema.
    const bad = await http(c, "PATCH", `${W}/w/status`, { status: { phase: "Bogus" } }, MERGE);
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe(
      'Widget.example.com "w" is invalid: status.phase: Unsupported value: "Bogus": supported values: "Pending", "Running", "Done"',
    );
    const dup = await http(
      c,
      "PATCH",
      `${W}/w/status`,
      {
        status: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "Ready", status: "False" },
          ],
        },
      },
      MERGE,
    );
    expect(dup.body.message).toBe(
      'Widget.example.com "w" is invalid: status.conditions[1]: Duplicate value: map[string]interface {}{"type":"Ready"}',
    );
  });

  test("scale subresource: replicas at the CRD's paths", async () => {
    await http(c, "POST", W, widget("s", { size: "small", replicas: 2 }));
    await http(c, "PATCH", `${W}/s/status`, { status: { replicas: 1, selector: "app=s" } }, MERGE);
    const scale = (await http(c, "GET", `${W}/s/scale`)).body;
    expect(scale).toMatchObject({
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: "s", namespace: "default" },
      spec: { replicas: 2 },
      status: { replicas: 1, selector: "app=s" },
    });
    const put = await http(c, "PUT", `${W}/s/scale`, { ...scale, spec: { replicas: 4 } });
    expect(put.body.spec.replicas).toBe(4);
    const patched = await http(c, "PATCH", `${W}/s/scale`, { spec: { replicas: 5 } }, MERGE);
    expect(patched.body.spec.replicas).toBe(5);
    const w = (await http(c, "GET", `${W}/s`)).body;
    expect(w).toMatchObject({ spec: { replicas: 5 }, metadata: { generation: 3 } });
    const negative = await http(c, "PATCH", `${W}/s/scale`, { spec: { replicas: -1 } }, MERGE);
    expect(negative.status).toBe(422);
    expect(negative.body.message).toBe(
      'Scale.autoscaling "s" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    // Past the schema's maximum: the custom resource's own validation.
    const tooMany = await http(c, "PATCH", `${W}/s/scale`, { spec: { replicas: 11 } }, MERGE);
    expect(tooMany.body.message).toBe(
      'Widget.example.com "s" is invalid: spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
    );
  });

  test("patches: strategic merge is 415; merge, JSON and apply patches work, apply records its manager", async () => {
    await http(c, "POST", W, widget("p"));
    const strategic = await http(c, "PATCH", `${W}/p`, "{nonsense", { "content-type": "application/strategic-merge-patch+json" });
    expect(strategic.status).toBe(415);
    expect(strategic.body).toMatchObject({
      reason: "UnsupportedMediaType",
      message:
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml",
    });
    const merged = await http(c, "PATCH", `${W}/p`, { spec: { tags: ["a"] } }, MERGE);
    expect(merged.body.spec.tags).toEqual(["a"]);
    const json = await http(c, "PATCH", `${W}/p`, [{ op: "add", path: "/spec/tags/-", value: "b" }], {
      "content-type": "application/json-patch+json",
    });
    expect(json.body.spec.tags).toEqual(["a", "b"]);
    const applied = await http(
      c,
      "PATCH",
      `${W}/p?fieldManager=operator&force=true`,
      "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: p\nspec:\n  size: large\n",
      { "content-type": "application/apply-patch+yaml" },
    );
    expect(applied.status).toBe(200);
    expect(applied.body.spec.size).toBe("large");
    const managers = applied.body.metadata.managedFields.map((m: KObject) => `${m.manager}/${m.operation}`);
    expect(managers).toContain("operator/Apply");
    expect(applied.body.metadata.managedFields.find((m: KObject) => m.manager === "operator").fieldsV1).toEqual({
      "f:spec": { "f:size": {} },
    });
    // Apply creates too; a status apply goes through /status.
    const created = await http(c, "PATCH", `${W}/fresh?fieldManager=operator`, JSON.stringify(widget("fresh")), {
      "content-type": "application/apply-patch+yaml",
    });
    expect(created.status).toBe(201);
    const st = await http(
      c,
      "PATCH",
      `${W}/fresh/status?fieldManager=operator`,
      JSON.stringify({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "fresh" }, status: { phase: "Done" } }),
      { "content-type": "application/apply-patch+yaml" },
    );
    expect(st.body.status).toEqual({ phase: "Done" });
  });

  test("label and field selectors, selectable fields", async () => {
    await http(c, "POST", W, widget("a", { size: "small" }, { labels: { tier: "web" } }));
    await http(c, "POST", W, widget("b", { size: "large" }, { labels: { tier: "db" } }));
    await http(c, "POST", W, widget("c", { size: "large" }, { labels: { tier: "web" } }));
    const names = async (q: string) => (await http(c, "GET", `${W}?${q}`)).body.items.map((i: KObject) => i.metadata.name);
    expect(await names("labelSelector=tier%3Dweb")).toEqual(["a", "c"]);
    expect(await names("fieldSelector=metadata.name%3Db")).toEqual(["b"]);
    expect(await names("fieldSelector=metadata.namespace%3Ddefault")).toEqual(["a", "b", "c"]);
    expect(await names("fieldSelector=spec.size%3Dlarge")).toEqual(["b", "c"]);
    expect(await names("fieldSelector=spec.size%21%3Dlarge,metadata.name%21%3Dx")).toEqual(["a"]);
    const refused = await http(c, "GET", `${W}?fieldSelector=spec.replicas%3D1`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toBe("field label not supported: spec.replicas");
    // Across namespaces.
    await http(c, "POST", "/api/v1/namespaces", { metadata: { name: "other" } });
    await http(c, "POST", "/apis/example.com/v1/namespaces/other/widgets", widget("d"));
    const all = (await http(c, "GET", "/apis/example.com/v1/widgets?labelSelector=!tier")).body.items;
    expect(all.map((i: KObject) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(["other/d"]);
  });

  test("tables have the printer columns; a namespace's deletion and the garbage collector take custom resources", async () => {
    const w = (await http(c, "POST", W, widget("t", { size: "large", replicas: 2 }))).body;
    await http(c, "PATCH", `${W}/t/status`, { status: { conditions: [{ type: "Ready", status: "True" }] } }, MERGE);
    const table = (await http(c, "GET", W, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" })).body;
    expect(table.columnDefinitions.map((d: KObject) => [d.name, d.type])).toEqual([
      ["Name", "string"],
      ["Size", "string"],
      ["Replicas", "integer"],
      ["Ready", "string"],
      ["Age", "date"],
    ]);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(["t", "large", 2, "True"]);
    expect(table.rows[0].cells[4]).toMatch(/^\d+s$/);
    // A ConfigMap owned by the widget goes with it.
    await http(c, "POST", "/api/v1/namespaces/default/configmaps", {
      metadata: { name: "owned", ownerReferences: [{ apiVersion: "example.com/v1", kind: "Widget", name: "t", uid: w.metadata.uid }] },
    });
    await http(c, "DELETE", `${W}/t`);
    await waitFor("dependent collected", async () => (await http(c, "GET", "/api/v1/namespaces/default/configmaps/owned")).status === 404);
    await http(c, "POST", "/api/v1/namespaces", { metadata: { name: "doomed" } });
    await http(c, "POST", "/apis/example.com/v1/namespaces/doomed/widgets", widget("in-ns"));
    await http(c, "DELETE", "/api/v1/namespaces/doomed");
    await waitFor("namespace gone", async () => (await http(c, "GET", "/api/v1/namespaces/doomed")).status === 404);
    expect(c.store.list("example.com/widgets", "doomed")).toEqual([]);
  });

  test("size limits: 413 for bodies past 3 MiB, storage's refusal past 1.5 MiB, 422 for annotations past 256 KiB", async () => {
    const big = (bytes: number) => "x".repeat(bytes);
    const body = await http(c, "POST", W, widget("huge", { size: "small", extra: { blob: big(3.2 * 1024 * 1024) } }));
    expect(body.status).toBe(413);
    expect(body.body).toMatchObject({ reason: "RequestEntityTooLarge", message: "Request entity too large: limit is 3145728" });
    const stored = await http(c, "POST", W, widget("big", { size: "small", extra: { blob: big(1.6 * 1024 * 1024) } }));
    expect(stored.status).toBe(500);
    expect(stored.body).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "etcdserver: request is too large",
      code: 500,
    });
    const bigger = await http(c, "POST", W, widget("bigger", { size: "small", extra: { blob: big(2.5 * 1024 * 1024) } }));
    expect(bigger.body.message).toMatch(
      /^rpc error: code = ResourceExhausted desc = trying to send message larger than max \(\d+ vs\. 2097152\)$/,
    );
    const annotated = await http(c, "POST", W, widget("annotated", { size: "small" }, { annotations: { note: big(300 * 1024) } }));
    expect(annotated.status).toBe(422);
    expect(annotated.body.message).toBe(
      'Widget.example.com "annotated" is invalid: metadata.annotations: Too long: may not be more than 262144 bytes',
    );
    // Just under the limit is fine, and nothing of the refused ones was stored.
    expect((await http(c, "POST", W, widget("fits", { size: "small", extra: { blob: big(1.4 * 1024 * 1024) } }))).status).toBe(201);
    expect((await http(c, "GET", W)).body.items.map((i: KObject) => i.metadata.name)).toEqual(["fits"]);
  });

  test("OpenAPI v3 and v2 describe them, and change with their CRD", async () => {
    const index = (await http(c, "GET", "/openapi/v3")).body.paths;
    const url = index["apis/example.com/v1"].serverRelativeURL;
    const doc = (await http(c, "GET", url)).body;
    const schema = doc.components.schemas["com.example.v1.Widget"];
    expect(schema).toMatchObject({
      type: "object",
      description: "A Widget is made by the widget operator.",
      "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }],
    });
    expect(schema.properties.spec.properties.size).toEqual({
      type: "string",
      description: "How big the widget is.",
      enum: ["small", "large"],
    });
    expect(schema.properties.metadata.allOf).toEqual([{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }]);
    expect(doc.components.schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]).toBeTruthy();
    const patch = doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].patch;
    expect(Object.keys(patch.requestBody.content)).not.toContain("application/strategic-merge-patch+json");
    expect(patch.parameters.map((p: KObject) => p.name)).toContain("fieldValidation");
    expect(doc.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}/scale"]).toBeTruthy();
    // v2, as JSON (kubectl reads the same as protobuf).
    const v2 = (await http(c, "GET", "/openapi/v2")).body;
    expect(v2.definitions["com.example.v1.Widget"].properties.metadata).toMatchObject({
      $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
    });
    expect(v2.paths["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"].patch.consumes).toEqual([
      "application/json-patch+json",
      "application/merge-patch+json",
      "application/apply-patch+yaml",
    ]);
    const pb = await http(c, "GET", "/openapi/v2", undefined, { accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" });
    expect(pb.status).toBe(200);
    expect(String(pb.body)).toContain("com.example.v1.Widget");
    // A changed CRD changes the document's hash.
    const crd = (await http(c, "GET", `${CRDS}/widgets.example.com`)).body;
    crd.spec.versions[1].schema.openAPIV3Schema.description = "Changed.";
    await http(c, "PUT", `${CRDS}/widgets.example.com`, crd);
    const after = (await http(c, "GET", "/openapi/v3")).body.paths["apis/example.com/v1"].serverRelativeURL;
    expect(after).not.toBe(url);
    expect((await http(c, "GET", after)).body.components.schemas["com.example.v1.Widget"].description).toBe("Changed.");
  });
});

describe("events and leases", () => {
  test("core and events.k8s.io Events are one resource, each API with its field names and selectors", async () => {
    const core = "/api/v1/namespaces/default/events";
    const v1 = "/apis/events.k8s.io/v1/namespaces/default/events";
    const made = await http(c, "POST", core, {
      metadata: { name: "w.1" },
      involvedObject: { apiVersion: "example.com/v1", kind: "Widget", name: "w", namespace: "default", uid: "u-1" },
      reason: "Scaled",
      message: "scaled to 3",
      type: "Normal",
      source: { component: "widget-operator" },
      firstTimestamp: "2025-01-01T00:00:00.500Z",
      lastTimestamp: "2025-01-01T00:00:00Z",
      count: 2,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({
      firstTimestamp: "2025-01-01T00:00:00Z",
      eventTime: null,
      reportingComponent: "",
      reportingInstance: "",
    });
    const read = (await http(c, "GET", `${v1}/w.1`)).body;
    expect(read).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      regarding: { kind: "Widget", name: "w", uid: "u-1" },
      note: "scaled to 3",
      deprecatedSource: { component: "widget-operator" },
      deprecatedCount: 2,
    });
    const refused = await http(c, "POST", v1, {
      metadata: { name: "w.2" },
      regarding: { kind: "Widget", name: "w", namespace: "default" },
      eventTime: "2025-01-01T00:00:00Z",
      type: "Normal",
    });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toBe(
      'Event.events.k8s.io "w.2" is invalid: [reportingController: Required value, reportingInstance: Required value, action: Required value, reason: Required value]',
    );
    const newer = await http(c, "POST", v1, {
      metadata: { name: "w.2" },
      regarding: { apiVersion: "example.com/v1", kind: "Widget", name: "w", namespace: "default", uid: "u-1" },
      eventTime: "2025-01-01T00:00:01Z",
      type: "Warning",
      reason: "Failed",
      action: "Reconcile",
      note: "could not reconcile",
      reportingController: "example.com/widget-operator",
      reportingInstance: "widget-operator-0",
    });
    expect(newer.status).toBe(201);
    expect(newer.body.eventTime).toBe("2025-01-01T00:00:01.000000Z");
    const asCore = (await http(c, "GET", `${core}/w.2`)).body;
    expect(asCore).toMatchObject({
      involvedObject: { name: "w" },
      message: "could not reconcile",
      reportingComponent: "example.com/widget-operator",
    });
    const describeSelector =
      "involvedObject.name%3Dw,involvedObject.namespace%3Ddefault,involvedObject.kind%3DWidget,involvedObject.uid%3Du-1";
    expect((await http(c, "GET", `${core}?fieldSelector=${describeSelector}`)).body.items.map((e: KObject) => e.metadata.name)).toEqual([
      "w.1",
      "w.2",
    ]);
    expect((await http(c, "GET", `${core}?fieldSelector=type%3DWarning`)).body.items.map((e: KObject) => e.reason)).toEqual(["Failed"]);
    expect((await http(c, "GET", `${v1}?fieldSelector=regarding.name%3Dw,reason%3DScaled`)).body.items.map((e: KObject) => e.note)).toEqual(
      ["scaled to 3"],
    );
    const table = (await http(c, "GET", core, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" })).body;
    expect(table.columnDefinitions.filter((d: KObject) => d.priority === 0).map((d: KObject) => d.name)).toEqual([
      "Last Seen",
      "Type",
      "Reason",
      "Object",
      "Message",
    ]);
    expect(table.rows.map((r: KObject) => r.cells.slice(1, 9))).toEqual([
      ["Normal", "Scaled", "widget/w", "", "widget-operator", "scaled to 3", expect.any(String), 2],
      ["Warning", "Failed", "widget/w", "", "example.com/widget-operator, widget-operator-0", "could not reconcile", expect.any(String), 1],
    ]);
  });

  test("Leases: optimistic concurrency on resourceVersion, as leader election needs", async () => {
    const leases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";
    const spec = {
      holderIdentity: "a",
      leaseDurationSeconds: 15,
      acquireTime: "2025-01-01T00:00:00Z",
      renewTime: "2025-01-01T00:00:00.5Z",
      leaseTransitions: 0,
    };
    const made = await http(c, "POST", leases, { metadata: { name: "leader" }, spec });
    expect(made.body.spec).toMatchObject({ acquireTime: "2025-01-01T00:00:00.000000Z", renewTime: "2025-01-01T00:00:00.500000Z" });
    expect((await http(c, "POST", leases, { metadata: { name: "leader" }, spec })).status).toBe(409);
    // Two candidates read the same version; the second write loses.
    const first = await http(c, "PUT", `${leases}/leader`, { ...made.body, spec: { ...spec, holderIdentity: "b", leaseTransitions: 1 } });
    expect(first.status).toBe(200);
    const second = await http(c, "PUT", `${leases}/leader`, { ...made.body, spec: { ...spec, holderIdentity: "c", leaseTransitions: 1 } });
    expect(second.status).toBe(409);
    expect(second.body.message).toBe(
      'Operation cannot be fulfilled on leases.coordination.k8s.io "leader": the object has been modified; please apply your changes to the latest version and try again',
    );
    const invalid = await http(c, "PUT", `${leases}/leader`, { ...first.body, spec: { ...spec, leaseDurationSeconds: 0 } });
    expect(invalid.body.message).toBe(
      'Lease.coordination.k8s.io "leader" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
    );
    const table = (await http(c, "GET", leases, undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" })).body;
    expect(table.columnDefinitions.map((d: KObject) => d.name)).toEqual(["Name", "Holder", "Age"]);
    expect(table.rows[0].cells.slice(0, 2)).toEqual(["leader", "b"]);
  });
});
