/**
 * The generic REST semantics every resource shares: create, get, list, replace, patch, delete,
 * deletecollection, the status and scale subresources. The HTTP layer and the simulated
 * controllers both call this, so a controller's write is indistinguishable from a client's.
 */
import { randomUUID } from "node:crypto";
import { customScale, setCustomReplicas } from "./crd.js";
import {
  alreadyExists,
  ApiError,
  badRequest,
  conflict,
  forbidden,
  gone,
  invalid,
  invalidField,
  methodNotAllowed,
  notFound,
  requiredField,
  STALE,
  tooLong,
  unsupportedMediaType,
  type FieldError,
} from "./errors.js";
import { isPlainObject } from "./fields.js";
import { serverSideApply, trackUpdate, type ManagedFieldsEntry } from "./managed.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import { apiVersionOf, grKey, type KObject, type Registry, type ResourceType } from "./resources.js";
import {
  formatSelector,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type Requirement,
} from "./selectors.js";
import { prune as pruneToSchema } from "./schema.js";
import { fieldShape, objectMeta, shapeOf, type Shape } from "./shapes.js";
import type { Store } from "./object-store.js";
import { clone, deepEqual, randomSuffix, timestamp } from "./util.js";
import { validateLabels, validateName } from "./validation.js";

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Per-request options: who writes, and how. */
export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: FieldValidation;
  /** Warnings for the response's Warning headers (unknown fields in Warn mode). */
  warnings?: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: "Background" | "Foreground" | "Orphan";
  orphanDependents?: boolean;
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

/** A compiled selector pair: what a list or a watch keeps. */
export interface Filter {
  labels: Requirement[];
  fields: FieldRequirement[];
}

export const PROTECTED_NAMESPACES = ["default", "kube-system", "kube-public"];

/** The patch types a custom resource reads (no strategic merge patch: it has no patch metadata). */
export const CUSTOM_PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

/** The total size of an object's annotations (keys and values) the server accepts. */
export const ANNOTATIONS_LIMIT = 256 * 1024;
/** etcd's request limit (--max-request-bytes' default): a larger object is refused by storage. */
export const STORAGE_LIMIT = 1.5 * 1024 * 1024;
/** The API server's etcd client sends at most this much (grpc's MaxCallSendMsgSize). */
export const STORAGE_CLIENT_LIMIT = 2 * 1024 * 1024;

export class Api {
  private readonly shapes = new WeakMap<ResourceType, Shape>();
  /** Each stored object as each resource serves it (fromStorage is pure; stored objects are never mutated). */
  private readonly views = new WeakMap<ResourceType, WeakMap<KObject, KObject>>();

  constructor(
    readonly store: Store,
    readonly registry: Registry,
    /** Hooks that allocate server-side values on create (cluster IPs). */
    readonly allocate: (rt: ResourceType, o: KObject) => void = () => {},
  ) {}

  shape(rt: ResourceType): Shape {
    let s = this.shapes.get(rt);
    if (!s) this.shapes.set(rt, (s = rt.shape ?? shapeOf(rt.kind)));
    return s;
  }

  /** A stored object as `rt` serves it (its version, defaults on read); the object itself for most built-ins. */
  view(rt: ResourceType, o: KObject): KObject {
    if (!rt.fromStorage) return o;
    let byObject = this.views.get(rt);
    if (!byObject) this.views.set(rt, (byObject = new WeakMap()));
    let v = byObject.get(o);
    if (!v) byObject.set(o, (v = rt.fromStorage(o)));
    return v;
  }

  /** Writes an object of `rt` as the store keeps it; returns it as `rt` serves it. */
  private put(rt: ResourceType, o: KObject): KObject {
    const stored = rt.toStorage ? rt.toStorage(o) : o;
    checkStorageSize(stored);
    return this.view(rt, this.store.put(grKey(rt), stored));
  }

  private remove(rt: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const removed = this.store.remove(grKey(rt), namespace, name);
    return removed && this.view(rt, removed);
  }

  // ---------- reads ----------

  get(rt: ResourceType, namespace: string | undefined, name: string): KObject {
    const o = this.tryGet(rt, namespace, name);
    if (!o) throw notFound(rt, name);
    return o;
  }

  tryGet(rt: ResourceType, namespace: string | undefined, name: string): KObject | undefined {
    const o = this.store.get(grKey(rt), rt.namespaced ? namespace : undefined, name);
    return o && this.view(rt, o);
  }

  compileFilter(rt: ResourceType, opts: { labelSelector?: string; fieldSelector?: string }): Filter {
    const fields = parseFieldSelector(opts.fieldSelector ?? "");
    for (const f of fields)
      if (f.field !== "metadata.name" && f.field !== "metadata.namespace" && !(f.field in rt.fieldSelectors))
        throw badRequest(`field label not supported: ${f.field}`);
    return { labels: parseLabelSelector(opts.labelSelector ?? ""), fields };
  }

  matches(rt: ResourceType, filter: Filter, o: KObject): boolean {
    if (filter.labels.length && !matchesRequirements(filter.labels, o.metadata?.labels)) return false;
    for (const f of filter.fields) {
      const actual =
        f.field === "metadata.name"
          ? o.metadata.name
          : f.field === "metadata.namespace"
            ? (o.metadata.namespace ?? "")
            : rt.fieldSelectors[f.field]!(o);
      if ((actual === f.value) !== (f.op === "=")) return false;
    }
    return true;
  }

  list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const filter = this.compileFilter(rt, opts);
    const rv = String(this.store.resourceVersion);
    let all = this.store.list(grKey(rt), rt.namespaced ? namespace : undefined);
    if (rt.fromStorage) all = all.map((o) => this.view(rt, o));
    if (opts.continue) {
      let token: { rv: number; start: string };
      try {
        token = JSON.parse(Buffer.from(opts.continue, "base64").toString("utf8"));
      } catch {
        throw badRequest("continue key is not valid: illegal base64 data at input byte 0");
      }
      if (token.rv < this.store.oldestResumableRV)
        throw gone(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      all = all.filter((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}` > token.start);
    }
    const matched = filter.labels.length || filter.fields.length ? all.filter((o) => this.matches(rt, filter, o)) : all;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    if (!limit || matched.length <= limit) return { items: matched, resourceVersion: rv };
    const items = matched.slice(0, limit);
    const last = items[items.length - 1]!;
    const start = `${last.metadata.namespace ?? ""}/${last.metadata.name}`;
    return {
      items,
      resourceVersion: rv,
      continue: Buffer.from(JSON.stringify({ rv: Number(rv), start })).toString("base64"),
      remainingItemCount: matched.length - limit,
    };
  }

  // ---------- writes ----------

  create(rt: ResourceType, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): KObject {
    if (rt.custom?.terminating) throw methodNotAllowed("create not allowed while custom resource definition is terminating");
    const o = this.decode(rt, body, opts);
    const meta = o.metadata;
    if (rt.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace)
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta.namespace = namespace ?? meta.namespace ?? "default";
      this.checkNamespaceAcceptsContent(rt, meta.namespace, meta.name ?? "");
    } else delete meta.namespace;
    if (!meta.name) {
      if (meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
      else throw invalid(rt, "", [requiredField("metadata.name", "name or generateName is required")]);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (rt.generation) meta.generation = 1;
    else delete meta.generation;
    // As in kube-apiserver: defaulting happens when the request is decoded, the creator's managed
    // fields are taken from that, and only then does the create strategy add its own values.
    rt.defaults?.(o);
    if (!Array.isArray(meta.managedFields) || meta.managedFields.length === 0) {
      const mf = trackUpdate(undefined, o, this.manager(opts), apiVersionOf(rt), this.shape(rt), "");
      if (mf) meta.managedFields = mf;
      else delete meta.managedFields;
    }
    rt.prepareCreate?.(o);
    rt.defaults?.(o);
    this.validate(rt, o, undefined);
    if (this.tryGet(rt, meta.namespace, meta.name)) throw alreadyExists(rt, meta.name);
    this.allocate(rt, o);
    if (opts.dryRun) return o;
    return this.put(rt, o);
  }

  /** PUT of the main resource (or of /status when `subresource` is "status"). */
  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    opts: WriteOptions = {},
    subresource: "" | "status" = "",
  ): KObject {
    const old = this.get(rt, namespace, name);
    const incoming = this.decode(rt, body, opts);
    if (incoming.metadata.name !== undefined && incoming.metadata.name !== name)
      throw badRequest(`the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`);
    if (rt.namespaced && incoming.metadata.namespace !== undefined && incoming.metadata.namespace !== old.metadata.namespace)
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    const rv = incoming.metadata.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== old.metadata.resourceVersion) throw conflict(rt, name, STALE);
    return this.write(rt, old, incoming, opts, subresource);
  }

  /**
   * The common tail of every update: keep what the client may not change, default, validate,
   * bump generation, record managed fields, and store (or, for a no-op, return the old object).
   */
  private write(
    rt: ResourceType,
    old: KObject,
    incoming: KObject,
    opts: WriteOptions,
    subresource: "" | "status",
    managedFields?: ManagedFieldsEntry[],
  ): KObject {
    let o: KObject;
    if (subresource === "status") {
      // Only status changes through /status (metav1.ResetObjectMetaForStatus).
      o = { ...clone(old), status: incoming.status };
      if (incoming.status === undefined) delete o.status;
      if (Array.isArray(incoming.metadata?.managedFields) && !deepEqual(incoming.metadata.managedFields, old.metadata.managedFields))
        o.metadata.managedFields = incoming.metadata.managedFields;
    } else {
      o = incoming;
      const m = o.metadata;
      for (const k of ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"])
        if (old.metadata[k] === undefined) delete m[k];
        else m[k] = old.metadata[k];
      if (rt.status) {
        if (old.status === undefined) delete o.status;
        else o.status = clone(old.status);
      }
      if (!Array.isArray(m.managedFields) || (old.metadata.managedFields && deepEqual(m.managedFields, old.metadata.managedFields)))
        m.managedFields = old.metadata.managedFields;
      rt.prepareUpdate?.(o, old);
      rt.defaults?.(o);
    }
    this.validate(rt, o, old, subresource);
    // Custom resources count any change outside metadata (status too, without a status subresource).
    if (rt.generation && subresource === "" && (rt.custom ? changedOutside(o, old, ["metadata"]) : specChanged(o, old)))
      o.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (managedFields) o.metadata.managedFields = managedFields;
    else if (deepEqual(o.metadata.managedFields, old.metadata.managedFields)) {
      const mf = trackUpdate(old, o, this.manager(opts), apiVersionOf(rt), this.shape(rt), subresource);
      if (mf) o.metadata.managedFields = mf;
    }
    if (o.metadata.managedFields === undefined) delete o.metadata.managedFields;
    o.metadata.resourceVersion = old.metadata.resourceVersion;
    if (deepEqual(o, old)) return old;
    if (opts.dryRun) return o;
    // An object being deleted disappears once its last finalizer is gone.
    if (o.metadata.deletionTimestamp && !o.metadata.finalizers?.length && !(rt.kind === "Namespace" && o.spec?.finalizers?.length)) {
      this.put(rt, o);
      return this.remove(rt, o.metadata.namespace, o.metadata.name) ?? o;
    }
    return this.put(rt, o);
  }

  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions & { force?: boolean } = {},
    subresource: "" | "status" = "",
  ): KObject {
    if (type === "strategic" && !rt.strategicMerge) throw unsupportedMediaType(CUSTOM_PATCH_TYPES);
    const old = this.tryGet(rt, namespace, name);
    if (type === "apply") return this.apply(rt, namespace, name, old, patch, opts, subresource);
    if (!old) throw notFound(rt, name);
    let patched: unknown;
    const current = clone(old);
    if (type === "json") patched = jsonPatch(current, patch);
    else if (!isPlainObject(patch))
      throw badRequest(
        `json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`,
      );
    else if (type === "merge") patched = mergePatch(current, patch);
    else patched = strategicMergePatch(current, patch, this.shape(rt));
    if (!isPlainObject(patched)) throw badRequest("the patch produced something other than an object");
    const p = patched as KObject;
    if (p.metadata?.name !== name)
      throw badRequest(`the name of the object (${p.metadata?.name}) does not match the name on the URL (${name})`);
    // A resourceVersion in the patch is a precondition.
    const patchRV = isPlainObject(patch) ? (patch as KObject).metadata?.resourceVersion : p.metadata.resourceVersion;
    if (patchRV !== undefined && patchRV !== null && patchRV !== old.metadata.resourceVersion) throw conflict(rt, name, STALE);
    const incoming = this.decode(rt, p, opts);
    return this.write(rt, old, incoming, opts, subresource);
  }

  private apply(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    live: KObject | undefined,
    cfg: unknown,
    opts: WriteOptions & { force?: boolean },
    subresource: "" | "status",
  ): KObject {
    if (!opts.fieldManager)
      throw badRequest("PATCH, PUT or POST requests with the apply content type require a fieldManager query parameter");
    if (!isPlainObject(cfg)) throw badRequest("error decoding YAML: the applied configuration must be an object");
    const c = cfg as KObject;
    if (c.apiVersion !== apiVersionOf(rt) || c.kind !== rt.kind)
      throw badRequest(
        `${c.kind ?? "<missing kind>"} in version "${c.apiVersion ?? ""}" cannot be handled as a ${rt.kind}: the applied configuration must have apiVersion ${apiVersionOf(rt)} and kind ${rt.kind}`,
      );
    if (c.metadata?.name !== undefined && c.metadata.name !== name)
      throw badRequest(`the name of the object (${c.metadata.name}) does not match the name on the URL (${name})`);
    const decoded = this.decode(rt, c, opts);
    const normalize = (o: KObject) => {
      const c = clone(o);
      c.metadata ??= {};
      c.metadata.name ??= name;
      if (subresource === "") rt.defaults?.(c);
      return c;
    };
    const { object, managedFields } = serverSideApply(
      live,
      decoded,
      opts.fieldManager,
      opts.force === true,
      this.shape(rt),
      apiVersionOf(rt),
      subresource,
      normalize,
    );
    if (!live) {
      object.metadata = { ...object.metadata, name, managedFields };
      return this.create(rt, namespace, object, { ...opts, fieldValidation: "Ignore" });
    }
    const rv = c.metadata?.resourceVersion;
    if (rv !== undefined && rv !== live.metadata.resourceVersion) throw conflict(rt, name, STALE);
    object.metadata.resourceVersion = live.metadata.resourceVersion;
    return this.write(rt, live, object, opts, subresource, managedFields);
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): { object: KObject; deleted: boolean } {
    const old = this.get(rt, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid)
      throw conflict(rt, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(
        rt,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      );
    if (rt.kind === "Namespace") {
      if (PROTECTED_NAMESPACES.includes(name)) throw forbidden(rt, name, "this namespace may not be deleted");
      const o = clone(old);
      if (!o.metadata.deletionTimestamp) {
        o.metadata.deletionTimestamp = timestamp();
        o.metadata.deletionGracePeriodSeconds = 0;
        o.status = { ...(o.status ?? {}), phase: "Terminating" };
      }
      if (opts.dryRun) return { object: o, deleted: false };
      if (deepEqual(o, old)) return { object: old, deleted: false };
      return { object: this.put(rt, o), deleted: false };
    }
    const propagation =
      opts.propagationPolicy ??
      (opts.orphanDependents === true ? "Orphan" : opts.orphanDependents === false ? "Background" : rt.defaultPropagation);
    const finalizers: string[] = [...(old.metadata.finalizers ?? [])];
    const add = (f: string) => {
      if (!finalizers.includes(f)) finalizers.push(f);
    };
    const remove = (f: string) => {
      const i = finalizers.indexOf(f);
      if (i >= 0) finalizers.splice(i, 1);
    };
    if (propagation === "Foreground") {
      add("foregroundDeletion");
      remove("orphan");
    } else if (propagation === "Orphan") {
      add("orphan");
      remove("foregroundDeletion");
    } else if (opts.propagationPolicy === "Background") {
      remove("orphan");
      remove("foregroundDeletion");
    }
    if (!old.metadata.deletionTimestamp) for (const f of rt.deleteFinalizers ?? []) add(f);
    // A scheduled pod terminates gracefully: the kubelet stand-in removes it after the grace period.
    const grace =
      rt.kind === "Pod" && old.spec?.nodeName && !["Succeeded", "Failed"].includes(old.status?.phase)
        ? (opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30)
        : 0;
    const needsWait = finalizers.length > 0 || grace > 0;
    if (!needsWait && !old.metadata.deletionTimestamp) {
      if (opts.dryRun) return { object: old, deleted: true };
      return { object: this.remove(rt, old.metadata.namespace, name) ?? old, deleted: true };
    }
    if (!needsWait) {
      // Already terminating with no finalizers left (grace now 0): finish it.
      if (opts.dryRun) return { object: old, deleted: true };
      return { object: this.remove(rt, old.metadata.namespace, name) ?? old, deleted: true };
    }
    const o = clone(old);
    if (finalizers.length) o.metadata.finalizers = finalizers;
    if (!o.metadata.deletionTimestamp) {
      o.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      o.metadata.deletionGracePeriodSeconds = grace;
      if (rt.generation) o.metadata.generation = (o.metadata.generation ?? 1) + 1;
      rt.prepareDelete?.(o);
    } else if (grace < (o.metadata.deletionGracePeriodSeconds ?? 0)) {
      o.metadata.deletionTimestamp = timestamp(new Date(Date.now() + grace * 1000));
      o.metadata.deletionGracePeriodSeconds = grace;
    }
    if (opts.dryRun || deepEqual(o, old)) return { object: o, deleted: false };
    return { object: this.put(rt, o), deleted: false };
  }

  deleteCollection(rt: ResourceType, namespace: string | undefined, listOpts: ListOptions, opts: DeleteOptions = {}): KObject[] {
    const { items } = this.list(rt, namespace, { ...listOpts, limit: 0 });
    const out: KObject[] = [];
    for (const o of items) {
      try {
        out.push(this.delete(rt, o.metadata.namespace, o.metadata.name, opts).object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  /** PUT namespaces/{name}/finalize: replaces spec.finalizers (the namespace controller's last step). */
  finalizeNamespace(name: string, body: KObject, opts: WriteOptions = {}): KObject {
    const rt = this.registry.at("", "v1", "namespaces")!;
    const old = this.get(rt, undefined, name);
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(rt, name, STALE);
    const o = clone(old);
    o.spec = { ...(o.spec ?? {}), finalizers: Array.isArray(body?.spec?.finalizers) ? body.spec.finalizers : [] };
    if (opts.dryRun) return o;
    if (o.metadata.deletionTimestamp && !o.spec.finalizers.length && !o.metadata.finalizers?.length) {
      this.put(rt, o);
      return this.remove(rt, undefined, name) ?? o;
    }
    return this.put(rt, o);
  }

  // ---------- scale ----------

  getScale(rt: ResourceType, namespace: string | undefined, name: string): KObject {
    const o = this.get(rt, namespace, name);
    if (rt.custom?.scale) return customScale(o, rt.custom.scale);
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: {
        name,
        namespace: o.metadata.namespace,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
        creationTimestamp: o.metadata.creationTimestamp,
      },
      spec: { replicas: o.spec?.replicas ?? 0 },
      status: { replicas: o.status?.replicas ?? 0, selector: formatSelector(o.spec?.selector) },
    };
  }

  updateScale(rt: ResourceType, namespace: string | undefined, name: string, scale: KObject, opts: WriteOptions = {}): KObject {
    const old = this.get(rt, namespace, name);
    const rv = scale?.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(rt, name, STALE);
    const replicas = scale?.spec?.replicas ?? 0;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw invalid({ group: "autoscaling", kind: "Scale" }, name, [
        invalidField("spec.replicas", replicas, "must be greater than or equal to 0"),
      ]);
    const o = clone(old);
    if (rt.custom?.scale) setCustomReplicas(o, rt.custom.scale, replicas);
    else o.spec = { ...o.spec, replicas };
    this.write(rt, old, o, opts, "");
    return this.getScale(rt, namespace, name);
  }

  patchScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts: WriteOptions = {},
  ): KObject {
    if (type === "strategic" && !rt.strategicMerge) throw unsupportedMediaType(CUSTOM_PATCH_TYPES);
    const scale = this.getScale(rt, namespace, name);
    let patched: unknown;
    if (type === "json") patched = jsonPatch(scale, patch);
    else if (type === "merge") patched = mergePatch(scale, patch);
    else if (type === "strategic") patched = strategicMergePatch(scale, patch, undefined);
    else patched = mergePatch(scale, patch);
    return this.updateScale(rt, namespace, name, patched as KObject, opts);
  }

  // ---------- helpers ----------

  private manager(opts: WriteOptions): string {
    return opts.fieldManager || "unknown";
  }

  /** Checks that the body is an object of this resource; prunes (Warn) or rejects (Strict) unknown fields. */
  private decode(rt: ResourceType, body: unknown, opts: WriteOptions): KObject {
    if (!isPlainObject(body))
      throw badRequest(
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
      );
    const o = clone(body) as KObject;
    if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(rt))
      throw badRequest(`the API version in the data (${o.apiVersion}) does not match the expected API version (${apiVersionOf(rt)})`);
    if (o.kind !== undefined && o.kind !== rt.kind)
      throw badRequest(
        `${o.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the kind in the data (${o.kind}) does not match the expected kind (${rt.kind})`,
      );
    o.apiVersion = apiVersionOf(rt);
    o.kind = rt.kind;
    if (o.metadata === undefined || o.metadata === null) o.metadata = {};
    if (!isPlainObject(o.metadata))
      throw badRequest(
        `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${typeof o.metadata} into Go struct field ${rt.kind}.metadata of type v1.ObjectMeta`,
      );
    const unknown: string[] = [];
    if (rt.custom) {
      // ObjectMeta is closed; the rest is pruned by the schema (x-kubernetes-preserve-unknown-fields kept).
      prune(o.metadata, objectMeta, "metadata", unknown);
      unknown.push(...pruneToSchema(o, rt.custom.schema));
    } else prune(o, this.shape(rt), "", unknown);
    if (unknown.length) {
      const mode = opts.fieldValidation ?? "Warn";
      if (mode === "Strict")
        throw badRequest(
          `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(", ")}`,
        );
      if (mode === "Warn") for (const u of unknown) opts.warnings?.push(`unknown field "${u}"`);
    }
    return o;
  }

  private validate(rt: ResourceType, o: KObject, old: KObject | undefined, subresource: "" | "status" = ""): void {
    const errs: FieldError[] = [];
    const m = o.metadata;
    if (!old) errs.push(...validateName(rt.nameRule, m.name));
    errs.push(...validateLabels(m.labels, "metadata.labels"));
    if (m.annotations !== undefined) {
      if (!isPlainObject(m.annotations)) errs.push(invalidField("metadata.annotations", m.annotations, "must be a map of strings"));
      else {
        let size = 0;
        for (const [k, v] of Object.entries(m.annotations)) {
          if (typeof v !== "string") errs.push(invalidField(`metadata.annotations[${k}]`, v, "must be a string"));
          else size += Buffer.byteLength(k) + Buffer.byteLength(v);
        }
        if (size > ANNOTATIONS_LIMIT) errs.push(tooLong("metadata.annotations", ANNOTATIONS_LIMIT));
      }
    }
    if (m.finalizers !== undefined && !Array.isArray(m.finalizers))
      errs.push(invalidField("metadata.finalizers", m.finalizers, "must be a list"));
    if (Array.isArray(m.ownerReferences))
      m.ownerReferences.forEach((r: KObject, i: number) => {
        for (const f of ["apiVersion", "kind", "name", "uid"])
          if (!r?.[f]) errs.push(invalidField(`metadata.ownerReferences[${i}].${f}`, r?.[f] ?? "", `${f} must not be empty`));
      });
    if (old && m.deletionTimestamp && Array.isArray(m.finalizers))
      for (const f of m.finalizers) if (!(old.metadata.finalizers ?? []).includes(f)) errs.push(forbiddenFinalizer(f));
    if (subresource === "status" && old && rt.validateStatus) errs.push(...rt.validateStatus(o, old));
    else errs.push(...(rt.validate?.(o, old) ?? []));
    if (errs.length) throw invalid(rt, m.name ?? "", errs);
  }

  /** 404 for a missing namespace, 403 for one being terminated. */
  checkNamespaceAcceptsContent(rt: ResourceType, namespace: string, name: string): void {
    const nsType = this.registry.at("", "v1", "namespaces")!;
    const ns = this.store.get(grKey(nsType), undefined, namespace);
    if (!ns) throw notFound(nsType, namespace);
    if (ns.metadata.deletionTimestamp || ns.status?.phase === "Terminating")
      throw forbidden(rt, name, `unable to create new content in namespace ${namespace} because it is being terminated`, [
        { reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" },
      ]);
  }
}

function forbiddenFinalizer(f: string): FieldError {
  return {
    type: "FieldValueForbidden",
    field: "metadata.finalizers",
    detail: `no new finalizers can be added if the object is being deleted, found new finalizers []string{${JSON.stringify(f)}}`,
  };
}

/**
 * What storage would refuse, as the real server relays it: etcd takes requests up to 1.5 MiB, the
 * API server's etcd client sends up to 2 MiB; both refusals reach the client as 500s with their
 * own words. (Bodies over 3 MiB never get this far: 413.)
 */
function checkStorageSize(o: KObject): void {
  const bytes = Buffer.byteLength(JSON.stringify(o));
  if (bytes > STORAGE_CLIENT_LIMIT)
    throw new ApiError(
      500,
      "",
      `rpc error: code = ResourceExhausted desc = trying to send message larger than max (${bytes} vs. ${STORAGE_CLIENT_LIMIT})`,
    );
  if (bytes > STORAGE_LIMIT) throw new ApiError(500, "", "etcdserver: request is too large");
}

/** Anything outside the given top-level fields differs. */
function changedOutside(a: KObject, b: KObject, fields: string[]): boolean {
  const strip = (o: KObject) => Object.fromEntries(Object.entries(o).filter(([k]) => !fields.includes(k)));
  return !deepEqual(strip(a), strip(b));
}

/** Anything outside metadata and status differs. */
function specChanged(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

/** Removes fields unknown to a closed shape, collecting their paths ("spec.foo"). */
function prune(v: unknown, shape: Shape | undefined, path: string, unknown: string[]): void {
  if (!shape) return;
  if (isPlainObject(v)) {
    for (const k of Object.keys(v)) {
      const child = fieldShape(shape, k);
      const p = path ? `${path}.${k}` : k;
      if (!child && shape.closed) {
        unknown.push(p);
        delete v[k];
        continue;
      }
      prune(v[k], child, p, unknown);
    }
  } else if (Array.isArray(v) && shape.list?.item) v.forEach((item, i) => prune(item, shape.list!.item, `${path}[${i}]`, unknown));
}
