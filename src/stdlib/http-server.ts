/**
 * Package `net/http`, the server side of the original's gates: `Serve(address, handler)` runs an
 * HTTP server that invokes a Ko handler for every request, which answers with `SendJSON` (after
 * `SetHeader`, if it likes). Both servers of the package (this one and `ServeLocalDir`,
 * http-static.ts) listen through `serveUntilCancelled` below.
 *
 * As in the original, serving never returns: the call lasts until the run is cancelled (Ctrl-C,
 * or the end of `ko run` for a spun server, D32), which closes the server. An address that cannot
 * be listened on is an operational failure: a panic `(error: "net/http.Serve", message)`.
 *
 * The handler is called as `handler(ctx: (path: <the request's path>, writer: <its response>))`,
 * the original's handler context. A handler that fails does not stop the server: the failure is
 * reported on standard error and the client gets a 500 unless something was sent already; a
 * handler that sends nothing sends an empty 200, as Go's server does.
 */
import type * as http from "node:http";
import type { AddressInfo } from "node:net";
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { describeFailure } from "../value/describe-failure.js";
import { KoCancelled } from "../value/failure.js";
import { bigOf, cancellation, failure, messageOf, misuse, stringOr } from "./helpers.js";
import { encodeJson } from "./json.js";
import { toData } from "./data.js";
import { nodeHttp } from "./node-builtins.js";
import { EMPTY, field, lift, Opaque, Struct, type Value } from "../value/value.js";

const PKG = "net/http";
const WRITER = "net/http.ResponseWriter";

/** Where a Go address (`:3000`, `127.0.0.1:8080`, `[::1]:0`) listens: no host is every interface. */
export function parseAddress(fn: string, address: string): { host?: string; port: number } {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d*)$/.exec(address === "" ? ":" : address);
  if (!m) throw failure(fn, `address ${JSON.stringify(address)} is not host:port`);
  const host = m[1] ?? m[2] ?? "";
  // Go listens on port 80, the port of "http", when none is given.
  const port = m[3] === "" ? 80 : Number(m[3]);
  if (port > 65535) throw failure(fn, `address ${JSON.stringify(address)}: port ${port} is out of range`);
  return host === "" ? { port } : { host, port };
}

/**
 * Listens on `address` with `handle` until the run is cancelled, then closes the server and every
 * connection and fails with the cancellation. `announce` is told the URL the server answers at
 * (with the port the system chose for port 0).
 */
export function serveUntilCancelled(
  fn: string,
  address: string,
  ctx: HostContext,
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  announce: (url: string) => void,
): Promise<never> {
  const where = parseAddress(fn, address);
  return new Promise<never>((_, reject) => {
    if (ctx.signal.aborted) return reject(cancellation(ctx.signal));
    const server = nodeHttp().createServer((req, res) => void handle(req, res));
    const stop = () => {
      server.close();
      server.closeAllConnections();
      reject(cancellation(ctx.signal));
    };
    server.once("error", (e) => {
      ctx.signal.removeEventListener("abort", stop);
      reject(failure(fn, `serving ${address}: ${messageOf(e)}`, { address }));
    });
    server.listen(where.port, where.host, () => {
      const bound = server.address() as AddressInfo;
      const host = bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
      announce(`http://${host}:${bound.port}/`);
    });
    ctx.signal.addEventListener("abort", stop, { once: true });
  });
}

/** The response of a handler context, as SendJSON and SetHeader find it. */
interface Writer {
  readonly res: http.ServerResponse;
}

/** The original's handler context: `(path, writer)`. */
const handlerContext = T.struct({ path: T.string, writer: T.opaque(WRITER) });

/** The response of a handler context; `fn` names the caller in the error for anything else. */
function writerOf(fn: string, hctx: Value): http.ServerResponse {
  const writer = (hctx as Struct).fields.find((f) => f.name === "writer")?.value;
  if (!(writer instanceof Opaque) || writer.hostType !== WRITER)
    throw misuse(fn, "ctx is not the handler context Serve passed to the handler");
  return (writer.value as Writer).res;
}

/** The request's path, decoded as Go's URL.Path is; undefined if it cannot be. */
function pathOf(req: http.IncomingMessage): string | undefined {
  try {
    return decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
  } catch {
    return undefined;
  }
}

/** Ends a response that a handler left open, or answers one whose handler failed. */
export function finish(res: http.ServerResponse, status: number, text: string): void {
  if (res.writableEnded) return;
  if (!res.headersSent) {
    res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
    res.end(text);
  } else res.end();
}

const Serve = defineHost({
  pkg: PKG,
  name: "Serve",
  doc:
    "Serve(address, handler) runs an HTTP server on address (host:port, :port for every interface) that calls " +
    "handler(ctx: (path, writer)) for every request; it returns only when the run is cancelled.",
  params: [
    { name: "address", type: T.string, optional: true },
    { name: "handler", type: T.variety },
  ],
  result: T.bool,
  effects: "io",
  async: true,
  impl: ([address, handler], ctx) => {
    const addr = stringOr(address!, "");
    return serveUntilCancelled(
      "net/http.Serve",
      addr,
      ctx,
      async (req, res) => {
        const path = pathOf(req);
        if (path === undefined) return finish(res, 400, "400 Bad Request\n");
        const writer: Writer = { res };
        const hctx = new Struct([field("path", path), field("writer", new Opaque(WRITER, writer))]);
        try {
          await ctx.call(handler!, [field("ctx", hctx)]);
          finish(res, 200, "");
        } catch (e) {
          if (e instanceof KoCancelled || ctx.signal.aborted) return void res.destroy();
          ctx.stderr(`net/http.Serve: the handler failed on ${req.method ?? "GET"} ${req.url ?? "/"}: ${describeFailure(e)}\n`);
          finish(res, 500, "500 Internal Server Error\n");
        }
      },
      (url) => ctx.stderr(`net/http.Serve: serving ${addr} at ${url}\n`),
    );
  },
});

/** Content-Type of SendJSON when the handler set none: the original's (not application/json). */
const CONTENT_TYPE_JSON = "text/json";

const SendJSON = defineHost({
  pkg: PKG,
  name: "SendJSON",
  doc:
    "SendJSON(ctx, statusCode, value?) answers the request of the handler context ctx with the status (default 200) " +
    'and the value as JSON (Content-Type "text/json" unless set); returns true.',
  params: [
    { name: "ctx", type: handlerContext },
    { name: "value", type: T.any, monadic: true, optional: true },
    { name: "statusCode", type: T.int64, optional: true },
  ],
  result: T.bool,
  effects: "io",
  impl: ([hctx, value, statusCode]) => {
    const res = writerOf("net/http.SendJSON", hctx!);
    if (res.writableEnded) throw misuse("net/http.SendJSON", "the response was already sent");
    const status = statusCode === EMPTY ? 200 : Number(bigOf(statusCode!));
    if (status < 100 || status > 999) throw misuse("net/http.SendJSON", `status code ${status} is not between 100 and 999`);
    const body = encodeJson(toData(value!, "net/http.SendJSON"), "net/http.SendJSON");
    if (!res.headersSent) {
      if (res.getHeader("Content-Type") === undefined) res.setHeader("Content-Type", CONTENT_TYPE_JSON);
      res.writeHead(status);
    }
    res.end(body);
    return true;
  },
});

const SetHeader = defineHost({
  pkg: PKG,
  name: "SetHeader",
  doc: "SetHeader(ctx, entry) sets the response headers entry (one or a sequence of (key, value)) of the handler context ctx; returns ctx.",
  params: [
    { name: "ctx", type: handlerContext },
    { name: "entry", type: T.list(T.struct({ key: T.string, value: T.string })), optional: true },
  ],
  result: handlerContext,
  effects: "io",
  impl: ([hctx, entries]) => {
    const res = writerOf("net/http.SetHeader", hctx!);
    if (res.headersSent) throw misuse("net/http.SetHeader", "the response was already sent");
    for (const e of lift(entries!)) {
      const fields = new Map((e as Struct).fields.map((f) => [f.name, f.value]));
      const key = fields.get("key");
      const value = fields.get("value");
      if (typeof key !== "string" || typeof value !== "string") throw misuse("net/http.SetHeader", "an entry needs a String key and value");
      try {
        res.setHeader(key, value);
      } catch (err) {
        throw misuse("net/http.SetHeader", messageOf(err));
      }
    }
    return hctx!;
  },
});

export const httpServerFunctions: readonly HostFunction[] = [Serve, SendJSON, SetHeader];
