/**
 * The cluster as a planning pass sees it: the server's objects, with what the plan has done so far
 * laid over them. A dry run persists nothing, so without this a script that creates a namespace
 * and then applies objects into it would fail its own plan (the namespace is not there), and one
 * that deletes a StatefulSet and waits for its pods to go could never see them gone. So, while
 * planning (guard.ts):
 *
 * - a read of an object the plan created or changed gets the plan's object; of one it deleted, 404;
 * - a list leaves out what the plan deleted and adds what it created (by namespace, labels and
 *   metadata.name/namespace field selectors);
 * - a write that the server cannot dry-run — into a namespace the plan creates, or to an object
 *   that exists only in the plan — is answered here, as the server would answer it, and the plan
 *   says it was not sent;
 * - a create of an object the plan already created is answered 409 AlreadyExists.
 */
import { jsonPatch, mergePatch, strategicMergePatch } from "../cluster/patch.js";
import { matchesRequirements, parseFieldSelector, parseLabelSelector } from "../cluster/selectors.js";
import { objectKey, type ObjectRef, type Plan } from "./plan.js";
import type { PatchType, ResourceRequest } from "./requests.js";
import { apiVersionOf, type ResourceType } from "./resources.js";

type Json = Record<string, any>;

/** An answer made without the server: a status and a body. */
export interface LocalAnswer {
  readonly status: number;
  readonly body: Json;
}

/** A Status object as the server sends with an error. */
export function statusBody(code: number, reason: string, message: string, details?: Json): Json {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code, ...(details ? { details } : {}) };
}

export function notFound(type: ResourceType, name: string): LocalAnswer {
  return { status: 404, body: statusBody(404, "NotFound", `${type.resource} "${name}" not found`, { name, kind: type.resource }) };
}

/** The plan's answer to a read of one object, or undefined if the plan has not touched it. */
export function readAnswer(plan: Plan, req: ResourceRequest, type: ResourceType): LocalAnswer | undefined {
  if (req.verb !== "get" || req.name === undefined || (req.subresource !== undefined && req.subresource !== "status")) return undefined;
  const state = plan.state(objectKey({ group: type.group, resource: type.resource, namespace: namespaceOf(req, type), name: req.name }));
  if (state === undefined) return undefined;
  return state.exists ? { status: 200, body: state.object } : notFound(type, req.name);
}

/**
 * A list's items as the plan sees them, sorted by name. A list the plan changes nothing in (the
 * usual case: a run that only reads plans nothing) is returned as it is, the same object, so that
 * the seam passes the server's text on rather than writing the list out again; before the plan
 * touches any object, without looking at its items.
 */
export function overlayList(plan: Plan, req: ResourceRequest, type: ResourceType, list: Json): Json {
  if (plan.untouched) return list;
  const items = Array.isArray(list.items) ? (list.items as Json[]) : [];
  const keyOf = (o: Json) =>
    objectKey({ group: type.group, resource: type.resource, namespace: o.metadata?.namespace, name: String(o.metadata?.name) });
  const seen = new Set<string>();
  const kept: Json[] = [];
  for (const o of items) {
    const key = keyOf(o);
    seen.add(key);
    const state = plan.state(key);
    if (state === undefined) kept.push(o);
    else if (state.exists) kept.push(state.object);
  }
  const prefix = `${type.group}/${type.resource}/`;
  for (const [key, o] of plan.present())
    if (
      key.startsWith(prefix) &&
      !seen.has(key) &&
      (req.namespace === undefined || o.metadata?.namespace === req.namespace) &&
      selected(req, o)
    )
      kept.push(o);
  kept.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  const unchanged = kept.length === items.length && items === list.items && kept.every((o, i) => o === items[i]);
  return unchanged ? list : { ...list, items: kept };
}

/** Whether the object matches the request's label and field selectors (a selector that cannot be parsed matches nothing). */
function selected(req: ResourceRequest, o: Json): boolean {
  try {
    const labels = req.url.searchParams.get("labelSelector") ?? "";
    if (labels && !matchesRequirements(parseLabelSelector(labels), o.metadata?.labels)) return false;
    for (const f of parseFieldSelector(req.url.searchParams.get("fieldSelector") ?? "")) {
      const value = f.field === "metadata.name" ? o.metadata?.name : f.field === "metadata.namespace" ? o.metadata?.namespace : undefined;
      if (value === undefined || (value === f.value) !== (f.op === "=")) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Why a write cannot be sent as a dry run while planning, or undefined if it can. */
export function unsendable(plan: Plan, req: ResourceRequest, type: ResourceType): string | undefined {
  const ns = namespaceOf(req, type);
  if (ns !== undefined && plan.planOnlyNamespace(ns)) return "its namespace is created by this plan";
  if (req.name === undefined) return undefined;
  const state = plan.state(objectKey({ group: type.group, resource: type.resource, namespace: ns, name: req.name }));
  if (state?.exists && state.planOnly && req.verb !== "create") return "the object is created by this plan";
  return undefined;
}

/** A create of an object the plan already made: the server's AlreadyExists. */
export function alreadyExists(plan: Plan, ref: ObjectRef, type: ResourceType): LocalAnswer | undefined {
  if (plan.state(objectKey(ref))?.exists !== true) return undefined;
  const body = statusBody(409, "AlreadyExists", `${type.resource} "${ref.name}" already exists`, { name: ref.name, kind: type.resource });
  return { status: 409, body };
}

/**
 * The object a write leaves, worked out here: for a create the body (with its name, namespace,
 * apiVersion and kind), for a replace the body, for a patch the current object patched; undefined
 * for a patch of an object the plan does not have.
 */
export function writtenLocally(req: ResourceRequest, type: ResourceType, current: Json | undefined): Json | undefined {
  const body = req.body ?? {};
  const base = (o: Json): Json => {
    const meta: Json = { ...(o.metadata ?? {}) };
    if (req.name !== undefined) meta.name = req.name;
    else if (meta.name === undefined && typeof meta.generateName === "string") meta.name = `${meta.generateName}${"x".repeat(5)}`;
    const ns = namespaceOf(req, type);
    if (ns !== undefined) meta.namespace = ns;
    return { ...o, apiVersion: apiVersionOf(type.group, req.version), kind: type.kind, metadata: meta };
  };
  if (req.subresource === "scale") {
    if (current === undefined) return undefined;
    // The request is about a Scale (spec.replicas): patched or replaced as one, then set on the object.
    const scale = { spec: { replicas: current.spec?.replicas ?? 1 } };
    const replicas = (req.patchType === undefined ? body : patched(req.patchType, scale, body)).spec?.replicas ?? 0;
    return { ...current, spec: { ...current.spec, replicas } };
  }
  if (req.verb === "create" || req.verb === "update") return base(body);
  if (current === undefined) return req.patchType === "apply" ? base(body) : undefined;
  return base(patched(req.patchType ?? "merge", current, body));
}

/**
 * An object patched here as the server would patch it (a server-side apply as far as a plan can
 * tell: the applied fields merged over the object). Throws the cluster's error for a bad patch.
 */
function patched(type: PatchType, current: Json, patch: unknown): Json {
  switch (type) {
    case "json":
      return jsonPatch(current, patch) as Json;
    case "strategic":
      return strategicMergePatch(current, patch, undefined) as Json;
    default:
      return mergePatch(current, patch) as Json;
  }
}

/** The namespace an object of the request lives in: a namespaced resource's, or none. */
export function namespaceOf(req: ResourceRequest, type: ResourceType): string | undefined {
  return type.namespaced ? req.namespace : undefined;
}
