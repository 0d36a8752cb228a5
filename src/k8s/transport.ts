/**
 * How the seam sends a request it admitted: with Node's own HTTP client, through the agent
 * client-node's KubeConfig chose for it (its TLS options — the cluster's authority, a client
 * certificate — keep-alive, or a proxy).
 *
 * client-node's default transport (IsomorphicFetchHttpLibrary) goes through node-fetch, whose
 * emulation of the Fetch API — Headers objects, a body stream and a PassThrough per response —
 * costs about a quarter of a whole read on the embedded cluster (bench/k8s.js: ~50 µs of ~200).
 * The seam needs only the status, the headers and the body as text, so it asks Node for them.
 *
 * What it keeps of node-fetch's behaviour: default Accept and User-Agent headers, compressed
 * answers (gzip, deflate) decompressed, a signal that cuts the request and its body's reading
 * with an `AbortError`, and a connection failure that says which request failed. A redirect is
 * answered as it is, not followed: an API server does not redirect API requests.
 */
import * as http from "node:http";
import * as https from "node:https";
import { pipeline, type Readable } from "node:stream";
import * as zlib from "node:zlib";
import type * as K from "@kubernetes/client-node";

/** An answer as the seam reads it. */
export interface Answer {
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  readonly headers: Record<string, string>;
  readonly text: string;
}

/** The failure of a request cut by its signal, named as node-fetch names it (the runtime checks the name). */
export class AbortError extends Error {
  override readonly name = "AbortError";
  readonly type = "aborted";

  constructor() {
    super("The user aborted a request.");
  }
}

/** Sends `ctx` and reads its whole answer; rejects if the connection fails or the signal aborts. */
export function send(ctx: K.RequestContext): Promise<Answer> {
  const signal = ctx.getSignal();
  if (signal?.aborted) return Promise.reject(new AbortError());
  const url = ctx.getUrl();
  const body = bodyOf(ctx.getBody());
  const client = url.startsWith("http:") ? http : https;
  return new Promise<Answer>((resolve, reject) => {
    const req = client.request(url, {
      method: ctx.getHttpMethod(),
      headers: headersFor(ctx.getHeaders(), body),
      agent: ctx.getAgent(),
    });
    const onAbort = () => req.destroy(new AbortError());
    signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => signal?.removeEventListener("abort", onAbort);
    req.on("error", (e: Error & { code?: string }) => {
      settle();
      reject(e instanceof AbortError ? e : connectionFailure(url, e));
    });
    req.on("response", (res) => {
      readText(decoded(res), (e, text) => {
        settle();
        if (e !== undefined) reject(e instanceof AbortError || signal?.aborted ? new AbortError() : connectionFailure(url, e));
        else resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), text });
      });
      // A cut request destroys the response too: its reading ends with the abort's error.
      req.once("close", () => {
        if (!res.complete) res.destroy(new AbortError());
      });
    });
    req.end(body);
  });
}

/** The body as bytes for the wire; Kubernetes requests send JSON text (or none). */
function bodyOf(body: K.RequestBody): string | undefined {
  if (body === undefined || typeof body === "string") return body;
  if (body instanceof URLSearchParams) return body.toString();
  throw new TypeError("a Kubernetes request with a form-data body cannot be sent");
}

function headersFor(given: Record<string, string>, body: string | undefined): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const name in given) headers[name.toLowerCase()] = given[name];
  headers["accept"] ??= "*/*";
  headers["user-agent"] ??= "ko-for-node";
  headers["accept-encoding"] ??= "gzip, deflate";
  if (body !== undefined) headers["content-length"] = Buffer.byteLength(body);
  return headers;
}

/**
 * The response's body stream, decompressed when the server compressed it. A pipeline, so that a
 * failure of either stream (a cut connection, corrupt data) ends the other with it.
 */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = res.headers["content-encoding"];
  const inflate =
    encoding === "gzip" || encoding === "x-gzip" ? zlib.createGunzip() : encoding === "deflate" ? zlib.createInflate() : undefined;
  return inflate === undefined ? res : pipeline(res, inflate, () => {});
}

/**
 * Reads a stream to its end as UTF-8 text; `done` gets the stream's error if it fails first, or
 * an AbortError if it closes before its end without one.
 */
function readText(stream: Readable, done: (error: Error | undefined, text: string) => void): void {
  const chunks: Buffer[] = [];
  let finished = false;
  const finish = (error: Error | undefined) => {
    if (finished) return;
    finished = true;
    done(error, error === undefined ? Buffer.concat(chunks).toString("utf8") : "");
  };
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  stream.once("end", () => finish(undefined));
  stream.once("error", finish);
  // Every stream closes, most after their end: the error is made only for one that did not end.
  stream.once("close", () => finished || finish(new AbortError()));
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}

/** A failure to reach the server or to read its answer, saying which request failed (its code kept: ECONNREFUSED...). */
function connectionFailure(url: string, e: Error & { code?: string }): Error {
  const failure = new Error(`request to ${url} failed, reason: ${e.message}`) as Error & { code?: string };
  if (e.code !== undefined) failure.code = e.code;
  return failure;
}
