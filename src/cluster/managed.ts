/**
 * managedFields bookkeeping and server-side apply. Each writer ("manager") owns the fields it set
 * last: an Update takes ownership of what it changed; an Apply owns exactly the fields of its
 * configuration, conflicts with other owners whose values it would change (409 unless forced),
 * and removes the fields it stopped applying when nobody else owns them.
 */
import { ApiError } from "./errors.js";
import {
  type FieldsV1,
  fromFieldsV1,
  isPlainObject,
  NODE,
  objectFields,
  removePath,
  renderPath,
  SEP,
  toFieldsV1,
  elementKey,
} from "./fields.js";
import { fieldShape, type Shape } from "./shapes.js";
import type { KObject } from "./resources.js";

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldsV1;
  subresource?: string;
}

interface Owner {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  subresource: string;
  fields: Set<string>;
}

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

function owners(o: KObject | undefined): Owner[] {
  const mf = o?.metadata?.managedFields;
  if (!Array.isArray(mf)) return [];
  return mf.map((e: ManagedFieldsEntry) => ({
    manager: e.manager,
    operation: e.operation,
    apiVersion: e.apiVersion,
    time: e.time,
    subresource: e.subresource ?? "",
    fields: fromFieldsV1(e.fieldsV1),
  }));
}

function entries(list: Owner[]): ManagedFieldsEntry[] {
  return list
    .filter((w) => w.fields.size > 0)
    .map((w) => {
      const e: ManagedFieldsEntry = {
        manager: w.manager,
        operation: w.operation,
        apiVersion: w.apiVersion,
        time: w.time,
        fieldsType: "FieldsV1",
        fieldsV1: toFieldsV1(w.fields),
      };
      if (w.subresource) e.subresource = w.subresource;
      return e;
    });
}

/** managedFields after `manager` wrote `neu` over `old` through an update (create, replace, patch). */
export function trackUpdate(
  old: KObject | undefined,
  neu: KObject,
  manager: string,
  apiVersion: string,
  shape: Shape,
  subresource: "" | "status",
): ManagedFieldsEntry[] | undefined {
  const list = owners(old);
  const part = subresource === "status" ? "status" : "main";
  const before = old ? objectFields(old, shape, part) : new Map<string, string>();
  const after = objectFields(neu, shape, part);
  const changed: string[] = [];
  for (const [p, v] of after) if (before.get(p) !== v) changed.push(p);
  const removed: string[] = [];
  for (const p of before.keys()) if (!after.has(p)) removed.push(p);
  if (changed.length === 0 && removed.length === 0) return old?.metadata?.managedFields;
  let mine = list.find((w) => w.manager === manager && w.operation === "Update" && w.subresource === subresource);
  if (!mine) list.push((mine = { manager, operation: "Update", apiVersion, time: now(), subresource, fields: new Set() }));
  for (const w of list) {
    if (w === mine) continue;
    for (const p of changed) if (after.get(p) !== NODE) w.fields.delete(p);
    for (const p of removed) w.fields.delete(p);
  }
  for (const p of changed) mine.fields.add(p);
  for (const p of removed) mine.fields.delete(p);
  mine.time = now();
  mine.apiVersion = apiVersion;
  return entries(list);
}

function describeOwner(w: Owner): string {
  let s = JSON.stringify(w.manager);
  if (w.subresource) s += ` with subresource ${JSON.stringify(w.subresource)}`;
  if (w.operation === "Update") s += ` using ${w.apiVersion}`;
  return s;
}

export interface ApplyResult {
  object: KObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Server-side apply of configuration `cfg` by `manager` onto `live` (undefined: the object is new).
 * Throws 409 Conflict listing every conflicting field unless `force`.
 */
export function serverSideApply(
  live: KObject | undefined,
  rawCfg: KObject,
  manager: string,
  force: boolean,
  shape: Shape,
  apiVersion: string,
  subresource: "" | "status",
  /** Server defaulting: applied list keys are completed with it, and values are compared after it. */
  normalize: (o: KObject) => KObject,
): ApplyResult {
  const list = owners(live);
  const part = subresource === "status" ? "status" : "main";
  const cfg = structuredClone(rawCfg);
  completeKeys(cfg, normalize(rawCfg), shape);
  const applied = objectFields(cfg, shape, part);
  const current = live ? objectFields(live, shape, part) : new Map<string, string>();
  let mine = list.find((w) => w.manager === manager && w.operation === "Apply" && w.subresource === subresource);

  const merged = mergeApplied(live ? structuredClone(live) : {}, cfg, shape, part) as KObject;
  // What the object would hold after defaulting: an applied value equal to the live one, once
  // defaulted, is shared ownership rather than a conflict.
  const resulting = objectFields(normalize(merged), shape, part);
  const conflicts: { owner: Owner; path: string }[] = [];
  for (const w of list) {
    if (w === mine || w.subresource !== subresource) continue;
    for (const [p, v] of applied) {
      if (v === NODE || !w.fields.has(p)) continue;
      if (current.has(p) && current.get(p) !== (resulting.get(p) ?? v)) conflicts.push({ owner: w, path: p });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  for (const c of conflicts) c.owner.fields.delete(c.path);

  const previouslyApplied = mine?.fields ?? new Set<string>();
  const dropped = [...previouslyApplied].filter((p) => !applied.has(p)).sort((a, b) => b.length - a.length);
  for (const p of dropped) {
    const ownedElsewhere = list.some(
      (w) => w !== mine && [...w.fields].some((q) => q === p || q.startsWith(p.endsWith(`${SEP}.`) ? p.slice(0, -1) : `${p}${SEP}`)),
    );
    // A field recorded as an empty object that has since gained content (from the server or other
    // writers) is not the applier's to remove wholesale.
    const gainedContent = !p.endsWith(`${SEP}.`) && [...current.keys()].some((q) => q.startsWith(`${p}${SEP}`));
    if (!ownedElsewhere && !gainedContent) removePath(merged, p, shape);
  }
  if (!mine) list.push((mine = { manager, operation: "Apply", apiVersion, time: now(), subresource, fields: new Set() }));
  mine.fields = new Set(applied.keys());
  mine.time = now();
  mine.apiVersion = apiVersion;
  return { object: merged, managedFields: entries(list) };
}

/** Fills the key fields of associative-list elements that the configuration left to defaulting (a port's protocol). */
function completeKeys(cfg: unknown, defaulted: unknown, shape: Shape | undefined): void {
  if (isPlainObject(cfg) && isPlainObject(defaulted)) {
    for (const k of Object.keys(cfg)) completeKeys(cfg[k], defaulted[k], fieldShape(shape, k));
  } else if (Array.isArray(cfg) && Array.isArray(defaulted) && shape?.list?.type === "map") {
    cfg.forEach((item, i) => {
      const d = defaulted[i];
      if (!isPlainObject(item) || !isPlainObject(d)) return;
      for (const key of shape.list!.keys ?? []) if (item[key] === undefined && d[key] !== undefined) item[key] = d[key];
      for (const k of Object.keys(item)) completeKeys(item[k], d[k], fieldShape(shape.list!.item, k));
    });
  }
}

function conflictError(conflicts: { owner: Owner; path: string }[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${describeOwner(c.owner)}`,
    field: renderPath(c.path),
  }));
  let message: string;
  if (conflicts.length === 1)
    message = `Apply failed with 1 conflict: conflict with ${describeOwner(conflicts[0]!.owner)}: ${renderPath(conflicts[0]!.path)}`;
  else {
    const byOwner = new Map<string, string[]>();
    for (const c of conflicts) {
      const k = describeOwner(c.owner);
      byOwner.set(k, [...(byOwner.get(k) ?? []), renderPath(c.path)]);
    }
    const lines: string[] = [];
    for (const k of [...byOwner.keys()].sort()) lines.push(`conflicts with ${k}:`, ...byOwner.get(k)!.map((p) => `- ${p}`));
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

/** Structural merge of an applied configuration into the live object (maps by key, associative lists by their keys). */
function mergeApplied(live: unknown, cfg: unknown, shape: Shape | undefined, part: "main" | "status", depth = 0): unknown {
  if (isPlainObject(cfg)) {
    const out: Record<string, unknown> = isPlainObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(cfg)) {
      if (depth === 0 && ((part === "main" && k === "status") || (part === "status" && k !== "status"))) continue;
      if (depth === 0 && k === "metadata" && isPlainObject(v)) {
        const m: Record<string, unknown> = isPlainObject(out.metadata) ? { ...out.metadata } : {};
        for (const [mk, mv] of Object.entries(v)) {
          if (["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "managedFields", "selfLink"].includes(mk))
            continue;
          m[mk] = mergeApplied(m[mk], mv, fieldShape(fieldShape(shape, "metadata"), mk), part, depth + 2);
        }
        out.metadata = m;
        continue;
      }
      if (v === null) delete out[k];
      else out[k] = mergeApplied(out[k], v, fieldShape(shape, k), part, depth + 1);
    }
    return out;
  }
  if (Array.isArray(cfg)) {
    const ls = shape?.list;
    if (ls?.type === "map" && ls.keys && Array.isArray(live) && cfg.every(isPlainObject)) {
      const out = [...live];
      for (const item of cfg) {
        const id = elementKey(item, ls.keys);
        const idx = out.findIndex((x) => isPlainObject(x) && elementKey(x, ls.keys!) === id);
        if (idx >= 0) out[idx] = mergeApplied(out[idx], item, ls.item, part, depth + 1);
        else out.push(structuredClone(item));
      }
      return out;
    }
    if (ls?.type === "set" && Array.isArray(live)) {
      const out = [...live];
      for (const item of cfg) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(item))) out.push(item);
      return out;
    }
    return structuredClone(cfg);
  }
  return cfg;
}
