/**
 * The HTTP front: refuses requests that are not addressed to loopback or lack the token
 * (guard.ts), routes kube-apiserver paths to the Api, reads bodies in the formats the API server
 * reads (media.ts) and query parameters as it reads them (query.ts), negotiates JSON / Table /
 * PartialObjectMetadata / aggregated discovery, streams watches, applies injected faults, and
 * serves the admin endpoints under /_ko/ (behind the same guard).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { CUSTOM_PATCH_TYPES, type Api, type DeleteOptions, type FieldValidation, type WriteOptions } from "./api.js";
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from "./discovery.js";
import { ApiError, badRequest, internal, methodNotAllowed, notAcceptable, unsupportedMediaType } from "./errors.js";
import { type Faults, type RequestInfo, type Verb, reasonFor } from "./faults.js";
import type { Guard } from "./guard.js";
import { bodyFormat, patchType, type BodyFormat } from "./media.js";
import { OpenApiV3, openApiV2Json, openApiV2Protobuf, SERVER_VERSION } from "./openapi.js";
import { apiVersionOf, type KObject, type ResourceType } from "./resources.js";
import { objectJSON } from "./object-json.js";
import { Query } from "./query.js";
import { partialMetadata, toTable, type IncludeObject } from "./tables.js";
import { serveWatch } from "./watch.js";

const MAX_BODY = 3 * 1024 * 1024;

export interface ServerDeps {
  api: Api;
  faults: Faults;
  /** Who may ask: the Host header and the bearer token. */
  guard: Guard;
  hostPort: () => string;
  bookmarkIntervalMs: number;
  /** Extra admin routes (readiness holds), given the path after /_ko/: the answer, or a promise of it. */
  admin?: (method: string, path: string, body: unknown) => unknown;
}

interface Route {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function sendJSON(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Content-Length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendStatus(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  sendJSON(res, e.code, e.toStatus(), headers);
}

/** Past this much more, a body over the limit is not read to its end: the connection is closed instead. */
const MAX_DISCARD = 32 * 1024 * 1024;

/** A 413 after which the connection is closed (its body was not read to the end). */
class BodyTooLarge extends ApiError {
  readonly closeConnection = true;
}

/**
 * The request body, up to the API server's limit. A larger one is 413; the rest of it is read and
 * dropped (so the client, still sending, gets the answer), unless it goes on and on.
 */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const tooLarge = () => new ApiError(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_BODY}`);
  const iterator = req[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    size += (value as Buffer).length;
    if (size <= MAX_BODY) chunks.push(value as Buffer);
    else if (size > MAX_BODY + MAX_DISCARD)
      throw new BodyTooLarge(413, "RequestEntityTooLarge", `Request entity too large: limit is ${MAX_BODY}`);
  }
  if (size > MAX_BODY) throw tooLarge();
  return Buffer.concat(chunks);
}

/** Parses a YAML body, loading the yaml library at the first (Node keeps the module loaded). */
async function parseYaml(text: string): Promise<unknown> {
  // A bundler may hand the CommonJS build over as a default export.
  const m = (await import("yaml")) as Partial<typeof import("yaml")> & { default?: typeof import("yaml") };
  const yaml = (typeof m.parse === "function" ? m : m.default) as typeof import("yaml");
  return yaml.parse(text);
}

async function parseBody(buf: Buffer, format: BodyFormat): Promise<unknown> {
  if (format === "protobuf" && buf.length) {
    const { decodeProtobuf } = await import("./protobuf.js");
    return decodeProtobuf(buf);
  }
  const text = buf.toString("utf8");
  if (!text.trim()) return undefined;
  if (format === "yaml") {
    try {
      return await parseYaml(text);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
}

/** A body that may be empty (DeleteOptions): its Content-Type matters only when there is one. */
async function optionalBody(req: IncomingMessage, formats?: readonly BodyFormat[]): Promise<unknown> {
  const buf = await readBody(req);
  return buf.length === 0 ? undefined : parseBody(buf, bodyFormat(req.headers["content-type"], formats));
}

type Rendering = { kind: "json" } | { kind: "table"; include: IncludeObject } | { kind: "metadata" };

function negotiate(accept: string | undefined, query: Query): Rendering {
  const a = (accept ?? "").replace(/\s/g, "");
  if (a.includes("as=Table") && a.includes("g=meta.k8s.io")) {
    const inc = query.string("includeObject");
    return { kind: "table", include: inc === "Object" || inc === "None" ? inc : "Metadata" };
  }
  if (a.includes("as=PartialObjectMetadata") && a.includes("g=meta.k8s.io")) return { kind: "metadata" };
  if (
    a &&
    !a
      .split(",")
      .some(
        (p) => p.startsWith("application/json") || p.startsWith("*/*") || p.startsWith("application/*") || p.startsWith("application/yaml"),
      )
  )
    throw notAcceptable(
      `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`,
    );
  return { kind: "json" };
}

export class HttpFront {
  private readonly openapi: OpenApiV3;

  constructor(private readonly deps: ServerDeps) {
    this.openapi = new OpenApiV3(deps.api.registry);
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((e: unknown) => {
      const err = e instanceof ApiError ? e : internal(e instanceof Error ? e.message : String(e));
      if (!(e instanceof ApiError)) process.emitWarning(`ko cluster: ${e instanceof Error ? e.stack : String(e)}`);
      if (res.headersSent) res.end();
      else sendStatus(res, err, err instanceof BodyTooLarge ? { Connection: "close" } : {});
    });
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refused = this.deps.guard.refuse(req);
    if (refused) return sendStatus(res, refused);
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const method = req.method ?? "GET";
    const accept = req.headers.accept;
    const { api } = this.deps;

    if (path === "/version")
      return sendJSON(res, 200, {
        ...SERVER_VERSION,
        gitCommit: "0000000000000000000000000000000000000000",
        gitTreeState: "clean",
        buildDate: "2025-01-01T00:00:00Z",
        goVersion: "go1.23.4",
        compiler: "gc",
        platform: "linux/amd64",
      });
    if (/^\/(healthz|livez|readyz)(\/.*)?$/.test(path)) {
      const verbose = url.searchParams.has("verbose");
      const text = verbose ? "[+]ping ok\n[+]etcd ok\n[+]ko-store ok\n" + `${path.slice(1).split("/")[0]} check passed\n` : "ok";
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      return void res.end(text);
    }
    if (path.startsWith("/_ko/")) return this.admin(req, res, method, path.slice(5));
    if (path === "/openapi/v2") {
      if ((accept ?? "").includes("protobuf")) {
        const pb = openApiV2Protobuf(api.registry);
        res.writeHead(200, { "Content-Type": "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", "Content-Length": pb.length });
        return void res.end(pb);
      }
      return sendJSON(res, 200, openApiV2Json(api.registry));
    }
    if (path === "/openapi/v3") return sendJSON(res, 200, this.openapi.index());
    if (path.startsWith("/openapi/v3/")) {
      const doc = this.openapi.document(path.slice("/openapi/v3/".length));
      if (!doc) return sendStatus(res, new ApiError(404, "NotFound", "the server could not find the requested resource"));
      const immutable = url.searchParams.get("hash") === doc.hash;
      res.writeHead(200, {
        "Content-Type": "application/json",
        ETag: `"${doc.hash}"`,
        "Cache-Control": immutable ? "public, immutable" : "no-cache, private",
        "Content-Length": Buffer.byteLength(doc.body),
      });
      return void res.end(doc.body);
    }
    const agg = wantsAggregated(accept);
    const aggHeaders = (v: string) => ({ "Content-Type": `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` });
    if (path === "/api")
      return agg
        ? sendJSON(res, 200, { ...aggregatedDiscovery(api.registry, true), apiVersion: `apidiscovery.k8s.io/${agg}` }, aggHeaders(agg))
        : sendJSON(res, 200, apiVersions(this.deps.hostPort()));
    if (path === "/apis")
      return agg
        ? sendJSON(res, 200, { ...aggregatedDiscovery(api.registry, false), apiVersion: `apidiscovery.k8s.io/${agg}` }, aggHeaders(agg))
        : sendJSON(res, 200, apiGroupList(api.registry));

    const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string | undefined;
    let rest: string[];
    if (parts[0] === "api") {
      group = "";
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === "apis") {
      group = parts[1] ?? "";
      version = parts[2];
      rest = parts.slice(3);
      if (group && !version) {
        if (!api.registry.groups().includes(group)) return this.notFound(res);
        return sendJSON(res, 200, apiGroup(api.registry, group));
      }
    } else return this.notFound(res);
    if (!version) return this.notFound(res);
    if (rest.length === 0) {
      const list = apiResourceList(api.registry, group, version);
      return list ? sendJSON(res, 200, list) : this.notFound(res);
    }
    let legacyWatch = false;
    if (rest[0] === "watch") {
      legacyWatch = true;
      rest = rest.slice(1);
    }
    const route = this.route(group, version, rest);
    if (!route) return this.notFound(res);
    return this.serveResource(req, res, method, route, new Query(url.searchParams), legacyWatch);
  }

  private notFound(res: ServerResponse): void {
    sendStatus(res, new ApiError(404, "NotFound", "the server could not find the requested resource", {}));
  }

  private route(group: string, version: string, rest: string[]): Route | undefined {
    const reg = this.deps.api.registry;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      if (rest.length === 3 && (rest[2] === "status" || rest[2] === "finalize"))
        return { rt: reg.at("", "v1", "namespaces")!, name: rest[1]!, subresource: rest[2] };
      const rt = reg.at(group, version, rest[2]!);
      if (!rt || !rt.namespaced) return undefined;
      return {
        rt,
        namespace: rest[1]!,
        ...(rest[3] !== undefined ? { name: rest[3] } : {}),
        ...(rest[4] !== undefined ? { subresource: rest[4] } : {}),
        ...(rest.length > 5 ? { subresource: "\u0000" } : {}),
      };
    }
    const rt = reg.at(group, version, rest[0]!);
    if (!rt) return undefined;
    if (rt.namespaced && rest.length > 1) return undefined;
    return {
      rt,
      ...(rest[1] !== undefined ? { name: rest[1] } : {}),
      ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
      ...(rest.length > 3 ? { subresource: "\u0000" } : {}),
    };
  }

  private async serveResource(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    route: Route,
    q: Query,
    legacyWatch: boolean,
  ): Promise<void> {
    const { api, faults } = this.deps;
    const { rt, namespace, name, subresource } = route;
    const sub = subresource ?? "";
    if (sub === "log" && rt.kind === "Pod" && method === "GET") return this.podLog(res, namespace, name!, q);
    if (sub && !((sub === "status" && rt.status) || (sub === "scale" && rt.scale) || (sub === "finalize" && rt.kind === "Namespace")))
      return this.notFound(res);
    const watch = legacyWatch || q.flag("watch");
    const verb = verbOf(method, !!name, watch);
    if (!verb) throw methodNotAllowed();
    if (!rt.verbs.includes(verb) && !sub) throw methodNotAllowed();

    const info: RequestInfo = {
      verb,
      resource: sub ? `${rt.plural}/${sub}` : rt.plural,
      group: rt.group,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
    };
    const { delayMs, fail } = faults.consume(info);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (fail) {
      const headers: Record<string, string> = fail.retryAfterSeconds !== undefined ? { "Retry-After": String(fail.retryAfterSeconds) } : {};
      const details = fail.retryAfterSeconds !== undefined ? { retryAfterSeconds: fail.retryAfterSeconds } : undefined;
      return sendStatus(
        res,
        new ApiError(fail.status, fail.reason ?? reasonFor(fail.status), fail.message ?? `injected failure (${fail.status})`, details),
        headers,
      );
    }

    const rendering = negotiate(req.headers.accept, q);
    const contentType = req.headers["content-type"];
    const warnings: string[] = rt.custom?.deprecationWarning ? [rt.custom.deprecationWarning] : [];
    const fieldValidation = q.string("fieldValidation");
    if (fieldValidation && !["Strict", "Warn", "Ignore"].includes(fieldValidation))
      throw badRequest(`fieldValidation parameter unsupported: ${fieldValidation}`);
    const dryRun = q.all("dryRun");
    for (const d of dryRun) if (d !== "All") throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
    const userAgent = String(req.headers["user-agent"] ?? "");
    const wopts: WriteOptions = {
      fieldManager: q.string("fieldManager") ?? (userAgent.split("/")[0] || "unknown"),
      dryRun: dryRun.length > 0,
      ...(fieldValidation ? { fieldValidation: fieldValidation as FieldValidation } : {}),
      warnings,
    };
    const headers = (): Record<string, string[]> => (warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {});
    const one = (o: KObject, code = 200) => {
      if (rendering.kind === "table")
        return sendJSON(res, code, toTable(rt, [o], { resourceVersion: o.metadata.resourceVersion }, rendering.include), headers());
      if (rendering.kind === "metadata") return sendJSON(res, code, partialMetadata(o), headers());
      return sendJSON(res, code, o, headers());
    };

    if (watch) {
      const fieldSelector = [q.string("fieldSelector"), name ? `metadata.name=${name}` : ""].filter(Boolean).join(",");
      const filter = api.compileFilter(rt, { labelSelector: q.string("labelSelector") ?? "", fieldSelector });
      const timeoutSeconds = q.int("timeoutSeconds");
      return serveWatch(api, faults, res, {
        rt,
        ...(namespace !== undefined ? { namespace } : {}),
        filter,
        ...(q.has("resourceVersion") ? { resourceVersion: q.string("resourceVersion")! } : {}),
        ...(timeoutSeconds ? { timeoutSeconds } : {}),
        allowBookmarks: q.flag("allowWatchBookmarks"),
        sendInitialEvents: q.flag("sendInitialEvents"),
        ...(rendering.kind === "table" ? { table: rendering.include } : {}),
        metadataOnly: rendering.kind === "metadata",
        bookmarkIntervalMs: this.deps.bookmarkIntervalMs,
        info,
      });
    }

    switch (verb) {
      case "list": {
        const limit = q.int("limit");
        const result = api.list(rt, namespace, {
          labelSelector: q.string("labelSelector") ?? "",
          fieldSelector: q.string("fieldSelector") ?? "",
          ...(limit ? { limit } : {}),
          ...(q.string("continue") ? { continue: q.string("continue")! } : {}),
        });
        const listMeta: KObject = { resourceVersion: result.resourceVersion };
        if (result.continue) {
          listMeta.continue = result.continue;
          listMeta.remainingItemCount = result.remainingItemCount;
        }
        if (rendering.kind === "table") return sendJSON(res, 200, toTable(rt, result.items, listMeta, rendering.include), headers());
        if (rendering.kind === "metadata")
          return sendJSON(
            res,
            200,
            {
              kind: "PartialObjectMetadataList",
              apiVersion: "meta.k8s.io/v1",
              metadata: listMeta,
              items: result.items.map(partialMetadata),
            },
            headers(),
          );
        return this.sendList(res, rt, result.items, listMeta, headers());
      }
      case "get":
        if (sub === "scale") return sendJSON(res, 200, api.getScale(rt, namespace, name!), headers());
        return one(api.get(rt, namespace, name!));
      case "create": {
        const format = bodyFormat(contentType);
        const body = await parseBody(await readBody(req), format);
        return one(api.create(rt, namespace, body, wopts), 201);
      }
      case "update": {
        const format = bodyFormat(contentType);
        const body = await parseBody(await readBody(req), format);
        if (sub === "scale") return sendJSON(res, 200, api.updateScale(rt, namespace, name!, body as KObject, wopts));
        if (sub === "finalize") return one(api.finalizeNamespace(name!, body as KObject, wopts));
        return one(api.update(rt, namespace, name!, body, wopts, sub === "status" ? "status" : ""));
      }
      case "patch": {
        const type = patchType(contentType);
        // Custom resources have no patch metadata: refused before the body is read, as the server does.
        if (type === "strategic" && !rt.strategicMerge) throw unsupportedMediaType(CUSTOM_PATCH_TYPES);
        const raw = await readBody(req);
        const body = await parseBody(raw, type === "apply" ? "yaml" : "json");
        if (sub === "scale") return sendJSON(res, 200, api.patchScale(rt, namespace, name!, type, body, wopts));
        const existed = type === "apply" ? !!api.tryGet(rt, namespace, name!) : true;
        const force = q.flag("force");
        // Apply has no default manager: the client must name itself.
        const manager = type === "apply" ? (q.string("fieldManager") ?? "") : wopts.fieldManager;
        const o = api.patch(rt, namespace, name!, type, body, { ...wopts, fieldManager: manager, force }, sub === "status" ? "status" : "");
        return one(o, existed ? 200 : 201);
      }
      case "delete": {
        const body = (await optionalBody(req)) as KObject | undefined;
        const { object, deleted } = api.delete(rt, namespace, name!, deleteOptions(body, q, wopts));
        return one(object, deleted ? 200 : 202);
      }
      case "deletecollection": {
        const body = (await optionalBody(req)) as KObject | undefined;
        const items = api.deleteCollection(
          rt,
          namespace,
          { labelSelector: q.string("labelSelector") ?? "", fieldSelector: q.string("fieldSelector") ?? "" },
          deleteOptions(body, q, wopts),
        );
        return this.sendList(res, rt, items, { resourceVersion: String(api.store.resourceVersion) });
      }
    }
    throw methodNotAllowed();
  }

  /**
   * Simulated containers print nothing; a pod may carry its log in the `ko.dev/log` annotation
   * (on the pod or its template), so that scripts reading logs can be tested.
   */
  private podLog(res: ServerResponse, namespace: string | undefined, name: string, q: Query): void {
    const api = this.deps.api;
    const pod = api.get(api.registry.at("", "v1", "pods")!, namespace, name);
    const container = q.string("container");
    const names: string[] = (pod.spec?.containers ?? []).map((c: KObject) => c.name);
    if (container && !names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    if (!container && names.length > 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]`);
    if (pod.status?.phase === "Pending")
      throw badRequest(`container "${container ?? names[0]}" in pod "${name}" is waiting to start: ContainerCreating`);
    let text = String(pod.metadata.annotations?.["ko.dev/log"] ?? "");
    if (text && !text.endsWith("\n")) text += "\n";
    const tail = q.int("tailLines");
    if (tail !== undefined) {
      const lines = text.split("\n").slice(0, -1);
      text = (tail > 0 ? lines.slice(-tail) : []).map((l) => `${l}\n`).join("");
    }
    res.writeHead(200, { "Content-Type": "text/plain", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  }

  /** Lists are serialized by hand so that 10,000 stored objects are not copied first. */
  private sendList(
    res: ServerResponse,
    rt: ResourceType,
    items: KObject[],
    listMeta: KObject,
    headers: Record<string, string[]> = {},
  ): void {
    const head = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(rt))},"metadata":${JSON.stringify(listMeta)},"items":[`;
    const parts: string[] = [head];
    for (let i = 0; i < items.length; i++) parts.push(i ? `,${objectJSON(items[i]!)}` : objectJSON(items[i]!));
    parts.push("]}");
    const text = parts.join("");
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Content-Length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private async admin(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    const { faults, api } = this.deps;
    const body = method === "GET" || method === "DELETE" ? undefined : await optionalBody(req, ["json"]);
    const b = (body ?? {}) as KObject;
    if (path === "faults") {
      if (method === "GET") return sendJSON(res, 200, { rules: faults.list() });
      if (method === "DELETE") {
        faults.clear();
        return sendJSON(res, 200, { cleared: true });
      }
      if (method === "POST") {
        const { type, ...rule } = b;
        if (type === "latency") return sendJSON(res, 201, { id: faults.latency(rule as never) });
        if (type === "dropWatches" || type === "drop-watches")
          return sendJSON(res, 200, { dropped: faults.dropWatches(rule.match ?? rule, rule.mode ?? "close") });
        if (typeof rule.status !== "number") throw badRequest("a fail rule needs a numeric status");
        return sendJSON(res, 201, { id: faults.fail(rule as never) });
      }
    }
    if (path.startsWith("faults/") && method === "DELETE") {
      faults.remove(Number(path.slice(7)));
      return sendJSON(res, 200, { removed: Number(path.slice(7)) });
    }
    if (path === "faults/drop-watches" && method === "POST")
      return sendJSON(res, 200, { dropped: faults.dropWatches(b.match ?? b, b.mode ?? "close") });
    if (path === "compact" && method === "POST") {
      api.store.compact();
      return sendJSON(res, 200, { compactedResourceVersion: api.store.resourceVersion });
    }
    if (this.deps.admin) {
      const out = await this.deps.admin(method, path, body);
      if (out !== undefined) return sendJSON(res, 200, out);
    }
    return this.notFound(res);
  }
}

function verbOf(method: string, item: boolean, watch: boolean): Verb | undefined {
  switch (method) {
    case "GET":
      return watch ? "watch" : item ? "get" : "list";
    case "POST":
      return item ? undefined : "create";
    case "PUT":
      return item ? "update" : undefined;
    case "PATCH":
      return item ? "patch" : undefined;
    case "DELETE":
      return item ? "delete" : "deletecollection";
  }
  return undefined;
}

function deleteOptions(body: KObject | undefined, q: Query, w: WriteOptions): DeleteOptions {
  const o: DeleteOptions = { ...w };
  const propagation = body?.propagationPolicy ?? q.string("propagationPolicy");
  if (propagation) {
    if (!["Background", "Foreground", "Orphan"].includes(propagation))
      throw badRequest(`propagationPolicy: Unsupported value: "${propagation}": supported values: "Foreground", "Background", "Orphan"`);
    o.propagationPolicy = propagation;
  }
  const orphan = body?.orphanDependents ?? q.optionalFlag("orphanDependents");
  if (orphan !== undefined) o.orphanDependents = orphan;
  const grace = body?.gracePeriodSeconds ?? q.int("gracePeriodSeconds");
  if (grace !== undefined) o.gracePeriodSeconds = grace;
  if (body?.preconditions) o.preconditions = body.preconditions;
  if (Array.isArray(body?.dryRun) && body.dryRun.includes("All")) o.dryRun = true;
  return o;
}
