/**
 * StatefulSet → pods named NAME-0..N-1 with stable identities, and their PersistentVolumeClaims
 * from volumeClaimTemplates (TEMPLATE-NAME-i). OrderedReady creates pod i only once pods 0..i-1
 * are Running and Ready, and scales down from the highest ordinal; rolling updates replace pods
 * from the highest ordinal down to the partition.
 */
import type { KObject } from "../resources.js";
import type { StoreEvent } from "../object-store.js";
import { clone, shortHash } from "../util.js";
import { type Controller, type ControllerManager, isPodReady, ownerKeys, ownerRef, splitKey } from "./manager.js";
import { podFromTemplate } from "./replicas.js";

const MANAGER = "kube-controller-manager";

export class StatefulSetController implements Controller {
  readonly name = "statefulset";
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "apps/statefulsets", "/pods", "StatefulSet");
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const ssType = this.m.rt("apps", "statefulsets");
    const podType = this.m.rt("", "pods");
    const pvcType = this.m.rt("", "persistentvolumeclaims");
    const ss = this.m.api.tryGet(ssType, ns, name);
    if (!ss || ss.metadata.deletionTimestamp) return;
    if (!this.m.after(this.name, key, `${ss.metadata.uid}:${ss.metadata.generation}`, this.m.delays.controller)) return;
    const spec = ss.spec;
    const replicas: number = spec.replicas ?? 1;
    const start: number = spec.ordinals?.start ?? 0;
    const revision = `${name}-${shortHash(JSON.stringify(spec.template))}`;
    const ordered = spec.podManagementPolicy !== "Parallel";
    const partition: number =
      spec.updateStrategy?.type === "RollingUpdate" ? (spec.updateStrategy.rollingUpdate?.partition ?? 0) : replicas;
    const byOrdinal = new Map<number, KObject>();
    for (const p of this.m.controlledBy(podType, ss.metadata.uid)) {
      const ord = Number(p.metadata.name.slice(name.length + 1));
      if (Number.isInteger(ord)) byOrdinal.set(ord, p);
    }
    const healthy = (p: KObject | undefined) => !!p && !p.metadata.deletionTimestamp && p.status?.phase === "Running" && isPodReady(p);

    // Create missing pods (and their claims) in ordinal order.
    for (let i = start; i < start + replicas; i++) {
      const existing = byOrdinal.get(i);
      if (existing) {
        if (ordered && !healthy(existing)) break;
        continue;
      }
      for (const t of spec.volumeClaimTemplates ?? []) {
        const claimName = `${t.metadata?.name}-${name}-${i}`;
        if (this.m.api.tryGet(pvcType, ns, claimName)) continue;
        const claim: KObject = {
          metadata: {
            name: claimName,
            labels: { ...(t.metadata?.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) },
            ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
          },
          spec: clone(t.spec ?? {}),
        };
        if (spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete")
          claim.metadata.ownerReferences = [{ ...ownerRef(ss), controller: false }];
        this.m.api.create(pvcType, ns, claim, { fieldManager: MANAGER });
      }
      const podName = `${name}-${i}`;
      const pod = podFromTemplate(spec.template, ss, {
        "controller-revision-hash": revision,
        "statefulset.kubernetes.io/pod-name": podName,
        "apps.kubernetes.io/pod-index": String(i),
      });
      pod.metadata.name = podName;
      pod.spec.hostname = podName;
      if (spec.serviceName) pod.spec.subdomain = spec.serviceName;
      const volumes: KObject[] = pod.spec.volumes ?? [];
      for (const t of spec.volumeClaimTemplates ?? []) {
        const claimName = `${t.metadata?.name}-${name}-${i}`;
        const vol = { name: t.metadata?.name, persistentVolumeClaim: { claimName } };
        const idx = volumes.findIndex((v) => v.name === t.metadata?.name);
        if (idx >= 0) volumes[idx] = vol;
        else volumes.push(vol);
      }
      if (volumes.length) pod.spec.volumes = volumes;
      this.m.api.create(podType, ns, pod, { fieldManager: MANAGER });
      if (ordered) break;
    }

    // Scale down from the highest ordinal, one at a time when ordered.
    const extra = [...byOrdinal.keys()].filter((i) => i < start || i >= start + replicas).sort((a, b) => b - a);
    for (const i of extra) {
      const p = byOrdinal.get(i)!;
      if (!p.metadata.deletionTimestamp) this.m.api.delete(podType, ns, p.metadata.name, { fieldManager: MANAGER });
      if (ordered) break;
    }

    // Rolling update: replace the highest-ordinal pod still on an old revision once all are healthy.
    if (spec.updateStrategy?.type !== "OnDelete" && extra.length === 0) {
      const inRange = [...byOrdinal.entries()].filter(([i]) => i >= start && i < start + replicas);
      if (inRange.length === replicas && inRange.every(([, p]) => healthy(p))) {
        const stale = inRange
          .filter(([i, p]) => i - start >= partition && p.metadata.labels?.["controller-revision-hash"] !== revision)
          .sort((a, b) => b[0] - a[0]);
        if (stale.length) this.m.api.delete(podType, ns, stale[0]![1].metadata.name, { fieldManager: MANAGER });
      }
    }

    const pods = this.m.controlledBy(podType, ss.metadata.uid).filter((p) => !p.metadata.deletionTimestamp);
    const ready = pods.filter((p) => p.status?.phase === "Running" && isPodReady(p)).length;
    const updated = pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === revision).length;
    this.m.mutate(
      ssType,
      ns,
      name,
      MANAGER,
      (o) => {
        const allUpdated = updated === replicas && pods.length === replicas;
        const currentRevision = allUpdated ? revision : (o.status?.currentRevision ?? revision);
        const current = pods.filter((p) => p.metadata.labels?.["controller-revision-hash"] === currentRevision).length;
        o.status = {
          observedGeneration: o.metadata.generation,
          replicas: pods.length,
          readyReplicas: ready,
          currentReplicas: current,
          updatedReplicas: updated,
          currentRevision,
          updateRevision: revision,
          collisionCount: 0,
          availableReplicas: ready,
        };
        for (const k of ["readyReplicas", "currentReplicas", "updatedReplicas"]) if (!o.status[k]) delete o.status[k];
      },
      "status",
    );
  }
}
