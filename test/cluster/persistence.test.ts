/**
 * `ko cluster serve --state FILE` in a child process: every acknowledged write survives a kill -9,
 * the state file is compacted on start, and SIGTERM stops the server cleanly.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import YAML from "yaml";
import { tempDir } from "../support/temp.js";
import { establish, HERE, http } from "./helpers.js";
import { isServed, serve, type Served } from "./serve.js";

let dir: string;
beforeAll(() => {
  dir = tempDir("ko-persist-");
});
async function started(state: string): Promise<Served> {
  const s = await serve(["--state", state, "--kubeconfig-out", path.join(dir, "kc")]);
  if (!isServed(s)) throw new Error(`the server did not start (${s.status}): ${s.output}`);
  return s;
}

describe("persistence", () => {
  test("acknowledged writes survive kill -9; resourceVersions keep increasing", async () => {
    const state = path.join(dir, "state.journal");
    const s1 = await started(state);
    const call = (s: Served, method: string, p: string, body?: unknown, type?: string) =>
      http(s.access, method, p, body, type ? { "content-type": type } : {});
    expect((await call(s1, "POST", "/api/v1/namespaces", { metadata: { name: "keep" } })).status).toBe(201);
    // Many concurrent writes; each one acknowledged must be on disk.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call(s1, "POST", "/api/v1/namespaces/keep/configmaps", { metadata: { name: `cm-${i}` }, data: { i: String(i) } }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const upd = await call(
      s1,
      "PATCH",
      "/api/v1/namespaces/keep/configmaps/cm-0",
      { data: { i: "updated" } },
      "application/merge-patch+json",
    );
    await call(s1, "DELETE", "/api/v1/namespaces/keep/configmaps/cm-1");
    const lastRV = Number((await call(s1, "GET", "/api/v1/namespaces/keep/configmaps")).body.metadata.resourceVersion);
    expect((await s1.kill())[1]).toBe("SIGKILL");

    // The lock of the killed server is stale: the next one takes it over.
    const s2 = await started(state);
    try {
      const list = (await call(s2, "GET", "/api/v1/namespaces/keep/configmaps")).body;
      const names = list.items.map((i: any) => i.metadata.name);
      for (let i = 0; i < 40; i++) expect(names.includes(`cm-${i}`)).toBe(i !== 1);
      const cm0 = list.items.find((i: any) => i.metadata.name === "cm-0");
      expect(cm0.data.i).toBe("updated");
      expect(cm0.metadata.resourceVersion).toBe(upd.body.metadata.resourceVersion);
      expect(cm0.metadata.uid).toBe(upd.body.metadata.uid);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(lastRV);
      const next = await call(s2, "POST", "/api/v1/namespaces/keep/configmaps", { metadata: { name: "after" } });
      expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(lastRV);
      // Compacted: the header, one record per live object, and the write just made; no deletes.
      const lines = fs.readFileSync(state, "utf8").trim().split("\n");
      const header = JSON.parse(lines[0]!.split("\t")[0]!);
      expect(header).toMatchObject({ ko: "cluster-state", version: 2, objects: lines.length - 2 });
      expect(lines.filter((l) => l.includes('"d":true'))).toEqual([]);
    } finally {
      await s2.kill();
    }
  });

  test("CustomResourceDefinitions and their objects are served again after a restart", async () => {
    const state = path.join(dir, "crd.journal");
    const s1 = await started(state);
    const crd = YAML.parse(fs.readFileSync(path.join(HERE, "fixtures", "crds", "widgets.yaml"), "utf8"));
    await establish(s1.access, crd);
    const W = "/apis/example.com/v1/namespaces/default/widgets";
    const made = await http(s1.access, "POST", W, {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "kept" },
      spec: { size: "large" },
    });
    expect(made.status).toBe(201);
    await http(
      s1.access,
      "PATCH",
      `${W}/kept/status`,
      { status: { phase: "Running" } },
      { "content-type": "application/merge-patch+json" },
    );
    expect(await s1.stop()).toEqual([0, null]);

    const s2 = await started(state);
    try {
      // Served at once: no wait for the CRD to be established again.
      const got = await http(s2.access, "GET", `${W}/kept`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({
        spec: { size: "large", replicas: 1 },
        status: { phase: "Running" },
        metadata: { uid: made.body.metadata.uid },
      });
      expect((await http(s2.access, "GET", "/apis/example.com/v1beta1/namespaces/default/widgets/kept")).body.apiVersion).toBe(
        "example.com/v1beta1",
      );
      const groups = (await http(s2.access, "GET", "/apis")).body.groups.map((g: { name: string }) => g.name);
      expect(groups).toContain("example.com");
      const invalid = await http(s2.access, "POST", W, {
        apiVersion: "example.com/v1",
        kind: "Widget",
        metadata: { name: "x" },
        spec: { size: "huge" },
      });
      expect(invalid.status).toBe(422);
    } finally {
      await s2.kill();
    }
  });

  test("a write torn by a crash is dropped, and said so; SIGTERM stops cleanly and releases the lock", async () => {
    const state = path.join(dir, "torn.journal");
    const s1 = await started(state);
    await http(s1.access, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "whole" } });
    await s1.kill();
    const records = fs.readFileSync(state, "utf8").trim().split("\n").length;
    fs.appendFileSync(state, '{"rv":999,"gr":"/configmaps","k":"default/torn","o":{"kind":"Conf');
    const s2 = await started(state);
    const names = (await http(s2.access, "GET", "/api/v1/namespaces/default/configmaps")).body.items.map((i: any) => i.metadata.name);
    expect(names).toContain("whole");
    expect(names).not.toContain("torn");
    expect(s2.output()).toContain(
      `ko cluster: ${state}: dropped record ${records + 1}, a write cut short by a crash before it was acknowledged\n`,
    );
    expect(fs.existsSync(`${state}.lock`)).toBe(true);
    expect(await s2.stop()).toEqual([0, null]);
    expect(s2.output()).toContain("SIGTERM, stopping");
    expect(fs.existsSync(`${state}.lock`)).toBe(false);
  });
});
