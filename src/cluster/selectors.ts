/**
 * Label selectors (the `labelSelector` query string and the LabelSelector objects of workloads)
 * and field selectors, with the grammar of apimachinery's `labels.Parse` and `fields.Parse`.
 */
import { badRequest } from "./errors.js";

export type Labels = Record<string, string>;

export interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!exists";
  values: string[];
}

export interface LabelSelectorObject {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Parses `a=b,c!=d,e in (f,g),!h,i` into requirements (all of which must hold). */
export function parseLabelSelector(text: string): Requirement[] {
  const reqs: Requirement[] = [];
  let i = 0;
  const s = text;
  const fail = (why: string): never => {
    throw badRequest(`unable to parse requirement: ${why}`);
  };
  const skip = () => {
    while (i < s.length && s[i] === " ") i++;
  };
  const word = (): string => {
    skip();
    const start = i;
    while (i < s.length && !" ,=!()".includes(s[i]!)) i++;
    return s.slice(start, i);
  };
  while (true) {
    skip();
    if (i >= s.length) break;
    if (s[i] === "!") {
      i++;
      const key = word();
      if (!key) fail("found '', expected: identifier");
      reqs.push({ key, op: "!exists", values: [] });
    } else {
      const key = word();
      if (!key) fail(`found '${s[i] ?? ""}', expected: !, identifier, or 'end of string'`);
      skip();
      if (i >= s.length || s[i] === ",") reqs.push({ key, op: "exists", values: [] });
      else if (s.startsWith("==", i)) {
        i += 2;
        reqs.push({ key, op: "=", values: [word()] });
      } else if (s.startsWith("!=", i)) {
        i += 2;
        reqs.push({ key, op: "!=", values: [word()] });
      } else if (s[i] === "=") {
        i++;
        reqs.push({ key, op: "=", values: [word()] });
      } else {
        const op = word();
        if (op !== "in" && op !== "notin") fail(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
        skip();
        if (s[i] !== "(") fail(`found '${s[i] ?? ""}', expected: '('`);
        i++;
        const values: string[] = [];
        while (true) {
          const v = word();
          values.push(v);
          skip();
          if (s[i] === ",") {
            i++;
            continue;
          }
          if (s[i] === ")") {
            i++;
            break;
          }
          fail(`found '${s[i] ?? ""}', expected: ',' or ')'`);
        }
        reqs.push({ key, op: op as "in" | "notin", values: values.filter((v) => v !== "") });
      }
    }
    skip();
    if (i < s.length) {
      if (s[i] !== ",") fail(`found '${s[i]}', expected: ',' or 'end of string'`);
      i++;
    }
  }
  return reqs;
}

export function matchesRequirements(reqs: Requirement[], labels: Labels | undefined): boolean {
  const l = labels ?? {};
  for (const r of reqs) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
        if (!has || v !== r.values[0]) return false;
        break;
      case "!=":
        if (has && v === r.values[0]) return false;
        break;
      case "in":
        if (!has || !r.values.includes(v!)) return false;
        break;
      case "notin":
        if (has && r.values.includes(v!)) return false;
        break;
      case "exists":
        if (!has) return false;
        break;
      case "!exists":
        if (has) return false;
        break;
    }
  }
  return true;
}

/** Requirements of a LabelSelector object (matchLabels plus matchExpressions). */
export function selectorRequirements(sel: LabelSelectorObject | undefined | null): Requirement[] {
  if (!sel) return [];
  const reqs: Requirement[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: "=", values: [v] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!exists" }[e.operator] as Requirement["op"] | undefined;
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return reqs;
}

export function labelSelectorIsValid(sel: unknown): boolean {
  if (!sel || typeof sel !== "object") return false;
  const s = sel as LabelSelectorObject;
  for (const e of s.matchExpressions ?? []) {
    if (!["In", "NotIn", "Exists", "DoesNotExist"].includes(e.operator)) return false;
    if ((e.operator === "In" || e.operator === "NotIn") && !e.values?.length) return false;
  }
  return true;
}

/** A LabelSelector object matches labels (an empty selector matches everything). */
export function matchesLabelSelector(sel: LabelSelectorObject | undefined | null, labels: Labels | undefined): boolean {
  return matchesRequirements(selectorRequirements(sel), labels);
}

/** The query-string rendering of a LabelSelector object, as `kubectl` and Scale.status.selector show it. */
export function formatSelector(sel: LabelSelectorObject | undefined | null): string {
  const parts: string[] = Object.entries(sel?.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator === "In" ? "in" : "notin"} (${[...(e.values ?? [])].sort().join(",")})`);
  }
  return parts.join(",");
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Parses `metadata.name=x,status.phase!=Running` (with `\,` escapes as in fields.Parse). */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  if (!text.trim()) return out;
  const terms: string[] = [];
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\" && i + 1 < text.length) {
      cur += text[++i];
    } else if (c === ",") {
      terms.push(cur);
      cur = "";
    } else cur += c;
  }
  terms.push(cur);
  for (const t of terms) {
    const m = /^([^=!]+)(==|!=|=)(.*)$/.exec(t.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${t}'`);
    out.push({ field: m[1]!.trim(), op: m[2] === "!=" ? "!=" : "=", value: m[3]!.trim() });
  }
  return out;
}
