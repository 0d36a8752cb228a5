/**
 * Classification of a request to the API server from the request itself — its HTTP method, URL
 * and body — never from the Ko function that made it. Every request passes here at the seam
 * (seam.ts) before the guard (guard.ts) decides on it, so a generated operation, the convenience
 * layer, a watch and the client's own discovery requests are all seen alike.
 *
 * A URL names an API group and version, a resource, perhaps a namespace, a name and a
 * subresource: `/apis/apps/v1/namespaces/db/statefulsets/web/scale`. The resource's kind and
 * scope come from resources.ts or, for resources it does not know, from the server's discovery;
 * a path that cannot be placed is reported as such, and the guard denies it.
 */
import { subresourceUse, type ResourceType, type SubresourceUse } from "./resources.js";

type Json = Record<string, any>;

export type Verb = "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection" | "connect";
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** A request about objects: a resource, in a group and version, perhaps in a namespace. */
export interface ResourceRequest {
  readonly type: "resource";
  readonly method: string;
  readonly url: URL;
  readonly verb: Verb;
  readonly group: string;
  readonly version: string;
  /** The plural in the URL: "statefulsets". */
  readonly resource: string;
  readonly subresource?: string;
  readonly subresourceUse?: SubresourceUse;
  readonly namespace?: string;
  readonly name?: string;
  /** The body, parsed as JSON when it is JSON. */
  readonly body?: Json;
  readonly patchType?: PatchType;
  /** The options of a delete, as the server reads them. */
  readonly deleteOptions?: DeleteOptions;
  /** The request asks the server not to persist anything (`dryRun=All`, where the server reads it). */
  readonly dryRun: boolean;
}

/** A read of what the server says about itself: discovery, its version, its OpenAPI, its health. */
export interface ServerRead {
  readonly type: "server";
  readonly method: string;
  readonly url: URL;
  readonly verb: "get";
}

/** A request the classifier cannot place; `why` says what it found. */
export interface Unplaced {
  readonly type: "unplaced";
  readonly method: string;
  readonly url: URL;
  readonly why: string;
}

export type Classified = ResourceRequest | ServerRead | Unplaced;

/** The parts of an HTTP request the classifier reads. */
export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

export const READ_VERBS: ReadonlySet<Verb> = new Set(["get", "list", "watch"]);

/** `/api/v1/namespaces/{name}/status` and `/finalize` are a namespace's own; other third segments are resources. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/**
 * Whether a path describes the server (discovery, its version, its OpenAPI, its health, its
 * OpenID configuration): readable with GET. `segments` are the path's, split at each slash, the
 * empty one before its first slash left out, not yet decoded.
 */
function describesServer(segments: readonly string[]): boolean {
  const n = segments.length;
  switch (segments[0]) {
    case "api":
      return n === 1 || (n === 2 && segments[1] === "v1");
    case "apis":
      // /apis, /apis/GROUP, /apis/GROUP/VERSION
      return n <= 3 && segments.every((s) => s !== "");
    case "version":
      return n === 1;
    case "openapi":
      return n >= 2 && (segments[1] === "v2" || segments[1] === "v3");
    case "healthz":
    case "livez":
    case "readyz":
      return true;
    case ".well-known":
      return n === 2 && segments[1] === "openid-configuration";
    case "openid":
      return n === 3 && segments[1] === "v1" && segments[2] === "jwks";
  }
  return false;
}

/** The query of a URL without one: nothing in it, and no URLSearchParams made for each request. */
const NO_QUERY: Pick<URLSearchParams, "get" | "getAll"> = new URLSearchParams();

/**
 * What a request is, from its method, URL and body. Every write passes here, so it is written to
 * do little: the path split once, decoded only where it is percent-encoded, the query read only
 * when there is one.
 */
export function classify(raw: RawRequest): Classified {
  const method = raw.method.toUpperCase();
  let url: URL;
  try {
    url = new URL(raw.url);
  } catch {
    return { type: "unplaced", method, url: new URL("invalid:" + encodeURIComponent(raw.url)), why: "the URL cannot be parsed" };
  }
  const unplaced = (why: string): Unplaced => ({ type: "unplaced", method, url, why });
  const segments = withoutTrailingSlashes(url.pathname).split("/").slice(1);
  if (describesServer(segments))
    return method === "GET" ? { type: "server", method, url, verb: "get" } : unplaced("it writes to a path that describes the server");

  let parts: string[];
  try {
    parts = [];
    for (const s of segments) if (s !== "") parts.push(s.includes("%") ? decodeURIComponent(s) : s);
  } catch {
    return unplaced("its path is not valid percent-encoding");
  }
  // Where the path goes on after /api/v1 or /apis/GROUP/VERSION.
  let at: number;
  let group: string;
  if (parts[0] === "api" && parts[1] === "v1") {
    group = "";
    at = 2;
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    at = 3;
  } else return unplaced("its path is not under /api/v1 or /apis/GROUP/VERSION");
  const version = group === "" ? "v1" : parts[2]!;

  const legacyWatch = parts[at] === "watch";
  if (legacyWatch) at++;
  const rest = parts.length - at;
  let namespace: string | undefined;
  let resource: string;
  let name: string | undefined;
  let sub: string | undefined;
  let tail: number;
  if (parts[at] === "namespaces" && rest >= 3 && !(group === "" && rest === 3 && NAMESPACE_SUBRESOURCES.has(parts[at + 2]!))) {
    // /namespaces/{ns}/{resource}[/{name}[/{subresource}[/...]]]
    namespace = parts[at + 1];
    [resource, name, sub] = [parts[at + 2]!, parts[at + 3], parts[at + 4]];
    tail = rest - 5;
  } else {
    // /{resource}[/{name}[/{subresource}[/...]]]: cluster-scoped, a namespace itself, or every namespace
    [resource, name, sub] = [parts[at] ?? "", parts[at + 1], parts[at + 2]];
    tail = rest - 3;
  }
  if (resource === "") return unplaced("its path names no resource");
  const use = sub === undefined ? undefined : subresourceUse(sub);
  if (sub !== undefined && use === undefined) return unplaced(`${sub} is not a subresource Kubernetes defines`);
  // Only a proxy continues past its subresource (pods/NAME/proxy/some/path).
  if (tail > 0 && use !== "connect") return unplaced("its path goes on past the subresource");
  if (legacyWatch && method !== "GET") return unplaced("it writes under /watch/");

  const query = url.search === "" ? NO_QUERY : url.searchParams;
  const watchParam = query.get("watch");
  const watch = legacyWatch || watchParam === "true" || watchParam === "1";
  const verb = verbOf(method, name !== undefined, sub, use, watch);
  if (typeof verb !== "string") return unplaced(verb.why);
  const body = parseBody(raw.body);
  const patchType = method === "PATCH" ? patchTypeOf(raw.contentType) : undefined;
  if (method === "PATCH" && patchType === undefined)
    return unplaced(`its patch type ${JSON.stringify(raw.contentType ?? "")} is not one Kubernetes accepts`);
  const options = method === "DELETE" ? deleteOptionsOf(raw.body, body, query) : undefined;
  const dryRun = options ? options.dryRun : query.getAll("dryRun").includes("All");
  // Optional fields are present only when they have a value, as the type says.
  const req: Mutable<ResourceRequest> = { type: "resource", method, url, verb, group, version, resource, dryRun };
  if (sub !== undefined) {
    req.subresource = sub;
    req.subresourceUse = use!;
  }
  if (namespace !== undefined) req.namespace = namespace;
  if (name !== undefined) req.name = name;
  if (body !== undefined) req.body = body;
  if (patchType !== undefined) req.patchType = patchType;
  if (options) req.deleteOptions = options;
  return req;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `/api/v1/pods/` as `/api/v1/pods`; `/` stays `/`. */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  return end === path.length ? path : path.slice(0, end);
}

/**
 * The options of a delete as the API server reads them: from the body when there is one (its
 * query is then ignored), else from the query. A body that is not JSON decides too: it asks for
 * nothing, so the delete is taken at its word.
 */
function deleteOptionsOf(text: unknown, body: Json | undefined, query: Pick<URLSearchParams, "get" | "getAll">): DeleteOptions {
  if (typeof text === "string" && text.trim() !== "") {
    const policy = body?.propagationPolicy;
    return {
      dryRun: Array.isArray(body?.dryRun) && body.dryRun.includes("All"),
      propagation: policy === "Orphan" || policy === "Foreground" ? policy : body?.orphanDependents === true ? "Orphan" : "Background",
    };
  }
  const policy = query.get("propagationPolicy");
  return {
    dryRun: query.getAll("dryRun").includes("All"),
    propagation:
      policy === "Orphan" || policy === "Foreground" ? policy : query.get("orphanDependents") === "true" ? "Orphan" : "Background",
  };
}

/** Whether a delete is a dry run, and how its dependents go (absent: Background, as for most kinds). */
export interface DeleteOptions {
  readonly dryRun: boolean;
  readonly propagation: "Orphan" | "Background" | "Foreground";
}

/**
 * A request made a dry run: `dryRun=All` in its query, and for a delete with a body (whose query
 * the server ignores) in its DeleteOptions too. Returns the URL and the body to send.
 */
export function asDryRun(method: string, url: string, body: unknown): { url: string; body: unknown } {
  const u = new URL(url);
  u.searchParams.set("dryRun", "All");
  if (method.toUpperCase() !== "DELETE" || typeof body !== "string" || body.trim() === "") return { url: u.toString(), body };
  const options = parseBody(body);
  // A body that is not JSON: the server will refuse it; it is not sent as it is.
  return { url: u.toString(), body: JSON.stringify({ ...(options ?? {}), dryRun: ["All"] }) };
}

function verbOf(
  method: string,
  named: boolean,
  sub: string | undefined,
  use: SubresourceUse | undefined,
  watch: boolean,
): Verb | { why: string } {
  if (use === "connect") return "connect";
  switch (method) {
    case "GET":
      if (watch) return "watch";
      return named ? "get" : "list";
    case "POST":
      // A create goes to a collection, or to a subresource that makes something (eviction, token, binding).
      if (!named) return "create";
      return sub !== undefined && (use === "evict" || use === "token" || sub === "binding") ? "create" : { why: "it posts to an object" };
    case "PUT":
      return named ? "update" : { why: "it puts to a collection" };
    case "PATCH":
      return named ? "patch" : { why: "it patches a collection" };
    case "DELETE":
      if (sub !== undefined) return { why: "it deletes a subresource" };
      return named ? "delete" : "deletecollection";
  }
  return { why: `Kubernetes has no ${method} requests` };
}

/** The media type of a Content-Type header, without its parameters, in lower case: `application/json`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const type = mediaType(contentType);
  if (type === "application/json-patch+json") return "json";
  if (type === "application/merge-patch+json") return "merge";
  if (type === "application/strategic-merge-patch+json") return "strategic";
  if (type.startsWith("application/apply-patch")) return "apply";
  return undefined;
}

function parseBody(body: unknown): Json | undefined {
  if (typeof body !== "string" || body === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The name of the object a create makes: the body's name, or its generateName with a marker. */
export function createdName(req: ResourceRequest): string | undefined {
  const meta = req.body?.metadata;
  if (typeof meta?.name === "string" && meta.name !== "") return meta.name;
  if (typeof meta?.generateName === "string") return `${meta.generateName}*`;
  return undefined;
}

/** The propagation policy of a delete (absent: Background, as for most kinds; a policy errs on the side of counting). */
export function propagationOf(req: ResourceRequest): "Orphan" | "Background" | "Foreground" {
  return req.deleteOptions?.propagation ?? "Background";
}

/** `StatefulSet db/web`, `Namespace db`, `ClusterRole admin`: an object for people. */
export function objectName(kind: string, namespace: string | undefined, name: string | undefined): string {
  return `${kind}${name === undefined ? "" : ` ${namespace !== undefined && kind !== "Namespace" ? `${namespace}/` : ""}${name}`}`;
}

/** The request in words: `delete StatefulSet db/web`, `deletecollection ConfigMap in db (labelSelector app=x)`. */
export function describeRequest(req: Classified, type?: ResourceType): string {
  if (req.type !== "resource") return `${req.method} ${req.url.pathname}`;
  const kind = type?.kind ?? req.resource;
  const sub = req.subresource === undefined ? "" : `/${req.subresource}`;
  if (req.name === undefined) {
    const created = req.verb === "create" ? createdName(req) : undefined;
    if (created !== undefined) return `${req.verb} ${objectName(kind, req.namespace, created)}`;
    const where = req.namespace !== undefined ? ` in ${req.namespace}` : type?.namespaced ? " in all namespaces" : "";
    const selectors = ["labelSelector", "fieldSelector"]
      .map((s) => [s, req.url.searchParams.get(s)] as const)
      .filter(([, v]) => v !== null && v !== "")
      .map(([s, v]) => `${s} ${v}`);
    return `${req.verb} ${kind}${where}${selectors.length ? ` (${selectors.join(", ")})` : ""}`;
  }
  return `${req.verb} ${objectName(kind, req.namespace, req.name)}${sub}`;
}
