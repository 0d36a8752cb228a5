/**
 * Who may talk to `ko cluster serve`, probed with curl as an outsider would: https with the
 * server's own authority, its bearer token on every request (admin endpoints too), a loopback
 * Host (no DNS rebinding), and bodies only in the formats the API server reads (no text/plain or
 * form posts, which a web page may send to another origin without asking).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { http, tempDir } from "./helpers.js";
import { accessOf, isServed, serve, type Served } from "./serve.js";

let dir: string;
let server: Served;
let caFile: string;
let token: string;
let port: string;

beforeAll(async () => {
  dir = tempDir("ko-guard-");
  const s = await serve(["--kubeconfig-out", path.join(dir, "kubeconfig")]);
  if (!isServed(s)) throw new Error(s.output);
  server = s;
  caFile = path.join(dir, "ca.pem");
  fs.writeFileSync(caFile, s.access.ca);
  token = s.access.token;
  port = new URL(s.url).port;
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  readonly exit: number;
  readonly status: number;
  readonly body: any;
}

/** curl against the server with ARGS (and the authority unless `trust` is false); the status and body. */
function curl(args: string[], p: string, trust = true): Promise<Answer> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["-s", "-w", "\n%{http_code}", ...(trust ? ["--cacert", caFile] : []), ...args, `${server.url}${p}`],
      { encoding: "utf8", timeout: 10_000 },
      (err, stdout) => {
        const cut = stdout.lastIndexOf("\n");
        let body: unknown = stdout.slice(0, cut);
        try {
          body = JSON.parse(body as string);
        } catch {
          /* not JSON */
        }
        resolve({ exit: err ? Number((err as { code?: unknown }).code) : 0, status: Number(stdout.slice(cut + 1)), body });
      },
    );
  });
}

const bearer = () => ["-H", `Authorization: Bearer ${token}`];
const CM = "/api/v1/namespaces/default/configmaps";

describe("the token", () => {
  const UNAUTHORIZED = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "Unauthorized",
    reason: "Unauthorized",
    code: 401,
  };
  test.each([
    { name: "no Authorization", args: () => [], p: "/api/v1/namespaces" },
    { name: "a wrong token", args: () => ["-H", "Authorization: Bearer not-the-token"], p: "/api/v1/namespaces" },
    {
      name: "a wrong token of the token's length",
      args: () => ["-H", `Authorization: Bearer ${token.slice(0, -1)}${token.endsWith("0") ? "1" : "0"}`],
      p: "/api/v1/namespaces",
    },
    { name: "the token with a character more", args: () => ["-H", `Authorization: Bearer ${token}0`], p: "/api/v1/namespaces" },
    { name: "the token as Basic credentials", args: () => ["-u", `ko:${token}`], p: "/api/v1/namespaces" },
    { name: "no token, /version", args: () => [], p: "/version" },
    { name: "no token, /healthz", args: () => [], p: "/healthz" },
    { name: "no token, an admin endpoint", args: () => [], p: "/_ko/faults" },
    { name: "no token, a watch", args: () => [], p: `${CM}?watch=true` },
  ])("$name: 401, the API server's Status", async ({ args, p }) => {
    expect(await curl(args(), p)).toEqual({ exit: 0, status: 401, body: UNAUTHORIZED });
  });

  test("with the token: the API and the admin endpoints answer", async () => {
    expect((await curl(bearer(), "/api/v1/namespaces")).body.kind).toBe("NamespaceList");
    expect((await curl(bearer(), "/_ko/faults")).body).toEqual({ rules: [] });
    expect((await curl(["-H", `authorization: bearer ${token}`], "/version")).status).toBe(200); // the scheme in any case
  });

  test("the token is in the kubeconfig only (mode 0600), and each server has its own", async () => {
    expect(fs.statSync(server.kubeconfig).mode & 0o777).toBe(0o600);
    const other = await serve(["--kubeconfig-out", path.join(dir, "other")]);
    if (!isServed(other)) throw new Error(other.output);
    try {
      expect(accessOf(other.kubeconfig).token).not.toBe(token);
      expect(accessOf(other.kubeconfig).token).toMatch(/^[0-9a-f]{64}$/);
      expect((await http({ ...other.access, token }, "GET", "/api/v1/namespaces")).status).toBe(401);
    } finally {
      await other.stop();
    }
  });

  test("the server's certificate is verified against the authority in the kubeconfig; without it curl refuses it", async () => {
    expect((await curl(bearer(), "/version")).status).toBe(200);
    const untrusted = await curl(bearer(), "/version", false);
    expect(untrusted.exit).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });
});

describe("the Host header", () => {
  test.each([
    { host: "evil.example", status: 403 },
    { host: "evil.example:PORT", status: 403 },
    { host: "127.0.0.1.nip.io:PORT", status: 403 },
    { host: "localhost.evil.example", status: 403 },
    { host: "10.0.0.1:PORT", status: 403 },
    { host: "127.0.0.1:PORT", status: 200 },
    { host: "localhost", status: 200 },
    { host: "LocalHost:PORT", status: 200 },
    { host: "[::1]:PORT", status: 200 },
  ])("Host: $host → $status", async ({ host, status }) => {
    const answer = await curl([...bearer(), "-H", `Host: ${host.replace("PORT", port)}`], "/api/v1/namespaces");
    expect(answer.status).toBe(status);
    if (status === 403)
      expect(answer.body).toMatchObject({
        kind: "Status",
        reason: "Forbidden",
        code: 403,
        message: expect.stringContaining("not a loopback name"),
      });
  });
});

describe("the formats of bodies", () => {
  const json = (name: string) => JSON.stringify({ metadata: { name } });
  const ACCEPTED = "application/json, application/yaml, application/vnd.kubernetes.protobuf";
  const PATCHES =
    "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml";
  test.each([
    { name: "text/plain (a cross-origin simple request)", args: ["-H", "Content-Type: text/plain", "-d", json("plain")], status: 415 },
    { name: "a form post (curl -d's default)", args: ["-d", json("form")], status: 415 },
    { name: "multipart/form-data", args: ["-F", `x=${json("multi")}`], status: 415 },
    { name: "text/yaml", args: ["-H", "Content-Type: text/yaml", "-d", "metadata: {name: texty}"], status: 415 },
    { name: "application/json", args: ["-H", "Content-Type: application/json", "-d", json("as-json")], status: 201 },
    {
      name: "application/json; charset=utf-8",
      args: ["-H", "Content-Type: application/json; charset=utf-8", "-d", json("as-json-utf8")],
      status: 201,
    },
    { name: "application/yaml", args: ["-H", "Content-Type: application/yaml", "-d", "metadata: {name: as-yaml}"], status: 201 },
    {
      name: "no Content-Type at all (JSON, as the API server reads it)",
      args: ["-H", "Content-Type:", "-d", json("untyped")],
      status: 201,
    },
  ])("POST $name → $status", async ({ args, status }) => {
    const name = /"name":"([^"]+)"|name: (\S+)}/.exec(args.join(" "))!.slice(1).find(Boolean)!;
    const answer = await curl([...bearer(), "-X", "POST", ...args], CM);
    expect(answer.status).toBe(status);
    if (status === 415) {
      expect(answer.body).toMatchObject({
        reason: "UnsupportedMediaType",
        message: `the body of the request was in an unknown format - accepted media types include: ${ACCEPTED}`,
      });
      expect((await curl(bearer(), `${CM}/${name}`)).status).toBe(404); // nothing was made
    }
  });

  test("a patch names its kind of patch: application/json or text/plain is 415, a merge patch applies", async () => {
    await curl([...bearer(), "-H", "Content-Type: application/json", "-d", json("patched")], CM);
    for (const type of ["application/json", "text/plain"]) {
      const answer = await curl([...bearer(), "-X", "PATCH", "-H", `Content-Type: ${type}`, "-d", '{"data":{"a":"1"}}'], `${CM}/patched`);
      expect(answer.status).toBe(415);
      expect(answer.body.message).toBe(`the body of the request was in an unknown format - accepted media types include: ${PATCHES}`);
    }
    const merged = await curl(
      [...bearer(), "-X", "PATCH", "-H", "Content-Type: application/merge-patch+json", "-d", '{"data":{"a":"1"}}'],
      `${CM}/patched`,
    );
    expect(merged.body.data).toEqual({ a: "1" });
  });

  test("a DELETE's body and an admin endpoint's are held to the same rules", async () => {
    await curl([...bearer(), "-H", "Content-Type: application/json", "-d", json("kept")], CM);
    const deleted = await curl(
      [...bearer(), "-X", "DELETE", "-H", "Content-Type: text/plain", "-d", '{"propagationPolicy":"Orphan"}'],
      `${CM}/kept`,
    );
    expect(deleted.status).toBe(415);
    expect((await curl(bearer(), `${CM}/kept`)).status).toBe(200);
    const fault = await curl([...bearer(), "-H", "Content-Type: text/plain", "-d", '{"status":500,"verb":"get"}'], "/_ko/faults");
    expect(fault.status).toBe(415);
    expect((await curl(bearer(), "/_ko/faults")).body).toEqual({ rules: [] });
  });
});
