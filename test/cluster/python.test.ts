/**
 * A second real client: the official Kubernetes Python client (Debian's python3-kubernetes, for
 * Debian's /usr/bin/python3) runs a session against `ko cluster serve` — fixtures/python_session.py
 * — and the state it leaves is checked with the real kubectl.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findKubectl, HERE, tempDir } from "./helpers.js";
import { isServed, serve, type Served } from "./serve.js";

const PYTHON = "/usr/bin/python3";

/** Whether Debian's Python has the client (`.ci/run` installs python3-kubernetes). */
function havePythonClient(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import kubernetes"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const ready = havePythonClient() && findKubectl() !== null;
let dir: string;
let server: Served;

beforeAll(async () => {
  if (!ready) return;
  dir = tempDir("ko-python-");
  const s = await serve(["--kubeconfig-out", path.join(dir, "kubeconfig")]);
  if (!isServed(s)) throw new Error(s.output);
  server = s;
});
afterAll(async () => {
  await server?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[]): string {
  return execFileSync(findKubectl()!, ["--cache-dir", path.join(dir, "kube-cache"), ...args], {
    env: { ...process.env, KUBECONFIG: server.kubeconfig, HOME: dir },
    encoding: "utf8",
  });
}

describe.skipIf(!ready)("the official Python client", { timeout: 90_000 }, () => {
  test("namespaces, a config map, strategic merge patches, a Deployment watched until ready, a scale, a namespace deleted", async () => {
    const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
      execFile(
        PYTHON,
        [path.join(HERE, "fixtures/python_session.py"), server.kubeconfig],
        { encoding: "utf8", timeout: 80_000, env: { ...process.env, HOME: dir } },
        (err, out, errOut) => resolve({ stdout: out, stderr: errOut, code: err ? Number((err as { code?: unknown }).code ?? 1) : 0 }),
      ),
    );
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(stdout)).toEqual({
      namespaces: ["scratch", "shop"],
      configmap: { color: "blue", size: "large" },
      watched: "ADDED", // watch=True was a watch: its first event, not a list
      deployment: { replicas: 3, ready: 3, env: ["COLOR=blue", "MODE=fast"] },
      pods: 3,
      deleted: "scratch",
    });

    // What the session left, as kubectl sees it.
    const web = JSON.parse(kubectl(["get", "deployment", "web", "-n", "shop", "-o", "json"]));
    expect(web.status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(web.spec.template.spec.containers[0].env).toEqual([
      { name: "COLOR", value: "blue" },
      { name: "MODE", value: "fast" },
    ]);
    expect(JSON.parse(kubectl(["get", "configmap", "settings", "-n", "shop", "-o", "json"])).data).toEqual({
      color: "blue",
      size: "large",
    });
    const pods = JSON.parse(kubectl(["get", "pods", "-n", "shop", "-l", "app=web", "-o", "json"])).items;
    expect(pods.filter((p: any) => p.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"))).toHaveLength(3);
    expect(kubectl(["get", "namespaces", "-o", "name"]).split("\n")).not.toContain("namespace/scratch");
  });
});
