/**
 * The JSONPath of kubectl and of CustomResourceDefinitions' printer columns and selectable
 * fields (k8s.io/client-go/util/jsonpath), as far as those use it: fields (`.spec.replicas`,
 * `['app.kubernetes.io/name']`), indexes and slices' `[*]`, and filters
 * (`[?(@.type=="Ready")]`). A path evaluates to the list of values it reaches; missing keys
 * reach nothing (AllowMissingKeys, as the table printer sets it).
 */

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "all" }
  | { kind: "filter"; path: Step[]; op: "==" | "!=" | "exists"; value?: unknown };

export class JsonPathError extends Error {}

/** Parses a path such as `.status.conditions[?(@.type=="Ready")].status` (braces optional). */
export function parseJsonPath(text: string): Step[] {
  let s = text.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new JsonPathError(`${why} in ${JSON.stringify(text)}`);
  };
  if (s === "" || s === "." || s === "@") return steps;
  if (s.startsWith("@")) i = 1;
  else if (s.startsWith("$")) i = 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ".") {
      i++;
      if (s[i] === "[") continue;
      let name = "";
      while (i < s.length && s[i] !== "." && s[i] !== "[") {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        name += s[i++];
      }
      if (name === "") {
        if (i >= s.length) break;
        fail("empty field name");
      }
      steps.push(name === "*" ? { kind: "all" } : { kind: "field", name });
    } else if (c === "[") {
      const end = matching(s, i);
      if (end < 0) fail("unterminated [");
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === "*") steps.push({ kind: "all" });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: "index", index: Number(inner) });
      else if (/^'.*'$|^".*"$/s.test(inner)) steps.push({ kind: "field", name: inner.slice(1, -1) });
      else if (inner.startsWith("?(") && inner.endsWith(")")) steps.push(parseFilter(inner.slice(2, -1).trim(), fail));
      else fail(`unsupported subscript [${inner}]`);
    } else fail(`unexpected ${JSON.stringify(c)}`);
  }
  return steps;
}

function matching(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let j = open; j < s.length; j++) {
    const c = s[j]!;
    if (quote) {
      if (c === "\\") j++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) return j;
  }
  return -1;
}

function parseFilter(expr: string, fail: (why: string) => never): Step {
  const m = /^(@[^=!<>\s]*)\s*(==|!=)\s*(.+)$/.exec(expr);
  if (!m) {
    if (/^@[^=!<>\s]*$/.test(expr)) return { kind: "filter", path: parseJsonPath(expr), op: "exists" };
    return fail(`unsupported filter ${expr}`);
  }
  const raw = m[3]!.trim();
  let value: unknown;
  if (/^'.*'$/s.test(raw)) value = raw.slice(1, -1);
  else if (/^".*"$/s.test(raw)) value = JSON.parse(raw);
  else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  else if (raw === "true" || raw === "false") value = raw === "true";
  else fail(`unsupported filter value ${raw}`);
  return { kind: "filter", path: parseJsonPath(m[1]!), op: m[2] as "==" | "!=", value };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The values `steps` reach from `root`, in document order. */
export function evaluate(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (step.kind === "field") {
        if (isObject(v) && step.name in v) next.push(v[step.name]);
      } else if (step.kind === "index") {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (step.kind === "all") {
        if (Array.isArray(v)) next.push(...v);
        else if (isObject(v)) next.push(...Object.values(v));
      } else {
        const items = Array.isArray(v) ? v : isObject(v) ? Object.values(v) : [];
        for (const item of items) {
          const found = evaluate(step.path, item);
          if (step.op === "exists" ? found.length > 0 : found.some((f) => f === step.value) === (step.op === "==")) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

/** The first value a path reaches, or undefined. */
export function first(path: string | Step[], root: unknown): unknown {
  const steps = typeof path === "string" ? parseJsonPath(path) : path;
  return evaluate(steps, root)[0];
}

/** As jsonpath's PrintResults prints one value: strings bare, anything else as JSON. */
export function printValue(v: unknown): string {
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/**
 * The dot path of a "simple" JSONPath (`.spec.replicas` → ["spec", "replicas"]), as the scale
 * subresource and selectable fields use them.
 */
export function simplePath(path: string): string[] {
  return path.replace(/^\./, "").split(".");
}
