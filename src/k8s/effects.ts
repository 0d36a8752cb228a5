/**
 * What a request does to the cluster's objects, beyond what its URL names — the part a policy
 * must see so that nothing is laundered through another request:
 *
 * - a deletecollection deletes every object its selectors match (listed first, with the same
 *   selectors);
 * - deleting a namespace deletes everything in it;
 * - deleting an owner deletes what the garbage collector deletes with it — its dependents by
 *   ownerReferences, and theirs — unless the propagation policy is Orphan (absent, it is taken as
 *   Background: a policy errs on the side of counting);
 * - deleting a claim deletes its volume when the volume's reclaim policy is Delete;
 * - an eviction deletes the pod;
 * - lowering `replicas` of a Deployment, StatefulSet, ReplicaSet or ReplicationController — by its
 *   /scale subresource or by an update or patch — deletes the pods it no longer wants (the new
 *   count is the lower of what the request says and what the server's dry run of it returns);
 * - a server-side apply of an object that does not exist creates it.
 *
 * Events, which the cluster records about objects, are not counted among what a namespace holds.
 */
import type { Catalog, ServedResource } from "./discovery.js";
import { writtenLocally } from "./overlay.js";
import type { ObjectRef } from "./plan.js";
import type { Action } from "./policy.js";
import { createdName, objectName, propagationOf, READ_VERBS, type ResourceRequest } from "./requests.js";
import { SCALABLE_KINDS, type ResourceType } from "./resources.js";

type Json = Record<string, any>;

/** One thing a request does, to one object or (for reads and deletecollection) to a collection. */
export interface Effect {
  readonly action: Action;
  /** The object, when the action is about one. */
  readonly ref?: ObjectRef;
  /** The object as it is now (for a change or a delete), when it was read. */
  readonly live?: Json;
  /** Named or selected by the request itself; otherwise it goes with one that was (`because`). */
  readonly direct: boolean;
  readonly because?: string;
}

/** What the effects are computed from: reads of the cluster (as the plan sees it, while planning) and dry runs. */
export interface ClusterView {
  readonly catalog: Catalog;
  /** GET of a path: the JSON, or undefined for 404. */
  get(path: string): Promise<Json | undefined>;
  /** The object the request would leave, from the server's dry run of a copy of it. */
  dryRun(req: ResourceRequest): Promise<Json>;
  /**
   * Whether an update or patch needs the object read first even when nothing else asks for it:
   * while planning (the plan shows what changes), or when a rule against creating could catch a
   * server-side apply that creates.
   */
  readonly readsBeforeWrites: boolean;
  /** What each namespace holds, shared by the requests of a pass; absent, each request reads its own. */
  readonly inventories?: Inventories;
}

type Inventory = { ref: ObjectRef; object: Json }[];

/**
 * What each namespace holds (the key undefined: the whole cluster), as it was read, for as long as
 * it may be trusted: a planning pass changes nothing, so for the pass; otherwise for a moment, so
 * that the deletions a run sends at once share one reading (a dependent made after it is missed as
 * it would be in the moment between any reading and the delete it is for).
 */
export class Inventories {
  private readonly read = new Map<string | undefined, { readonly at: number; readonly found: Promise<Inventory> }>();

  constructor(private readonly maxAgeMs: number) {}

  take(namespace: string | undefined, read: () => Promise<Inventory>): Promise<Inventory> {
    const hit = this.read.get(namespace);
    if (hit && performance.now() - hit.at <= this.maxAgeMs) return hit.found;
    const found = read();
    this.read.set(namespace, { at: performance.now(), found });
    found.catch(() => this.read.delete(namespace));
    return found;
  }
}

/** The path of a collection or an object: `/apis/apps/v1/namespaces/db/statefulsets/web`. */
export function resourcePath(group: string, version: string, resource: string, namespace?: string, name?: string): string {
  const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const ns = namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`;
}

export async function effectsOf(req: ResourceRequest, type: ResourceType, view: ClusterView): Promise<Effect[]> {
  const cx = new Effects(req, type, view);
  return cx.compute();
}

class Effects {
  /** What each namespace holds, read at most once per request (or per pass, when the view shares it). */
  private readonly inventories: Inventories;

  constructor(
    private readonly req: ResourceRequest,
    private readonly type: ResourceType,
    private readonly view: ClusterView,
  ) {
    this.inventories = view.inventories ?? new Inventories(Infinity);
  }

  private ref(name: string, type: ResourceType = this.type, namespace = this.req.namespace): ObjectRef {
    return {
      group: type.group,
      resource: type.resource,
      kind: type.kind,
      namespaced: type.namespaced,
      ...(type.namespaced && namespace !== undefined ? { namespace } : {}),
      name,
    };
  }

  private action(verb: Action["verb"], name?: string, type: ResourceType = this.type, namespace = this.req.namespace): Action {
    return {
      verb,
      kind: type.kind,
      ...(type.namespaced && namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      clusterScoped: !type.namespaced,
      ...(type.namespaced && namespace === undefined && name === undefined ? { allNamespaces: true } : {}),
    };
  }

  async compute(): Promise<Effect[]> {
    const { req, type } = this;
    if (READ_VERBS.has(req.verb) || (req.verb === "create" && type.question && req.subresource === undefined))
      return [{ action: this.action(READ_VERBS.has(req.verb) ? req.verb : "get", req.name), direct: true }];
    switch (req.verb) {
      case "create":
        return this.create();
      case "update":
      case "patch":
        return this.write();
      case "delete":
        return this.deleteNamed();
      case "deletecollection":
        return this.deleteCollection();
    }
    return [{ action: this.action(req.verb, req.name), direct: true }];
  }

  private async create(): Promise<Effect[]> {
    const { req } = this;
    if (req.subresourceUse === "evict") {
      const live = await this.view.get(this.objectPath(req.name!));
      return this.deletion(this.ref(req.name!), live, { direct: true, why: "an eviction deletes the pod" });
    }
    if (req.subresource !== undefined) {
      // A token for a service account, a pod's binding to a node: writes about the named object.
      return [
        { action: this.action(req.subresourceUse === "token" ? "create" : "update", req.name), ref: this.ref(req.name!), direct: true },
      ];
    }
    const name = createdName(req);
    return [{ action: this.action("create", name), ...(name !== undefined ? { ref: this.ref(name) } : {}), direct: true }];
  }

  private async write(): Promise<Effect[]> {
    const { req, type } = this;
    const name = req.name!;
    const scalable = SCALABLE_KINDS.has(type.kind) && (req.subresource === undefined || req.subresource === "scale");
    const live = scalable || this.view.readsBeforeWrites ? await this.view.get(this.objectPath(name)) : undefined;
    const effects: Effect[] = [{ action: this.action(req.verb, name), ref: this.ref(name), ...(live ? { live } : {}), direct: true }];
    // A server-side apply of an object that does not exist creates it: a rule against creating it holds.
    if (req.patchType === "apply" && live === undefined && req.subresource === undefined && this.view.readsBeforeWrites)
      effects.push({ action: this.action("create", name), ref: this.ref(name), direct: true });
    if (scalable && live !== undefined) effects.push(...(await this.scaleDown(name, live)));
    return effects;
  }

  /**
   * The pods a write that lowers `replicas` removes. The new count is worked out from the request
   * here and asked of the server's dry run of it (which sees what admission does to it); the lower
   * of the two counts, so that neither an unusual patch nor a server's mistake hides a deletion.
   */
  private async scaleDown(name: string, live: Json): Promise<Effect[]> {
    const before = numberOr(live.spec?.replicas, 1);
    const counts: number[] = [];
    try {
      const local = writtenLocally(this.req, this.type, live);
      if (local) counts.push(numberOr(local.spec?.replicas, 1));
    } catch {
      // A patch that does not apply here: the server's answer decides.
    }
    // A dry run of /scale returns a Scale; of the object itself, the object.
    const after = await this.view.dryRun(this.req);
    counts.push(numberOr(after.spec?.replicas, this.req.subresource === "scale" ? 0 : 1));
    const wanted = Math.min(...counts);
    if (wanted >= before) return [];
    const ns = this.req.namespace;
    const why = `${before - wanted} of its pods removed by scaling ${objectName(this.type.kind, ns, name)} from ${before} to ${wanted}`;
    const pod: ResourceType = { group: "", resource: "pods", kind: "Pod", namespaced: true };
    let names: string[];
    if (this.type.kind === "StatefulSet") {
      // A StatefulSet removes its highest ordinals first.
      names = Array.from({ length: before - wanted }, (_, i) => `${name}-${before - 1 - i}`);
    } else {
      const owned = await this.ownedPods(live);
      names = owned.slice(Math.max(0, owned.length - (before - wanted)));
      // Pods not running yet still count: the controller will not start them.
      for (let i = names.length; i < before - wanted; i++) names.push(`${name}-<pod ${i + 1}>`);
    }
    return names.map((n) => ({ action: this.action("delete", n, pod), ref: this.ref(n, pod), direct: false, because: why }));
  }

  /** The pods of a workload, through its ReplicaSets for a Deployment, sorted by name. */
  private async ownedPods(owner: Json): Promise<string[]> {
    const ns = this.req.namespace;
    const pods = ((await this.view.get(resourcePath("", "v1", "pods", ns)))?.items ?? []) as Json[];
    const owners = new Set<string>([owner.metadata?.uid]);
    if (this.type.kind === "Deployment") {
      const sets = ((await this.view.get(resourcePath("apps", "v1", "replicasets", ns)))?.items ?? []) as Json[];
      for (const rs of sets) if (ownedBy(rs, owners)) owners.add(rs.metadata?.uid);
    }
    return pods
      .filter((p) => ownedBy(p, owners))
      .map((p) => String(p.metadata?.name))
      .sort();
  }

  private async deleteNamed(): Promise<Effect[]> {
    const name = this.req.name!;
    const live = await this.view.get(this.objectPath(name));
    return this.deletion(this.ref(name), live, { direct: true });
  }

  private async deleteCollection(): Promise<Effect[]> {
    const { req, type } = this;
    const effects: Effect[] = [{ action: this.action("deletecollection"), direct: true }];
    const query = new URLSearchParams();
    for (const s of ["labelSelector", "fieldSelector"]) {
      const v = req.url.searchParams.get(s);
      if (v !== null) query.set(s, v);
    }
    const path = resourcePath(type.group, req.version, type.resource, req.namespace);
    const listed = ((await this.view.get(query.size ? `${path}?${query.toString()}` : path))?.items ?? []) as Json[];
    for (const o of listed) {
      const ref = this.ref(String(o.metadata?.name), type, o.metadata?.namespace ?? req.namespace);
      effects.push(...(await this.deletion(ref, o, { direct: true })));
    }
    return effects;
  }

  /** Deleting one object, and what goes with it. */
  private async deletion(ref: ObjectRef, live: Json | undefined, how: { direct: boolean; why?: string }): Promise<Effect[]> {
    const type: ResourceType = { group: ref.group, resource: ref.resource, kind: ref.kind, namespaced: ref.namespaced };
    const effects: Effect[] = [
      {
        action: this.action("delete", ref.name, type, ref.namespace),
        ref,
        ...(live ? { live } : {}),
        direct: how.direct,
        ...(how.why ? { because: how.why } : {}),
      },
    ];
    if (live === undefined) return effects; // nothing there: nothing goes with it
    const what = objectName(ref.kind, ref.namespace, ref.name);
    if (ref.group === "" && ref.resource === "namespaces") {
      for (const o of await this.inventory(ref.name))
        effects.push({
          action: this.action("delete", o.ref.name, typeOf(o.ref), o.ref.namespace),
          ref: o.ref,
          live: o.object,
          direct: false,
          because: `deleted with ${what}`,
        });
    } else if (propagationOf(this.req) !== "Orphan") effects.push(...(await this.dependents(ref, live, what)));
    return [...effects, ...(await this.volumes(effects))];
  }

  /** What the garbage collector deletes with an owner: its dependents, and theirs. */
  private async dependents(ref: ObjectRef, live: Json, what: string): Promise<Effect[]> {
    const effects: Effect[] = [];
    // The garbage collector deletes dependents in the owner's namespace (anywhere, for a cluster-scoped owner), and theirs.
    const everything = await this.inventory(ref.namespace);
    const pending: { uid: string; what: string }[] = [{ uid: live.metadata?.uid, what }];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const owner = pending.shift()!;
      if (owner.uid === undefined || seen.has(owner.uid)) continue;
      seen.add(owner.uid);
      for (const o of everything) {
        if (!ownedBy(o.object, new Set([owner.uid]))) continue;
        effects.push({
          action: this.action("delete", o.ref.name, typeOf(o.ref), o.ref.namespace),
          ref: o.ref,
          live: o.object,
          direct: false,
          because: `owned by ${owner.what}`,
        });
        pending.push({ uid: o.object.metadata?.uid, what: objectName(o.ref.kind, o.ref.namespace, o.ref.name) });
      }
    }
    return effects;
  }

  /**
   * The volumes deleted with the claims among `deleted`: a bound PersistentVolume whose reclaim
   * policy is Delete goes (with its data) when its claim does — not by ownerReferences, but as surely.
   */
  private async volumes(deleted: readonly Effect[]): Promise<Effect[]> {
    const pv: ResourceType = { group: "", resource: "persistentvolumes", kind: "PersistentVolume", namespaced: false };
    const out: Effect[] = [];
    for (const e of deleted) {
      const volume = e.ref?.resource === "persistentvolumeclaims" && e.ref.group === "" ? e.live?.spec?.volumeName : undefined;
      if (typeof volume !== "string" || volume === "") continue;
      const object = await this.view.get(resourcePath("", "v1", "persistentvolumes", undefined, volume));
      if (object?.spec?.persistentVolumeReclaimPolicy !== "Delete") continue;
      out.push({
        action: this.action("delete", volume, pv, undefined),
        ref: this.ref(volume, pv, undefined),
        live: object,
        direct: false,
        because: `reclaimPolicy Delete: deleted with ${objectName(e.ref!.kind, e.ref!.namespace, e.ref!.name)}`,
      });
    }
    return out;
  }

  /** Every object of every listable resource in a namespace (undefined: in the whole cluster), events aside. */
  private inventory(namespace: string | undefined): Promise<Inventory> {
    return this.inventories.take(namespace, async () => {
      const served = (await this.view.catalog.listable()).filter(
        (r) => r.kind !== "Event" && (namespace === undefined || r.namespaced) && r.verbs.includes("delete"),
      );
      const lists = await Promise.all(served.map(async (r) => ({ r, items: await this.list(r, namespace) })));
      return lists.flatMap(({ r, items }) =>
        items.map((object) => ({ ref: this.ref(String(object.metadata?.name), r, object.metadata?.namespace), object })),
      );
    });
  }

  private async list(r: ServedResource, namespace: string | undefined): Promise<Json[]> {
    return ((await this.view.get(resourcePath(r.group, r.version, r.resource, r.namespaced ? namespace : undefined)))?.items ??
      []) as Json[];
  }

  private objectPath(name: string): string {
    return resourcePath(this.type.group, this.req.version, this.type.resource, this.type.namespaced ? this.req.namespace : undefined, name);
  }
}

function typeOf(ref: ObjectRef): ResourceType {
  return { group: ref.group, resource: ref.resource, kind: ref.kind, namespaced: ref.namespaced };
}

function ownedBy(o: Json, owners: ReadonlySet<string>): boolean {
  const refs = o.metadata?.ownerReferences;
  return Array.isArray(refs) && refs.some((r: Json) => owners.has(r?.uid));
}

function numberOr(v: unknown, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}
