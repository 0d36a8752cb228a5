/**
 * One process per state file (src/cluster/state-lock.ts), through the CLI: a second `ko cluster
 * serve` on a file exits 2 naming the first; `ko run --cluster-state` on a file a `ko cluster
 * serve` keeps talks to that server through its kubeconfig, and on a file another `ko run` keeps
 * exits 2 saying why; a lock whose process is gone is taken over.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { KO, REPO, ko } from "../support/cli.js";
import { http, tempDir, waitFor } from "./helpers.js";
import { exited, isServed, serve, type Refused } from "./serve.js";

let dir: string;
beforeAll(() => {
  dir = tempDir("ko-lock-");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A script that makes a config map and lists the config maps it finds. */
function script(): string {
  const file = path.join(dir, "make.ko");
  fs.writeFileSync(
    file,
    `import "k8s"\nMain() {\n\tcm: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "from-run")))\n` +
      `\treturn: Len(k8s.ListConfigMapsByLabelSelector(namespace: "default", _after: cm))\n}\n`,
  );
  return file;
}

const run = (args: string[]) => ko(["run", "--no-cache", "--no-progress", ...args], { env: { KUBECONFIG: "", HOME: dir } });

describe("one process per state file", () => {
  test("a second ko cluster serve on the same file exits 2, naming the first", async () => {
    const state = path.join(dir, "served.state");
    const first = await serve(["--state", state, "--kubeconfig-out", path.join(dir, "kc")]);
    if (!isServed(first)) throw new Error(first.output);
    try {
      const lock = JSON.parse(fs.readFileSync(`${state}.lock`, "utf8"));
      expect(lock).toMatchObject({ pid: first.child.pid, holder: "ko cluster serve", url: first.url, kubeconfig: path.join(dir, "kc") });
      const second = (await serve(["--state", state])) as Refused;
      expect(second).toEqual({
        status: 2,
        output:
          `ko: cluster state ${state} is in use by ko cluster serve (pid ${first.child.pid}, at ${first.url}, kubeconfig ${path.join(dir, "kc")}); ` +
          `one process at a time keeps a state file\n`,
      });

      // ko run on the same file is a client of that server, through its kubeconfig.
      const client = await run([script(), "--cluster-state", state]);
      expect(client.status, client.stderr).toBe(0);
      expect(client.stderr).toBe(
        `ko: ${state} is kept by ko cluster serve (pid ${first.child.pid}, at ${first.url}): using its kubeconfig ${path.join(dir, "kc")}\n`,
      );
      const made = await http(first.access, "GET", "/api/v1/namespaces/default/configmaps/from-run");
      expect(made.status).toBe(200);
    } finally {
      await first.stop();
    }
    // The server's state kept what the run made.
    expect(fs.readFileSync(state, "utf8")).toContain('"k":"default/from-run"');
    expect(fs.existsSync(`${state}.lock`)).toBe(false);
  });

  test("ko run on a file another ko run keeps exits 2 saying why, before anything runs; once that run is killed, its lock is stale", async () => {
    const state = path.join(dir, "run.state");
    const waiter = path.join(dir, "wait.ko");
    fs.writeFileSync(
      waiter,
      `import "k8s"\nMain() {\n\treturn: Recover(invoke: k8s.WaitFor[kind: "Job", name: "never", condition: "Complete", timeout: "60s"], panic: Return)\n}\n`,
    );
    const holder = spawn(process.execPath, [KO, "run", "--no-cache", "--no-progress", waiter, "--cluster-state", state], {
      cwd: REPO,
      env: { ...process.env, KUBECONFIG: "", HOME: dir },
      stdio: "ignore",
    });
    try {
      const lock = await waitFor(
        "the run's lock",
        () => {
          try {
            const l = JSON.parse(fs.readFileSync(`${state}.lock`, "utf8"));
            return l.url ? l : undefined;
          } catch {
            return undefined;
          }
        },
        20_000,
      );
      expect(lock).toMatchObject({ pid: holder.pid, holder: "ko run" });
      const second = await run([script(), "--cluster-state", state]);
      expect({ status: second.status, stderr: second.stderr, stdout: second.stdout }).toEqual({
        status: 2,
        stderr:
          `ko: --cluster-state ${state}: the file is kept by ko run (pid ${holder.pid}, at ${lock.url}), ` +
          `and there is no kubeconfig of it to connect through; one process at a time keeps a state file\n`,
        stdout: "",
      });
    } finally {
      holder.kill("SIGKILL");
      await exited(holder);
    }
    // Killed, it could not remove its lock: the next run finds it stale and takes it over.
    expect(fs.existsSync(`${state}.lock`)).toBe(true);
    const after = await run([script(), "--cluster-state", state]);
    expect(after.status, after.stderr).toBe(0);
    expect(after.stderr).toContain(`using the embedded cluster at https://127.0.0.1:`);
    expect(fs.existsSync(`${state}.lock`)).toBe(false);
  });

  test("a lock of a process that is gone is taken over by ko cluster serve", async () => {
    const state = path.join(dir, "stale.state");
    const gone = spawn(process.execPath, ["-e", "0"]);
    await exited(gone);
    fs.writeFileSync(`${state}.lock`, JSON.stringify({ pid: gone.pid, host: os.hostname(), holder: "ko cluster serve", since: "then" }));
    const s = await serve(["--state", state]);
    if (!isServed(s)) throw new Error(s.output);
    expect(JSON.parse(fs.readFileSync(`${state}.lock`, "utf8")).pid).toBe(s.child.pid);
    await s.stop();
  });
});
