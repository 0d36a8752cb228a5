/**
 * Package `net/http`, the client side of the original's gates: `NewClient()`, `Request(client,
 * method, url, body)`, and `BodyAsString` and `BodyAsJSON` of the response a request gives.
 *
 * A request behaves as Go's default client does: method GET unless given; a String body is sent as
 * it is and any other value as its JSON encoding; gzip is asked for and undone; redirects are
 * followed, up to ten (after a 301, 302 or 303 the request goes on as a GET without a body, after
 * a 307 or 308 unchanged). Cancelling the run aborts the request. A request that fails (no
 * connection, an invalid URL, too many redirects) is an operational failure: a panic
 * `(error: "net/http.Request", message, url)` (D15); a response, whatever its status, is not.
 *
 * The response is the structure `(statusCode, response)`, where `response` holds the body, read in
 * full before `Request` returns: unlike Go's stream, which can be read once, the body is a value,
 * so `BodyAsString` gives it every time it is asked. Without `client`, requests share the process's
 * connections; a client of `NewClient()` keeps its own, kept alive between requests.
 */
import type * as http from "node:http";
import type * as https from "node:https";
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { EMPTY, field, int64, Opaque, Struct, type Value } from "../value/value.js";
import { toData, decodedValue, type Data } from "./data.js";
import { cancellation, failure, messageOf, stringOr } from "./helpers.js";
import { encodeJson, JsonSyntaxError, parseJson } from "./json.js";
import { nodeHttp, nodeHttps, nodeZlib } from "./node-builtins.js";

const PKG = "net/http";
const CLIENT = "net/http.Client";
const BODY = "net/http.Response";

/** A client's connection pools, one per protocol. */
interface Client {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** What a response holds besides its status: the body as received. */
interface Body {
  readonly bytes: Buffer;
}

/** The most redirects a request follows, as Go's default client. */
const MAX_REDIRECTS = 10;

const NewClient = defineHost({
  pkg: PKG,
  name: "NewClient",
  doc: "NewClient() makes an HTTP client with connections of its own, kept alive between its requests.",
  params: [],
  result: T.opaque(CLIENT),
  // Not pure: each client is a pool of connections of its own.
  effects: "io",
  impl: () => {
    const client: Client = { http: new (nodeHttp().Agent)({ keepAlive: true }), https: new (nodeHttps().Agent)({ keepAlive: true }) };
    return new Opaque(CLIENT, client);
  },
});

interface Outgoing {
  readonly method: string;
  readonly url: URL;
  readonly body: Buffer | undefined;
}

interface Incoming {
  readonly status: number;
  readonly location: string | undefined;
  readonly bytes: Buffer;
}

/** One exchange: sends the request and reads the whole response, undoing gzip. */
function exchange(out: Outgoing, client: Client | undefined, signal: AbortSignal): Promise<Incoming> {
  const secure = out.url.protocol === "https:";
  const agent = client ? (secure ? client.https : client.http) : undefined;
  const headers: http.OutgoingHttpHeaders = { "Accept-Encoding": "gzip", "User-Agent": "Ko-http-client/1.1" };
  if (out.body) headers["Content-Length"] = out.body.length;
  const options: http.RequestOptions = { method: out.method, headers, signal, ...(agent ? { agent } : {}) };
  return new Promise((resolve, reject) => {
    const req = (secure ? nodeHttps() : nodeHttp()).request(out.url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        let bytes = Buffer.concat(chunks);
        try {
          if (res.headers["content-encoding"] === "gzip" && bytes.length > 0) bytes = nodeZlib().gunzipSync(bytes);
        } catch (e) {
          return reject(e instanceof Error ? e : new Error(String(e)));
        }
        resolve({ status: res.statusCode ?? 0, location: res.headers.location, bytes });
      });
    });
    req.on("error", reject);
    req.end(out.body);
  });
}

/** The request after a redirect to `location`, as Go's client makes it; undefined if not a redirect. */
function redirected(out: Outgoing, status: number, location: string | undefined): Outgoing | undefined {
  if (location === undefined || ![301, 302, 303, 307, 308].includes(status)) return undefined;
  const url = new URL(location, out.url);
  if (status === 307 || status === 308) return { ...out, url };
  return { method: out.method === "HEAD" ? "HEAD" : "GET", url, body: undefined };
}

/** A String body as it is, any other value as JSON (the original's json.Marshal of it). */
function bodyOf(v: Value): Buffer | undefined {
  if (v === EMPTY) return undefined;
  if (typeof v === "string") return Buffer.from(v, "utf8");
  return Buffer.from(encodeJson(toData(v, "net/http.Request"), "net/http.Request"), "utf8");
}

/** The URL of a request, or the panic that says why there is none (Go fails the request too). */
function urlOf(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw failure("net/http.Request", `${JSON.stringify(text)} is not an absolute URL`, { url: text });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw failure("net/http.Request", `unsupported protocol scheme ${JSON.stringify(url.protocol.slice(0, -1))}`, { url: text });
  }
  return url;
}

const Request = defineHost({
  pkg: PKG,
  name: "Request",
  doc:
    "Request(client, method, url, body) performs an HTTP request (method default GET; a String body as is, another " +
    "value as JSON) on the client (default: the process's) and returns (statusCode, response). Panics with " +
    "(error, message, url) if there is no response.",
  params: [
    { name: "client", type: T.opaque(CLIENT), optional: true },
    { name: "method", type: T.string, optional: true },
    { name: "url", type: T.string, optional: true },
    { name: "body", type: T.any, optional: true },
  ],
  result: T.struct({ statusCode: T.int64, response: T.opaque(BODY) }),
  effects: "io",
  async: true,
  impl: async ([client, method, url, body], ctx) => {
    const text = stringOr(url!, "");
    let out: Outgoing = { method: stringOr(method!, "GET").toUpperCase(), url: urlOf(text), body: bodyOf(body!) };
    const pool = client === EMPTY ? undefined : ((client as Opaque).value as Client);
    for (let redirects = 0; ; redirects++) {
      let got: Incoming;
      try {
        got = await exchange(out, pool, ctx.signal);
      } catch (e) {
        if (ctx.signal.aborted) throw cancellation(ctx.signal);
        throw failure("net/http.Request", `${out.method} ${out.url.href}: ${messageOf(e)}`, { url: out.url.href });
      }
      const next = redirected(out, got.status, got.location);
      if (next === undefined) {
        const response: Body = { bytes: got.bytes };
        return new Struct([field("statusCode", int64(BigInt(got.status))), field("response", new Opaque(BODY, response))]);
      }
      if (redirects + 1 >= MAX_REDIRECTS) {
        throw failure("net/http.Request", `${out.method} ${text}: stopped after ${MAX_REDIRECTS} redirects`, { url: text });
      }
      out = next;
    }
  },
});

/** The response a request returned, by its `response` field. */
const response = { name: "response", type: T.struct({ statusCode: T.int64, response: T.opaque(BODY) }), monadic: true } as const;

function bytesOf(resp: Value): Buffer {
  const body = (resp as Struct).fields.find((f) => f.name === "response")?.value;
  if (!(body instanceof Opaque) || body.hostType !== BODY) throw failure("net/http.BodyAsString", "response not set");
  return (body.value as Body).bytes;
}

const BodyAsString = defineHost({
  pkg: PKG,
  name: "BodyAsString",
  doc: "BodyAsString(response?) returns the body of the response (of Request) as a string, decoded from UTF-8.",
  params: [response],
  result: T.string,
  effects: "pure",
  impl: ([resp]) => bytesOf(resp!).toString("utf8"),
});

const BodyAsJSON = defineHost({
  pkg: PKG,
  name: "BodyAsJSON",
  doc: "BodyAsJSON(response?) decodes the body of the response (of Request) as JSON, as encoding/json.Unmarshal does (D34).",
  params: [response],
  result: T.any,
  effects: "pure",
  impl: ([resp]) => {
    const text = bytesOf(resp!).toString("utf8");
    let data: Data;
    try {
      data = parseJson(text);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      throw failure("net/http.BodyAsJSON", `the body is not JSON: ${e.message}`);
    }
    return decodedValue(data, "net/http.BodyAsJSON");
  },
});

export const httpClientFunctions: readonly HostFunction[] = [NewClient, Request, BodyAsString, BodyAsJSON];
