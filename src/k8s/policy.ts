/**
 * The policy file (ko.policy.yaml next to the script, or --policy FILE): what a run may do to the
 * cluster. A call that breaks it never reaches the cluster; it fails with an error naming the rule.
 *
 *   allowNamespaces: [tutorial]     # only these, when present
 *   denyNamespaces: [kube-system]
 *   deny:
 *     - verbs: [delete, deletecollection]
 *       kinds: [StatefulSet]         # absent: every kind
 *   maxDeletions: 10                # per run
 */
import { KoError } from "../value/failure.js";

export type WriteVerb = "create" | "update" | "patch" | "delete" | "deletecollection";
export type PolicyVerb = WriteVerb | "get" | "list" | "watch";

export interface PolicyRules {
  readonly allowNamespaces?: readonly string[];
  readonly denyNamespaces?: readonly string[];
  readonly deny?: readonly { readonly verbs?: readonly string[]; readonly kinds?: readonly string[] }[];
  readonly maxDeletions?: number;
}

export class Policy {
  private deletions = 0;

  constructor(
    readonly file: string,
    readonly rules: PolicyRules,
  ) {}

  /** Parses and checks the shape of a policy document. */
  static parse(file: string, doc: unknown): Policy {
    const bad = (what: string) => new KoError(`policy ${file}: ${what}`, "k8s/policy");
    if (doc === null || doc === undefined) return new Policy(file, {});
    if (typeof doc !== "object" || Array.isArray(doc)) throw bad("expected a mapping");
    const d = doc as Record<string, unknown>;
    for (const k of Object.keys(d))
      if (!["allowNamespaces", "denyNamespaces", "deny", "maxDeletions"].includes(k)) throw bad(`unknown key ${k}`);
    const strings = (k: string) => {
      const v = d[k];
      if (v !== undefined && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) throw bad(`${k} must be a list of strings`);
    };
    strings("allowNamespaces");
    strings("denyNamespaces");
    if (d.deny !== undefined && !Array.isArray(d.deny)) throw bad("deny must be a list of {verbs, kinds}");
    if (d.maxDeletions !== undefined && !(Number.isInteger(d.maxDeletions) && (d.maxDeletions as number) >= 0))
      throw bad("maxDeletions must be a count");
    return new Policy(file, d);
  }

  /**
   * Throws a KoError naming the rule if the call is not allowed. `namespace` is the namespace the
   * call touches (a Namespace's own name for namespaces). Deletions are counted here.
   */
  check(verb: PolicyVerb, kind: string, namespace: string | undefined, name?: string): void {
    const what = `${verb} ${kind}${name ? ` ${namespace && kind !== "Namespace" ? `${namespace}/` : ""}${name}` : ""}`;
    const refuse = (rule: string) => new KoError(`policy ${this.file}: ${rule} forbids ${what}`, "k8s/policy");
    const { allowNamespaces, denyNamespaces, deny, maxDeletions } = this.rules;
    if (namespace !== undefined) {
      if (allowNamespaces && !allowNamespaces.includes(namespace)) throw refuse(`allowNamespaces [${allowNamespaces.join(", ")}]`);
      if (denyNamespaces?.includes(namespace)) throw refuse(`denyNamespaces [${denyNamespaces.join(", ")}]`);
    }
    if (verb === "get" || verb === "list" || verb === "watch") return;
    deny?.forEach((rule, i) => {
      const verbs = rule.verbs?.map((v) => v.toLowerCase());
      const kinds = rule.kinds?.map((k) => k.toLowerCase());
      if ((!verbs || verbs.includes(verb)) && (!kinds || kinds.includes(kind.toLowerCase()))) {
        throw refuse(`deny[${i}] (verbs: [${rule.verbs?.join(", ") ?? "all"}], kinds: [${rule.kinds?.join(", ") ?? "all"}])`);
      }
    });
    if (verb === "delete" || verb === "deletecollection") {
      if (maxDeletions !== undefined && this.deletions + 1 > maxDeletions) throw refuse(`maxDeletions ${maxDeletions}`);
      this.deletions++;
    }
  }
}
