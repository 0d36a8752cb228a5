/**
 * Scheduler and kubelet stand-ins: bind pending pods to the one simulated node, start them
 * (pod IP, container statuses, Running), make them Ready unless a readiness hold applies, run pods
 * with restartPolicy Never/OnFailure to completion, and finish graceful deletions. Also binds
 * PersistentVolumeClaims as a dynamic provisioner would.
 */
import { createHash } from "node:crypto";
import { ApiError } from "../errors.js";
import { grKey, type KObject } from "../resources.js";
import { matchesRequirements, parseLabelSelector } from "../selectors.js";
import type { StoreEvent } from "../object-store.js";
import { timestamp } from "../util.js";
import { type Controller, type ControllerManager, nsKey, setCondition, splitKey } from "./manager.js";

export const NODE_NAME = "ko-node";
export const NODE_IP = "172.18.0.2";

/** When a pod's readiness is held back: pods matching `selector` stay unready until `until()` holds. */
export interface ReadinessHold {
  /** Label selector of the pods held, e.g. "app=web". */
  selector: string;
  /** Only pods of this namespace (default: all). */
  namespace?: string;
  /** Release condition; by default the hold lasts until released. */
  until?: HoldCondition;
}

export type HoldCondition =
  | { jobComplete: string; namespace?: string }
  | { podsReady: string; namespace?: string }
  | ((cluster: {
      get(kind: string, namespace: string | undefined, name: string): KObject | undefined;
      list(kind: string, namespace?: string): KObject[];
    }) => boolean);

interface ActiveHold extends ReadinessHold {
  id: number;
  reqs: ReturnType<typeof parseLabelSelector>;
}

const MANAGER = "kubelet";

export class Kubelet implements Controller {
  readonly name = "kubelet";
  private holds: ActiveHold[] = [];
  private nextHold = 1;
  private nextIP = 2;

  constructor(private readonly m: ControllerManager) {}

  private get pods() {
    return this.m.rt("", "pods");
  }

  start(): void {
    for (const p of this.m.list(this.pods)) {
      const n = Number(String(p.status?.podIP ?? "").split(".")[3]);
      if (p.status?.podIP?.startsWith("10.244.0.") && n >= this.nextIP) this.nextIP = n + 1;
    }
    const nodes = this.m.rt("", "nodes");
    if (!this.m.api.tryGet(nodes, undefined, NODE_NAME)) {
      const node = this.m.api.create(
        nodes,
        undefined,
        {
          metadata: {
            name: NODE_NAME,
            labels: {
              "kubernetes.io/hostname": NODE_NAME,
              "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              "node-role.kubernetes.io/control-plane": "",
            },
          },
          spec: { podCIDR: "10.244.0.0/24", podCIDRs: ["10.244.0.0/24"] },
        },
        { fieldManager: MANAGER },
      );
      const now = timestamp();
      this.m.mutate(
        nodes,
        undefined,
        node.metadata.name,
        MANAGER,
        (n) => {
          n.status = {
            capacity: { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" },
            allocatable: { cpu: "8", memory: "32Gi", pods: "110", "ephemeral-storage": "100Gi" },
            conditions: [
              {
                type: "Ready",
                status: "True",
                reason: "KubeletReady",
                message: "kubelet is posting ready status",
                lastHeartbeatTime: now,
                lastTransitionTime: now,
              },
            ],
            addresses: [
              { type: "InternalIP", address: NODE_IP },
              { type: "Hostname", address: NODE_NAME },
            ],
            nodeInfo: {
              kubeletVersion: "v1.32.0",
              kubeProxyVersion: "v1.32.0",
              osImage: "Ko simulated node",
              kernelVersion: "6.1.0",
              containerRuntimeVersion: "containerd://1.7.0",
              operatingSystem: "linux",
              architecture: "amd64",
            },
          };
        },
        "status",
      );
    }
  }

  *keys(e: StoreEvent): Iterable<string> {
    if (e.gr === "/pods") yield `pod:${nsKey(e.object)}`;
    // A pod is gone: the claims it used may now lose their pvc-protection finalizer.
    if (e.gr === "/pods" && e.type === "DELETED") for (const c of claimsOf(e.object)) yield `pvc:${e.object.metadata.namespace}/${c}`;
    else if (e.gr === "/persistentvolumeclaims" && e.type !== "DELETED") yield `pvc:${nsKey(e.object)}`;
    // Holds may depend on any object: re-examine held pods when anything they could wait for changes.
    if (this.holds.length && e.gr !== "/pods") yield* this.heldPodKeys();
    else if (this.holds.length && e.gr === "/pods" && e.type !== "ADDED") yield* this.heldPodKeys();
  }

  private *heldPodKeys(): Iterable<string> {
    // Every running pod a hold matches: whether the hold is still unmet is for reconcile to decide.
    for (const p of this.m.list(this.pods))
      if (p.status?.phase === "Running" && this.holds.some((h) => this.matchesHold(h, p))) yield `pod:${nsKey(p)}`;
  }

  addHold(h: ReadinessHold): number {
    const id = this.nextHold++;
    this.holds.push({ ...h, id, reqs: parseLabelSelector(h.selector) });
    for (const p of this.m.list(this.pods))
      if (this.matchesHold(this.holds[this.holds.length - 1]!, p)) this.m.enqueue(this.name, `pod:${nsKey(p)}`);
    return id;
  }

  releaseHold(id: number): void {
    this.holds = this.holds.filter((h) => h.id !== id);
    for (const p of this.m.list(this.pods)) this.m.enqueue(this.name, `pod:${nsKey(p)}`);
  }

  listHolds(): ReadinessHold[] {
    return this.holds.map(({ reqs: _r, ...h }) => h);
  }

  private matchesHold(h: ActiveHold, p: KObject): boolean {
    return (!h.namespace || h.namespace === p.metadata.namespace) && matchesRequirements(h.reqs, p.metadata.labels);
  }

  /** A pod is held while some matching hold's condition is unmet. */
  isHeld(p: KObject): boolean {
    return this.holds.some((h) => this.matchesHold(h, p) && !this.satisfied(h, p.metadata.namespace));
  }

  private satisfied(h: ActiveHold, podNamespace: string): boolean {
    const u = h.until;
    if (!u) return false;
    const api = this.m.api;
    if (typeof u === "function") {
      const reg = api.registry;
      return u({
        get: (kind, ns, name) => {
          const rt = reg.resolve(kind);
          return rt ? api.tryGet(rt, ns, name) : undefined;
        },
        list: (kind, ns) => {
          const rt = reg.resolve(kind);
          return rt ? api.store.list(grKey(rt), ns) : [];
        },
      });
    }
    if ("jobComplete" in u) {
      const job = api.tryGet(this.m.rt("batch", "jobs"), u.namespace ?? h.namespace ?? podNamespace, u.jobComplete);
      return (job?.status?.conditions ?? []).some((c: KObject) => c.type === "Complete" && c.status === "True");
    }
    const reqs = parseLabelSelector(u.podsReady);
    const pods = this.m
      .list(this.pods, u.namespace ?? h.namespace ?? podNamespace)
      .filter((p) => matchesRequirements(reqs, p.metadata.labels));
    return (
      pods.length > 0 && pods.every((p) => (p.status?.conditions ?? []).some((c: KObject) => c.type === "Ready" && c.status === "True"))
    );
  }

  reconcile(key: string): void {
    if (key.startsWith("pvc:")) return this.bindClaim(key.slice(4));
    const [ns, name] = splitKey(key.slice(4));
    const pods = this.pods;
    const p = this.m.api.tryGet(pods, ns, name);
    if (!p) return;
    const d = this.m.delays;
    const step = (s: string, ms: number) => this.m.after(this.name, key, `${p.metadata.uid}:${s}`, ms);

    if (p.metadata.deletionTimestamp) {
      if (!step("terminate", d.terminate)) return;
      try {
        this.m.api.delete(pods, ns, name, { gracePeriodSeconds: 0, fieldManager: MANAGER });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
      return;
    }
    const phase = p.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const now = timestamp();

    if (!p.spec?.nodeName) {
      if (!step("schedule", d.schedule)) return;
      this.m.mutate(pods, ns, name, "kube-scheduler", (o) => {
        o.spec.nodeName = NODE_NAME;
      });
      this.m.mutate(
        pods,
        ns,
        name,
        "kube-scheduler",
        (o) => {
          o.status = {
            ...(o.status ?? {}),
            conditions: setCondition(o.status?.conditions, { type: "PodScheduled", status: "True", lastProbeTime: null }, now),
          };
        },
        "status",
      );
      return;
    }

    if (phase !== "Running") {
      if (!step("start", d.start)) return;
      const ip = `10.244.0.${this.nextIP++}`;
      this.m.mutate(
        pods,
        ns,
        name,
        MANAGER,
        (o) => {
          let conds = o.status?.conditions;
          conds = setCondition(conds, { type: "PodReadyToStartContainers", status: "True", lastProbeTime: null }, now);
          conds = setCondition(conds, { type: "Initialized", status: "True", lastProbeTime: null }, now);
          conds = setCondition(
            conds,
            {
              type: "Ready",
              status: "False",
              reason: "ContainersNotReady",
              message: `containers with unready status: [${(o.spec.containers ?? []).map((c: KObject) => c.name).join(" ")}]`,
              lastProbeTime: null,
            },
            now,
          );
          conds = setCondition(
            conds,
            {
              type: "ContainersReady",
              status: "False",
              reason: "ContainersNotReady",
              message: `containers with unready status: [${(o.spec.containers ?? []).map((c: KObject) => c.name).join(" ")}]`,
              lastProbeTime: null,
            },
            now,
          );
          conds = setCondition(conds, { type: "PodScheduled", status: "True", lastProbeTime: null }, now);
          o.status = {
            ...o.status,
            phase: "Running",
            conditions: conds,
            hostIP: NODE_IP,
            hostIPs: [{ ip: NODE_IP }],
            podIP: ip,
            podIPs: [{ ip }],
            startTime: o.status?.startTime ?? now,
            containerStatuses: containerStatuses(o, false, now),
          };
        },
        "status",
      );
      return;
    }

    const runsToCompletion = p.spec.restartPolicy === "Never" || p.spec.restartPolicy === "OnFailure";
    if (runsToCompletion) {
      if (!step("complete", d.complete)) return;
      const code = Number(p.metadata.annotations?.["ko.dev/exit-code"] ?? 0) || 0;
      this.m.mutate(
        pods,
        ns,
        name,
        MANAGER,
        (o) => {
          const reason = code === 0 ? "PodCompleted" : undefined;
          let conds = o.status?.conditions;
          conds = setCondition(conds, { type: "Ready", status: "False", ...(reason ? { reason } : {}), lastProbeTime: null }, now);
          conds = setCondition(
            conds,
            { type: "ContainersReady", status: "False", ...(reason ? { reason } : {}), lastProbeTime: null },
            now,
          );
          conds = setCondition(conds, { type: "PodReadyToStartContainers", status: "False", lastProbeTime: null }, now);
          o.status = {
            ...o.status,
            phase: code === 0 ? "Succeeded" : "Failed",
            conditions: conds,
            containerStatuses: (o.spec.containers ?? []).map((c: KObject) => ({
              ...baseStatus(o, c),
              ready: false,
              started: false,
              restartCount: 0,
              state: {
                terminated: {
                  exitCode: code,
                  reason: code === 0 ? "Completed" : "Error",
                  startedAt: o.status?.startTime ?? now,
                  finishedAt: now,
                  containerID: containerID(o, c),
                },
              },
            })),
          };
        },
        "status",
      );
      return;
    }

    const ready = (p.status?.conditions ?? []).some((c: KObject) => c.type === "Ready" && c.status === "True");
    const held = this.isHeld(p);
    if (!ready && !held) {
      if (!step("ready", d.ready)) return;
      this.m.mutate(
        pods,
        ns,
        name,
        MANAGER,
        (o) => {
          let conds = o.status?.conditions;
          conds = setCondition(conds, { type: "ContainersReady", status: "True", lastProbeTime: null }, now);
          conds = setCondition(conds, { type: "Ready", status: "True", lastProbeTime: null }, now);
          o.status = { ...o.status, conditions: conds, containerStatuses: containerStatuses(o, true, now) };
        },
        "status",
      );
    } else if (ready && held) {
      this.m.mutate(
        pods,
        ns,
        name,
        MANAGER,
        (o) => {
          const msg = `containers with unready status: [${(o.spec.containers ?? []).map((c: KObject) => c.name).join(" ")}]`;
          let conds = o.status?.conditions;
          conds = setCondition(
            conds,
            { type: "ContainersReady", status: "False", reason: "ContainersNotReady", message: msg, lastProbeTime: null },
            now,
          );
          conds = setCondition(
            conds,
            { type: "Ready", status: "False", reason: "ContainersNotReady", message: msg, lastProbeTime: null },
            now,
          );
          o.status = { ...o.status, conditions: conds, containerStatuses: containerStatuses(o, false, now) };
        },
        "status",
      );
    }
  }

  /** The pvc-protection controller: a claim being deleted goes once no pod uses it. */
  private releaseClaim(ns: string, name: string, c: KObject): void {
    if (!(c.metadata.finalizers ?? []).includes("kubernetes.io/pvc-protection")) return;
    if (this.m.list(this.pods).some((p) => p.metadata.namespace === ns && claimsOf(p).includes(name))) return;
    this.m.mutate(this.m.rt("", "persistentvolumeclaims"), ns, name, "kube-controller-manager", (o) => {
      o.metadata.finalizers = (o.metadata.finalizers ?? []).filter((f: string) => f !== "kubernetes.io/pvc-protection");
    });
  }

  private bindClaim(key: string): void {
    const [ns, name] = splitKey(key);
    const rt = this.m.rt("", "persistentvolumeclaims");
    const c = this.m.api.tryGet(rt, ns, name);
    if (c?.metadata.deletionTimestamp) return this.releaseClaim(ns!, name, c);
    if (!c || c.status?.phase === "Bound") return;
    if (!this.m.after(this.name, `pvc:${key}`, `${c.metadata.uid}:bind`, this.m.delays.bind)) return;
    const volume = `pvc-${c.metadata.uid}`;
    this.m.mutate(rt, ns, name, "kube-controller-manager", (o) => {
      o.spec.volumeName = volume;
      o.spec.storageClassName ??= "standard";
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": "ko.dev/simulated",
        "volume.kubernetes.io/storage-provisioner": "ko.dev/simulated",
      };
      o.metadata.finalizers = [...new Set([...(o.metadata.finalizers ?? []), "kubernetes.io/pvc-protection"])];
    });
    this.m.mutate(
      rt,
      ns,
      name,
      "kube-controller-manager",
      (o) => {
        o.status = { phase: "Bound", accessModes: o.spec.accessModes, capacity: { storage: o.spec.resources?.requests?.storage } };
      },
      "status",
    );
  }
}

/** The claims a pod's volumes name. */
function claimsOf(p: KObject): string[] {
  return (p.spec?.volumes ?? [])
    .map((v: KObject) => v.persistentVolumeClaim?.claimName)
    .filter((n: unknown): n is string => typeof n === "string");
}

function containerID(p: KObject, c: KObject): string {
  return `containerd://${createHash("sha256").update(`${p.metadata.uid}/${c.name}`).digest("hex")}`;
}

function baseStatus(p: KObject, c: KObject): KObject {
  const image = String(c.image ?? "");
  const full = image.includes("/") ? (image.split("/")[0]!.includes(".") ? image : `docker.io/${image}`) : `docker.io/library/${image}`;
  const tagged = /:[^/]+$/.test(full) || full.includes("@") ? full : `${full}:latest`;
  return {
    name: c.name,
    image: tagged,
    imageID: `${tagged.replace(/:[^/:]+$/, "")}@sha256:${createHash("sha256").update(tagged).digest("hex")}`,
    containerID: containerID(p, c),
  };
}

function containerStatuses(p: KObject, ready: boolean, now: string): KObject[] {
  return (p.spec.containers ?? []).map((c: KObject) => {
    const prev = (p.status?.containerStatuses ?? []).find((s: KObject) => s.name === c.name);
    return {
      ...baseStatus(p, c),
      ready,
      started: true,
      restartCount: prev?.restartCount ?? 0,
      state: { running: { startedAt: prev?.state?.running?.startedAt ?? now } },
    };
  });
}
