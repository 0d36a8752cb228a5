/**
 * The seam every request to the API server passes, whoever makes it: a KubeConfig of our own.
 *
 * @kubernetes/client-node 1.x hands every request of every generated API client and of
 * KubernetesObjectApi — its discovery requests included — to the KubeConfig's
 * `applySecurityAuthentication(context)` just before sending it, with the request complete: its
 * method, URL with query, headers and body. The streaming helpers (Watch, Log, Exec, Attach,
 * PortForward, Metrics, health) instead ask `applyToHTTPSOptions` for options, without the URL.
 * So a KubeConfig subclass that puts the guard (guard.ts) in front of both sees every request:
 *
 * - `applySecurityAuthentication` admits the request, adds `dryRun=All` when the guard says so,
 *   and remembers the guard's verdict for the transport;
 * - `applyToHTTPSOptions` admits the request the connection announced just before (`expect`), and
 *   refuses when none was: a helper Ko does not use asks for options it will not get;
 * - `makeApiClient` builds clients on our transport, which answers from the verdict (a planning
 *   pass answers some requests itself, and reads some answers), holds a limiter slot while a
 *   request is in flight, and refuses a request that reached it without a verdict;
 *   `operationsClient` builds one whose answers are JSON as the server sent it (answers.ts).
 */
import type * as K from "@kubernetes/client-node";
import { KoError } from "../value/failure.js";
import { rawAnswers } from "./answers.js";
import type { Guard, Verdict, Wire } from "./guard.js";
import type { Limiter } from "./limiter.js";
import { asDryRun, type RawRequest } from "./requests.js";
import { send as sendOnWire } from "./transport.js";

type Json = Record<string, any>;

export interface Seam {
  /** The KubeConfig every client of the connection is made from. */
  readonly kc: K.KubeConfig;
  /** Announces the request of the next `applyToHTTPSOptions` (a watch): call it immediately before starting it. */
  expect(raw: RawRequest): void;
  /**
   * A GET of `path` as the object API sends one (its Accept header), admitted and sent like any
   * request: the parsed body, or the client's ApiException for a failed answer. When `signal`
   * aborts, the request is cut (its socket closed, its limiter slot given back) and the promise
   * rejects with an AbortError (transport.ts).
   */
  read(path: string, signal?: AbortSignal): Promise<Json>;
  /**
   * Calls `start`, handing `signal` to the request it makes at once — one of a generated API
   * client, which builds its request and has it authenticated before its first await — so that
   * the request is cut when the signal aborts. `cut` is false when no request was made at once
   * (the object API awaits its discovery first): the caller must then stop waiting by itself.
   */
  startCut<T>(signal: AbortSignal, start: () => Promise<T>): { promise: Promise<T>; cut: boolean };
  /**
   * A client of a generated API class (CoreV1Api) made as `kc.makeApiClient` makes one, but whose
   * methods give each success as a `Success` (answers.ts) rather than as the client's model object.
   */
  operationsClient<T>(apiClientType: new (config: K.Configuration) => T): T;
}

/**
 * A guarded copy of a loaded KubeConfig. `guardFor` gets the guard's way to read the cluster
 * (through this same seam) and returns the guard.
 */
export function openSeam(
  k8s: typeof K,
  loaded: K.KubeConfig,
  limiter: Limiter,
  guardFor: (wire: Wire, base: string) => Guard,
): Seam & { guard: Guard } {
  const verdicts = new WeakMap<K.RequestContext, Verdict>();
  let expected: RawRequest | undefined;
  /** The signal for the request `startCut` is starting, until that request takes it. */
  let cutting: { readonly signal: AbortSignal; taken: boolean } | undefined;

  /**
   * Sends an admitted request, or answers it as the guard's verdict says. `parsed` is the body of
   * a GET as the guard read it (a verdict's `after`: a list while planning) when it left it as the
   * server sent it, so that the seam's own reads need not parse the text again; a write's body,
   * which the plan may keep, is never handed out.
   */
  async function sendAdmitted(ctx: K.RequestContext): Promise<{ response: K.ResponseContext; parsed?: Json }> {
    const verdict = verdicts.get(ctx);
    if (verdict === undefined)
      throw new KoError(
        `refusing ${ctx.getHttpMethod()} ${new URL(ctx.getUrl()).pathname}: it did not pass the policy check`,
        "k8s/policy",
      );
    verdicts.delete(ctx);
    if (verdict.answer) return { response: response(k8s, verdict.answer.status, {}, JSON.stringify(verdict.answer.body)) };
    // The slot is held while the request is in flight, its body read included, and never while the guard works.
    const { status, headers, text } = await limiter.run(() => sendOnWire(ctx));
    if (!verdict.after) return { response: response(k8s, status, headers, text) };
    let body: Json | undefined;
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = undefined;
    }
    const seen = verdict.after(status, body);
    if (seen !== body) return { response: response(k8s, status, headers, JSON.stringify(seen)) };
    const read = ctx.getHttpMethod() === k8s.HttpMethod.GET && body !== undefined;
    return { response: response(k8s, status, headers, text), ...(read ? { parsed: body } : {}) };
  }

  const transport = k8s.wrapHttpLibrary({ send: (ctx) => sendAdmitted(ctx).then((sent) => sent.response) });

  class GuardedKubeConfig extends k8s.KubeConfig {
    override async applySecurityAuthentication(context: K.RequestContext): Promise<void> {
      // Taken at once, before any await, as `expected` is: only the request startCut starts is here now.
      if (cutting !== undefined) {
        context.setSignal(cutting.signal);
        cutting.taken = true;
        cutting = undefined;
      }
      const method = context.getHttpMethod();
      const verdict = await guard.admit({
        method,
        url: context.getUrl(),
        body: context.getBody(),
        // Only a patch's content type matters (its patch type): a GET, most requests, needs no look for it.
        contentType: method === k8s.HttpMethod.GET ? undefined : header(context.getHeaders(), "content-type"),
      });
      if (verdict.dryRun) {
        const dry = asDryRun(context.getHttpMethod(), context.getUrl(), context.getBody());
        context.setUrl(dry.url);
        context.setBody(dry.body as K.RequestBody);
      }
      verdicts.set(context, verdict);
      return super.applySecurityAuthentication(context);
    }

    override async applyToHTTPSOptions(opts: Parameters<K.KubeConfig["applyToHTTPSOptions"]>[0]): Promise<void> {
      // Taken at once, before any await: the announcement belongs to the call that follows it.
      const raw = expected;
      expected = undefined;
      if (raw === undefined)
        throw new KoError(
          "refusing a request made through a client-node helper that does not say what it requests (Log, Exec, Attach, PortForward...)",
          "k8s/policy",
        );
      const verdict = await guard.admit(raw);
      if (verdict.answer || verdict.dryRun || verdict.after)
        throw new KoError(`refusing ${raw.method} ${new URL(raw.url).pathname}: it cannot be sent as the policy requires`, "k8s/policy");
      return super.applyToHTTPSOptions(opts);
    }

    override makeApiClient<T extends K.ApiType>(apiClientType: new (config: K.Configuration) => T): T {
      return new apiClientType(this.configuration());
    }

    /** What a client made from this KubeConfig is configured with: its server, this KubeConfig for authentication, the seam's transport. */
    configuration(): K.Configuration {
      const cluster = this.getCurrentCluster();
      if (!cluster) throw new KoError("the kubeconfig has no current cluster", "k8s/config");
      return k8s.createConfiguration({
        baseServer: new k8s.ServerConfiguration(cluster.server, {}),
        authMethods: { default: this },
        httpApi: transport,
      });
    }
  }

  const kc = new GuardedKubeConfig();
  const answers = rawAnswers(k8s);
  kc.loadFromOptions({ clusters: loaded.clusters, users: loaded.users, contexts: loaded.contexts, currentContext: loaded.currentContext });
  const server = (kc.getCurrentCluster()?.server ?? "").replace(/\/+$/, "");

  /** Sends a request the guard makes, through the seam: admitted, then on the transport. */
  const send = async (
    method: string,
    path: string,
    body?: string,
    contentType?: string,
    accept = "application/json",
    signal?: AbortSignal,
  ): Promise<{ status: number; text: string; headers: Record<string, string>; parsed?: Json }> => {
    const ctx = new k8s.RequestContext(path.startsWith("http") ? path : server + path, method as K.HttpMethod);
    ctx.setHeaderParam("Accept", accept);
    // Handed to the transport, which closes the request when it aborts, the body's reading included.
    if (signal !== undefined) ctx.setSignal(signal);
    if (contentType !== undefined) ctx.setHeaderParam("Content-Type", contentType);
    if (body !== undefined) ctx.setBody(body);
    await kc.applySecurityAuthentication(ctx);
    // Past the transport's Observable: the seam's own requests await the promise it wraps.
    const { response: res, parsed } = await sendAdmitted(ctx);
    return { status: res.httpStatusCode, text: await res.body.text(), headers: res.headers, ...(parsed ? { parsed } : {}) };
  };
  const wire: Wire = {
    get: async (path) => {
      for (let attempt = 1; ; attempt++) {
        const { status, text } = await send("GET", path);
        if (status === 404) return undefined;
        if (status < 300) return JSON.parse(text) as Json;
        if ((status === 429 || status >= 500) && attempt < 4) {
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          continue;
        }
        throw new Error(`GET ${path}: ${statusMessage(status, text)}`);
      }
    },
    dryRun: async (raw) => {
      const dry = asDryRun(raw.method, raw.url, raw.body);
      const { status, text } = await send(raw.method, dry.url, typeof dry.body === "string" ? dry.body : undefined, raw.contentType);
      if (status >= 300) throw new Error(`a dry run of ${raw.method} ${new URL(raw.url).pathname}: ${statusMessage(status, text)}`);
      return JSON.parse(text) as Json;
    },
  };
  const guard = guardFor(wire, new URL(server || "http://localhost").pathname.replace(/\/+$/, ""));
  return {
    kc,
    guard,
    expect(raw) {
      expected = raw;
    },
    operationsClient(apiClientType) {
      // Every generated API class takes (configuration, requestFactory?, responseProcessor?).
      const withProcessor = apiClientType as unknown as new (config: K.Configuration, factory: undefined, processor: unknown) => never;
      return new withProcessor(kc.configuration(), undefined, answers);
    },
    startCut(signal, start) {
      const handing = (cutting = { signal, taken: false });
      try {
        return { promise: start(), cut: handing.taken };
      } finally {
        cutting = undefined;
      }
    },
    async read(path, signal) {
      const { status, text, headers, parsed } = await send("GET", path, undefined, undefined, "application/json, */*;q=0.8", signal);
      // The object API's own failure: its status, and the body as text (statusOf reads the Status in it).
      if (status < 200 || status > 299) throw new k8s.ApiException(status, "Unsuccessful HTTP Request", text, headers);
      return parsed ?? (JSON.parse(text) as Json);
    },
  };
}

function response(k8s: typeof K, status: number, headers: Record<string, string>, text: string): K.ResponseContext {
  return new k8s.ResponseContext(
    status,
    { "content-type": "application/json", ...headers },
    {
      text: () => Promise.resolve(text),
      binary: () => Promise.resolve(Buffer.from(text)),
    },
  );
}

function header(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** A failed answer in words: the Status message, or the status code. */
function statusMessage(status: number, text: string): string {
  try {
    const s = JSON.parse(text) as Json;
    if (typeof s.message === "string") return `${status} ${s.message}`;
  } catch {
    // not a Status
  }
  return String(status);
}
