/**
 * `ko cluster serve --state FILE` in a child process: every acknowledged write survives a kill -9,
 * the journal is compacted on start, and SIGTERM stops the server cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, test } from "vitest";
import { tempDir } from "../support/temp.js";
import { HERE } from "./helpers.js";

let dir: string;
let entry: string;

beforeAll(async () => {
  dir = tempDir("ko-persist-");
  entry = path.join(dir, "serve.mjs");
  // The CLI's serve command, bundled so that a plain `node` child can run it.
  await build({
    stdin: {
      contents: `import { clusterServeCommand } from ${JSON.stringify(path.join(HERE, "../../src/cli/cluster.ts"))};
const a = process.argv.slice(2);
const opt = (n) => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : undefined; };
clusterServeCommand({ port: opt("--port"), state: opt("--state"), kubeconfigOut: opt("--kubeconfig-out") }).then((code) => process.exit(code));`,
      resolveDir: HERE,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: entry,
    logLevel: "silent",
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
});

interface Server {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function serve(state: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, "--port", "0", "--state", state, "--kubeconfig-out", path.join(dir, "kc")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 10_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!, output: () => out });
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.on("exit", () => reject(new Error(`server exited: ${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (code, signal) => resolve([code, signal])));

async function call(url: string, method: string, p: string, body?: unknown, type = "application/json") {
  const res = await fetch(url + p, {
    method,
    headers: { "content-type": type },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe("persistence", () => {
  test("acknowledged writes survive kill -9; resourceVersions keep increasing", async () => {
    const state = path.join(dir, "state.journal");
    const s1 = await serve(state);
    expect((await call(s1.url, "POST", "/api/v1/namespaces", { metadata: { name: "keep" } })).status).toBe(201);
    // Many concurrent writes; each one acknowledged must be on disk.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(s1.url, "POST", "/api/v1/namespaces/keep/configmaps", { metadata: { name: `cm-${i}` }, data: { i: String(i) } }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const upd = await call(
      s1.url,
      "PATCH",
      "/api/v1/namespaces/keep/configmaps/cm-0",
      { data: { i: "updated" } },
      "application/merge-patch+json",
    );
    await call(s1.url, "DELETE", "/api/v1/namespaces/keep/configmaps/cm-1");
    const lastRV = Number((await call(s1.url, "GET", "/api/v1/namespaces/keep/configmaps")).body.metadata.resourceVersion);
    const gone = exited(s1.child);
    s1.child.kill("SIGKILL");
    expect((await gone)[1]).toBe("SIGKILL");

    const s2 = await serve(state);
    try {
      const list = (await call(s2.url, "GET", "/api/v1/namespaces/keep/configmaps")).body;
      const names = list.items.map((i: any) => i.metadata.name);
      for (let i = 0; i < 40; i++) expect(names.includes(`cm-${i}`)).toBe(i !== 1);
      const cm0 = list.items.find((i: any) => i.metadata.name === "cm-0");
      expect(cm0.data.i).toBe("updated");
      expect(cm0.metadata.resourceVersion).toBe(upd.body.metadata.resourceVersion);
      expect(cm0.metadata.uid).toBe(upd.body.metadata.uid);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(lastRV);
      const next = await call(s2.url, "POST", "/api/v1/namespaces/keep/configmaps", { metadata: { name: "after" } });
      expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(lastRV);
      // A compacted journal: one line per live object plus the header, no history.
      const lines = fs.readFileSync(state, "utf8").trim().split("\n");
      expect(lines.filter((l) => l.includes('"d":1'))).toEqual([]);
    } finally {
      s2.child.kill("SIGKILL");
      await exited(s2.child);
    }
  });

  test("a write torn by a crash is dropped; SIGTERM stops cleanly", async () => {
    const state = path.join(dir, "torn.journal");
    const s1 = await serve(state);
    await call(s1.url, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "whole" } });
    s1.child.kill("SIGKILL");
    await exited(s1.child);
    fs.appendFileSync(state, '{"rv":999,"gr":"/configmaps","k":"default/torn","o":{"kind":"Conf');
    const s2 = await serve(state);
    const names = (await call(s2.url, "GET", "/api/v1/namespaces/default/configmaps")).body.items.map((i: any) => i.metadata.name);
    expect(names).toContain("whole");
    expect(names).not.toContain("torn");
    const stopped = exited(s2.child);
    s2.child.kill("SIGTERM");
    expect(await stopped).toEqual([0, null]);
    expect(s2.output()).toContain("SIGTERM, stopping");
  });
});
