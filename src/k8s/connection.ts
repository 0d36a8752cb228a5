/**
 * One session's connection to the cluster its session chose (selection.ts): the client, the
 * limiter, retries, and the embedded cluster when that is the choice. Every request it makes —
 * and every request of the client it holds — passes the seam (seam.ts) and the guard (guard.ts),
 * where the policy is checked and a planning pass turns writes into dry runs. Loaded at the first
 * API call of a run (options.ts), together with @kubernetes/client-node.
 */
import * as path from "node:path";
import type * as K from "@kubernetes/client-node";
import type { Cluster } from "../cluster/index.js";
import { KoError, KoPanic } from "../value/failure.js";
import { dataList } from "../value/sequence.js";
import { EMPTY, Seq, Struct, type Value } from "../value/value.js";
import { fromClient, fromModelJson, modelName, REDACTED, toJson, type Models } from "./objects.js";
import { collectionPath, kindInfo, listPath, objectPath, type KindInfo } from "./kinds.js";
import type { Success } from "./answers.js";
import { Limiter } from "./limiter.js";
import type { Operation } from "./generated.js";
import { Guard } from "./guard.js";
import type { K8sOptions } from "./options.js";
import type { Policy } from "./policy.js";
import { openSeam, type Seam } from "./seam.js";
import type { InClusterChoice, KubeconfigChoice, Selection } from "./selection.js";

type Json = Record<string, any>;

export interface WaitQuery {
  readonly kind: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly labelSelector: string | undefined;
  readonly condition: string;
  readonly count: number;
  readonly timeout: string;
}

export async function openConnection(opts: K8sOptions, selection: Selection, policy: Policy): Promise<K8sConnection> {
  const k8s = await import("@kubernetes/client-node");
  const kc = new k8s.KubeConfig();
  if (selection.cluster) kc.loadFromString(selection.cluster.kubeconfig);
  else if (selection.choice.kind === "kubeconfig") loadChoice(k8s, kc, selection.choice);
  else if (selection.choice.kind === "in-cluster") loadServiceAccount(kc, selection.choice);
  return new K8sConnection(k8s, kc, opts, selection, policy);
}

/**
 * One keep-alive agent for every request of the connection. client-node makes a new agent for
 * each request (its private KubeConfig.createAgent), so each request opens a new connection and,
 * over https, pays a whole TLS handshake — some 5 ms, ten times the request itself against the
 * embedded cluster. What it builds the agent from is the same for every request of one context,
 * so one agent serves them all. (Idle sockets of an agent do not keep the process alive.)
 */
function reuseOneAgent(kc: K.KubeConfig): void {
  const client = kc as unknown as { createAgent(cluster: unknown, options: Record<string, unknown>): unknown };
  const create = client.createAgent.bind(kc);
  let agent: unknown;
  client.createAgent = (cluster, options) => (agent ??= create(cluster, { ...options, keepAlive: true }));
}

/**
 * The client's configuration: the context the selection chose, with its cluster and user, each
 * read from the file that defines it (selection.ts merged the files as kubectl does, so the
 * client's own merging, which differs, is not used). Entries the selection did not choose are
 * not the client's business: a broken one elsewhere in a file is skipped, not fatal.
 */
function loadChoice(k8s: typeof K, kc: K.KubeConfig, choice: KubeconfigChoice): void {
  const files = new Map<string, K.KubeConfig>();
  const fileConfig = (file: string) => {
    let c = files.get(file);
    if (!c) {
      c = new k8s.KubeConfig();
      c.loadFromFile(file, { onInvalidEntry: "filter" }); // ActionOnInvalid.FILTER, which the package does not export
      files.set(file, c);
    }
    return c;
  };
  const context = fileConfig(choice.context.file).getContextObject(choice.context.name)!;
  const cluster = fileConfig(choice.cluster.file).getCluster(choice.cluster.name)!;
  const user = choice.user ? fileConfig(choice.user.file).getUser(choice.user.name) : null;
  kc.loadFromOptions({
    clusters: [cluster],
    contexts: [context],
    users: user ? [user] : [],
    currentContext: context.name,
  });
}

/** The pod's service account: its API server, trusted through its CA, with its token file (read again as it rotates). */
function loadServiceAccount(kc: K.KubeConfig, choice: InClusterChoice): void {
  kc.loadFromOptions({
    clusters: [{ name: "in-cluster", server: choice.server, caFile: path.join(choice.dir, "ca.crt"), skipTLSVerify: false }],
    users: [{ name: "service-account", authProvider: { name: "tokenFile", config: { tokenFile: path.join(choice.dir, "token") } } }],
    contexts: [
      { name: "in-cluster", cluster: "in-cluster", user: "service-account", ...(choice.namespace ? { namespace: choice.namespace } : {}) },
    ],
    currentContext: "in-cluster",
  });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

/**
 * The request's answer, or the abort's reason as soon as `signal` aborts. The request is not cut
 * (client-node's object API takes no signal): it ends on its own, holding its limiter slot until
 * then, but the call no longer waits for it.
 */
function untilAborted<T>(request: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    request.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort, { once: true });
    request.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener("abort", onAbort), reject(e as Error)),
    );
  });
}

/** "90s", "5m", "1h30m", "250ms" or a bare number of seconds, in milliseconds. */
export function parseDuration(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h)/g, (_, n: string, u: string) => ((total += Number(n) * units[u]!), ""));
  if (rest !== "" || text === "")
    throw new KoError(`k8s.WaitFor: argument timeout: not a duration: ${JSON.stringify(text)}`, "runtime/host-argument");
  return total;
}

/** What an API call is about, for the panic that reports its failure (D15). */
interface Target {
  readonly verb: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

export class K8sConnection {
  readonly limiter: Limiter;
  /** Where every request is checked (guard.ts); its pass says whether writes are planned, applied or sent. */
  readonly guard: Guard;
  /** The guarded KubeConfig: every client made from it passes the seam. */
  readonly kc: K.KubeConfig;
  readonly objects: K.KubernetesObjectApi;
  readonly defaultNamespace: string;
  private readonly seam: Seam;
  private readonly models: Models;
  /** The embedded cluster this run started, if that is the one it talks to (the selection owns it). */
  readonly cluster: Cluster | undefined;
  /** A ko cluster (the run's own, or the `ko cluster serve` keeping --cluster-state): a simulation. */
  private readonly simulated: boolean;

  constructor(
    readonly k8s: typeof K,
    loaded: K.KubeConfig,
    readonly opts: K8sOptions,
    selection: Selection,
    readonly policy: Policy,
  ) {
    this.cluster = selection.cluster;
    this.simulated = selection.cluster !== undefined || (selection.choice.kind === "kubeconfig" && selection.choice.servedBy !== undefined);
    this.limiter = new Limiter(opts.maxInflight ?? 16);
    const where = `${loaded.getCurrentCluster()?.server ?? "?"} (context ${loaded.getCurrentContext()})`;
    const seam = openSeam(k8s, loaded, this.limiter, (wire, base) => new Guard(policy, this.simulated, where, wire, base));
    this.seam = seam;
    this.guard = seam.guard;
    this.kc = seam.kc;
    // On the guarded KubeConfig, which makes every request's agent (the loaded one makes none).
    reuseOneAgent(this.kc);
    this.objects = k8s.KubernetesObjectApi.makeApiClient(this.kc);
    this.models = k8s;
    this.defaultNamespace = opts.namespace ?? loaded.getContextObject(loaded.getCurrentContext())?.namespace ?? "default";
  }

  /** The embedded cluster, or a `ko cluster serve`: a simulation, which needs no plan and no confirmation. */
  get embedded(): boolean {
    return this.simulated;
  }

  /** The server and context, for messages: `https://10.0.0.1:6443 (context prod)`. */
  get where(): string {
    return this.guard.where;
  }

  /** Every request sent, by verb (tests and the benchmark read it). */
  get requests(): ReadonlyMap<string, number> {
    return this.guard.requests;
  }

  /** Nothing to end: the embedded cluster belongs to the selection, which the session's access closes. */
  async close(): Promise<void> {}

  /** What cancels the call this view of the connection serves (`forCall`); none for the connection itself. */
  declare readonly callSignal: AbortSignal | undefined;

  /**
   * The connection as one Ko call uses it: the same connection (its clients, limiter and guard),
   * whose requests are cut (or, where the client gives no way to, stop being waited for) when
   * `signal` aborts — the run is cancelled, the calling body failed, or a `Timeout`'s deadline
   * passed — and whose retries stop then too.
   */
  forCall(signal: AbortSignal): K8sConnection {
    // A plain assignment, not Object.create's property descriptors: one view is made per Ko call,
    // and V8 builds an object from descriptors on a slow path.
    const view = Object.create(this) as { callSignal: AbortSignal };
    view.callSignal = signal;
    return view as unknown as K8sConnection;
  }

  // ---- The convenience layer -------------------------------------------------------------------

  async createNamespace(name: string): Promise<Value> {
    const body = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
    const target: Target = { verb: "create", kind: "Namespace", namespace: name, name };
    return fromClient(await this.create(target, body), "V1Namespace", this.models);
  }

  async deleteNamespace(name: string): Promise<Value> {
    const target: Target = { verb: "delete", kind: "Namespace", namespace: name, name };
    const deleted = await this.deleteOne(target, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
    return deleted ? name : EMPTY;
  }

  async apply(object: Value, namespace: string | undefined): Promise<Value> {
    const raw = toJson(object, undefined, this.models) as Json;
    if (typeof raw.apiVersion !== "string" || typeof raw.kind !== "string" || typeof raw.metadata?.name !== "string") {
      throw new KoError("k8s.Apply: argument object: needs apiVersion, kind and metadata.name", "runtime/host-argument");
    }
    const model = modelName(raw.apiVersion, raw.kind);
    const body = toJson(object, model, this.models) as Json;
    const info = kindInfo(body.kind);
    const namespaced = info ? info.namespaced : true;
    if (namespaced) body.metadata.namespace ??= namespace ?? this.defaultNamespace;
    const target: Target = {
      verb: "patch",
      kind: body.kind,
      namespace: namespaced ? body.metadata.namespace : body.metadata.name,
      name: body.metadata.name,
    };
    const applied = await this.send(target, "idempotent", () =>
      this.objects.patch(body, undefined, undefined, "ko", true, this.k8s.PatchStrategy.ServerSideApply),
    );
    return fromClient(applied, model, this.models, body.kind === "Secret");
  }

  async get(kind: string, name: string, namespace: string | undefined, apiVersion: string | undefined): Promise<Value> {
    const info = kindInfo(kind);
    const kindName = info?.kind ?? kind;
    const ns = info?.namespaced === false ? undefined : (namespace ?? this.defaultNamespace);
    const target: Target = { verb: "get", kind: kindName, namespace: ns ?? (kindName === "Namespace" ? name : undefined), name };
    const version = apiVersion ?? info?.apiVersion;
    if (!version) throw new KoError(`k8s.Get: kind ${kind} is not one the package knows: give its apiVersion`, "runtime/host-argument");
    if (info && version === info.apiVersion && (ns || !info.namespaced)) {
      // A kind the package knows, where the object API would send the same request: sent through
      // the seam as it is, its JSON read into a Ko value in one pass (as fromClient would make of
      // the client's model object), without the object API's discovery, pipeline and model object.
      const url = objectPath(info, ns, name);
      const json = await this.sendCut(target, (signal) => this.seam.read(url, signal));
      return fromModelJson(json, modelName(version, kindName), this.models, kindName === "Secret");
    }
    const obj = await this.send(target, "idempotent", () =>
      this.objects.read({ apiVersion: version, kind: kindName, metadata: { name, ...(ns ? { namespace: ns } : {}) } }),
    );
    return fromClient(obj, modelName(version, kindName), this.models, kindName === "Secret");
  }

  async list(kind: string, namespace: string | undefined, labelSelector: string | undefined): Promise<Value> {
    const info = this.known(kind, "List");
    const items = await this.listJson(info, namespace ?? this.defaultNamespace, labelSelector);
    const model = modelName(info.apiVersion, info.kind);
    return dataList(items.map((o) => fromModelJson(o, model, this.models, info.kind === "Secret")));
  }

  async delete(
    kind: string,
    namespace: string | undefined,
    names: Value,
    labelSelector: string | undefined,
    objects: Value,
  ): Promise<Value> {
    const info = this.known(kind, "Delete");
    const ns = namespace ?? this.defaultNamespace;
    const targets: { name: string; namespace: string }[] = [];
    for (const n of names === EMPTY ? [] : names instanceof Seq ? names.items : [names]) targets.push({ name: n as string, namespace: ns });
    for (const o of objects === EMPTY ? [] : objects instanceof Seq ? objects.items : [objects]) {
      const meta = (toJson(o, undefined, this.models) as Json).metadata ?? {};
      if (typeof meta.name !== "string")
        throw new KoError(`k8s.Delete: argument objects: an object without metadata.name`, "runtime/host-argument");
      targets.push({ name: meta.name, namespace: meta.namespace ?? ns });
    }
    if (labelSelector !== undefined) {
      for (const o of await this.listJson(info, ns, labelSelector))
        targets.push({ name: o.metadata.name, namespace: o.metadata.namespace ?? ns });
    }
    const results = await Promise.all(
      targets.map((t) =>
        this.deleteOne(
          { verb: "delete", kind: info.kind, namespace: t.namespace, name: t.name },
          { apiVersion: info.apiVersion, kind: info.kind, metadata: t },
        ),
      ),
    );
    return results.filter((r) => r).length;
  }

  // ---- The generated API ------------------------------------------------------------------------

  /**
   * Calls one operation of the client's generated API (generated.ts) with its own parameters. Its
   * request passes the seam like any other — the policy judges it by its URL, not by the
   * operation's name; the limiter and retries apply as for the convenience layer; a create is not
   * retried after an ambiguous failure. Its answer comes as the server's JSON (answers.ts), read
   * into the Ko value of the operation's result type.
   */
  async operation(op: Operation, args: Record<string, Value>, _signal: AbortSignal): Promise<Value> {
    const { verb, kind, params } = preparedOf(op);
    const param: Json = {};
    for (const p of params) {
      const v = args[p.name];
      if (v !== undefined && v !== EMPTY) param[p.key] = toJson(v, p.model, this.models);
    }
    // The client sends a patch as a JSON patch (application/json-patch+json): a list of
    // operations, of which Ko writes a one-element list as the element itself (reference 4.4).
    if (verb === "patch" && param.body !== undefined && !Array.isArray(param.body)) param.body = [param.body];
    const target: Target = {
      verb,
      kind,
      namespace: typeof param.namespace === "string" ? param.namespace : kind === "Namespace" ? param.name : undefined,
      name: param.name ?? param.body?.metadata?.name,
    };
    const api = this.apiClient(op.api) as Record<string, (p: Json) => Promise<Success>>;
    const call = () => api[op.method]!.call(api, param);
    const answer = await this.retried(target, verb === "create" ? "create" : "idempotent", (signal) => {
      if (signal === undefined) return call();
      const { promise, cut } = this.seam.startCut(signal, call);
      return cut ? promise : untilAborted(promise, signal);
    });
    if (answer === undefined) return EMPTY;
    return "text" in answer ? answer.text : fromModelJson(answer.json, op.result, this.models, kind === "Secret");
  }

  private readonly apis = new Map<string, unknown>();

  /** The client of a generated API class, whose methods answer with JSON as the server sent it (answers.ts). */
  private apiClient(name: string): unknown {
    let api = this.apis.get(name);
    if (!api) {
      const ctor = (this.k8s as unknown as Record<string, (new (config: K.Configuration) => unknown) | undefined>)[name];
      if (!ctor) throw new KoError(`@kubernetes/client-node has no ${name}`, "k8s/generated");
      api = this.seam.operationsClient(ctor);
      this.apis.set(name, api);
    }
    return api;
  }

  // ---- Waiting, on watch ---------------------------------------------------------------------

  async waitFor(q: WaitQuery, signal: AbortSignal): Promise<Value> {
    const info = this.known(q.kind, "WaitFor");
    const ns = info.namespaced ? (q.namespace ?? this.defaultNamespace) : undefined;
    const deadline = Date.now() + parseDuration(q.timeout);
    const what = `${info.kind}${q.name ? ` ${q.name}` : ""}${q.labelSelector ? ` (${q.labelSelector})` : ""}${ns ? ` in ${ns}` : ""}`;
    const fieldSelector = q.name ? `metadata.name=${q.name}` : undefined;
    const seen = new Map<string, Json>();
    const check = (): Json[] | undefined => {
      const objs = [...seen.values()].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
      if (q.condition.toLowerCase() === "deleted") return objs.length === 0 ? objs : undefined;
      for (const o of objs)
        if (info.kind === "Job" && hasCondition(o, "Failed"))
          throw this.panic(
            { verb: "watch", kind: info.kind, namespace: ns, name: o.metadata?.name },
            0,
            "Failed",
            `job ${o.metadata?.name} failed`,
          );
      return objs.length >= q.count && objs.every((o) => meets(info.kind, o, q.condition)) ? objs : undefined;
    };
    const relist = async (): Promise<string> => {
      const list = await this.listRaw(info, ns, q.labelSelector, fieldSelector);
      seen.clear();
      for (const o of list.items) seen.set(o.metadata.name, o);
      return list.metadata?.resourceVersion ?? "";
    };
    let rv = await relist();
    const plan = this.guard.pass === "plan" ? this.guard.currentPlan : undefined;
    if (plan && !check()) {
      // A planning pass sees the cluster as the plan leaves it, without controllers acting on it:
      // what has not happened yet will not happen during the dry run, so the wait is assumed met.
      plan.assume(`${what}: ${q.condition}${q.count > 1 && q.condition.toLowerCase() !== "deleted" ? `, ${q.count} of them` : ""}`);
      return dataList([...seen.values()].map((o) => fromClient(o, modelName(info.apiVersion, info.kind), this.models)));
    }
    for (;;) {
      const done = check();
      if (done) return dataList(done.map((o) => fromClient(o, modelName(info.apiVersion, info.kind), this.models, info.kind === "Secret")));
      if (signal.aborted) throw signal.reason;
      const left = deadline - Date.now();
      if (left <= 0)
        throw this.panic(
          { verb: "watch", kind: info.kind, namespace: ns, name: q.name },
          0,
          "Timeout",
          `timed out after ${q.timeout} waiting for ${what} to be ${q.condition}`,
        );
      // One watch, from the last version seen, until the condition holds, the connection drops or time runs out.
      let refusal: KoError | undefined;
      const outcome = await new Promise<"met" | "dropped" | "expired" | "timeout" | "refused">((resolve) => {
        let controller: AbortController | undefined;
        let settled = false;
        const finish = (r: "met" | "dropped" | "expired" | "timeout" | "refused") => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener("abort", onAbort);
          controller?.abort();
          resolve(r);
        };
        const timer = setTimeout(() => finish("timeout"), left);
        const onAbort = () => finish("timeout");
        signal.addEventListener("abort", onAbort, { once: true });
        const path = collectionPath(info, ns);
        const params = { resourceVersion: rv, allowWatchBookmarks: true, labelSelector: q.labelSelector, fieldSelector };
        // The Watch helper asks the seam for options without saying what it requests: say it first.
        const url = new URL(`${this.kc.getCurrentCluster()?.server ?? ""}${path}`);
        url.searchParams.set("watch", "true");
        for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
        this.seam.expect({ method: "GET", url: url.toString() });
        new this.k8s.Watch(this.kc)
          .watch(
            path,
            params,
            (phase, obj: Json) => {
              if (phase === "ERROR") return finish(obj?.code === 410 ? "expired" : "dropped");
              if (obj?.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
              if (phase === "ADDED" || phase === "MODIFIED") seen.set(obj.metadata.name, obj);
              else if (phase === "DELETED") seen.delete(obj.metadata.name);
              try {
                if (check()) finish("met");
              } catch {
                finish("met"); // a failed Job: the loop's own check raises the panic
              }
            },
            () => finish("dropped"),
          )
          .then(
            (c) => (settled ? c.abort() : (controller = c)),
            (e: unknown) => {
              if (e instanceof KoError) refusal = e;
              finish(e instanceof KoError ? "refused" : "dropped");
            },
          );
      });
      if (outcome === "refused") throw refusal!;
      if (outcome === "expired") rv = await relist();
      else if (outcome === "dropped") await sleep(50, signal); // resume from rv
    }
  }

  // ---- Requests --------------------------------------------------------------------------------

  private known(kind: string, fn: string): KindInfo {
    const info = kindInfo(kind);
    if (!info) throw new KoError(`k8s.${fn}: argument kind: unknown kind ${JSON.stringify(kind)}`, "runtime/host-argument");
    return info;
  }

  /**
   * The objects of a kind the package knows, as the server sent them (JSON, not the client's model
   * objects), sorted by name: the GET the object API's list would send, sent through the seam.
   */
  private async listJson(info: KindInfo, namespace: string | undefined, labelSelector: string | undefined): Promise<Json[]> {
    const ns = info.namespaced ? namespace : undefined;
    const url = listPath(info, ns, labelSelector);
    const list = await this.sendCut({ verb: "list", kind: info.kind, namespace: ns }, (signal) => this.seam.read(url, signal));
    const items = (list.items ?? []) as Json[];
    return items.sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
  }

  private listRaw(
    info: KindInfo,
    ns: string | undefined,
    labelSelector: string | undefined,
    fieldSelector: string | undefined,
  ): Promise<Json> {
    const target: Target = { verb: "list", kind: info.kind, namespace: ns };
    return this.send(
      target,
      "idempotent",
      () =>
        this.objects.list(info.apiVersion, info.kind, ns, undefined, undefined, undefined, fieldSelector, labelSelector) as Promise<Json>,
    );
  }

  /** Deletes one object; false if it was already gone. */
  private async deleteOne(target: Target, spec: Json): Promise<boolean> {
    try {
      await this.send(target, "idempotent", () => this.objects.delete(spec, undefined, undefined, undefined, undefined, "Background"));
      return true;
    } catch (e) {
      if (e instanceof KoPanic && e.value instanceof Struct && e.value.fields.some((f) => f.name === "code" && f.value === 404))
        return false;
      throw e;
    }
  }

  /**
   * Creates an object. A create is not idempotent, so it is not retried blindly: after an
   * answer that may have come after the object was made (5xx, a dropped connection) the retry's
   * AlreadyExists is checked by reading the object back — it counts as ours only if it was
   * created after our first attempt began.
   */
  private async create(target: Target, body: Json): Promise<Json> {
    const started = Date.now();
    let ambiguous = false;
    try {
      return await this.send<Json>(
        target,
        "create",
        () => this.objects.create(body, undefined, undefined, "ko"),
        () => (ambiguous = true),
      );
    } catch (e) {
      if (!ambiguous || !(e instanceof KoPanic) || !isReason(e, "AlreadyExists")) throw e;
      const existing = await this.send<Json>({ ...target, verb: "get" }, "idempotent", () =>
        this.objects.read(body as { apiVersion: string; kind: string; metadata: { name: string } }),
      );
      const created = new Date(existing.metadata?.creationTimestamp ?? 0).getTime();
      if (created >= Math.floor(started / 1000) * 1000 - 1000) return existing;
      throw e;
    }
  }

  /**
   * Sends one request (the transport holds a limiter slot while it is in flight, seam.ts),
   * retrying with capped exponential backoff: always on 429 (the server did nothing), and on 5xx
   * and connection errors when the call is idempotent or the caller handles the ambiguity
   * (`onAmbiguous`). A refusal of the policy is an error, passed on as it is (D15).
   */
  private send<T>(target: Target, kind: "idempotent" | "create", request: () => Promise<T>, onAmbiguous?: () => void): Promise<T> {
    return this.retried(target, kind, (signal) => (signal ? untilAborted(request(), signal) : request()), onAmbiguous);
  }

  /**
   * Sends an idempotent request of the seam's own, as `send` does, handing it the call's signal:
   * when the signal aborts, the request itself is cut — its socket closed and its limiter slot
   * given back at once — rather than left to end on its own while the call stops waiting.
   */
  private sendCut<T>(target: Target, request: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
    return this.retried(target, "idempotent", request);
  }

  /** The retries of `send` and `sendCut`, around a request that settles when the call's signal aborts. */
  private async retried<T>(
    target: Target,
    kind: "idempotent" | "create",
    request: (signal: AbortSignal | undefined) => Promise<T>,
    onAmbiguous?: () => void,
  ): Promise<T> {
    const { baseMs = 100, maxMs = 5000, attempts = 8 } = this.opts.retry ?? {};
    const signal = this.callSignal;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        if (e instanceof KoError) throw e;
        const status = statusOf(e);
        const ambiguous = status.code >= 500 || status.code === 0; // the server may have done it
        const retryable = status.code === 429 || (ambiguous && (kind === "idempotent" || onAmbiguous !== undefined));
        if (!retryable || attempt >= attempts) throw this.panic(target, status.code, status.reason, status.message);
        if (status.code !== 429 && kind === "create") onAmbiguous?.();
        const backoff = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
        const delay = status.retryAfterMs !== undefined ? Math.min(maxMs, status.retryAfterMs) : backoff * (0.5 + Math.random() / 2);
        await sleep(delay, signal);
        if (signal?.aborted) throw signal.reason;
      }
    }
  }

  /** A Kubernetes API error as a Ko panic (D15). */
  panic(t: Target, code: number, reason: string, message: string): KoPanic {
    return new KoPanic(
      new Struct(
        [
          { name: "code", value: code, monadic: false },
          { name: "reason", value: reason, monadic: false },
          { name: "message", value: message, monadic: false },
          { name: "kind", value: t.kind, monadic: false },
          { name: "name", value: t.name ?? EMPTY, monadic: false },
          { name: "namespace", value: t.namespace ?? EMPTY, monadic: false },
          { name: "verb", value: t.verb, monadic: false },
        ].filter((f) => f.value !== EMPTY),
      ),
    );
  }
}

/** What `operation` needs of an operation on each call, worked out at its first. */
interface PreparedOperation {
  readonly verb: string;
  readonly kind: string;
  /** Its parameters: Ko's name, the client's (`_continue` for `continue`), and the model a value is shaped by, if any. */
  readonly params: readonly { readonly name: string; readonly key: string; readonly model: string | undefined }[];
}

const prepared = new WeakMap<Operation, PreparedOperation>();

function preparedOf(op: Operation): PreparedOperation {
  let p = prepared.get(op);
  if (p === undefined) {
    p = {
      verb: operationVerb(op.method),
      kind: operationKind(op.method),
      params: op.params.map((q) => ({
        name: q.name,
        key: q.key ?? q.name,
        model: /^[A-Z]/.test(q.type) || q.type.startsWith("Array<") ? q.type : undefined,
      })),
    };
    prepared.set(op, p);
  }
  return p;
}

/**
 * The verb of an operation, for its panic and its retries (a create is not retried blindly):
 * listNamespacedPod → list, replaceNamespacedPod → update. The policy does not read it: it judges
 * the request itself (guard.ts).
 */
function operationVerb(method: string): string {
  if (method.startsWith("deleteCollection")) return "deletecollection";
  const prefix = /^[a-z]+/.exec(method)![0];
  const verbs: Record<string, string> = {
    create: "create",
    replace: "update",
    patch: "patch",
    delete: "delete",
    list: "list",
    read: "get",
    watch: "watch",
    connect: "connect",
  };
  return verbs[prefix] ?? "get";
}

/**
 * The kind an operation is about, for its panic: deleteCollectionNamespacedPersistentVolumeClaim →
 * PersistentVolumeClaim, createNamespacedPodEviction → Pod, createClusterRoleBinding →
 * ClusterRoleBinding (a subresource's name is taken off the end; Binding only after Pod, where it is one).
 */
function operationKind(method: string): string {
  return method
    .replace(/^(deleteCollection|connect(Get|Post|Put|Patch|Delete|Head|Options)|[a-z]+)/, "")
    .replace(/^Namespaced/, "")
    .replace(/ForAllNamespaces$/, "")
    .replace(
      /(Status|Scale|Ephemeralcontainers|Resize|Log|Eviction|Token|Approval|Finalize|Exec|Attach|Portforward|Proxy.*)$/,
      (m, _x, off: number) => (off > 0 ? "" : m),
    )
    .replace(/^PodBinding$/, "Pod");
}

function isReason(p: KoPanic, reason: string): boolean {
  return p.value instanceof Struct && p.value.fields.some((f) => f.name === "reason" && f.value === reason);
}

/** The status of a failed request: an ApiException's Status body, or a connection error (code 0). */
function statusOf(e: unknown): { code: number; reason: string; message: string; retryAfterMs?: number } {
  const x = e as { code?: unknown; body?: unknown; headers?: Record<string, string>; message?: string };
  if (typeof x?.code === "number" && x.code >= 100) {
    let body: Json = {};
    try {
      body = typeof x.body === "string" ? JSON.parse(x.body) : ((x.body as Json) ?? {});
    } catch {
      /* not a Status */
    }
    const retryAfter = Number(x.headers?.["retry-after"]);
    return {
      code: x.code,
      reason: body.reason ?? "Unknown",
      message: redact(body.message ?? x.message ?? ""),
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    };
  }
  return { code: 0, reason: "ConnectionError", message: (e as Error)?.message ?? String(e) };
}

/** Secret values never reach a message: a `data` map echoed in one prints as <redacted>. */
function redact(message: string): string {
  return message.replace(/("?(?:data|stringData)"?\s*:\s*)(\{[^}]*\}|map\[[^\]]*\])/g, `$1<${REDACTED}>`);
}

function hasCondition(o: Json, type: string): boolean {
  return Array.isArray(o.status?.conditions) && o.status.conditions.some((c: Json) => c.type === type && c.status === "True");
}

/** Whether an object meets a condition: a status condition of that type, or the workload's own notion of Ready. */
function meets(kind: string, o: Json, condition: string): boolean {
  if (hasCondition(o, condition)) return true;
  const s = o.status ?? {};
  if (s.phase === condition) return true; // Running, Succeeded...
  if (condition === "Ready" || condition === "Available") {
    if (kind === "StatefulSet" || kind === "Deployment") {
      const want = o.spec?.replicas ?? 1;
      // Rolled out: the controller has seen the latest spec, enough replicas are ready and no extra ones are left.
      return (s.observedGeneration ?? 0) >= (o.metadata?.generation ?? 0) && (s.readyReplicas ?? 0) >= want && (s.replicas ?? 0) <= want;
    }
    if (kind === "Job") return hasCondition(o, "Complete");
  }
  return false;
}
