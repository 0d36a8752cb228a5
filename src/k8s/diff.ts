/**
 * Field-level differences between two versions of a Kubernetes object, as a plan shows them:
 * for a change, the fields that differ between the live object and what the server's dry run
 * returned; for a create, every field of the new object. Fields the server manages — resource
 * versions, managed fields, generation, timestamps, uid, status — are left out: they differ on
 * every write and say nothing about what the script changed.
 */

type Json = Record<string, any>;

export interface FieldChange {
  /** `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`. */
  readonly path: string;
  /** Absent: the field is added. */
  readonly before?: unknown;
  /** Absent: the field is removed. */
  readonly after?: unknown;
}

const SERVER_METADATA = [
  "resourceVersion",
  "managedFields",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "uid",
  "selfLink",
];

/** The object without what the server manages (and without what a plan's header already says). */
export function userFields(o: Json | undefined, header = false): Json | undefined {
  if (o === undefined || o === null || typeof o !== "object") return undefined;
  const { status: _status, metadata, ...rest } = o;
  const meta: Json = { ...(metadata ?? {}) };
  for (const k of SERVER_METADATA) delete meta[k];
  if (header) {
    delete rest.apiVersion;
    delete rest.kind;
    delete meta.name;
    delete meta.namespace;
  }
  return Object.keys(meta).length > 0 ? { metadata: meta, ...rest } : rest;
}

/** The fields that differ, in the order the objects have them. */
export function diffObjects(before: Json | undefined, after: Json | undefined, header = false): FieldChange[] {
  const out: FieldChange[] = [];
  const [a, b] = [userFields(before, header), userFields(after, header)];
  // An object that is all header (a ConfigMap with a name and no data) has no fields to show.
  const nothing = (o: Json | undefined) => o === undefined || isEmpty(o);
  if (nothing(a) && nothing(b)) return out;
  walk(a, b, "", out);
  return out;
}

function walk(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (deepEqual(a, b)) return;
  if (isObject(a) && isObject(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
    for (const k of keys) walk(a[k], b[k], join(path, k), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && (a.length > 0 || b.length > 0)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  // One side absent, or a leaf: a new object or list is shown field by field.
  if (a === undefined && (isObject(b) || Array.isArray(b)) && !isEmpty(b)) return walk(emptyLike(b), b, path, out);
  if (b === undefined && (isObject(a) || Array.isArray(a)) && !isEmpty(a)) return walk(a, emptyLike(a), path, out);
  out.push({ path, ...(a !== undefined ? { before: a } : {}), ...(b !== undefined ? { after: b } : {}) });
}

function join(path: string, key: string): string {
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return path === "" ? part : part.startsWith("[") ? `${path}${part}` : `${path}.${part}`;
}

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isEmpty(v: Json | unknown[]): boolean {
  return Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
}

function emptyLike(v: unknown): Json | unknown[] {
  return Array.isArray(v) ? [] : {};
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** A value on one line, cut short when long. */
export function showValue(v: unknown, width = 100): string {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The lines of a diff, indented: `spec.replicas: 3 → 1`, `+ metadata.labels.tier: "db"`, `- spec.paused: true`. */
export function diffLines(changes: readonly FieldChange[], indent: string): string[] {
  return changes.map((c) => {
    if (!("before" in c)) return `${indent}+ ${c.path}: ${showValue(c.after)}`;
    if (!("after" in c)) return `${indent}- ${c.path}: ${showValue(c.before)}`;
    return `${indent}~ ${c.path}: ${showValue(c.before)} → ${showValue(c.after)}`;
  });
}
