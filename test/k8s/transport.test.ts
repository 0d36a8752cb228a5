/**
 * The transport (src/k8s/transport.ts): what the seam sends every admitted request with, against
 * a real local HTTP server — what reaches the server, compressed and repeated answers, a signal
 * that cuts a request (before it starts, while the server thinks, in the middle of its body), and
 * a server that is not there.
 */
import { getEventListeners } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as zlib from "node:zlib";
import * as K from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AbortError, send } from "../../src/k8s/transport.js";

let server: http.Server;
let base: string;
/** The requests the server received: method, path, headers and body. */
const received: { method: string; path: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
/** Requests whose connection closed before their answer was complete. */
let cut = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      received.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      res.on("close", () => {
        if (!res.writableFinished) cut++;
      });
      answer(req.url!, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function answer(path: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const json = JSON.stringify({ kind: "ConfigMap", data: { path } });
  switch (path) {
    case "/gzip":
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(zlib.gzipSync(json));
      return;
    case "/deflate":
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "deflate" });
      res.end(zlib.deflateSync(json));
      return;
    case "/corrupt":
      res.writeHead(200, { "content-encoding": "gzip" });
      res.end("not gzip at all");
      return;
    case "/repeated":
      res.setHeader("warning", ["299 - first", "299 - second"]);
      res.end(json);
      return;
    case "/slow": // never answers: only a cut ends it
      return;
    case "/half": // sends the start of its body, then stalls
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kind":"Con');
      return;
    case "/dies": // sends the start of its body, then its connection drops
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"kind":"Con', () => req.socket.destroy());
      return;
    case "/missing":
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", code: 404 }));
      return;
    default:
      res.writeHead(200, { "content-type": "application/json" });
      res.end(json);
  }
}

const agent = new http.Agent({ keepAlive: true });

function request(
  path: string,
  opts: { method?: K.HttpMethod; body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  const ctx = new K.RequestContext(base + path, opts.method ?? K.HttpMethod.GET);
  for (const [name, value] of Object.entries(opts.headers ?? {})) ctx.setHeaderParam(name, value);
  if (opts.body !== undefined) ctx.setBody(opts.body);
  if (opts.signal) ctx.setSignal(opts.signal);
  ctx.setAgent(agent);
  return send(ctx);
}

describe("what reaches the server", () => {
  test("method, path with query, the request's headers, its body and its length", async () => {
    const body = JSON.stringify({ metadata: { name: "größe" } });
    const answer = await request("/api/v1/namespaces/default/configmaps?dryRun=All", {
      method: K.HttpMethod.POST,
      body,
      headers: { "Content-Type": "application/json", Authorization: "Bearer t0ken" },
    });
    expect(answer.status).toBe(200);
    const got = received.at(-1)!;
    expect(got).toMatchObject({ method: "POST", path: "/api/v1/namespaces/default/configmaps?dryRun=All", body });
    expect(got.headers).toMatchObject({
      "content-type": "application/json",
      authorization: "Bearer t0ken",
      "content-length": String(Buffer.byteLength(body)),
      "user-agent": "ko-for-node",
      accept: "*/*",
      "accept-encoding": "gzip, deflate",
    });
  });

  test("the request's own Accept is kept", async () => {
    await request("/plain", { headers: { Accept: "application/json" } });
    expect(received.at(-1)!.headers.accept).toBe("application/json");
  });
});

describe("answers", () => {
  test("status, headers in lower case and the body as text, for a failure too", async () => {
    const answer = await request("/missing");
    expect(answer.status).toBe(404);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(answer.text)).toEqual({ kind: "Status", code: 404 });
  });

  test.each(["/gzip", "/deflate"])("a compressed answer (%s) is decompressed", async (path) => {
    const answer = await request(path);
    expect(JSON.parse(answer.text)).toEqual({ kind: "ConfigMap", data: { path } });
  });

  test("a corrupt compressed answer fails, and does not hang", async () => {
    await expect(request("/corrupt")).rejects.toThrow(`request to ${base}/corrupt failed, reason: incorrect header check`);
  });

  test("a connection that drops in the middle of the body fails, saying which request", async () => {
    await expect(request("/dies")).rejects.toThrow(`request to ${base}/dies failed, reason: aborted`);
  });

  test("a repeated header's values are joined", async () => {
    const answer = await request("/repeated");
    expect(answer.headers.warning).toBe("299 - first, 299 - second");
  });
});

describe("cancellation", () => {
  test("an aborted signal sends nothing", async () => {
    const before = received.length;
    const signal = AbortSignal.abort();
    await expect(request("/plain", { signal })).rejects.toBeInstanceOf(AbortError);
    expect(received.length).toBe(before);
  });

  test.each(["/slow", "/half"])("aborting cuts the request (%s) and its connection", async (path) => {
    const controller = new AbortController();
    const cutBefore = cut;
    const pending = request(path, { signal: controller.signal });
    await until(() => received.at(-1)?.path === path);
    controller.abort();
    const failure = await pending.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AbortError);
    expect((failure as Error).name).toBe("AbortError");
    await until(() => cut === cutBefore + 1);
  });

  test("a signal shared by many requests keeps no listener after they end", async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await request("/plain", { signal: controller.signal });
    await request("/missing", { signal: controller.signal });
    await expect(request("/corrupt", { signal: controller.signal })).rejects.toThrow();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

test("a server that is not there: the request that failed, and the reason's code", async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const ctx = new K.RequestContext(`http://127.0.0.1:${port}/api`, K.HttpMethod.GET);
  const failure = (await send(ctx).catch((e: unknown) => e)) as Error & { code?: string };
  expect(failure.message).toBe(`request to http://127.0.0.1:${port}/api failed, reason: connect ECONNREFUSED 127.0.0.1:${port}`);
  expect(failure.code).toBe("ECONNREFUSED");
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}
