/**
 * A plan: what a run would do to the cluster, learned by running it once with every write sent as
 * a server-side dry run (guard.ts). It holds
 *
 * - the writes, per object: created (with the fields the server's dry run returned), changed
 *   (with the fields that differ from the live object) or deleted — including what goes with a
 *   deletion (a namespace's content, an owner's dependents, the pods a scale-down removes);
 * - the plan's view of the cluster while it is made: objects the plan created, changed or
 *   deleted, so that a later read in the same planning pass sees them (guard.ts answers from it);
 * - what could not be known by a dry run: waits assumed met, host functions with effects outside
 *   the cluster that were skipped (and what they would have done), and those that ran because Ko
 *   cannot tell what they do.
 *
 * The plan is checked as a whole against the policy before anything is written, shown as a
 * field-level diff per object, confirmed, and then enforced while the real run goes on: a
 * deletion the plan did not show is refused (guard.ts).
 */
import type { DryRunLog } from "../host/dry-run.js";
import { diffLines, diffObjects } from "./diff.js";
import type { Policy } from "./policy.js";
import { objectName } from "./requests.js";

type Json = Record<string, any>;

/** An object of the cluster, by where it lives. */
export interface ObjectRef {
  readonly group: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly namespace?: string;
  readonly name: string;
}

export type PlanOp = "create" | "change" | "delete";

export interface PlanEntry extends ObjectRef {
  readonly op: PlanOp;
  /** The live object (a change, a delete). */
  before?: Json;
  /** The object as the dry run returned it (a create, a change). */
  after?: Json;
  /** Why the object is deleted when the request named something else: "deleted with Namespace db". */
  readonly because?: string;
  /** Why the write was not sent to the server, even as a dry run. */
  readonly unsent?: string;
  /** The Ko steps whose call made the write, outermost first (for the order plans are shown in). */
  readonly origin?: readonly Origin[];
  /** The write request that made the entry (a deletion and what goes with it share one). */
  readonly request: number;
}

/** A step of the Ko call chain that made a write: the function, and the step's place in its file. */
export interface Origin {
  readonly func: string;
  readonly line: number;
  readonly col: number;
}

/**
 * The order of two writes in a plan. Steps that do not depend on each other run concurrently, so
 * the order their writes arrive in changes from run to run; a plan is shown in the program's
 * order instead, to read the same every time:
 * - where the call chains of two writes part inside one function (at two of its steps), the step
 *   written first comes first;
 * - where they part into different functions (two calls in one step's formula), the order the
 *   run made them in stands: one may wait for the other;
 * - where they never part (one step, run for each element of a list), the request naming the
 *   object first by name comes first.
 * The objects that go with a deletion follow it, in the order the request found them.
 */
function programOrder(a: PlanEntry, b: PlanEntry, head: (e: PlanEntry) => string): number {
  const x = a.origin ?? [];
  const y = b.origin ?? [];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!;
    const q = y[i]!;
    if (p.func !== q.func) return 0;
    if (p.line !== q.line || p.col !== q.col) return p.line - q.line || p.col - q.col;
  }
  if (x.length !== y.length || a.request === b.request) return 0;
  const [m, n] = [head(a), head(b)];
  return m < n ? -1 : m > n ? 1 : 0;
}

/** The key of an object: its group, resource, namespace and name. */
export function objectKey(o: Pick<ObjectRef, "group" | "resource" | "namespace" | "name">): string {
  return `${o.group}/${o.resource}/${o.namespace ?? ""}/${o.name}`;
}

export function refName(o: ObjectRef): string {
  return objectName(o.kind, o.namespace, o.name);
}

/** What the plan says of one object, for reads made while planning. */
export type PlannedState = { readonly exists: true; readonly object: Json; readonly planOnly: boolean } | { readonly exists: false };

export class Plan implements DryRunLog {
  /** The writes, in the order the run made them; one entry per object and operation. */
  readonly entries: PlanEntry[] = [];
  /** Waits a dry run cannot see through, assumed met. */
  readonly assumed: string[] = [];
  /** Host calls with effects outside the cluster that were not made. */
  readonly skipped: { readonly fn: string; readonly would: string }[] = [];
  /** Host functions with effects that ran anyway: Ko cannot tell what they do. */
  readonly unvouched = new Set<string>();
  /** Write requests the planning pass made (sent as dry runs or answered from the plan). */
  writeRequests = 0;
  private readonly states = new Map<string, PlannedState>();
  private readonly deletions = new Map<string, PlanEntry>();

  constructor(
    /** The function planned, for the heading. */
    readonly subject: string,
    /** Where: the server and context (undefined: the run uses no cluster). */
    readonly target: string | undefined,
    /** The Ko call chain of the write being recorded, outermost first (the planning pass knows it). */
    private readonly originNow: () => readonly Origin[] | undefined = () => undefined,
  ) {}

  // ---- The plan's view of the cluster ----------------------------------------------------------

  /** What the plan has done to the object, or undefined if it has not touched it. */
  state(key: string): PlannedState | undefined {
    return this.states.get(key);
  }

  /** Whether the plan has touched no object yet, so that the cluster is still as the server sees it. */
  get untouched(): boolean {
    return this.states.size === 0;
  }

  /** Objects the plan created or changed (for lists made while planning). */
  *present(): Iterable<[string, Json]> {
    for (const [key, s] of this.states) if (s.exists) yield [key, s.object];
  }

  /** Whether a namespace exists only in the plan (so nothing in it can be sent as a dry run). */
  planOnlyNamespace(name: string): boolean {
    const s = this.states.get(objectKey({ group: "", resource: "namespaces", name }));
    return s?.exists === true && s.planOnly;
  }

  // ---- Recording -------------------------------------------------------------------------------

  /** A create or change: `before` is the object as it was (undefined: it did not exist). */
  write(ref: ObjectRef, before: Json | undefined, after: Json, unsent?: string): void {
    const key = objectKey(ref);
    const prior = this.states.get(key);
    const planOnly = before === undefined && (prior === undefined || !prior.exists || prior.planOnly);
    this.states.set(key, { exists: true, object: after, planOnly });
    let last: PlanEntry | undefined;
    for (const e of this.entries) if (objectKey(e) === key) last = e;
    if (last && last.op !== "delete") {
      last.after = after; // a second write to the same object: one entry, from the first before to the last after
      return;
    }
    this.entries.push({
      ...ref,
      op: before === undefined ? "create" : "change",
      ...(before ? { before } : {}),
      after,
      ...(unsent ? { unsent } : {}),
      request: this.writeRequests,
      ...this.origin(),
    });
  }

  /** A deletion, of the object a request named or of one that goes with it (`because`). */
  delete(ref: ObjectRef, before: Json | undefined, because?: string): void {
    const key = objectKey(ref);
    if (this.deletions.has(key) && this.states.get(key)?.exists === false) return;
    this.states.set(key, { exists: false });
    const entry: PlanEntry = {
      ...ref,
      op: "delete",
      ...(before ? { before } : {}),
      ...(because ? { because } : {}),
      request: this.writeRequests,
      ...this.origin(),
    };
    this.deletions.set(key, entry);
    this.entries.push(entry);
  }

  private origin(): { origin?: readonly Origin[] } {
    const origin = this.originNow();
    return origin ? { origin } : {};
  }

  /** Whether the plan deletes the object. */
  deletes(key: string): boolean {
    return this.deletions.has(key);
  }

  get deletionCount(): number {
    return this.deletions.size;
  }

  /** A wait the dry run could not see through, assumed met. */
  assume(what: string): void {
    this.assumed.push(what);
  }

  skip(fn: string, would: string): void {
    this.skipped.push({ fn, would });
  }

  ranWithEffects(fn: string): void {
    this.unvouched.add(fn);
  }

  // ---- Judging and showing ---------------------------------------------------------------------

  /** The first rule of the policy the plan breaks, in words, or undefined. */
  refusal(policy: Policy): string | undefined {
    for (const e of this.entries) {
      const rule = policy.refusal({
        verb: e.op === "delete" ? "delete" : e.op === "create" ? "create" : "patch",
        kind: e.kind,
        ...(e.namespace !== undefined ? { namespace: e.namespace } : {}),
        name: e.name,
        clusterScoped: !e.namespaced,
      });
      if (rule) return `${rule} forbids ${e.op} ${refName(e)}${e.because ? ` (${e.because})` : ""}`;
    }
    const max = policy.maxDeletions;
    if (max !== undefined && this.deletions.size > max) return `maxDeletions ${max} forbids this plan's ${this.deletions.size} deletions`;
    return undefined;
  }

  /** The entries that change something (a change whose fields all stay is left out), with their field changes. */
  private shown(): { entry: PlanEntry; lines: string[] }[] {
    const heads = new Map<number, string>();
    for (const e of this.entries) if (!heads.has(e.request)) heads.set(e.request, refName(e));
    const head = (e: PlanEntry) => heads.get(e.request)!;
    return [...this.entries]
      .sort((a, b) => programOrder(a, b, head))
      .flatMap((entry) => {
        if (entry.op === "delete") return [{ entry, lines: [] }];
        const changes = diffObjects(entry.before, entry.after, entry.op === "create");
        if (entry.op === "change" && changes.length === 0) return [];
        return [{ entry, lines: diffLines(changes, "      ") }];
      });
  }

  counts(): { create: number; change: number; delete: number; unchanged: number } {
    const shown = this.shown().map((s) => s.entry.op);
    const count = (op: PlanOp) => shown.filter((o) => o === op).length;
    return { create: count("create"), change: count("change"), delete: count("delete"), unchanged: this.entries.length - shown.length };
  }

  /** The plan for people: a heading, one block per object, what was assumed and skipped, the counts. */
  render(): string {
    const out = [`ko: plan of ${this.subject}${this.target === undefined ? "" : ` on ${this.target}`}:`];
    const mark: Record<PlanOp, string> = { create: "+", change: "~", delete: "-" };
    for (const { entry: e, lines } of this.shown()) {
      const why = [e.because, e.unsent && `not sent: ${e.unsent}`].filter(Boolean).join("; ");
      out.push(`  ${mark[e.op]} ${e.op} ${refName(e)}${why ? ` (${why})` : ""}`, ...lines);
    }
    if (this.assumed.length) out.push("  assumed met, since a dry run cannot get there:", ...this.assumed.map((a) => `    ${a}`));
    if (this.skipped.length)
      out.push("  skipped, with effects outside the cluster:", ...this.skipped.map((s) => `    ${s.fn}: ${s.would}`));
    if (this.unvouched.size) out.push(`  ran, with effects a plan cannot hold back: ${[...this.unvouched].join(", ")}`);
    const c = this.counts();
    out.push(`  ${c.create} to create, ${c.change} to change, ${c.delete} to delete${c.unchanged ? `, ${c.unchanged} unchanged` : ""}.`);
    return out.join("\n") + "\n";
  }
}
