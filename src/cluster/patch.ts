/**
 * The three classic PATCH formats: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
 * Kubernetes' strategic merge patch, whose list handling comes from the shapes (merge keys) and
 * whose directives are `$patch` (replace/delete/merge), `$retainKeys`, `$setElementOrder/F` and
 * `$deleteFromPrimitiveList/F`.
 */
import { ApiError } from "./errors.js";
import { fieldShape, type Shape } from "./shapes.js";
import { isPlainObject } from "./fields.js";

const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

function patchError(message: string): ApiError {
  return new ApiError(422, "Invalid", message);
}

// ---------- JSON merge patch ----------

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---------- JSON patch ----------

interface Op {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw patchError(`invalid JSON pointer: ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function resolveParent(doc: any, tokens: string[], opName: string, path: string): [any, string] {
  let node = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(t)];
    else if (isPlainObject(node)) node = node[t];
    else node = undefined;
    if (node === undefined || node === null)
      throw patchError(
        `the server rejected our request due to an error in our request: ${opName} operation does not apply: doc is missing path: "${path}": missing value`,
      );
  }
  return [node, tokens[tokens.length - 1]!];
}

function getAt(doc: unknown, path: string): unknown {
  let node: any = doc;
  for (const t of pointer(path)) {
    if (Array.isArray(node)) node = node[Number(t)];
    else if (isPlainObject(node)) node = node[t];
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new ApiError(400, "BadRequest", "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  let out: any = clone(doc);
  for (const raw of ops as Op[]) {
    const op = raw?.op;
    const path = raw?.path;
    if (typeof path !== "string") throw patchError(`the server rejected our request due to an error in our request`);
    const add = (value: unknown, p: string) => {
      const tokens = pointer(p);
      if (tokens.length === 0) {
        out = clone(value);
        return;
      }
      const [parent, last] = resolveParent(out, tokens, "add", p);
      if (Array.isArray(parent)) {
        const i = last === "-" ? parent.length : Number(last);
        if (!Number.isInteger(i) || i < 0 || i > parent.length)
          throw patchError(
            `the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: "${p}": missing value`,
          );
        parent.splice(i, 0, clone(value));
      } else if (isPlainObject(parent)) parent[last] = clone(value);
      else
        throw patchError(
          `the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: "${p}": missing value`,
        );
    };
    const remove = (p: string): unknown => {
      const tokens = pointer(p);
      const [parent, last] = resolveParent(out, tokens, "remove", p);
      if (Array.isArray(parent)) {
        const i = Number(last);
        if (!(i >= 0 && i < parent.length))
          throw patchError(
            `the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: "${p}": missing value`,
          );
        return parent.splice(i, 1)[0];
      }
      if (!isPlainObject(parent) || !(last in parent))
        throw patchError(
          `the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: "${p}": missing value`,
        );
      const v = parent[last];
      delete parent[last];
      return v;
    };
    switch (op) {
      case "add":
        add(raw.value, path);
        break;
      case "remove":
        remove(path);
        break;
      case "replace":
        if (getAt(out, path) === undefined)
          throw patchError(
            `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}: missing value`,
          );
        if (path === "") out = clone(raw.value);
        else {
          remove(path);
          add(raw.value, path);
        }
        break;
      case "move": {
        const v = remove(raw.from ?? "");
        add(v, path);
        break;
      }
      case "copy": {
        const v = getAt(out, raw.from ?? "");
        if (v === undefined)
          throw patchError(
            `the server rejected our request due to an error in our request: copy operation does not apply: doc is missing from path: ${raw.from}: missing value`,
          );
        add(v, path);
        break;
      }
      case "test":
        if (JSON.stringify(canonical(getAt(out, path))) !== JSON.stringify(canonical(raw.value)))
          throw patchError(`the server rejected our request due to an error in our request: testing value ${path} failed: test failed`);
        break;
      default:
        throw patchError(`the server rejected our request due to an error in our request: Unexpected kind: ${String(op)}`);
    }
  }
  return out;
}

/** JSON with object keys sorted, for equality tests independent of key order. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (isPlainObject(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical(v[k])]),
    );
  return v;
}

// ---------- strategic merge patch ----------

const SET_ORDER = "$setElementOrder/";
const DELETE_FROM = "$deleteFromPrimitiveList/";

export function strategicMergePatch(original: unknown, patch: unknown, shape: Shape | undefined): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === "replace") return stripDirectives(patch);
  if (directive === "delete") return undefined;
  if (directive !== undefined && directive !== "merge") throw new ApiError(400, "BadRequest", `Unknown patch type: ${String(directive)}`);
  const out: Record<string, any> = isPlainObject(original) ? { ...original } : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith(SET_ORDER)) {
      if (Array.isArray(v)) orders.push([k.slice(SET_ORDER.length), v]);
      continue;
    }
    if (k.startsWith(DELETE_FROM)) {
      const f = k.slice(DELETE_FROM.length);
      if (Array.isArray(out[f]) && Array.isArray(v))
        out[f] = out[f].filter((x: unknown) => !v.some((d) => JSON.stringify(d) === JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const s = fieldShape(shape, k);
    if (Array.isArray(v)) out[k] = mergeList(out[k], v, s);
    else if (isPlainObject(v)) {
      const merged = strategicMergePatch(out[k], v, s);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  for (const [f, order] of orders) if (Array.isArray(out[f])) out[f] = reorder(out[f], order, fieldShape(shape, f));
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k) && !(k in patch)) delete out[k];
  }
  return out;
}

function mergeList(original: unknown, patch: unknown[], s: Shape | undefined): unknown[] {
  const ls = s?.list;
  if (patch.some((item) => isPlainObject(item) && item.$patch === "replace"))
    return patch.filter((item) => !(isPlainObject(item) && item.$patch === "replace")).map(stripDirectives);
  if (ls?.type === "set") {
    const out = Array.isArray(original) ? [...original] : [];
    for (const item of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(item))) out.push(item);
    return out;
  }
  const key = ls?.type === "map" ? ls.keys?.[0] : undefined;
  if (!key) return patch.map(stripDirectives);
  const out: any[] = Array.isArray(original) ? [...original] : [];
  for (const item of patch) {
    if (!isPlainObject(item)) {
      out.push(item);
      continue;
    }
    const idx = out.findIndex((x) => isPlainObject(x) && x[key] === item[key]);
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item, ls?.item);
    else out.push(strategicMergePatch(undefined, item, ls?.item));
  }
  return out;
}

/** `$setElementOrder`: the listed elements in the given order; elements the patch didn't list keep their relative places after them. */
function reorder(list: unknown[], order: unknown[], s: Shape | undefined): unknown[] {
  const key = s?.list?.type === "map" ? s.list.keys?.[0] : undefined;
  const id = (x: unknown) => (key && isPlainObject(x) ? JSON.stringify(x[key]) : JSON.stringify(x));
  const wanted = order.map(id);
  const ordered: unknown[] = [];
  for (const w of wanted) {
    const found = list.find((x) => id(x) === w);
    if (found !== undefined) ordered.push(found);
  }
  const rest = list.filter((x) => !wanted.includes(id(x)));
  return [...ordered, ...rest];
}

function stripDirectives(v: unknown): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) out[k] = stripDirectives(x);
  return out;
}
