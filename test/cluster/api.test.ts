/** REST semantics over real HTTP: status codes, Status objects, patches, apply, selectors, watch. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Cluster } from "../../src/cluster/index.js";
import { http, readAll, send, testCluster, waitFor, watchEvents } from "./helpers.js";

let c: Cluster & { dir: string };
beforeAll(async () => {
  c = await testCluster({ controllers: false, bookmarkIntervalMs: 50 });
});
afterAll(() => c.close());

const CM = "/api/v1/namespaces/default/configmaps";
const DEPLOY = "/apis/apps/v1/namespaces/default/deployments";

function deployment(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "main", image: "nginx:1.25", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }] }] },
      },
      ...extra,
    },
  };
}

describe("discovery and health", () => {
  test("version, health and legacy discovery", async () => {
    expect((await http(c, "GET", "/version")).body).toMatchObject({ major: "1", minor: "32" });
    for (const p of ["/healthz", "/readyz", "/livez"]) expect(await http(c, "GET", p)).toMatchObject({ status: 200, body: "ok" });
    const core = await http(c, "GET", "/api/v1");
    const pods = core.body.resources.find((r: any) => r.name === "pods");
    expect(pods).toMatchObject({ namespaced: true, kind: "Pod", shortNames: ["po"], categories: ["all"] });
    expect(core.body.resources.find((r: any) => r.name === "pods/status").verbs).toEqual(["get", "patch", "update"]);
    const apps = await http(c, "GET", "/apis/apps/v1");
    expect(apps.body.resources.find((r: any) => r.name === "statefulsets/scale")).toMatchObject({
      group: "autoscaling",
      version: "v1",
      kind: "Scale",
    });
    const groups = await http(c, "GET", "/apis");
    expect(groups.body.groups.map((g: any) => g.name)).toEqual([
      "apps",
      "batch",
      "policy",
      "coordination.k8s.io",
      "events.k8s.io",
      "apiextensions.k8s.io",
    ]);
  });

  test("aggregated discovery when asked for through Accept", async () => {
    const accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    const res = await http(c, "GET", "/apis", undefined, { accept });
    expect(res.headers.get("content-type")).toBe("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    const apps = res.body.items.find((i: any) => i.metadata.name === "apps");
    const sts = apps.versions[0].resources.find((r: any) => r.resource === "statefulsets");
    expect(sts).toMatchObject({ scope: "Namespaced", singularResource: "statefulset", shortNames: ["sts"] });
    expect(sts.subresources.map((s: any) => s.subresource).sort()).toEqual(["scale", "status"]);
  });

  test("OpenAPI v3 index and a group document with the fieldValidation parameter", async () => {
    const index = await http(c, "GET", "/openapi/v3");
    const url = index.body.paths["apis/apps/v1"].serverRelativeURL as string;
    const doc = await http(c, "GET", url);
    expect(doc.headers.get("cache-control")).toBe("public, immutable");
    const patch = doc.body.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", version: "v1", kind: "Deployment" });
    expect(patch.parameters.map((p: any) => p.name)).toContain("fieldValidation");
    expect(doc.body.components.schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]).toEqual([
      { group: "apps", version: "v1", kind: "Deployment" },
    ]);
  });
});

describe("create, get, update", () => {
  test("generateName, defaults, uid and resourceVersion", async () => {
    const res = await http(c, "POST", DEPLOY, { ...deployment("x"), metadata: { generateName: "web-" } });
    expect(res.status).toBe(201);
    const d = res.body;
    expect(d.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(d.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.metadata.generation).toBe(1);
    expect(d.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      imagePullPolicy: "IfNotPresent",
      terminationMessagePath: "/dev/termination-log",
    });
    const got = await http(c, "GET", `${DEPLOY}/${d.metadata.name}`);
    expect(got.body.metadata.resourceVersion).toBe(d.metadata.resourceVersion);
  });

  test("invalid names are 422 Invalid with causes; duplicates 409 AlreadyExists", async () => {
    const bad = await http(c, "POST", CM, { metadata: { name: "Not_Valid" } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "Invalid",
      code: 422,
      details: { name: "Not_Valid", kind: "ConfigMap", causes: [{ reason: "FieldValueInvalid", field: "metadata.name" }] },
    });
    expect(bad.body.message).toMatch(
      /^ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain/,
    );
    await http(c, "POST", CM, { metadata: { name: "dup" } });
    const again = await http(c, "POST", CM, { metadata: { name: "dup" } });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      reason: "AlreadyExists",
      message: 'configmaps "dup" already exists',
      details: { name: "dup", kind: "configmaps" },
    });
    const missing = await http(c, "GET", `${DEPLOY}/nope`);
    expect(missing.body).toMatchObject({
      code: 404,
      reason: "NotFound",
      message: 'deployments.apps "nope" not found',
      details: { group: "apps", kind: "deployments" },
    });
    const noNs = await http(c, "POST", "/api/v1/namespaces/absent/configmaps", { metadata: { name: "a" } });
    expect(noNs.body).toMatchObject({ code: 404, message: 'namespaces "absent" not found' });
  });

  test("dryRun=All validates without storing", async () => {
    const res = await http(c, "POST", `${CM}?dryRun=All`, { metadata: { name: "dry" }, data: { a: "1" } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.uid).toBeDefined();
    expect((await http(c, "GET", `${CM}/dry`)).status).toBe(404);
  });

  test("stale resourceVersion is a 409 Conflict; generation follows spec, not metadata", async () => {
    const d = (await http(c, "POST", DEPLOY, deployment("gen"))).body;
    const labelled = { ...d, metadata: { ...d.metadata, labels: { x: "y" } } };
    const r1 = await http(c, "PUT", `${DEPLOY}/gen`, labelled);
    expect(r1.body.metadata.generation).toBe(1);
    const stale = await http(c, "PUT", `${DEPLOY}/gen`, { ...d, spec: { ...d.spec, replicas: 3 } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toBe(
      'Operation cannot be fulfilled on deployments.apps "gen": the object has been modified; please apply your changes to the latest version and try again',
    );
    const fresh = await http(c, "PUT", `${DEPLOY}/gen`, { ...r1.body, spec: { ...r1.body.spec, replicas: 3 } });
    expect(fresh.body.metadata.generation).toBe(2);
    expect(Number(fresh.body.metadata.resourceVersion)).toBeGreaterThan(Number(r1.body.metadata.resourceVersion));
  });

  test("status is written only through /status", async () => {
    const d = (await http(c, "POST", DEPLOY, deployment("st"))).body;
    const viaMain = await http(c, "PUT", `${DEPLOY}/st`, { ...d, status: { replicas: 7 } });
    expect(viaMain.body.status.replicas).toBeUndefined();
    const viaStatus = await http(c, "PUT", `${DEPLOY}/st/status`, {
      ...viaMain.body,
      spec: { ...d.spec, replicas: 9 },
      status: { replicas: 7, observedGeneration: 1 },
    });
    expect(viaStatus.body.status.replicas).toBe(7);
    expect(viaStatus.body.spec.replicas).toBe(1);
    const merged = await http(
      c,
      "PATCH",
      `${DEPLOY}/st/status`,
      { status: { readyReplicas: 2 } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(merged.body.status).toMatchObject({ replicas: 7, readyReplicas: 2 });
  });

  test("strict field validation rejects unknown fields; Warn drops them with a warning", async () => {
    const strict = await http(c, "POST", `${DEPLOY}?fieldValidation=Strict`, {
      ...deployment("strict"),
      spec: { ...deployment("strict").spec, replicaz: 2 },
    });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz"',
    );
    const warn = await http(c, "POST", DEPLOY, { ...deployment("warn"), spec: { ...deployment("warn").spec, replicaz: 2 } });
    expect(warn.status).toBe(201);
    expect(warn.headers.get("warning")).toBe('299 - "unknown field \\"spec.replicaz\\""');
    expect(warn.body.spec.replicaz).toBeUndefined();
  });
});

describe("patches", () => {
  test("JSON patch, merge patch and a failing JSON patch test", async () => {
    await http(c, "POST", CM, { metadata: { name: "p" }, data: { a: "1", b: "2" } });
    const jp = await http(
      c,
      "PATCH",
      `${CM}/p`,
      [
        { op: "replace", path: "/data/a", value: "10" },
        { op: "remove", path: "/data/b" },
      ],
      { "content-type": "application/json-patch+json" },
    );
    expect(jp.body.data).toEqual({ a: "10" });
    const mp = await http(c, "PATCH", `${CM}/p`, { data: { a: null, c: "3" } }, { "content-type": "application/merge-patch+json" });
    expect(mp.body.data).toEqual({ c: "3" });
    const failing = await http(c, "PATCH", `${CM}/p`, [{ op: "test", path: "/data/c", value: "4" }], {
      "content-type": "application/json-patch+json",
    });
    expect(failing.status).toBe(422);
    const stale = await http(
      c,
      "PATCH",
      `${CM}/p`,
      { metadata: { resourceVersion: "1" }, data: { z: "1" } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(stale.status).toBe(409);
  });

  test("strategic merge patch merges lists by key and honours directives", async () => {
    await http(c, "POST", DEPLOY, deployment("smp"));
    const smp = (body: unknown) => http(c, "PATCH", `${DEPLOY}/smp`, body, { "content-type": "application/strategic-merge-patch+json" });
    let d = (
      await smp({
        spec: {
          template: {
            spec: {
              containers: [
                { name: "side", image: "busybox" },
                { name: "main", env: [{ name: "B", value: "2" }] },
              ],
            },
          },
        },
      })
    ).body;
    let cs = d.spec.template.spec.containers;
    expect(cs.map((x: any) => x.name)).toEqual(["main", "side"]);
    expect(cs[0].env).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(cs[0].image).toBe("nginx:1.25");
    d = (
      await smp({
        spec: {
          template: {
            spec: {
              $setElementOrder: undefined,
              "$setElementOrder/containers": [{ name: "side" }, { name: "main" }],
              containers: [{ name: "main", env: [{ name: "A", $patch: "delete" }] }],
            },
          },
        },
      })
    ).body;
    cs = d.spec.template.spec.containers;
    expect(cs.map((x: any) => x.name)).toEqual(["side", "main"]);
    expect(cs[1].env).toEqual([{ name: "B", value: "2" }]);
    d = (await smp({ spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } })).body;
    expect(d.spec.strategy).toEqual({ type: "Recreate" });
    d = (await smp({ metadata: { finalizers: ["a.example/x", "a.example/y"] } })).body;
    d = (await smp({ metadata: { "$deleteFromPrimitiveList/finalizers": ["a.example/x"] } })).body;
    expect(d.metadata.finalizers).toEqual(["a.example/y"]);
    d = (await smp({ spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "x:1" }] } } } })).body;
    expect(d.spec.template.spec.containers.map((x: any) => x.name)).toEqual(["only"]);
  });
});

describe("server-side apply", () => {
  const apply = (body: unknown, manager: string, force = false) =>
    http(c, "PATCH", `/api/v1/namespaces/default/configmaps/ssa?fieldManager=${manager}${force ? "&force=true" : ""}`, body, {
      "content-type": "application/apply-patch+yaml",
    });

  test("creates, records managedFields, conflicts as 409, force takes ownership, dropped fields are removed", async () => {
    const created = await apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n  b: '2'\n", "alice");
    expect(created.status).toBe(201);
    expect(created.body.metadata.managedFields).toEqual([
      {
        manager: "alice",
        operation: "Apply",
        apiVersion: "v1",
        time: expect.any(String),
        fieldsType: "FieldsV1",
        fieldsV1: { "f:data": { ".": {}, "f:a": {}, "f:b": {} } },
      },
    ]);
    const conflict = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { a: "9" } }, "bob");
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "alice": .data.a',
      details: { causes: [{ reason: "FieldManagerConflict", message: 'conflict with "alice"', field: ".data.a" }] },
    });
    const same = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { a: "1" } }, "bob");
    expect(same.status).toBe(200);
    const forced = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { a: "1", b: "7" } }, "bob", true);
    expect(forced.body.data).toEqual({ a: "1", b: "7" });
    const alice = forced.body.metadata.managedFields.find((m: any) => m.manager === "alice");
    expect(alice.fieldsV1["f:data"]).toEqual({ ".": {}, "f:a": {} });
    // alice stops applying a: bob still co-owns it, so it stays; then bob drops it too.
    const a2 = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: {} }, "alice");
    expect(a2.body.data.a).toBe("1");
    const b2 = await apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "ssa" }, data: { b: "7" } }, "bob");
    expect(b2.body.data).toEqual({ b: "7" });
    const noManager = await http(
      c,
      "PATCH",
      "/api/v1/namespaces/default/configmaps/ssa",
      { apiVersion: "v1", kind: "ConfigMap" },
      { "content-type": "application/apply-patch+yaml" },
    );
    expect(noManager.status).toBe(400);
  });

  test("updates take ownership of what they change", async () => {
    await http(c, "POST", `${CM}?fieldManager=creator`, { metadata: { name: "own" }, data: { a: "1" } });
    const upd = await http(
      c,
      "PATCH",
      `${CM}/own?fieldManager=editor`,
      { data: { a: "2" } },
      { "content-type": "application/merge-patch+json" },
    );
    const managers = Object.fromEntries(upd.body.metadata.managedFields.map((m: any) => [m.manager, m.fieldsV1]));
    expect(managers.editor).toEqual({ "f:data": { "f:a": {} } });
    expect(managers.creator).toEqual({ "f:data": { ".": {} } });
  });
});

describe("lists and selectors", () => {
  test("label selectors, field selectors, pagination and tables", async () => {
    const ns = "/api/v1/namespaces";
    await http(c, "POST", ns, { metadata: { name: "sel" } });
    const mk = (name: string, labels: Record<string, string>) => http(c, "POST", `${ns}/sel/configmaps`, { metadata: { name, labels } });
    await mk("a", { tier: "web", env: "prod" });
    await mk("b", { tier: "db", env: "prod" });
    await mk("c", { tier: "web" });
    const names = async (q: string) =>
      (await http(c, "GET", `${ns}/sel/configmaps?${q}`)).body.items
        .map((i: any) => i.metadata.name)
        .filter((n: string) => n !== "kube-root-ca.crt");
    expect(await names("labelSelector=tier%3Dweb")).toEqual(["a", "c"]);
    expect(await names("labelSelector=tier%3D%3Dweb,env")).toEqual(["a"]);
    expect(await names("labelSelector=tier!%3Dweb")).toEqual(["b"]);
    expect(await names("labelSelector=tier%20in%20(db,web),!env")).toEqual(["c"]);
    expect(await names("labelSelector=tier%20notin%20(web)")).toEqual(["b"]);
    expect(await names("fieldSelector=metadata.name%3Db")).toEqual(["b"]);
    expect((await http(c, "GET", `${ns}/sel/configmaps?fieldSelector=data.x%3Dy`)).body).toMatchObject({
      code: 400,
      message: "field label not supported: data.x",
    });
    const page1 = await http(c, "GET", `${ns}/sel/configmaps?limit=2`);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.metadata.remainingItemCount).toBe(2);
    const page2 = await http(c, "GET", `${ns}/sel/configmaps?limit=2&continue=${encodeURIComponent(page1.body.metadata.continue)}`);
    expect(page2.body.items.map((i: any) => i.metadata.name)).toEqual(["c", "kube-root-ca.crt"]);
    const table = await http(c, "GET", `${ns}/sel/configmaps?labelSelector=tier`, undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    expect(table.body.kind).toBe("Table");
    expect(table.body.columnDefinitions.map((d: any) => d.name)).toEqual(["Name", "Data", "Age"]);
    expect(table.body.rows[0].cells.slice(0, 2)).toEqual(["a", 0]);
    expect(table.body.rows[0].object.kind).toBe("PartialObjectMetadata");
    const all = await http(c, "GET", "/api/v1/configmaps?labelSelector=env%3Dprod");
    expect(all.body.items.map((i: any) => `${i.metadata.namespace}/${i.metadata.name}`)).toEqual(["sel/a", "sel/b"]);
  });

  test("deletecollection by label", async () => {
    await http(c, "POST", "/api/v1/namespaces", { metadata: { name: "dc" } });
    for (const n of ["x", "y", "z"])
      await http(c, "POST", "/api/v1/namespaces/dc/secrets", {
        metadata: { name: n, labels: { drop: n === "z" ? "no" : "yes" } },
        stringData: { k: "v" },
      });
    const res = await http(c, "DELETE", "/api/v1/namespaces/dc/secrets?labelSelector=drop%3Dyes");
    expect(res.body.items.map((i: any) => i.metadata.name)).toEqual(["x", "y"]);
    const left = await http(c, "GET", "/api/v1/namespaces/dc/secrets");
    expect(left.body.items.map((i: any) => i.metadata.name)).toEqual(["z"]);
    expect(left.body.items[0].data).toEqual({ k: Buffer.from("v").toString("base64") });
  });
});

describe("watch", () => {
  const collect = (p: string, until: (events: any[]) => boolean, act?: () => Promise<unknown>) => watchEvents(c, p, until, act);

  test("events resume from a resourceVersion, with label filtering", async () => {
    await http(c, "POST", "/api/v1/namespaces", { metadata: { name: "w" } });
    const start = (await http(c, "GET", "/api/v1/namespaces/w/configmaps")).body.metadata.resourceVersion;
    await http(c, "POST", "/api/v1/namespaces/w/configmaps", { metadata: { name: "one", labels: { watch: "me" } } });
    await http(c, "POST", "/api/v1/namespaces/w/configmaps", { metadata: { name: "other" } });
    await http(c, "PATCH", "/api/v1/namespaces/w/configmaps/one", { data: { x: "1" } }, { "content-type": "application/merge-patch+json" });
    await http(c, "DELETE", "/api/v1/namespaces/w/configmaps/one");
    const events = await collect(
      `/api/v1/namespaces/w/configmaps?watch=1&resourceVersion=${start}&labelSelector=watch`,
      (e) => e.length >= 3,
    );
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED one", "MODIFIED one", "DELETED one"]);
  });

  test("sendInitialEvents: the current state, then a bookmark marking its end", async () => {
    await http(c, "POST", "/api/v1/namespaces", { metadata: { name: "initial" } });
    await http(c, "POST", "/api/v1/namespaces/initial/configmaps", { metadata: { name: "x" } });
    const events = await collect(
      "/api/v1/namespaces/initial/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true",
      (e) => e.some((x) => x.type === "BOOKMARK"),
    );
    expect(events.slice(0, 3).map((e) => e.type)).toEqual(["ADDED", "ADDED", "BOOKMARK"]);
    expect(events[2].object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });

  test("410 Expired for a compacted resourceVersion; bookmarks; timeoutSeconds ends the stream", async () => {
    const old = "1";
    await http(c, "POST", "/_ko/compact");
    const expired = await collect(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${old}`, (e) => e.length >= 1);
    expect(expired[0]).toMatchObject({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } });
    expect(expired[0].object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
    const rv = (await http(c, "GET", "/api/v1/namespaces/default/configmaps")).body.metadata.resourceVersion;
    const marks = await collect(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (e) =>
      e.some((x) => x.type === "BOOKMARK"),
    );
    expect(marks.find((e) => e.type === "BOOKMARK").object).toMatchObject({
      kind: "ConfigMap",
      apiVersion: "v1",
      metadata: { resourceVersion: expect.any(String) },
    });
    const t0 = Date.now();
    await readAll(await send(c, "GET", `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });
});

describe("fault injection", () => {
  test("fail the next N matching requests, then recover", async () => {
    c.faults.fail({ verb: "get", resource: "configmaps", name: "dup", status: 503, count: 2, retryAfterSeconds: 1 });
    const a = await http(c, "GET", `${CM}/dup`);
    expect(a.status).toBe(503);
    expect(a.body.reason).toBe("ServiceUnavailable");
    expect(a.headers.get("retry-after")).toBe("1");
    expect((await http(c, "GET", `${CM}/dup`)).status).toBe(503);
    expect((await http(c, "GET", `${CM}/dup`)).status).toBe(200);
  });

  test("latency and the HTTP admin endpoint", async () => {
    const added = await http(c, "POST", "/_ko/faults", { type: "latency", verb: "list", resource: "secrets", latencyMs: 150, count: 1 });
    expect(added.status).toBe(201);
    const t0 = Date.now();
    await http(c, "GET", "/api/v1/namespaces/default/secrets");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await http(c, "POST", "/_ko/faults", { status: 500, verb: "create", resource: "secrets" });
    expect((await http(c, "POST", "/api/v1/namespaces/default/secrets", { metadata: { name: "s" } })).body).toMatchObject({
      code: 500,
      reason: "InternalError",
    });
    expect((await http(c, "GET", "/_ko/faults")).body.rules).toEqual([]);
  });

  test("dropping a watch ends the stream", async () => {
    const text = readAll(await send(c, "GET", "/api/v1/namespaces/default/configmaps?watch=1"));
    await waitFor("watch registered", () => c.faults.watches.size > 0);
    expect(c.faults.dropWatches({ resource: "configmaps" })).toBe(1);
    expect((await text).length).toBeGreaterThan(0);
  });
});
