/**
 * Object lifecycle: the default namespaces and per-namespace defaults (the "default"
 * ServiceAccount, the kube-root-ca.crt ConfigMap); namespace termination (delete the content,
 * then the "kubernetes" finalizer); garbage collection through ownerReferences with Background,
 * Foreground and Orphan propagation; PodDisruptionBudget status.
 */
import { ApiError } from "../errors.js";
import { grKey, type KObject, type ResourceType } from "../resources.js";
import { matchesLabelSelector } from "../selectors.js";
import type { StoreEvent } from "../object-store.js";
import { timestamp } from "../util.js";
import { type Controller, type ControllerManager, isActive, isPodReady, nsKey, setCondition, splitKey } from "./manager.js";

const MANAGER = "kube-controller-manager";
export const DEFAULT_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

const FAKE_CA =
  "-----BEGIN CERTIFICATE-----\nMIIBkoThisIsASimulatedClusterCAForKoOnlyAAAAAAAAAAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----\n";

function ignoreMissing(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
  }
}

export class NamespaceController implements Controller {
  readonly name = "namespace";
  constructor(private readonly m: ControllerManager) {}

  start(): void {
    const nsType = this.m.rt("", "namespaces");
    for (const n of DEFAULT_NAMESPACES)
      if (!this.m.api.tryGet(nsType, undefined, n))
        this.m.api.create(nsType, undefined, { metadata: { name: n } }, { fieldManager: "kube-apiserver" });
    const svc = this.m.rt("", "services");
    if (!this.m.api.tryGet(svc, "default", "kubernetes"))
      this.m.api.create(
        svc,
        "default",
        {
          metadata: { name: "kubernetes", labels: { component: "apiserver", provider: "kubernetes" } },
          spec: { clusterIP: "10.96.0.1", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }], type: "ClusterIP" },
        },
        { fieldManager: "kube-apiserver" },
      );
  }

  *keys(e: StoreEvent): Iterable<string> {
    if (e.gr === "/namespaces") yield e.object.metadata.name;
    else if (e.type === "DELETED" && e.object.metadata.namespace) {
      const ns = this.m.api.store.get("/namespaces", undefined, e.object.metadata.namespace);
      if (ns?.metadata.deletionTimestamp) yield ns.metadata.name;
      else if (e.gr === "/serviceaccounts" && e.object.metadata.name === "default") yield e.object.metadata.namespace;
    }
  }

  reconcile(name: string): void {
    const api = this.m.api;
    const nsType = this.m.rt("", "namespaces");
    const ns = api.tryGet(nsType, undefined, name);
    if (!ns) return;
    if (!ns.metadata.deletionTimestamp) {
      const sa = this.m.rt("", "serviceaccounts");
      const cm = this.m.rt("", "configmaps");
      if (!api.tryGet(sa, name, "default"))
        ignoreMissing(() => api.create(sa, name, { metadata: { name: "default" } }, { fieldManager: MANAGER }));
      if (!api.tryGet(cm, name, "kube-root-ca.crt"))
        ignoreMissing(() =>
          api.create(
            cm,
            name,
            {
              metadata: {
                name: "kube-root-ca.crt",
                annotations: {
                  "kubernetes.io/description":
                    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
                },
              },
              data: { "ca.crt": FAKE_CA },
            },
            { fieldManager: MANAGER },
          ),
        );
      return;
    }
    if (!(ns.spec?.finalizers ?? []).includes("kubernetes")) return;
    // Delete everything in the namespace; finalize once nothing is left.
    let remaining = 0;
    const counts = new Map<string, number>();
    // Every table once: resources served in several versions (or APIs) share one.
    const tables = new Set<string>();
    for (const rt of api.registry.all) {
      if (!rt.namespaced || tables.has(grKey(rt))) continue;
      tables.add(grKey(rt));
      for (const o of api.store.list(grKey(rt), name)) {
        remaining++;
        counts.set(rt.plural, (counts.get(rt.plural) ?? 0) + 1);
        if (!o.metadata.deletionTimestamp)
          ignoreMissing(() => api.delete(rt, name, o.metadata.name, { propagationPolicy: "Background", fieldManager: MANAGER }));
      }
    }
    if (remaining > 0) {
      const now = timestamp();
      const summary = [...counts.entries()].map(([r, n]) => `${r} has ${n} resource instances`).join(", ");
      this.m.mutate(
        nsType,
        undefined,
        name,
        MANAGER,
        (o) => {
          let conds = o.status?.conditions;
          conds = setCondition(
            conds,
            {
              type: "NamespaceDeletionDiscoveryFailure",
              status: "False",
              reason: "ResourcesDiscovered",
              message: "All resources successfully discovered",
            },
            now,
          );
          conds = setCondition(
            conds,
            {
              type: "NamespaceDeletionContentFailure",
              status: "False",
              reason: "ContentDeleted",
              message: "All content successfully deleted, may be waiting on finalization",
            },
            now,
          );
          conds = setCondition(
            conds,
            {
              type: "NamespaceContentRemaining",
              status: "True",
              reason: "SomeResourcesRemain",
              message: `Some resources are remaining: ${summary}`,
            },
            now,
          );
          o.status = { ...o.status, conditions: conds };
        },
        "status",
      );
      return;
    }
    api.finalizeNamespace(
      name,
      { spec: { finalizers: (ns.spec.finalizers as string[]).filter((f) => f !== "kubernetes") } },
      { fieldManager: MANAGER },
    );
  }
}

/** The garbage collector: owner keys are uids. */
export class GarbageCollector implements Controller {
  readonly name = "garbagecollector";
  constructor(private readonly m: ControllerManager) {}

  *keys(e: StoreEvent): Iterable<string> {
    const o = e.object;
    const refs: KObject[] = o.metadata.ownerReferences ?? [];
    if (e.type === "DELETED") {
      // The owner is gone: its dependents may go. A dependent is gone: a foreground owner may finish.
      yield o.metadata.uid;
      for (const r of refs) yield r.uid;
    } else {
      const fins: string[] = o.metadata.finalizers ?? [];
      if (o.metadata.deletionTimestamp && (fins.includes("orphan") || fins.includes("foregroundDeletion"))) yield o.metadata.uid;
      // A new dependent whose owners never existed (or are gone) is collected.
      if (e.type === "ADDED" && refs.length) yield `dangling:${e.gr}\u0000${o.metadata.namespace ?? ""}\u0000${o.metadata.name}`;
      if (o.metadata.deletionTimestamp) for (const r of refs) yield r.uid;
    }
  }

  /** The resource of a store table; undefined once its CustomResourceDefinition is gone. */
  private typeOf(gr: string): ResourceType | undefined {
    return this.m.api.registry.byStorage(gr);
  }

  private ownerExists(ref: KObject, namespace: string | undefined): boolean {
    const loc = this.m.owners.byUid.get(ref.uid);
    if (!loc) return false;
    const o = this.m.api.store.get(loc.gr, loc.namespace, loc.name);
    return !!o && (loc.namespace === undefined || loc.namespace === namespace);
  }

  reconcile(key: string): void {
    const api = this.m.api;
    if (key.startsWith("dangling:")) {
      const [gr, ns, name] = key.slice(9).split("\u0000") as [string, string, string];
      const rt = this.typeOf(gr);
      if (!rt) return;
      const o = api.tryGet(rt, ns || undefined, name);
      if (!o || o.metadata.deletionTimestamp) return;
      const refs: KObject[] = o.metadata.ownerReferences ?? [];
      if (refs.length && !refs.some((r) => this.ownerExists(r, o.metadata.namespace)))
        ignoreMissing(() =>
          api.delete(rt, ns || undefined, name, { propagationPolicy: "Background", fieldManager: "generic-garbage-collector" }),
        );
      return;
    }
    const uid = key;
    const loc = this.m.owners.byUid.get(uid);
    const owner = loc ? api.store.get(loc.gr, loc.namespace, loc.name) : undefined;
    const dependents = this.m.owners.dependentsOf(uid);
    if (!owner) {
      // Background: delete dependents that have no other living owner; drop the dangling reference otherwise.
      for (const [gr, ns, name] of dependents) {
        const rt = this.typeOf(gr);
        const d = rt && api.tryGet(rt, ns || undefined, name);
        if (!rt || !d) continue;
        const others = (d.metadata.ownerReferences ?? []).filter(
          (r: KObject) => r.uid !== uid && this.ownerExists(r, d.metadata.namespace),
        );
        if (others.length)
          this.m.mutate(
            rt,
            ns || undefined,
            name,
            "generic-garbage-collector",
            (o) => void (o.metadata.ownerReferences = o.metadata.ownerReferences.filter((r: KObject) => r.uid !== uid)),
          );
        else if (!d.metadata.deletionTimestamp)
          ignoreMissing(() =>
            api.delete(rt, ns || undefined, name, { propagationPolicy: "Background", fieldManager: "generic-garbage-collector" }),
          );
      }
      return;
    }
    const ownerType = this.typeOf(loc!.gr);
    if (!ownerType) return;
    const fins: string[] = owner.metadata.finalizers ?? [];
    if (!owner.metadata.deletionTimestamp) return;
    if (fins.includes("orphan")) {
      for (const [gr, ns, name] of dependents) {
        const rt = this.typeOf(gr);
        if (!rt) continue;
        ignoreMissing(() =>
          this.m.mutate(rt, ns || undefined, name, "generic-garbage-collector", (o) => {
            const left = (o.metadata.ownerReferences ?? []).filter((r: KObject) => r.uid !== uid);
            if (left.length) o.metadata.ownerReferences = left;
            else delete o.metadata.ownerReferences;
          }),
        );
      }
      this.m.mutate(
        ownerType,
        owner.metadata.namespace,
        owner.metadata.name,
        "generic-garbage-collector",
        (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== "orphan")),
      );
      return;
    }
    if (fins.includes("foregroundDeletion")) {
      let blocking = 0;
      for (const [gr, ns, name] of dependents) {
        const rt = this.typeOf(gr);
        const d = rt && api.tryGet(rt, ns || undefined, name);
        if (!rt || !d) continue;
        blocking++;
        if (!d.metadata.deletionTimestamp)
          ignoreMissing(() =>
            api.delete(rt, ns || undefined, name, { propagationPolicy: "Foreground", fieldManager: "generic-garbage-collector" }),
          );
      }
      if (blocking === 0)
        this.m.mutate(
          ownerType,
          owner.metadata.namespace,
          owner.metadata.name,
          "generic-garbage-collector",
          (o) => void (o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== "foregroundDeletion")),
        );
    }
  }
}

export class DisruptionController implements Controller {
  readonly name = "disruption";
  constructor(private readonly m: ControllerManager) {}

  *keys(e: StoreEvent): Iterable<string> {
    if (e.gr === "policy/poddisruptionbudgets") yield nsKey(e.object);
    else if (e.gr === "/pods")
      for (const pdb of this.m.api.store.list("policy/poddisruptionbudgets", e.object.metadata.namespace)) yield nsKey(pdb);
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const pdbType = this.m.rt("policy", "poddisruptionbudgets");
    const pdb = this.m.api.tryGet(pdbType, ns, name);
    if (!pdb || pdb.metadata.deletionTimestamp) return;
    const pods = this.m
      .list(this.m.rt("", "pods"), ns)
      .filter((p) => isActive(p) && matchesLabelSelector(pdb.spec?.selector ?? { matchLabels: { "\u0000": "" } }, p.metadata.labels));
    const expected = pods.length;
    const healthy = pods.filter(isPodReady).length;
    const scaled = (v: unknown, up: boolean) => {
      const m = /^(\d+)%$/.exec(String(v));
      return m ? (up ? Math.ceil((Number(m[1]) * expected) / 100) : Math.floor((Number(m[1]) * expected) / 100)) : Number(v);
    };
    let desired = 0;
    if (pdb.spec?.minAvailable !== undefined) desired = scaled(pdb.spec.minAvailable, true);
    else if (pdb.spec?.maxUnavailable !== undefined) desired = Math.max(0, expected - scaled(pdb.spec.maxUnavailable, true));
    const allowed = Math.max(0, healthy - desired);
    const now = timestamp();
    this.m.mutate(
      pdbType,
      ns,
      name,
      MANAGER,
      (o) => {
        o.status = {
          observedGeneration: o.metadata.generation,
          disruptionsAllowed: allowed,
          currentHealthy: healthy,
          desiredHealthy: desired,
          expectedPods: expected,
          conditions: setCondition(
            o.status?.conditions,
            allowed > 0
              ? {
                  type: "DisruptionAllowed",
                  status: "True",
                  reason: "SufficientPods",
                  message: "",
                  observedGeneration: o.metadata.generation,
                }
              : {
                  type: "DisruptionAllowed",
                  status: "False",
                  reason: "InsufficientPods",
                  message: "",
                  observedGeneration: o.metadata.generation,
                },
            now,
          ),
        };
      },
      "status",
    );
  }
}
