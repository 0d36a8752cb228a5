/**
 * What a request deletes with it (src/k8s/effects.ts), against a cluster held in a table: an
 * owner's dependents through ownerReferences (and Orphan keeping them), a namespace's content
 * (events aside), a claim's volume when its reclaim policy is Delete, a deletecollection's
 * matches, an eviction's pod, the pods of a scale-down (the lower of the count worked out here and
 * the server's), and a server-side apply that creates.
 */
import { describe, expect, test } from "vitest";
import { Catalog } from "../../src/k8s/discovery.js";
import { effectsOf, type ClusterView, type Effect } from "../../src/k8s/effects.js";
import { classify, type RawRequest, type ResourceRequest } from "../../src/k8s/requests.js";
import { builtInResource } from "../../src/k8s/resources.js";

type Json = Record<string, any>;

const meta = (name: string, uid: string, namespace?: string, owner?: string, labels?: Record<string, string>) => ({
  name,
  uid,
  ...(namespace ? { namespace } : {}),
  ...(owner ? { ownerReferences: [{ uid: owner, kind: "x", name: "x", apiVersion: "v1" }] } : {}),
  ...(labels ? { labels } : {}),
});

const DEPLOY = { metadata: meta("web", "d1", "db"), spec: { replicas: 3 } };
const RS = { metadata: meta("web-1", "r1", "db", "d1") };
const PODS = ["a", "b", "c"].map((p) => ({ metadata: meta(`web-1-${p}`, `p-${p}`, "db", "r1", { app: "web" }) }));
const CLAIM = { metadata: meta("data", "c1", "db"), spec: { volumeName: "pv-1" } };
const KEPT = { metadata: meta("kept", "c2", "db"), spec: { volumeName: "pv-2" } };

/** The cluster: each path's JSON (lists carry their items). */
const PATHS: Record<string, Json> = {
  "/api/v1": {
    resources: [
      { name: "pods", kind: "Pod", namespaced: true, verbs: ["list", "delete"] },
      { name: "events", kind: "Event", namespaced: true, verbs: ["list", "delete"] },
      { name: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true, verbs: ["list", "delete"] },
      { name: "persistentvolumes", kind: "PersistentVolume", namespaced: false, verbs: ["list", "delete"] },
      { name: "namespaces", kind: "Namespace", namespaced: false, verbs: ["list", "delete"] },
    ],
  },
  "/apis": { groups: [{ name: "apps", preferredVersion: { version: "v1" } }] },
  "/apis/apps/v1": {
    resources: [
      { name: "deployments", kind: "Deployment", namespaced: true, verbs: ["list", "delete"] },
      { name: "replicasets", kind: "ReplicaSet", namespaced: true, verbs: ["list", "delete"] },
    ],
  },
  "/apis/apps/v1/namespaces/db/deployments": { items: [DEPLOY] },
  "/apis/apps/v1/namespaces/db/deployments/web": DEPLOY,
  "/apis/apps/v1/namespaces/db/replicasets": { items: [RS] },
  "/api/v1/namespaces/db/pods": { items: PODS },
  "/api/v1/namespaces/db/pods?labelSelector=app%3Dweb": { items: PODS },
  "/api/v1/namespaces/db/pods/web-1-a": PODS[0]!,
  "/api/v1/namespaces/db/events": { items: [{ metadata: meta("e", "e1", "db") }] },
  "/api/v1/namespaces/db/persistentvolumeclaims": { items: [CLAIM, KEPT] },
  "/api/v1/namespaces/db/persistentvolumeclaims/data": CLAIM,
  "/api/v1/persistentvolumes/pv-1": { metadata: meta("pv-1", "v1"), spec: { persistentVolumeReclaimPolicy: "Delete" } },
  "/api/v1/persistentvolumes/pv-2": { metadata: meta("pv-2", "v2"), spec: { persistentVolumeReclaimPolicy: "Retain" } },
  "/api/v1/namespaces/db": { metadata: meta("db", "n1") },
};

function view(dryRun: (req: ResourceRequest) => Json = () => ({})): ClusterView {
  const get = async (path: string) => PATHS[path];
  return { catalog: new Catalog(get), get, dryRun: async (req) => dryRun(req), readsBeforeWrites: true };
}

async function effects(raw: RawRequest, v = view()): Promise<string[]> {
  const req = classify({ ...raw, url: `https://h${raw.url}` });
  if (req.type !== "resource") throw new Error(`not a resource request: ${raw.url}`);
  const type = builtInResource(req.group, req.resource)!;
  const out: Effect[] = await effectsOf(req, type, v);
  return out.map((e) => `${e.action.verb} ${e.action.kind} ${e.action.name ?? "*"}${e.because ? ` (${e.because})` : ""}`);
}

describe("what a request deletes with it", () => {
  test("an owner takes its dependents and theirs; Orphan takes nothing else", async () => {
    expect(await effects({ method: "DELETE", url: "/apis/apps/v1/namespaces/db/deployments/web" })).toEqual([
      "delete Deployment web",
      "delete ReplicaSet web-1 (owned by Deployment db/web)",
      "delete Pod web-1-a (owned by ReplicaSet db/web-1)",
      "delete Pod web-1-b (owned by ReplicaSet db/web-1)",
      "delete Pod web-1-c (owned by ReplicaSet db/web-1)",
    ]);
    expect(await effects({ method: "DELETE", url: "/apis/apps/v1/namespaces/db/deployments/web?propagationPolicy=Orphan" })).toEqual([
      "delete Deployment web",
    ]);
    // Foreground deletes the same as Background, only in another order.
    expect(
      await effects({ method: "DELETE", url: "/apis/apps/v1/namespaces/db/deployments/web", body: '{"propagationPolicy":"Foreground"}' }),
    ).toHaveLength(5);
  });

  test("a namespace takes everything in it (events aside), and the volumes its claims would release", async () => {
    expect(await effects({ method: "DELETE", url: "/api/v1/namespaces/db" })).toEqual([
      "delete Namespace db",
      "delete Pod web-1-a (deleted with Namespace db)",
      "delete Pod web-1-b (deleted with Namespace db)",
      "delete Pod web-1-c (deleted with Namespace db)",
      "delete PersistentVolumeClaim data (deleted with Namespace db)",
      "delete PersistentVolumeClaim kept (deleted with Namespace db)",
      "delete Deployment web (deleted with Namespace db)",
      "delete ReplicaSet web-1 (deleted with Namespace db)",
      "delete PersistentVolume pv-1 (reclaimPolicy Delete: deleted with PersistentVolumeClaim db/data)",
    ]);
  });

  test("a claim takes its volume when the volume's reclaim policy is Delete", async () => {
    expect(await effects({ method: "DELETE", url: "/api/v1/namespaces/db/persistentvolumeclaims/data" })).toEqual([
      "delete PersistentVolumeClaim data",
      "delete PersistentVolume pv-1 (reclaimPolicy Delete: deleted with PersistentVolumeClaim db/data)",
    ]);
  });

  test("a deletecollection takes what its selector matches", async () => {
    expect(await effects({ method: "DELETE", url: "/api/v1/namespaces/db/pods?labelSelector=app%3Dweb" })).toEqual([
      "deletecollection Pod *",
      "delete Pod web-1-a",
      "delete Pod web-1-b",
      "delete Pod web-1-c",
    ]);
  });

  test("an eviction takes the pod", async () => {
    expect(await effects({ method: "POST", url: "/api/v1/namespaces/db/pods/web-1-a/eviction", body: "{}" })).toEqual([
      "delete Pod web-1-a (an eviction deletes the pod)",
    ]);
  });

  test("a scale-down takes the pods it no longer wants: the lower of the count worked out here and the server's", async () => {
    const scale = {
      method: "PATCH",
      url: "/apis/apps/v1/namespaces/db/deployments/web/scale",
      contentType: "application/merge-patch+json",
    };
    // The patch says 2; a server (or its admission) that says 1 is believed, since it deletes more.
    expect(
      await effects(
        { ...scale, body: '{"spec":{"replicas":2}}' },
        view(() => ({ spec: { replicas: 1 } })),
      ),
    ).toEqual([
      "patch Deployment web",
      "delete Pod web-1-b (2 of its pods removed by scaling Deployment db/web from 3 to 1)",
      "delete Pod web-1-c (2 of its pods removed by scaling Deployment db/web from 3 to 1)",
    ]);
    // A server that says nothing changed (the embedded cluster's dry run of /scale does) does not hide the patch's 0.
    expect(
      await effects(
        { ...scale, body: '{"spec":{"replicas":0}}' },
        view(() => ({ spec: { replicas: 3 } })),
      ),
    ).toHaveLength(4);
    expect(
      await effects(
        { ...scale, body: '{"spec":{"replicas":5}}' },
        view(() => ({ spec: { replicas: 5 } })),
      ),
    ).toEqual(["patch Deployment web"]);
  });

  test("a server-side apply of an object that does not exist creates it", async () => {
    const apply = { method: "PATCH", contentType: "application/apply-patch+yaml", body: '{"metadata":{"name":"new"}}' };
    expect(await effects({ ...apply, url: "/api/v1/namespaces/db/persistentvolumeclaims/new" })).toEqual([
      "patch PersistentVolumeClaim new",
      "create PersistentVolumeClaim new",
    ]);
    expect(await effects({ ...apply, url: "/api/v1/namespaces/db/persistentvolumeclaims/data" })).toEqual([
      "patch PersistentVolumeClaim data",
    ]);
  });
});
