/**
 * Package net/http, the original's gates, over real HTTP on the loopback interface: the client
 * (NewClient, Request, BodyAsString, BodyAsJSON) against a server this test runs, and the
 * servers (Serve with SendJSON and SetHeader; ServeLocalDir) in a `ko run` process this test
 * talks to and then interrupts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KO, koInProcess } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";

describe("the client", () => {
  let server: http.Server;
  let base = "";

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        switch (req.url) {
          case "/hello":
            return res.end("hello, ko");
          case "/json":
            res.setHeader("Content-Type", "application/json");
            return res.end('{"a": 1, "b": ["x", "y"], "c": {"d": true}}');
          case "/echo":
            return res.end(JSON.stringify({ method: req.method, body, type: req.headers["content-type"] ?? "none" }));
          case "/moved":
            res.writeHead(302, { Location: "/hello" });
            return res.end();
          case "/kept":
            res.writeHead(307, { Location: "/echo" });
            return res.end();
          case "/loop":
            res.writeHead(302, { Location: "/loop" });
            return res.end();
          case "/zipped":
            res.writeHead(200, { "Content-Encoding": "gzip" });
            return res.end(gzipSync("unzipped"));
          default:
            res.writeHead(404);
            return res.end("nothing here");
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Runs `Main(base)` of a program that imports net/http. */
  async function run(body: string, defs = "") {
    const program = `import "net/http"\nimport "strings"\n${defs}\nMain(base) {\n${body}\n}\n`;
    return koInProcess(["run", tempFile("client.ko", program, "ko-http-"), "--arg", `base=${JSON.stringify(base)}`]);
  }

  test("Request GETs by default; the response has a status and a body, read as a string", async () => {
    const out = await run(
      `\tresp: http.Request(url: strings.Join(string: (base, "/hello")))\n\treturn: (status: resp.statusCode, body: http.BodyAsString(resp), again: http.BodyAsString(resp))`,
    );
    expect(out).toMatchObject({ stdout: '(status: 200, body: "hello, ko", again: "hello, ko")\n', status: 0 });
  });

  test("BodyAsJSON decodes the body as encoding/json does: numbers are Float64 (D34)", async () => {
    const out = await run(
      `\tbody: http.BodyAsJSON(http.Request(url: strings.Join(string: (base, "/json"))))\n\treturn: (body: body, float: Equal(body.a, 1.0))`,
    );
    expect(out).toMatchObject({ stdout: '(body: (a: 1, b: ("x", "y"), c: (d: true)), float: true)\n', status: 0 });
  });

  test("a String body is sent as it is, any other value as JSON, with the method given", async () => {
    const out = await run(
      `\turl: strings.Join(string: (base, "/echo"))\n` +
        `\treturn: (\n\t\ttext: http.BodyAsJSON(http.Request(method: "PUT", url: url, body: "plain")).body\n` +
        `\t\tjson: http.BodyAsJSON(http.Request(method: "post", url: url, body: (x: 1, y: ("a", "b")))).body\n` +
        `\t\tnone: http.BodyAsJSON(http.Request(url: url))\n\t)`,
    );
    expect(out.stderr).toBe("");
    expect(out.stdout).toBe(
      [
        "(",
        '\ttext: "plain"',
        '\tjson: "{\\"x\\":1,\\"y\\":[\\"a\\",\\"b\\"]}"',
        '\tnone: (method: "GET", body: "", type: "none")',
        ")",
        "",
      ].join("\n"),
    );
  });

  test("redirects are followed as Go's client follows them", async () => {
    const out = await run(
      `\tmoved: http.Request(method: "POST", url: strings.Join(string: (base, "/moved")), body: "x")\n` +
        `\tkept: http.Request(method: "POST", url: strings.Join(string: (base, "/kept")), body: "x")\n` +
        `\treturn: (moved: http.BodyAsString(moved), kept: http.BodyAsJSON(kept).method)`,
    );
    expect(out).toMatchObject({ stdout: '(moved: "hello, ko", kept: "POST")\n', status: 0 });
  });

  test("gzip is asked for and undone; HEAD has no body; a 404 is a response, not a failure", async () => {
    const out = await run(
      `\treturn: (\n\t\tzipped: http.BodyAsString(http.Request(url: strings.Join(string: (base, "/zipped"))))\n` +
        `\t\thead: http.BodyAsString(http.Request(method: "HEAD", url: strings.Join(string: (base, "/hello"))))\n` +
        `\t\tmissing: http.Request(url: strings.Join(string: (base, "/nope"))).statusCode\n\t)`,
    );
    expect(out).toMatchObject({ stdout: '(zipped: "unzipped", head: "", missing: 404)\n', status: 0 });
  });

  test("a client of NewClient keeps its own connections", async () => {
    const out = await run(
      `\tclient: http.NewClient()\n\tfirst: http.Request(client: client, url: strings.Join(string: (base, "/hello")))\n` +
        `\tsecond: http.Request(client: client, url: strings.Join(string: (base, "/hello")), _after: first)\n` +
        `\treturn: (http.BodyAsString(first), http.BodyAsString(second))`,
    );
    expect(out).toMatchObject({ stdout: '("hello, ko", "hello, ko")\n', status: 0 });
  });

  test("a request that gets no response is a recoverable panic (D15)", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const out = await run(
      `\treturn: (\n\t\trefused: Recover(invoke: http.Request[url: "http://127.0.0.1:${port}/"], panic: Return).error\n` +
        `\t\tloop: Recover(invoke: http.Request[url: strings.Join(string: (base, "/loop"))], panic: Return).message\n` +
        `\t\tscheme: Recover(invoke: http.Request[url: "ftp://example.com/"], panic: Return).message\n` +
        `\t\tnone: Recover(invoke: http.Request, panic: Return).message\n\t)`,
    );
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('refused: "net/http.Request"');
    expect(out.stdout).toMatch(/loop: "GET .*\/loop: stopped after 10 redirects"/);
    expect(out.stdout).toContain('scheme: "unsupported protocol scheme \\"ftp\\""');
    expect(out.stdout).toContain('none: "\\"\\" is not an absolute URL"');
  });
});

/** A `ko run` process serving HTTP, and the URL it said it serves at. */
async function startServing(program: string, args: string[] = []): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const file = tempFile("serve.ko", program, "ko-http-");
  const child = spawn(process.execPath, [KO, "run", file, "--no-progress", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "serving" line; stderr:\n${stderr}`)), 20000);
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /(http:\/\/[^\s/]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("close", () => reject(new Error(`ko ended before serving; stderr:\n${stderr}`)));
  });
  return { child, url, output: () => `${stdout}\u0000${stderr}` };
}

/** Interrupts the serving process as Ctrl-C would; resolves with its exit status. */
async function interrupt(child: ChildProcess): Promise<number | null> {
  const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  child.kill("SIGINT");
  const killer = setTimeout(() => child.kill("SIGKILL"), 10000);
  const status = await closed;
  clearTimeout(killer);
  return status;
}

describe("Serve", () => {
  test("calls the handler with (path, writer); SendJSON answers, SetHeader sets headers; Ctrl-C ends it", async () => {
    const { child, url, output } = await startServing(
      [
        'import "net/http"',
        'import "strings"',
        "Main() {",
        '\treturn: http.Serve(address: "127.0.0.1:0", handler: Handle)',
        "}",
        "Handle(ctx) {",
        "\tshown: Show(path: ctx.path)",
        '\treturn: Branch(if: strings.Equal(ctx.path, "/fail"), then: Panic[boom: ctx.path], else: Answer[ctx: ctx], _after: shown)',
        "}",
        "Answer(ctx) {",
        '\theaded: http.SetHeader(ctx: ctx, entry: (key: "X-Ko", value: "yes"))',
        "\treturn: http.SendJSON(ctx: headed, value: (path: ctx.path, list: (1, 2)), statusCode: 201)",
        "}",
        "",
      ].join("\n"),
    );
    try {
      const ok = await fetch(`${url}/a/b%20c`);
      expect(ok.status).toBe(201);
      expect(ok.headers.get("x-ko")).toBe("yes");
      expect(ok.headers.get("content-type")).toBe("text/json");
      expect(await ok.text()).toBe('{"path":"/a/b c","list":[1,2]}');
      const failing = await fetch(`${url}/fail`);
      expect(failing.status).toBe(500);
      // The server goes on after a failing handler.
      expect((await fetch(`${url}/again`)).status).toBe(201);
    } finally {
      const status = await interrupt(child);
      expect(status).toBe(130); // interrupted, as a shell reports SIGINT
    }
    const [stdout, stderr] = output().split("\u0000") as [string, string];
    expect(stdout).toContain('(path: "/a/b c")');
    expect(stderr).toMatch(/net\/http\.Serve: serving 127\.0\.0\.1:0 at http:\/\/127\.0\.0\.1:\d+\//);
    expect(stderr).toContain('net/http.Serve: the handler failed on GET /fail: panic: (boom: "/fail")');
    expect(stderr).toContain("cancelled: interrupted (Ctrl-C)");
  }, 30000);

  test("an address that cannot be listened on is a panic", async () => {
    const out = await koInProcess([
      "run",
      tempFile("busy.ko", 'import "net/http"\nMain() {\n\treturn: http.Serve(address: "999.1.1.1:0", handler: Return)\n}\n', "ko-http-"),
    ]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("unrecovered panic:");
    expect(out.stderr).toContain('error: "net/http.Serve"');
  });
});

describe("ServeLocalDir", () => {
  test("serves a directory as Go's FileServer does", async () => {
    const dir = tempDir("ko-http-");
    fs.writeFileSync(path.join(dir, "index.html"), "<html>home</html>");
    fs.writeFileSync(path.join(dir, "a.txt"), "text");
    fs.writeFileSync(path.join(dir, "data"), "<!DOCTYPE html><p>sniffed</p>");
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "sub", "b.json"), "{}");
    fs.writeFileSync(path.join(dir, "sub", "c&d.txt"), "");
    const { child, url } = await startServing(
      'import "net/http"\nMain(dir) {\n\treturn: http.ServeLocalDir(address: "127.0.0.1:0", dir: dir, url: "/")\n}\n',
      ["--arg", `dir=${JSON.stringify(dir)}`],
    );
    const get = (p: string) => fetch(`${url}${p}`, { redirect: "manual" });
    try {
      const home = await get("/");
      expect([home.status, home.headers.get("content-type"), await home.text()]).toEqual([
        200,
        "text/html; charset=utf-8",
        "<html>home</html>",
      ]);
      const text = await get("/a.txt");
      expect([text.status, text.headers.get("content-type"), await text.text()]).toEqual([200, "text/plain; charset=utf-8", "text"]);
      expect(text.headers.get("last-modified")).toMatch(/GMT$/);
      expect((await get("/data")).headers.get("content-type")).toBe("text/html; charset=utf-8");
      const listing = await get("/sub/");
      expect(await listing.text()).toBe('<pre>\n<a href="b.json">b.json</a>\n<a href="c&d.txt">c&amp;d.txt</a>\n</pre>\n');
      for (const [from, to] of [
        ["/sub", "sub/"],
        ["/index.html", "./"],
        ["/a.txt/", "../a.txt"],
      ] as const) {
        const r = await get(from);
        expect([from, r.status, r.headers.get("location")]).toEqual([from, 301, to]);
      }
      const missing = await get("/nope");
      expect([missing.status, await missing.text()]).toEqual([404, "404 page not found\n"]);
      expect((await fetch(`${url}/a.txt`, { method: "HEAD" })).headers.get("content-length")).toBe("4");
    } finally {
      await interrupt(child);
    }
  }, 30000);
});
