/**
 * Package `net/http`: `ServeLocalDir(address, dir, url)`, the original's static file server, which
 * hands the requests under `url` to Go's `http.FileServer(http.Dir(dir))`. What is served is what
 * Go serves, for GET and HEAD:
 *
 * * `url` is a pattern of Go's ServeMux: ending in `/`, it takes every path under it (and `/static`
 *   is redirected to `/static/`); otherwise that path only; other paths get a 404. The request's
 *   path, cleaned, is looked up under `dir` as it is (Go's FileServer strips no prefix), so
 *   nothing outside `dir` is reachable;
 * * a file is sent with its Content-Type (by extension, else by a look at its first bytes), its
 *   length and its Last-Modified time; a directory as its `index.html`, or else as Go's listing (a
 *   `<pre>` of links, names sorted, directories with a trailing `/`);
 * * `…/index.html` is redirected to `…/`, a directory without its trailing slash to the path with
 *   it, a file with one to the path without it (301, relative Location, as Go's localRedirect);
 * * a missing file is `404 page not found`, one that may not be read `403 Forbidden`.
 *
 * Range and conditional requests are not answered specially: the whole file is sent with a 200.
 * Like `Serve`, it returns only when the run is cancelled.
 */
import type * as http from "node:http";
import { open, readdir, stat } from "node:fs/promises";
import * as nodePath from "node:path";
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { misuse, stringOr } from "./helpers.js";
import { finish, serveUntilCancelled } from "./http-server.js";

/** Go's built-in table of types by extension (mime.TypeByExtension), with `.txt`. */
const TYPES: Readonly<Record<string, string>> = {
  ".avif": "image/avif",
  ".css": "text/css; charset=utf-8",
  ".gif": "image/gif",
  ".htm": "text/html; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".jpeg": "image/jpeg",
  ".jpg": "image/jpeg",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".mjs": "text/javascript; charset=utf-8",
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
  ".webp": "image/webp",
  ".xml": "text/xml; charset=utf-8",
};

/** The start of HTML as Go's content sniffing recognises it (a tag, then a space or `>`). */
const HTML_START = /^\s*<(?:!DOCTYPE HTML|HTML|HEAD|SCRIPT|IFRAME|H1|DIV|FONT|TABLE|A|STYLE|TITLE|B|BODY|BR|P|!--)[ >]/i;

/** A file's type from its first bytes, in the manner of Go's http.DetectContentType. */
function sniff(head: Buffer): string {
  const text = head.toString("latin1");
  if (HTML_START.test(text)) return "text/html; charset=utf-8";
  if (/^\s*<\?xml/.test(text)) return "text/xml; charset=utf-8";
  if (text.startsWith("%PDF-")) return "application/pdf";
  if (text.startsWith("\x89PNG\r\n\x1a\n")) return "image/png";
  if (text.startsWith("GIF87a") || text.startsWith("GIF89a")) return "image/gif";
  if (text.startsWith("\xff\xd8\xff")) return "image/jpeg";
  return head.some(isBinaryByte) ? "application/octet-stream" : "text/plain; charset=utf-8";
}

/** Go's "binary data bytes": controls other than tab, newline, form feed, carriage return and escape. */
function isBinaryByte(b: number): boolean {
  return b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f);
}

/** Go's path.Clean for the slash-separated, rooted path of a URL. */
function cleanUrlPath(p: string): string {
  const cleaned = nodePath.posix.normalize(p.startsWith("/") ? p : `/${p}`);
  return cleaned.length > 1 && cleaned.endsWith("/") ? cleaned.slice(0, -1) : cleaned;
}

/** A name as Go's url.URL{Path: name}.String() writes it in a listing's link. */
function escapePath(name: string): string {
  const escaped = [...Buffer.from(name, "utf8")]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
    })
    .join("");
  // A colon in the first segment would read as a scheme: Go writes "./" before it.
  return /^[^/]*:/.test(escaped) ? `./${escaped}` : escaped;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]!);
}

/** Go's localRedirect: a 301 to a path relative to the request's, keeping its query. */
function redirect(req: http.IncomingMessage, res: http.ServerResponse, to: string): void {
  const query = new URL(req.url ?? "/", "http://localhost").search;
  res.writeHead(301, { Location: to + query });
  res.end();
}

/** Go's http.Error for a failure to open or read: 404, 403 or 500. */
function fileError(res: http.ServerResponse, e: unknown): void {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return finish(res, 404, "404 page not found\n");
  if (code === "EACCES" || code === "EPERM") return finish(res, 403, "403 Forbidden\n");
  finish(res, 500, "500 Internal Server Error\n");
}

/** Serves `urlPath` (already cleaned) from `root` as Go's FileServer does. */
async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, root: string, urlPath: string, rawPath: string) {
  if (rawPath.endsWith("/index.html")) return redirect(req, res, "./");
  let file = nodePath.join(root, ...urlPath.split("/"));
  try {
    let info = await stat(file);
    if (info.isDirectory() && !rawPath.endsWith("/")) return redirect(req, res, `${nodePath.posix.basename(rawPath)}/`);
    if (!info.isDirectory() && rawPath.endsWith("/")) return redirect(req, res, `../${nodePath.posix.basename(rawPath)}`);
    if (info.isDirectory()) {
      const index = nodePath.join(file, "index.html");
      const indexInfo = await stat(index).catch(() => undefined);
      if (indexInfo && !indexInfo.isDirectory()) [file, info] = [index, indexInfo];
    }
    if (info.isDirectory()) return await listDirectory(req, res, file, info.mtime);
    const handle = await open(file, "r");
    try {
      const bytes = await handle.readFile();
      const type = TYPES[nodePath.extname(file).toLowerCase()] ?? sniff(bytes.subarray(0, 512));
      res.writeHead(200, {
        "Content-Type": type,
        "Content-Length": bytes.length,
        "Last-Modified": info.mtime.toUTCString(),
        "Accept-Ranges": "bytes",
      });
      res.end(req.method === "HEAD" ? undefined : bytes);
    } finally {
      await handle.close();
    }
  } catch (e) {
    fileError(res, e);
  }
}

async function listDirectory(req: http.IncomingMessage, res: http.ServerResponse, dir: string, modified: Date): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lines = entries.map((e) => {
    const name = e.isDirectory() ? `${e.name}/` : e.name;
    return `<a href="${escapePath(name)}">${escapeHtml(name)}</a>\n`;
  });
  const body = `<pre>\n${lines.join("")}</pre>\n`;
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Last-Modified": modified.toUTCString() });
  res.end(req.method === "HEAD" ? undefined : body);
}

const ServeLocalDir = defineHost({
  pkg: "net/http",
  name: "ServeLocalDir",
  doc:
    "ServeLocalDir(address, dir, url) runs an HTTP server on address that serves the files of the local directory " +
    "dir (default .) under the URL pattern url, as Go's http.FileServer; it returns only when the run is cancelled.",
  params: [
    { name: "address", type: T.string, optional: true },
    { name: "dir", type: T.string, optional: true },
    { name: "url", type: T.string },
  ],
  result: T.bool,
  effects: "io",
  async: true,
  impl: ([address, dir, url], ctx) => {
    const addr = stringOr(address!, "");
    const root = stringOr(dir!, "") || ".";
    const pattern = url as string;
    if (!pattern.startsWith("/")) throw misuse("net/http.ServeLocalDir", `url ${JSON.stringify(pattern)} must start with /`);
    return serveUntilCancelled(
      "net/http.ServeLocalDir",
      addr,
      ctx,
      async (req, res) => {
        if (req.method !== "GET" && req.method !== "HEAD") {
          res.setHeader("Allow", "GET, HEAD");
          return finish(res, 405, "405 method not allowed\n");
        }
        let rawPath: string;
        try {
          rawPath = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
        } catch {
          return finish(res, 400, "400 Bad Request\n");
        }
        // Go's ServeMux sends a path that is not clean to its clean form, trailing slash kept.
        const cleaned = cleanUrlPath(rawPath);
        const canonical = rawPath.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned;
        if (canonical !== rawPath) return redirect(req, res, canonical);
        // A subtree pattern also answers its root without the slash, by a redirect.
        if (pattern.endsWith("/") && `${rawPath}/` === pattern) return redirect(req, res, pattern);
        if (pattern.endsWith("/") ? !rawPath.startsWith(pattern) : rawPath !== pattern) return finish(res, 404, "404 page not found\n");
        await serveFile(req, res, root, cleaned, rawPath);
      },
      (at) => ctx.stderr(`net/http.ServeLocalDir: serving ${JSON.stringify(root)} on ${at.replace(/\/$/, "")}${pattern}\n`),
    );
  },
});

export const httpStaticFunctions: readonly HostFunction[] = [ServeLocalDir];
