/**
 * The one check every request to the API server passes (the seam, seam.ts, calls `admit` for
 * each): it classifies the request from itself (requests.ts), works out what it does to which
 * objects (effects.ts), holds each of those to the policy (policy.ts), and decides how the
 * request goes out. What it decides depends on the pass the run is in:
 *
 * - `direct`: the run's own embedded cluster, where nothing needs planning: a request the policy
 *   allows is sent as it is.
 * - `plan`: the planning pass (plan.ts): every write is sent with `dryRun=All` — or, when the
 *   server cannot dry-run it (its namespace exists only in the plan), answered from the plan
 *   (overlay.ts) — and recorded; reads see the cluster as the plan has changed it.
 * - `apply`: the real run after its plan was checked and confirmed: writes are sent, and a
 *   deletion of an object the plan did not show is refused (the cluster changed since).
 * - `unplanned`: a cluster that is not the run's own embedded one, when no plan was made: reads
 *   go, writes are refused. A session plans every run that may write (api/planning.ts), so this
 *   holds only for what slipped past that: a connection used outside a planned run.
 *
 * Whatever the pass, a request the classifier cannot place is refused, and so are connect
 * requests (exec, attach, port-forward, proxy), whose effects no request shows. Refusals are Ko
 * errors (D15): a script cannot recover from them, and they name the rule and the request.
 */
import { KoError } from "../value/failure.js";
import { Catalog } from "./discovery.js";
import { effectsOf, Inventories, type ClusterView, type Effect } from "./effects.js";
import { alreadyExists, notFound, overlayList, readAnswer, unsendable, writtenLocally, type LocalAnswer } from "./overlay.js";
import { objectKey, refName, type ObjectRef, type Plan } from "./plan.js";
import type { Action, Policy } from "./policy.js";
import { classify, describeRequest, objectName, READ_VERBS, type RawRequest, type ResourceRequest } from "./requests.js";
import type { ResourceType } from "./resources.js";

type Json = Record<string, any>;

export type Pass = "direct" | "plan" | "apply" | "unplanned";

/** How an admitted request goes out. */
export interface Verdict {
  /** Send it with `dryRun=All`. */
  readonly dryRun?: boolean;
  /** Do not send it: this is the answer. */
  readonly answer?: LocalAnswer;
  /** Sees the server's answer to a request that was sent (status, parsed JSON body), and returns the body the caller gets. */
  readonly after?: (status: number, body: Json | undefined) => Json | undefined;
}

/** How the guard itself reads the cluster: through the seam, like every other request. */
export interface Wire {
  /** A GET: the JSON body, or undefined for 404; other failures throw. */
  get(path: string): Promise<Json | undefined>;
  /** Sends a copy of a request as a dry run: the body the server answers with; failures throw. */
  dryRun(raw: RawRequest): Promise<Json>;
}

/** How long what a namespace holds is trusted outside a planning pass, for the deletions sent at once. */
const INVENTORY_MS = 1000;

/** Resources whose writes change what the cluster serves: discovery is read again after them. */
const SERVES = new Set(["apiextensions.k8s.io/customresourcedefinitions", "apiregistration.k8s.io/apiservices"]);

/** The verdict of a request sent as it is: one object for all of them (no one changes a verdict). */
const AS_IT_IS: Verdict = Object.freeze({});

/** At most this many reads are remembered (see `Guard.reads`); a run reading more starts afresh. */
const READS_REMEMBERED = 512;

/** A read the policy allows, as classified: what a later GET of the same URL is, without working it out again. */
interface AllowedRead {
  readonly req: ResourceRequest;
  readonly type: ResourceType;
}

export class Guard {
  private passName: Pass;
  private plan: Plan | undefined;
  /** Objects this pass deleted, or would delete: maxDeletions counts them. */
  private deleted = new Set<string>();
  /** Objects the applying pass created: it may delete them although the plan could not name them. */
  private created = new Set<string>();
  /** What namespaces hold, shared by the requests of a pass (effects.ts says for how long). */
  private inventories = new Inventories(INVENTORY_MS);
  /** Every request that came to the guard, by verb (`discovery` for what the server says of itself), refused ones included. */
  readonly requests = new Map<string, number>();
  private sent = 0;
  readonly catalog: Catalog;
  /**
   * Reads already classified and allowed, by URL. A run reads the same objects again and again,
   * and what a GET is — its resource, kind and scope, and whether the policy allows it — depends
   * only on its URL, the policy (fixed for the guard's life) and what the cluster serves, which
   * changes only where the catalog is told to forget: these are forgotten with it. What the pass
   * does with an allowed read (a plan's answer) is decided each time.
   */
  private readonly reads = new Map<string, AllowedRead>();

  constructor(
    readonly policy: Policy,
    /** The run's own embedded cluster: no plan needed. */
    readonly embedded: boolean,
    /** The server and context, for messages: `https://10.0.0.1:6443 (context prod)`. */
    readonly where: string,
    private readonly wire: Wire,
    /** The path the server's URL begins with (a proxy's `/k8s/clusters/c-1`), taken off before classifying. */
    private readonly basePath = "",
  ) {
    this.passName = embedded ? "direct" : "unplanned";
    this.catalog = new Catalog((p) => this.wire.get(p));
  }

  get pass(): Pass {
    return this.passName;
  }

  /** The plan being made or applied. */
  get currentPlan(): Plan | undefined {
    return this.plan;
  }

  /** Starts a planning pass: writes go as dry runs into `plan`. */
  startPlan(plan: Plan): void {
    this.begin("plan", plan);
  }

  /** Starts the real run of a checked and confirmed plan. */
  startApply(plan: Plan): void {
    this.begin("apply", plan);
  }

  /** Ends a pass: back to sending directly (the embedded cluster) or to refusing writes. */
  end(): void {
    this.begin(this.embedded ? "direct" : "unplanned", undefined);
  }

  private begin(pass: Pass, plan: Plan | undefined): void {
    this.passName = pass;
    this.plan = plan;
    this.deleted = new Set();
    this.created = new Set();
    this.inventories = new Inventories(pass === "plan" ? Infinity : INVENTORY_MS);
  }

  /** Requests admitted and sent to the server (not answered from a plan): what the server sees. */
  get sentCount(): number {
    return this.sent;
  }

  /** Decides on one request; throws a KoError if it is refused. */
  async admit(raw: RawRequest): Promise<Verdict> {
    const verdict = await this.decide(raw);
    if (!verdict.answer) this.sent++;
    return verdict;
  }

  private async decide(raw: RawRequest): Promise<Verdict> {
    const known = raw.method === "GET" && raw.body === undefined ? this.reads.get(raw.url) : undefined;
    if (known !== undefined) {
      this.count(known.req.verb);
      return this.passRead(known.req, known.type);
    }
    const req = classify(this.basePath === "" ? raw : { ...raw, url: withoutBase(raw.url, this.basePath) });
    this.count(req.type === "resource" ? req.verb : req.type === "server" ? "discovery" : "unclassified");
    if (req.type === "unplaced")
      throw refused(
        `${req.method} ${req.url.pathname}`,
        `Ko cannot classify this request (${req.why}), and sends nothing it cannot classify`,
      );
    if (req.type === "server") return AS_IT_IS;
    const type = await this.catalog.type(req.group, req.version, req.resource).catch(() => undefined);
    if (type === undefined)
      throw refused(
        `${req.method} ${req.url.pathname}`,
        `Ko cannot classify this request (${req.resource} is not a resource the cluster says it serves), and sends nothing it cannot classify`,
      );
    if (req.verb === "connect")
      throw refused(
        describeRequest(req, type),
        "Ko does not open exec, attach, port-forward or proxy streams: no policy can see what is done through them",
      );
    // A dry run the caller asked for itself changes nothing; it is the guard's own way of learning, too.
    if (req.dryRun && !READ_VERBS.has(req.verb)) return AS_IT_IS;
    const read = READ_VERBS.has(req.verb) || (req.verb === "create" && type.question === true && req.subresource === undefined);
    if (read) {
      this.admitRead(req, type);
      if (raw.method === "GET" && raw.body === undefined) {
        if (this.reads.size >= READS_REMEMBERED) this.reads.clear();
        this.reads.set(raw.url, { req, type });
      }
      return this.passRead(req, type);
    }
    if (this.passName === "direct" && this.policy.allowsEverything) {
      // The run's own cluster needs no plan, and a policy without rules refuses no effect: what
      // the write does (the reads that find it out) would be worked out for nothing.
      this.forgetServedAfter(type);
      return AS_IT_IS;
    }
    const what = describeRequest(req, type);
    if (this.passName === "unplanned")
      throw refused(
        what,
        `${this.where} is not the run's own embedded cluster, and writes to it are sent only in a run that was planned first (a session plans every run of a program that imports "k8s")`,
      );
    let effects: Effect[];
    try {
      effects = await effectsOf(req, type, this.view(raw, type));
    } catch (e) {
      if (e instanceof KoError) throw e;
      throw refused(
        what,
        `Ko cannot tell what it would do (${e instanceof Error ? e.message : String(e)}), and sends nothing it cannot judge`,
      );
    }
    this.judge(req, type, what, effects);
    this.forgetServedAfter(type);
    if (this.passName === "plan") return this.planWrite(req, type, effects);
    if (this.passName === "apply") return this.applyWrite(req, type);
    return AS_IT_IS;
  }

  /** After a write to a resource that changes what the cluster serves, discovery and the reads placed by it are read again. */
  private forgetServedAfter(type: ResourceType): void {
    if (!SERVES.has(`${type.group}/${type.resource}`)) return;
    this.catalog.forget();
    this.reads.clear();
  }

  /** Holds a read to the policy; throws its refusal. */
  private admitRead(req: ResourceRequest, type: ResourceType): void {
    const action: Action = {
      verb: READ_VERBS.has(req.verb) ? req.verb : "get",
      kind: type.kind,
      ...(type.namespaced && req.namespace !== undefined ? { namespace: req.namespace } : {}),
      ...(req.name !== undefined ? { name: req.name } : {}),
      clusterScoped: !type.namespaced,
      ...(type.namespaced && req.namespace === undefined ? { allNamespaces: true } : {}),
    };
    const rule = this.policy.refusal(action);
    if (rule) throw this.refusal(rule, action, describeRequest(req, type), undefined);
  }

  /** How an allowed read goes out in this pass: as it is, or — while planning — seeing the cluster as the plan leaves it. */
  private passRead(req: ResourceRequest, type: ResourceType): Verdict {
    if (this.passName !== "plan" || req.verb === "watch") return AS_IT_IS;
    const plan = this.plan!;
    const answer = readAnswer(plan, req, type);
    if (answer) return { answer };
    if (req.verb === "list") return { after: (status, body) => (status < 300 && body ? overlayList(plan, req, type, body) : body) };
    return AS_IT_IS;
  }

  /** Holds every effect to the policy, counts deletions, and in the applying pass to the plan. */
  private judge(req: ResourceRequest, type: ResourceType, what: string, effects: readonly Effect[]): void {
    for (const e of effects) {
      const rule = this.policy.refusal(e.action);
      if (rule) throw this.refusal(rule, e.action, what, e);
    }
    // A deletion counts when there is something to delete (pods a scale-down removes are counted though not read).
    const deletions = effects.filter((e) => e.action.verb === "delete" && e.ref && (e.live !== undefined || !e.direct));
    const fresh = [...new Set(deletions.map((e) => objectKey(e.ref!)).filter((k) => !this.deleted.has(k)))];
    const max = this.policy.maxDeletions;
    if (max !== undefined && this.deleted.size + fresh.length > max) {
      const over = deletions.find((e) => objectKey(e.ref!) === fresh[max - this.deleted.size])!;
      throw this.refusal(`maxDeletions ${max}`, over.action, what, over, `deletion ${max + 1} of this run`);
    }
    if (this.passName === "apply") {
      for (const e of deletions) {
        const key = objectKey(e.ref!);
        if (e.direct && !this.plan!.deletes(key) && !this.created.has(key))
          throw refused(
            what,
            `it would delete ${refName(e.ref!)}, which the confirmed plan does not delete (the cluster changed since it was planned); plan again`,
          );
      }
    }
    for (const k of fresh) this.deleted.add(k);
  }

  private planWrite(req: ResourceRequest, type: ResourceType, effects: readonly Effect[]): Verdict {
    const plan = this.plan!;
    plan.writeRequests++;
    for (const e of effects)
      if (e.action.verb === "delete" && e.ref && (e.live !== undefined || !e.direct)) plan.delete(e.ref, e.live, e.because);
    const why = unsendable(plan, req, type);
    const main = effects[0]!;
    if (req.verb === "delete" || req.verb === "deletecollection" || req.subresourceUse === "evict") {
      if (!why) return { dryRun: true };
      if (req.verb === "deletecollection")
        return {
          answer: {
            status: 200,
            body: { kind: "List", apiVersion: "v1", metadata: {}, items: effects.filter((e) => e.live && e.direct).map((e) => e.live) },
          },
        };
      return { answer: main.live ? { status: 200, body: main.live } : notFound(type, req.name!) };
    }
    if (req.verb === "create" && main.ref && req.subresource === undefined) {
      const taken = alreadyExists(plan, main.ref, type);
      if (taken) return { answer: taken };
    }
    const record = (after: Json, unsent?: string) => {
      // A write to /scale answers with a Scale: the plan shows the object with its new count, worked out here.
      const written = req.subresource === "scale" ? (writtenLocally(req, type, main.live) ?? after) : after;
      if (req.subresource === undefined || req.subresource === "scale" || req.subresource === "status")
        plan.write(this.refOf(type, req, written), main.live, written, unsent);
    };
    if (why) {
      const after = writtenLocally(req, type, main.live);
      if (after === undefined) return { answer: notFound(type, req.name!) };
      record(after, why);
      return { answer: { status: req.verb === "create" ? 201 : 200, body: after } };
    }
    return {
      dryRun: true,
      after: (status, body) => {
        if (status < 300 && body) record(body);
        return body;
      },
    };
  }

  /** In the applying pass, what the run creates is noted: it may delete it though the plan could not name it (a generated name). */
  private applyWrite(req: ResourceRequest, type: ResourceType): Verdict {
    if (!(req.verb === "create" || req.patchType === "apply") || req.subresource !== undefined) return {};
    return {
      after: (status, body) => {
        // 201 Created: a create, or a server-side apply that made the object.
        if (status === 201 && body?.metadata?.name) this.created.add(objectKey(this.refOf(type, req, body)));
        return body;
      },
    };
  }

  private refOf(type: ResourceType, req: ResourceRequest, o: Json): ObjectRef {
    const namespace = type.namespaced ? (o.metadata?.namespace ?? req.namespace) : undefined;
    return {
      group: type.group,
      resource: type.resource,
      kind: type.kind,
      namespaced: type.namespaced,
      ...(namespace !== undefined ? { namespace } : {}),
      name: String(o.metadata?.name ?? req.name),
    };
  }

  /** What the effects of one request are computed from: the cluster (as the plan sees it, while planning). */
  private view(raw: RawRequest, type: ResourceType): ClusterView {
    return {
      catalog: this.catalog,
      readsBeforeWrites: this.passName === "plan" || this.policy.deniesCreates,
      inventories: this.inventories,
      get: (path) => this.wire.get(path),
      dryRun: async (req) => {
        if (this.passName === "plan" && unsendable(this.plan!, req, type)) {
          const current = req.name === undefined ? undefined : await this.wire.get(req.url.pathname.replace(/\/scale$/, ""));
          return writtenLocally(req, type, current) ?? {};
        }
        return this.wire.dryRun(raw);
      },
    };
  }

  private count(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  private refusal(rule: string, a: Action, what: string, e: Effect | undefined, note?: string): KoError {
    const where =
      a.name !== undefined ? "" : a.namespace !== undefined ? ` in ${a.namespace}` : a.allNamespaces ? " in all namespaces" : "";
    const object =
      a.name === undefined && a.verb === "deletecollection" ? what : `${a.verb} ${objectName(a.kind, a.namespace, a.name)}${where}`;
    const why = [e?.because, note, object !== what ? `the request: ${what}` : undefined].filter(Boolean).join("; ");
    const source = this.policy.file === undefined ? "policy" : `policy ${this.policy.file}`;
    return new KoError(`${source}: ${rule} forbids ${object}${why ? ` (${why})` : ""}`, "k8s/policy");
  }
}

/** A refusal that is not a rule of the policy file but of Ko itself. */
function refused(what: string, why: string): KoError {
  return new KoError(`refusing ${what}: ${why}`, "k8s/policy");
}

/** The URL with the server's base path taken off its path. */
function withoutBase(url: string, base: string): string {
  try {
    const u = new URL(url);
    if (u.pathname === base || u.pathname.startsWith(`${base}/`)) u.pathname = u.pathname.slice(base.length) || "/";
    return u.toString();
  } catch {
    return url;
  }
}
