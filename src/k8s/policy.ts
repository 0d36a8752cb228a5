/**
 * The policy file (ko.policy.yaml next to the script, or --policy FILE): what a run may do to the
 * cluster. It is read and checked when the session starts — a policy that is missing, cannot be
 * parsed or has a key it does not know stops `ko run` with a usage error before anything runs —
 * and every request is held to it at the seam (guard.ts), one object at a time: what a request
 * deletes with it (a namespace's content, an owner's dependents, a claim's volume, the pods of a
 * scale-down, the objects of a deletecollection, an evicted pod) is checked as deletions of those
 * objects.
 *
 *   allowNamespaces: [tutorial]       # only these, when present (a Namespace named here may be created and deleted)
 *   denyNamespaces: [kube-system]
 *   allowClusterScope: [Namespace]    # writes to cluster-scoped objects: true, or these kinds (absent: none)
 *   deny:
 *     - verbs: [delete, deletecollection]
 *       kinds: [StatefulSet]          # absent: every kind; verbs absent: every write
 *   maxDeletions: 10                  # objects deleted per run, cascades included
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { UsageError } from "../diag/exit.js";
import type { Verb } from "./requests.js";

/** Something a request does to one object (or, for a list, to a collection), as the policy judges it. */
export interface Action {
  readonly verb: Verb;
  readonly kind: string;
  /** The namespace of a namespaced object; undefined for a cluster-scoped one and for reads across namespaces. */
  readonly namespace?: string;
  readonly name?: string;
  readonly clusterScoped: boolean;
  /** A read of a namespaced resource in every namespace at once. */
  readonly allNamespaces?: boolean;
}

export interface DenyRule {
  readonly verbs?: readonly string[];
  readonly kinds?: readonly string[];
}

export interface PolicyRules {
  readonly allowNamespaces?: readonly string[];
  readonly denyNamespaces?: readonly string[];
  readonly allowClusterScope?: boolean | readonly string[];
  readonly deny?: readonly DenyRule[];
  readonly maxDeletions?: number;
}

const KEYS = ["allowNamespaces", "denyNamespaces", "allowClusterScope", "deny", "maxDeletions"];
const RULE_VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
const READS = new Set(["get", "list", "watch"]);

export class Policy {
  /** No policy file: every request the classifier can place is allowed. */
  static readonly none = new Policy(undefined, {});

  constructor(
    /** The file it was read from; undefined for no policy. */
    readonly file: string | undefined,
    readonly rules: PolicyRules,
  ) {}

  /** Checks the shape of a policy document; throws a UsageError naming the file and what is wrong. */
  static parse(file: string, doc: unknown): Policy {
    const bad = (what: string) => new UsageError(`policy ${file}: ${what}`);
    if (doc === null || doc === undefined) return new Policy(file, {});
    if (typeof doc !== "object" || Array.isArray(doc)) throw bad("expected a mapping of rules");
    const d = doc as Record<string, unknown>;
    for (const k of Object.keys(d)) if (!KEYS.includes(k)) throw bad(`unknown key ${k} (the keys are ${KEYS.join(", ")})`);
    const strings = (v: unknown, what: string) => {
      if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) throw bad(`${what} must be a list of strings`);
    };
    strings(d.allowNamespaces, "allowNamespaces");
    strings(d.denyNamespaces, "denyNamespaces");
    if (typeof d.allowClusterScope !== "boolean") strings(d.allowClusterScope, "allowClusterScope (true, false or a list of kinds)");
    if (d.deny !== undefined) {
      if (!Array.isArray(d.deny)) throw bad("deny must be a list of {verbs, kinds}");
      d.deny.forEach((rule: unknown, i) => {
        if (typeof rule !== "object" || rule === null || Array.isArray(rule)) throw bad(`deny[${i}] must be a mapping {verbs, kinds}`);
        const r = rule as Record<string, unknown>;
        for (const k of Object.keys(r))
          if (k !== "verbs" && k !== "kinds") throw bad(`deny[${i}]: unknown key ${k} (the keys are verbs, kinds)`);
        strings(r.verbs, `deny[${i}].verbs`);
        strings(r.kinds, `deny[${i}].kinds`);
        for (const v of (r.verbs as string[] | undefined) ?? [])
          if (!RULE_VERBS.includes(v.toLowerCase())) throw bad(`deny[${i}]: unknown verb ${v} (the verbs are ${RULE_VERBS.join(", ")})`);
      });
    }
    if (d.maxDeletions !== undefined && !(Number.isInteger(d.maxDeletions) && (d.maxDeletions as number) >= 0))
      throw bad("maxDeletions must be a count");
    return new Policy(file, d);
  }

  get maxDeletions(): number | undefined {
    return this.rules.maxDeletions;
  }

  /**
   * No rule forbids anything: no namespaces named, no deny rules, no cap on deletions, and either
   * no policy file (so no rule on cluster scope) or one allowing every cluster-scoped write.
   */
  get allowsEverything(): boolean {
    const { allowNamespaces, denyNamespaces, allowClusterScope, deny, maxDeletions } = this.rules;
    return (
      allowNamespaces === undefined &&
      denyNamespaces === undefined &&
      (deny ?? []).length === 0 &&
      maxDeletions === undefined &&
      (this.file === undefined || allowClusterScope === true)
    );
  }

  /** Some rule forbids creating something (so a server-side apply that creates must be seen as a create). */
  get deniesCreates(): boolean {
    return (this.rules.deny ?? []).some((r) => r.verbs === undefined || r.verbs.some((v) => v.toLowerCase() === "create"));
  }

  /** The rule that forbids the action, in words (`deny[0] (verbs: [delete], kinds: [all])`), or undefined. */
  refusal(a: Action): string | undefined {
    const { allowNamespaces, denyNamespaces, allowClusterScope, deny } = this.rules;
    const ns = a.kind === "Namespace" ? a.name : a.namespace;
    if (ns !== undefined) {
      if (allowNamespaces && !allowNamespaces.includes(ns)) return `allowNamespaces [${allowNamespaces.join(", ")}]`;
      if (denyNamespaces?.includes(ns)) return `denyNamespaces [${denyNamespaces.join(", ")}]`;
    } else if (a.allNamespaces && allowNamespaces) return `allowNamespaces [${allowNamespaces.join(", ")}]`;
    const read = READS.has(a.verb);
    if (!read && a.clusterScoped && this.file !== undefined && !this.allowsClusterScope(a)) {
      return allowClusterScope === undefined || allowClusterScope === false
        ? "allowClusterScope (not set: no cluster-scoped writes)"
        : `allowClusterScope [${(allowClusterScope as readonly string[]).join(", ")}]`;
    }
    for (const [i, rule] of (deny ?? []).entries()) {
      const verbs = rule.verbs?.map((v) => v.toLowerCase());
      const kinds = rule.kinds?.map((k) => k.toLowerCase());
      // A rule without verbs is about writes: reads are denied only by naming them.
      const verbMatches = verbs ? verbs.includes(a.verb) : !read;
      if (verbMatches && (!kinds || kinds.includes(a.kind.toLowerCase())))
        return `deny[${i}] (verbs: [${rule.verbs?.join(", ") ?? "all"}], kinds: [${rule.kinds?.join(", ") ?? "all"}])`;
    }
    return undefined;
  }

  /** A cluster-scoped write is allowed by allowClusterScope, or — for a Namespace — by naming it in allowNamespaces. */
  private allowsClusterScope(a: Action): boolean {
    const { allowClusterScope, allowNamespaces } = this.rules;
    if (allowClusterScope === true) return true;
    if (Array.isArray(allowClusterScope) && allowClusterScope.some((k) => k.toLowerCase() === a.kind.toLowerCase())) return true;
    return a.kind === "Namespace" && a.name !== undefined && allowNamespaces?.includes(a.name) === true;
  }
}

/**
 * Reads the run's policy: `policy` (a file that must exist), else ko.policy.yaml in `scriptDir`
 * if there is one, else none. A file that cannot be read or parsed, or whose rules are not
 * understood, is a usage error.
 */
export function loadPolicy(opts: {
  readonly policy?: string;
  readonly policyDocument?: { readonly source: string; readonly rules: unknown };
  readonly scriptDir?: string;
}): Policy {
  if (opts.policyDocument) return Policy.parse(opts.policyDocument.source, opts.policyDocument.rules);
  const file = opts.policy ?? (opts.scriptDir !== undefined ? path.join(opts.scriptDir, "ko.policy.yaml") : undefined);
  if (file === undefined || (opts.policy === undefined && !fs.existsSync(file))) return Policy.none;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const what = opts.policy !== undefined ? `--policy ${file}` : `policy ${file}`;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${what}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code ?? (e as Error).message})`}`);
  }
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    throw new UsageError(`policy ${file} is not valid YAML: ${(e as Error).message.split("\n")[0]!.replace(/:$/, "")}`);
  }
  return Policy.parse(file, doc);
}
