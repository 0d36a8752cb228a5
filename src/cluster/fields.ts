/**
 * Field sets for managedFields (server-side apply's ownership records). A field set is a set of
 * paths; each path is a list of elements in the FieldsV1 vocabulary:
 *   f:name       a field of a struct or a key of a map
 *   k:{"n":"x"}  the element of an associative list with those key values
 *   v:"x"        the element of a set-like list
 *   .            the node itself (a map, or an element of an associative list)
 * Paths are held as strings (elements joined by SEP) so that sets are plain Set<string>.
 */
import { fieldShape, type Shape } from "./shapes.js";
import type { KObject } from "./resources.js";

export const SEP = "\u0000";
/** The value recorded for a "." node: it exists, and has no value of its own to compare. */
export const NODE = "\u0001";

/** Metadata fields that belong to the server, not to any manager. */
const SERVER_METADATA = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
  "generateName",
]);

export const isPlainObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Key of an associative-list element: the key fields it has, in key order. */
export function elementKey(item: KObject, keys: string[]): string {
  const k: Record<string, unknown> = {};
  for (const name of keys) if (item?.[name] !== undefined) k[name] = item[name];
  return `k:${JSON.stringify(k)}`;
}

/** Every path of `value` with its JSON value (NODE for "." nodes). */
export function flatten(value: unknown, shape: Shape | undefined, prefix: string, out: Map<string, string>): void {
  const join = (el: string) => (prefix ? `${prefix}${SEP}${el}` : el);
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) {
      if (prefix) out.set(prefix, "{}");
      return;
    }
    if (shape?.values && prefix) out.set(join("."), NODE);
    for (const k of keys) flatten(value[k], fieldShape(shape, k), join(`f:${k}`), out);
  } else if (Array.isArray(value)) {
    const ls = shape?.list;
    if (ls?.type === "map" && ls.keys && value.every(isPlainObject)) {
      for (const item of value) {
        const p = join(elementKey(item, ls.keys));
        out.set(`${p}${SEP}.`, NODE);
        for (const k of Object.keys(item)) flatten(item[k], fieldShape(ls.item, k), `${p}${SEP}f:${k}`, out);
      }
    } else if (ls?.type === "set") {
      for (const item of value) out.set(join(`v:${JSON.stringify(item)}`), JSON.stringify(item));
    } else if (prefix) out.set(prefix, JSON.stringify(value));
  } else if (prefix) out.set(prefix, JSON.stringify(value));
}

/** The managed paths of an object: everything but apiVersion, kind, server metadata and (unless `status`) status. */
export function objectFields(o: KObject, shape: Shape, part: "main" | "status"): Map<string, string> {
  const out = new Map<string, string>();
  if (part === "status") {
    if (o.status !== undefined) flatten(o.status, fieldShape(shape, "status"), "f:status", out);
    return out;
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === "apiVersion" || k === "kind" || k === "status") continue;
    if (k === "metadata" && isPlainObject(v)) {
      const ms = fieldShape(shape, "metadata");
      for (const [mk, mv] of Object.entries(v))
        if (!SERVER_METADATA.has(mk)) flatten(mv, fieldShape(ms, mk), `f:metadata${SEP}f:${mk}`, out);
      continue;
    }
    flatten(v, fieldShape(shape, k), `f:${k}`, out);
  }
  return out;
}

export type FieldsV1 = { [element: string]: FieldsV1 };

export function toFieldsV1(paths: Iterable<string>): FieldsV1 {
  const root: FieldsV1 = {};
  for (const p of paths) {
    let node = root;
    for (const el of p.split(SEP)) node = node[el] ??= {};
  }
  return sortTree(root);
}

function sortTree(t: FieldsV1): FieldsV1 {
  const out: FieldsV1 = {};
  for (const k of Object.keys(t).sort((a, b) => (a === "." ? -1 : b === "." ? 1 : a < b ? -1 : a > b ? 1 : 0))) out[k] = sortTree(t[k]!);
  return out;
}

export function fromFieldsV1(t: FieldsV1 | undefined): Set<string> {
  const out = new Set<string>();
  const walk = (node: FieldsV1, prefix: string) => {
    for (const [el, child] of Object.entries(node)) {
      const p = prefix ? `${prefix}${SEP}${el}` : el;
      if (Object.keys(child).length === 0) out.add(p);
      else walk(child, p);
    }
  };
  if (t) walk(t, "");
  return out;
}

/** `.spec.template.spec.containers[name="nginx"].image`: how conflicts name a path. */
export function renderPath(p: string): string {
  let s = "";
  for (const el of p.split(SEP)) {
    if (el === ".") continue;
    if (el.startsWith("f:")) s += `.${el.slice(2)}`;
    else if (el.startsWith("k:")) {
      const key = JSON.parse(el.slice(2)) as Record<string, unknown>;
      s += `[${Object.entries(key)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(",")}]`;
    } else if (el.startsWith("v:")) s += `[=${el.slice(2)}]`;
  }
  return s;
}

/** Removes the value at path `p` from `o` in place (used when an applier stops managing a field). */
export function removePath(o: unknown, p: string, shape: Shape | undefined): void {
  const els = p.split(SEP);
  const last = els[els.length - 1]!;
  const parentEls = last === "." ? els.slice(0, -2) : els.slice(0, -1);
  const target = last === "." ? els[els.length - 2]! : last;
  let node: any = o;
  let s = shape;
  for (const el of parentEls) {
    if (node === undefined) return;
    [node, s] = step(node, el, s);
  }
  if (node === undefined || node === null) return;
  if (target.startsWith("f:") && isPlainObject(node)) delete node[target.slice(2)];
  else if (Array.isArray(node)) {
    const idx = findElement(node, target, s);
    if (idx >= 0) node.splice(idx, 1);
  }
}

function step(node: any, el: string, s: Shape | undefined): [any, Shape | undefined] {
  if (el.startsWith("f:")) return [isPlainObject(node) ? node[el.slice(2)] : undefined, fieldShape(s, el.slice(2))];
  if (Array.isArray(node)) {
    const idx = findElement(node, el, s);
    return [idx >= 0 ? node[idx] : undefined, s?.list?.item];
  }
  return [undefined, undefined];
}

function findElement(list: unknown[], el: string, s: Shape | undefined): number {
  if (el.startsWith("k:")) {
    const keys = s?.list?.keys ?? [];
    return list.findIndex((item) => isPlainObject(item) && elementKey(item, keys) === el);
  }
  if (el.startsWith("v:")) return list.findIndex((item) => `v:${JSON.stringify(item)}` === el);
  return -1;
}
