/**
 * Deployment → ReplicaSet → Pod, and DaemonSet → one Pod on the simulated node.
 * Rolling updates are simplified: a Deployment's new ReplicaSet is scaled to the full count at
 * once and the old ones are scaled to zero when the new one is available (Recreate: old first).
 */
import type { KObject } from "../resources.js";
import type { StoreEvent } from "../object-store.js";
import { clone, shortHash, timestamp } from "../util.js";
import { type Controller, type ControllerManager, isActive, isPodReady, ownerKeys, ownerRef, setCondition, splitKey } from "./manager.js";
import { NODE_NAME } from "./kubelet.js";
import { matchesRequirements, selectorRequirements } from "../selectors.js";

const MANAGER = "kube-controller-manager";

/** A pod from a template, as the controllers create them. */
export function podFromTemplate(template: KObject, owner: KObject, extraLabels: Record<string, string> = {}): KObject {
  const meta = template.metadata ?? {};
  const pod: KObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      labels: { ...(meta.labels ?? {}), ...extraLabels },
      ownerReferences: [ownerRef(owner)],
    },
    spec: clone(template.spec ?? {}),
  };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

export class ReplicaSetController implements Controller {
  readonly name = "replicaset";
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "apps/replicasets", "/pods", "ReplicaSet");
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const rsType = this.m.rt("apps", "replicasets");
    const podType = this.m.rt("", "pods");
    const rs = this.m.api.tryGet(rsType, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    if (!this.m.after(this.name, key, `${rs.metadata.uid}:${rs.metadata.generation}`, this.m.delays.controller)) return;
    const pods = this.m.controlledBy(podType, rs.metadata.uid).filter(isActive);
    const want = rs.spec.replicas ?? 1;
    for (let i = pods.length; i < want; i++) {
      const pod = podFromTemplate(rs.spec.template, rs);
      pod.metadata.generateName = `${name}-`;
      this.m.api.create(podType, ns, pod, { fieldManager: MANAGER });
    }
    if (pods.length > want) {
      // Prefer deleting pods that are not ready, then the newest.
      const victims = [...pods]
        .sort(
          (a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || (b.metadata.creationTimestamp > a.metadata.creationTimestamp ? 1 : -1),
        )
        .slice(0, pods.length - want);
      for (const v of victims) this.m.api.delete(podType, ns, v.metadata.name, { fieldManager: MANAGER });
    }
    const current = this.m.controlledBy(podType, rs.metadata.uid).filter(isActive);
    const labelled = current.filter((p) =>
      matchesRequirements(
        selectorRequirements(rs.spec.template?.metadata?.labels ? { matchLabels: rs.spec.template.metadata.labels } : undefined),
        p.metadata.labels,
      ),
    ).length;
    const ready = current.filter(isPodReady).length;
    this.m.mutate(
      rsType,
      ns,
      name,
      MANAGER,
      (o) => {
        o.status = {
          ...o.status,
          replicas: current.length,
          fullyLabeledReplicas: labelled,
          readyReplicas: ready,
          availableReplicas: ready,
          observedGeneration: o.metadata.generation,
        };
        if (!ready) delete o.status.readyReplicas;
        if (!ready) delete o.status.availableReplicas;
        if (!labelled) delete o.status.fullyLabeledReplicas;
      },
      "status",
    );
  }
}

function percent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = typeof v === "string" ? /^(\d+)%$/.exec(v) : null;
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export class DeploymentController implements Controller {
  readonly name = "deployment";
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "apps/deployments", "apps/replicasets", "Deployment");
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const dType = this.m.rt("apps", "deployments");
    const rsType = this.m.rt("apps", "replicasets");
    const d = this.m.api.tryGet(dType, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    if (!this.m.after(this.name, key, `${d.metadata.uid}:${d.metadata.generation}`, this.m.delays.controller)) return;
    const spec = d.spec;
    const replicas: number = spec.replicas ?? 1;
    const { "pod-template-hash": _h, ...templateLabels } = spec.template?.metadata?.labels ?? {};
    const hash = shortHash(JSON.stringify({ ...spec.template, metadata: { ...spec.template.metadata, labels: templateLabels } }));
    const owned = this.m.controlledBy(rsType, d.metadata.uid);
    let newRS = owned.find((rs) => rs.metadata.labels?.["pod-template-hash"] === hash);
    const old = owned.filter((rs) => rs !== newRS);
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0)));
    const recreate = spec.strategy?.type === "Recreate";
    const oldPods = old.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);

    if (!spec.paused) {
      if (recreate)
        for (const rs of old)
          if ((rs.spec.replicas ?? 0) !== 0) this.m.mutate(rsType, ns, rs.metadata.name, MANAGER, (o) => void (o.spec.replicas = 0));
      if (!newRS && (!recreate || oldPods === 0)) {
        const template = clone(spec.template);
        template.metadata = { ...template.metadata, labels: { ...templateLabels, "pod-template-hash": hash } };
        newRS = this.m.api.create(
          rsType,
          ns,
          {
            metadata: {
              name: `${name}-${hash}`,
              labels: { ...templateLabels, "pod-template-hash": hash },
              annotations: {
                "deployment.kubernetes.io/desired-replicas": String(replicas),
                "deployment.kubernetes.io/max-replicas": String(replicas + percent(spec.strategy?.rollingUpdate?.maxSurge, replicas, true)),
                "deployment.kubernetes.io/revision": String(maxRevision + 1),
              },
              ownerReferences: [ownerRef(d)],
            },
            spec: {
              replicas,
              minReadySeconds: spec.minReadySeconds ?? 0,
              selector: { ...spec.selector, matchLabels: { ...(spec.selector.matchLabels ?? {}), "pod-template-hash": hash } },
              template,
            },
          },
          { fieldManager: MANAGER },
        );
      } else if (newRS) {
        const revision =
          old.length && Number(newRS.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) < maxRevision
            ? maxRevision + 1
            : undefined;
        if (newRS.spec.replicas !== replicas || revision)
          newRS = this.m.mutate(rsType, ns, newRS.metadata.name, MANAGER, (o) => {
            o.spec.replicas = replicas;
            o.metadata.annotations = {
              ...o.metadata.annotations,
              "deployment.kubernetes.io/desired-replicas": String(replicas),
              ...(revision ? { "deployment.kubernetes.io/revision": String(revision) } : {}),
            };
          });
        if (newRS && (newRS.status?.availableReplicas ?? 0) >= replicas)
          for (const rs of old)
            if ((rs.spec.replicas ?? 0) !== 0) this.m.mutate(rsType, ns, rs.metadata.name, MANAGER, (o) => void (o.spec.replicas = 0));
      }
    }

    const all = this.m.controlledBy(rsType, d.metadata.uid);
    const sum = (f: string) => all.reduce((n, rs) => n + (rs.status?.[f] ?? 0), 0);
    const available = sum("availableReplicas");
    const updated = newRS ? (this.m.api.tryGet(rsType, ns, newRS.metadata.name)?.status?.replicas ?? 0) : 0;
    const total = sum("replicas");
    const now = timestamp();
    const revision = newRS?.metadata.annotations?.["deployment.kubernetes.io/revision"];
    if (revision && d.metadata.annotations?.["deployment.kubernetes.io/revision"] !== revision)
      this.m.mutate(
        dType,
        ns,
        name,
        MANAGER,
        (o) => void (o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/revision": revision }),
      );
    this.m.mutate(
      dType,
      ns,
      name,
      MANAGER,
      (o) => {
        const maxUnavailable =
          spec.strategy?.type === "Recreate" ? 0 : percent(spec.strategy?.rollingUpdate?.maxUnavailable ?? "25%", replicas, false);
        const minAvailable = replicas - maxUnavailable;
        let conds = o.status?.conditions;
        conds = setCondition(
          conds,
          available >= minAvailable
            ? {
                type: "Available",
                status: "True",
                lastUpdateTime: now,
                reason: "MinimumReplicasAvailable",
                message: "Deployment has minimum availability.",
              }
            : {
                type: "Available",
                status: "False",
                lastUpdateTime: now,
                reason: "MinimumReplicasUnavailable",
                message: "Deployment does not have minimum availability.",
              },
          now,
        );
        const rsName = newRS?.metadata.name ?? "";
        const complete = updated === replicas && total === replicas && available === replicas;
        conds = setCondition(
          conds,
          complete
            ? {
                type: "Progressing",
                status: "True",
                lastUpdateTime: now,
                reason: "NewReplicaSetAvailable",
                message: `ReplicaSet "${rsName}" has successfully progressed.`,
              }
            : {
                type: "Progressing",
                status: "True",
                lastUpdateTime: now,
                reason: "ReplicaSetUpdated",
                message: `ReplicaSet "${rsName}" is progressing.`,
              },
          now,
        );
        // Keep Available before Progressing as the real controller orders them.
        conds.sort((a: KObject, b: KObject) => (a.type === "Available" ? -1 : b.type === "Available" ? 1 : 0));
        o.status = {
          observedGeneration: o.metadata.generation,
          replicas: total,
          updatedReplicas: updated,
          readyReplicas: sum("readyReplicas"),
          availableReplicas: available,
          conditions: conds,
        };
        if (replicas - available > 0) o.status.unavailableReplicas = replicas - available;
        for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]) if (!o.status[k]) delete o.status[k];
      },
      "status",
    );
  }
}

export class DaemonSetController implements Controller {
  readonly name = "daemonset";
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "apps/daemonsets", "/pods", "DaemonSet");
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const dsType = this.m.rt("apps", "daemonsets");
    const podType = this.m.rt("", "pods");
    const ds = this.m.api.tryGet(dsType, ns, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    if (!this.m.after(this.name, key, `${ds.metadata.uid}:${ds.metadata.generation}`, this.m.delays.controller)) return;
    const node = this.m.api.tryGet(this.m.rt("", "nodes"), undefined, NODE_NAME);
    const selector = ds.spec.template?.spec?.nodeSelector ?? {};
    const fits = !!node && Object.entries(selector).every(([k, v]) => node.metadata.labels?.[k] === v);
    const hash = shortHash(JSON.stringify(ds.spec.template));
    let pods = this.m.controlledBy(podType, ds.metadata.uid).filter(isActive);
    for (const p of pods)
      if (!fits || p.metadata.labels?.["controller-revision-hash"] !== hash)
        this.m.api.delete(podType, ns, p.metadata.name, { fieldManager: MANAGER });
    pods = this.m.controlledBy(podType, ds.metadata.uid).filter(isActive);
    if (fits && pods.length === 0) {
      const pod = podFromTemplate(ds.spec.template, ds, {
        "controller-revision-hash": hash,
        "pod-template-generation": String(ds.metadata.generation ?? 1),
      });
      pod.metadata.generateName = `${name}-`;
      pod.spec.nodeName = NODE_NAME;
      this.m.api.create(podType, ns, pod, { fieldManager: MANAGER });
      pods = this.m.controlledBy(podType, ds.metadata.uid).filter(isActive);
    }
    const ready = pods.filter(isPodReady).length;
    const updated = pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === hash).length;
    this.m.mutate(
      dsType,
      ns,
      name,
      MANAGER,
      (o) => {
        o.status = {
          currentNumberScheduled: pods.length,
          numberMisscheduled: 0,
          desiredNumberScheduled: fits ? 1 : 0,
          numberReady: ready,
          observedGeneration: o.metadata.generation,
          updatedNumberScheduled: updated,
          numberAvailable: ready,
        };
        if (fits && !ready) o.status.numberUnavailable = 1;
        if (!ready) delete o.status.numberAvailable;
        if (!updated) delete o.status.updatedNumberScheduled;
      },
      "status",
    );
  }
}
