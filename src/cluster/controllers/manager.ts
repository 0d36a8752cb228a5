/**
 * The controller runtime: controllers declare which store events concern them and reconcile one
 * key at a time from a de-duplicating queue, each write going through the same Api as clients'.
 * Delays are per step ("this pod may start 200 ms after it was scheduled"), recorded the first time
 * a controller reaches the step, so reconciling early for another reason doesn't skip the wait.
 */
import { ApiError } from "../errors.js";
import type { Api } from "../api.js";
import { grKey, type KObject, type ResourceType } from "../resources.js";
import type { StoreEvent } from "../object-store.js";
import { clone } from "../util.js";

export interface Delays {
  /** Pending pod → bound to the node. */
  schedule: number;
  /** Bound pod → Running with its containers started. */
  start: number;
  /** Running → Ready (on top of any readiness hold). */
  ready: number;
  /** Running → Succeeded for pods that run to completion (restartPolicy Never/OnFailure). */
  complete: number;
  /** Graceful deletion of a pod (default: the pod's grace period is not waited for). */
  terminate: number;
  /** PersistentVolumeClaim Pending → Bound. */
  bind: number;
  /** Before any workload controller acts (Deployment, ReplicaSet, StatefulSet, Job...). */
  controller: number;
}

export const ZERO_DELAYS: Delays = { schedule: 0, start: 0, ready: 0, complete: 0, terminate: 0, bind: 0, controller: 0 };

export interface Controller {
  readonly name: string;
  /** Keys to reconcile because of this event. */
  keys(e: StoreEvent): Iterable<string>;
  reconcile(key: string): void;
  /** Called once when the manager starts (initial objects, default namespaces). */
  start?(): void;
}

/** Where each object is, by uid, and who depends on whom (ownerReferences), kept from events. */
export class OwnerIndex {
  readonly byUid = new Map<string, { gr: string; namespace?: string; name: string }>();
  readonly dependents = new Map<string, Set<string>>();

  observe(e: StoreEvent): void {
    const o = e.object;
    const uid: string = o.metadata.uid;
    const ref = `${e.gr}\u0000${o.metadata.namespace ?? ""}\u0000${o.metadata.name}`;
    const before: KObject[] = e.previous?.metadata?.ownerReferences ?? [];
    const after: KObject[] = e.type === "DELETED" ? [] : (o.metadata.ownerReferences ?? []);
    for (const r of before) if (!after.some((a) => a.uid === r.uid)) this.dependents.get(r.uid)?.delete(ref);
    for (const r of after) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(ref);
    }
    if (e.type === "DELETED") this.byUid.delete(uid);
    else this.byUid.set(uid, { gr: e.gr, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}), name: o.metadata.name });
  }

  /** Dependents of an owner as [gr, namespace, name]. */
  dependentsOf(uid: string): [string, string, string][] {
    return [...(this.dependents.get(uid) ?? [])].map((s) => s.split("\u0000") as [string, string, string]);
  }
}

export class ControllerManager {
  private readonly controllers = new Map<string, Controller>();
  private readonly pending = new Map<string, { due: number; timer: NodeJS.Timeout }>();
  private readonly stepsSeen = new Map<string, number>();
  private unsubscribe?: () => void;
  private stopped = false;
  readonly owners = new OwnerIndex();
  /** Reconciles in flight or queued; `idle()` resolves when it reaches zero. */
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly api: Api,
    readonly delays: Delays,
  ) {}

  add(c: Controller): void {
    this.controllers.set(c.name, c);
  }

  rt(group: string, plural: string): ResourceType {
    return this.api.registry.at(group, group === "" ? "v1" : "v1", plural)!;
  }

  start(): void {
    for (const [gr, o] of this.api.store.entries()) this.owners.observe({ rv: 0, type: "ADDED", gr, object: o });
    this.unsubscribe = this.api.store.subscribe((e) => {
      this.owners.observe(e);
      for (const c of this.controllers.values()) for (const k of c.keys(e)) this.enqueue(c.name, k);
    });
    for (const c of this.controllers.values()) c.start?.();
    // Reconcile everything that exists (state reloaded from --state).
    for (const [gr, o] of this.api.store.entries())
      for (const c of this.controllers.values()) for (const k of c.keys({ rv: 0, type: "ADDED", gr, object: o })) this.enqueue(c.name, k);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.notifyIdle();
  }

  enqueue(controller: string, key: string, delayMs = 0): void {
    if (this.stopped) return;
    const id = `${controller}\u0000${key}`;
    const due = Date.now() + delayMs;
    const existing = this.pending.get(id);
    if (existing && existing.due <= due) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => this.run(id, controller, key), delayMs);
    this.pending.set(id, { due, timer });
  }

  /**
   * True when `delayMs` has passed since this controller first asked about `step` of `key`;
   * otherwise requeues the key for then and answers false.
   */
  after(controller: string, key: string, step: string, delayMs: number): boolean {
    if (delayMs <= 0) return true;
    const id = `${controller}\u0000${key}\u0000${step}`;
    let since = this.stepsSeen.get(id);
    if (since === undefined) this.stepsSeen.set(id, (since = Date.now()));
    const wait = since + delayMs - Date.now();
    if (wait <= 0) {
      this.stepsSeen.delete(id);
      return true;
    }
    this.enqueue(controller, key, wait);
    return false;
  }

  private run(id: string, controller: string, key: string): void {
    this.pending.delete(id);
    if (this.stopped) return;
    const c = this.controllers.get(controller);
    try {
      c?.reconcile(key);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 409 || e.code === 404)) this.enqueue(controller, key, 5);
      else if (e instanceof ApiError && e.code === 403) {
        /* namespace terminating: nothing to do */
      } else {
        process.emitWarning(`ko cluster: controller ${controller} failed on ${key}: ${e instanceof Error ? e.stack : String(e)}`);
        this.enqueue(controller, key, 100);
      }
    }
    if (this.pending.size === 0) this.notifyIdle();
  }

  /** Resolves once no reconcile is queued (used by tests and benchmarks, never by controllers). */
  idle(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  // ---------- write helpers used by controllers ----------

  /** Re-reads the object, applies `fn` to a copy, and writes it (main resource or status). No-ops cost nothing. */
  mutate(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    manager: string,
    fn: (o: KObject) => void,
    subresource: "" | "status" = "",
  ): KObject | undefined {
    const cur = this.api.tryGet(rt, namespace, name);
    if (!cur) return undefined;
    const o = clone(cur);
    fn(o);
    return this.api.update(rt, namespace, name, o, { fieldManager: manager }, subresource);
  }

  list(rt: ResourceType, namespace?: string): KObject[] {
    return this.api.store.list(grKey(rt), namespace);
  }

  /** Objects of resource `rt` controlled by the owner with this uid. */
  controlledBy(rt: ResourceType, uid: string): KObject[] {
    const gr = grKey(rt);
    const out: KObject[] = [];
    for (const [g, ns, name] of this.owners.dependentsOf(uid)) {
      if (g !== gr) continue;
      const o = this.api.store.get(gr, ns || undefined, name);
      if (o && (o.metadata.ownerReferences ?? []).some((r: KObject) => r.uid === uid && r.controller)) out.push(o);
    }
    return out.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  }
}

/** `ns/name` keys and their parts. */
export const nsKey = (o: KObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
export function splitKey(key: string): [string | undefined, string] {
  const i = key.indexOf("/");
  const ns = key.slice(0, i);
  return [ns || undefined, key.slice(i + 1)];
}

/** The controlling owner reference of an object, if of `kind`. */
export function controllerOf(o: KObject, kind: string): KObject | undefined {
  return (o.metadata.ownerReferences ?? []).find((r: KObject) => r.controller && r.kind === kind);
}

/**
 * The keys an owner's controller reconciles on event `e`: an owner's (an object of `ownerGr`)
 * own key, or, for an object of `ownedGr`, the key of its controlling owner of kind `ownerKind`
 * (a pod of a ReplicaSet, a ReplicaSet of a Deployment...).
 */
export function* ownerKeys(e: StoreEvent, ownerGr: string, ownedGr: string, ownerKind: string): Iterable<string> {
  if (e.gr === ownerGr) yield nsKey(e.object);
  else if (e.gr === ownedGr) {
    const ref = controllerOf(e.object, ownerKind);
    if (ref) yield `${e.object.metadata.namespace}/${ref.name}`;
  }
}

export function ownerRef(owner: KObject, blockOwnerDeletion = true): KObject {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion,
  };
}

export const isPodReady = (p: KObject) => (p.status?.conditions ?? []).some((c: KObject) => c.type === "Ready" && c.status === "True");
export const isPodTerminal = (p: KObject) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
export const isActive = (p: KObject) => !isPodTerminal(p) && !p.metadata.deletionTimestamp;

/** Sets a condition, keeping lastTransitionTime when the status did not change. */
export function setCondition(conditions: KObject[] | undefined, c: KObject, now: string): KObject[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = i >= 0 ? list[i] : undefined;
  const same = prev && prev.status === c.status && prev.reason === c.reason && prev.message === c.message;
  if (same) return list;
  const next: KObject = { ...c, lastTransitionTime: prev && prev.status === c.status ? (prev.lastTransitionTime ?? now) : now };
  if ("lastUpdateTime" in c || prev?.lastUpdateTime) next.lastUpdateTime = now;
  if ("lastProbeTime" in c) next.lastProbeTime = c.lastProbeTime;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}
