/**
 * Package `k8s` in-process, against the embedded cluster over real HTTP: API errors as panics,
 * retries, the limiter, watches that resume, Secret redaction and cluster selection.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { compile } from "../../src/api/program.js";
import { createSession } from "../../src/api/session.js";
import type { K8sConnection } from "../../src/k8s/connection.js";
import { Limiter } from "../../src/k8s/limiter.js";
import type { K8sOptions } from "../../src/k8s/options.js";
import { http, kubectl, testCluster } from "../cluster/helpers.js";
import { tempDir } from "../support/temp.js";
import { ko, REPO } from "../support/cli.js";
import { registerCoreBuiltins } from "../../src/builtins/index.js";
import { HostRegistry } from "../../src/host/registry.js";
import { registerStdlib } from "../../src/stdlib/index.js";
import { registerK8s } from "../../src/k8s/index.js";
import type { TestCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.close());

/**
 * Runs Main of a Ko program against the cluster in a session of its own; returns its result, what
 * it wrote, and the session's connection (closed, its counters kept).
 */
async function run(source: string, opts: Partial<K8sOptions> = {}): Promise<{ result: unknown; out: string; connection: K8sConnection }> {
  const dir = tempDir("ko-k8s-");
  const file = path.join(dir, "main.ko");
  fs.writeFileSync(file, `import "k8s"\n${source}`);
  let out = "";
  const write = (t: string) => void (out += t);
  const session = createSession({
    kubernetes: { kubeconfig: c.kubeconfigPath!, yes: true, retry: { baseMs: 5 }, ...opts },
    stdout: write,
    stderr: write,
  });
  try {
    const result = await session.run(session.compileFile(file), "Main");
    return { result, out, connection: await session.clusterConnection() };
  } finally {
    await session.close();
  }
}

describe("errors are panics carrying a structure (D15)", () => {
  test("Recover sees code, reason, message, kind, name and namespace", async () => {
    const { result } = await run(`
Main() {
	return: Recover(invoke: k8s.Get[kind: "ConfigMap", name: "missing", namespace: "default"], panic: Return)
}`);
    expect(result).toEqual({
      code: 404,
      reason: "NotFound",
      message: 'configmaps "missing" not found',
      kind: "ConfigMap",
      name: "missing",
      namespace: "default",
      verb: "get",
    });
  });

  test("CreateNamespace twice: AlreadyExists, which a script can treat as success", async () => {
    const { result } = await run(`
Main() {
	first: k8s.CreateNamespace("twice")
	second: Recover(invoke: k8s.CreateNamespace[: "twice", _after: first], panic: Return)
	return: (first: first.metadata.name, second: second.reason)
}`);
    expect(result).toEqual({ first: "twice", second: "AlreadyExists" });
  });

  test("an unrecovered API error ends the run with the panic's value", async () => {
    await expect(run(`Main() { return: k8s.Get(kind: "Pod", name: "nope") }`)).rejects.toMatchObject({ name: "KoPanic" });
  });

  test("a misused argument is an error, not a panic", async () => {
    await expect(run(`Main() { return: k8s.List(kind: "Gadget") }`)).rejects.toMatchObject({
      name: "KoError",
      message: expect.stringContaining('unknown kind "Gadget"'),
    });
  });
});

describe("retries", () => {
  test("reads, applies and deletes are retried on 429, 5xx; a create after a 500 is not duplicated", async () => {
    c.faults.fail({ verb: "create", resource: "namespaces", status: 500, count: 2 });
    c.faults.fail({ verb: "patch", resource: "configmaps", status: 503, count: 2 });
    c.faults.fail({ verb: "get", resource: "configmaps", status: 429, count: 2, retryAfterSeconds: 0 });
    c.faults.fail({ verb: "delete", resource: "configmaps", status: 502, count: 2 });
    const { result } = await run(`
Main() {
	ns: k8s.CreateNamespace("retried")
	cm: k8s.Apply(namespace: "retried", object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "c", labels: (a: "b")), data: (k: "v")), _after: ns)
	got: k8s.Get(kind: "ConfigMap", namespace: "retried", name: "c", _after: cm)
	deleted: k8s.DeleteConfigMaps(namespace: "retried", labelSelector: "a=b", _after: got)
	return: (ns: ns.metadata.name, data: got.data, deleted: deleted)
}`);
    expect(result).toEqual({ ns: "retried", data: { k: "v" }, deleted: 1 });
    expect(c.faults.list()).toEqual([]);
  });

  test("a 400 is not retried", async () => {
    c.faults.fail({ verb: "list", resource: "pods", status: 400, count: 1 });
    await expect(run(`Main() { return: k8s.ListPodsByLabelSelector(namespace: "default") }`)).rejects.toMatchObject({ name: "KoPanic" });
  });
});

describe("a Timeout around a request (reference 12.1)", () => {
  test("a slow Get ends at the deadline, and its retries stop there too", async () => {
    const slow = c.faults.latency({ verb: "get", resource: "configmaps", latencyMs: 5000 });
    try {
      const started = Date.now();
      const { result } = await run(`
Main() {
	return: Recover(
		invoke: Timeout[invoke: k8s.Get[kind: "ConfigMap", name: "slow", namespace: "default"], after: "300ms"]
		panic: Return
	)
}`);
      expect(result).toMatchObject({ timeout: "300ms" });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      c.faults.remove(slow);
    }
  });

  test("a request failing with 503 is not retried past the deadline", async () => {
    const failing = c.faults.fail({ verb: "list", resource: "configmaps", status: 503 });
    try {
      const started = Date.now();
      const { result } = await run(
        `
Main() {
	return: Recover(
		invoke: Timeout[invoke: k8s.ListConfigMapsByLabelSelector[namespace: "default"], after: "300ms"]
		panic: Return
	)
}`,
        { retry: { baseMs: 6000, maxMs: 6000, attempts: 20 } },
      );
      // The first wait before a retry is 3 to 6 s: the deadline ends it.
      expect(result).toMatchObject({ timeout: "300ms" });
      expect(Date.now() - started).toBeLessThan(2500);
    } finally {
      c.faults.remove(failing);
    }
  });
});

describe("a request cut when its call is cancelled", () => {
  // With one slot, the Get after the timed-out ones can be sent only once their requests are over:
  // at once if the deadline cut them, after the server's 4 s delay if they were only left running.
  test.each([
    ["Get", `k8s.Get[kind: "ConfigMap", name: "slow", namespace: "default"]`, "get"],
    ["List", `k8s.List[kind: "ConfigMap", namespace: "default", labelSelector: "slow=yes"]`, "list"],
    ["generated read", `k8s.ReadNamespacedConfigMap[name: "slow", namespace: "default"]`, "get"],
    ["generated list", `k8s.ListNamespacedConfigMap[namespace: "default"]`, "list"],
  ] as const)("a %s past its Timeout gives its slot back at once", async (_name, call, verb) => {
    const slow = c.faults.latency({ verb, resource: "configmaps", latencyMs: 4000, count: 2 });
    try {
      const started = Date.now();
      const { result, connection } = await run(
        `
Main() {
	first: Recover(invoke: Timeout[invoke: ${call}, after: "200ms"], panic: Return)
	second: Recover(invoke: Timeout[invoke: ${call}, after: "200ms"], panic: Return, _after: first)
	return: (first: first.timeout, second: second.timeout, next: k8s.Get(kind: "Namespace", name: "default", _after: second).metadata.name)
}`,
        { maxInflight: 1 },
      );
      expect(result).toEqual({ first: "200ms", second: "200ms", next: "default" });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(connection.limiter.peak).toBe(1);
    } finally {
      c.faults.remove(slow);
    }
  });
});

describe("--max-inflight (D24)", () => {
  test("a limiter never runs more than its slots at once, and releases a slot on failure", async () => {
    const l = new Limiter(2);
    let now = 0;
    let peak = 0;
    const job = (fail: boolean) =>
      l.run(async () => {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
        if (fail) throw new Error("x");
      });
    await Promise.allSettled(Array.from({ length: 10 }, (_, i) => job(i % 3 === 0)));
    expect(peak).toBe(2);
    expect(await l.run(async () => "free")).toBe("free");
  });

  test("30 concurrent lists with --max-inflight 3 use at most 3 slots", async () => {
    c.faults.latency({ verb: "list", resource: "configmaps", latencyMs: 20, count: 30 });
    const { result, connection: s } = await run(
      `
Main() {
	lists: Range(over: (1, 2, 3, 4, 5, 6, 7, 8, 9, 10), with: listAll)
	return: Len(lists.image)
}
listAll(carry, elem) {
	return: (emit: Parallel(three[]))
}
three() {
	a: Len(k8s.ListConfigMapsByLabelSelector(namespace: "kube-system"))
	b: Len(k8s.ListConfigMapsByLabelSelector(namespace: "default"))
	d: Len(k8s.ListConfigMapsByLabelSelector(namespace: "kube-public"))
	return: Sum(a, b, d)
}`,
      { maxInflight: 3 },
    );
    expect(result).toBe(10);
    expect(s.limiter.peak).toBeLessThanOrEqual(3);
    expect(s.limiter.peak).toBeGreaterThanOrEqual(2);
    c.faults.clear();
  });
});

describe("WaitFor", () => {
  test("resumes its watch after the connection drops, without polling", async () => {
    const waiting = run(`
Main() {
	return: Len(k8s.WaitFor(kind: "ConfigMap", namespace: "default", name: "later", condition: "deleted", timeout: "20s"))
}`);
    // Create the object first so there is something to wait on; then drop every watch, then delete it.
    await http(c, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "later" } });
    await new Promise((r) => setTimeout(r, 200));
    expect(c.faults.dropWatches({ resource: "configmaps" })).toBeGreaterThanOrEqual(0);
    await new Promise((r) => setTimeout(r, 200));
    await http(c, "DELETE", "/api/v1/namespaces/default/configmaps/later");
    const { result, connection: s } = await waiting;
    expect(result).toBe(0);
    expect(s.requests.get("list") ?? 0).toBeLessThanOrEqual(2); // the first list, at most one after an expired watch
  });

  test("times out with a Timeout panic", async () => {
    const { result } = await run(`
Main() {
	return: Recover(invoke: k8s.WaitFor[kind: "Job", name: "never", condition: "Complete", timeout: "300ms"], panic: Return).reason
}`);
    expect(result).toBe("Timeout");
  });
});

describe("Secrets", () => {
  test("Secret data prints as <redacted> in Show and Peek, but applies and reads back intact", async () => {
    const { result, out } = await run(`
Main() {
	s: k8s.Apply(object: (apiVersion: "v1", kind: "Secret", metadata: (name: "creds"), data: (password: "aHVudGVyMg==")))
	shown: Show(s.data)
	peeked: Peek(k8s.Get(kind: "Secret", name: "creds", _after: s).data)
	return: Len(k8s.ListSecretsByLabelSelector(_after: s))
}`);
    expect(result).toBe(1);
    expect(out).toContain("(password: <redacted>)");
    expect(out).not.toContain("aHVudGVyMg==");
    const raw = (await http(c, "GET", "/api/v1/namespaces/default/secrets/creds")).body;
    expect(raw.data).toEqual({ password: "aHVudGVyMg==" });
  });
});

describe("cluster selection", () => {
  test("KUBECONFIG, --context and --namespace", async () => {
    const dir = tempDir("ko-k8s-sel-");
    const kubeconfig = fs.readFileSync(c.kubeconfigPath!, "utf8").replace(/\n *namespace: .*/, "");
    const kc = path.join(dir, "config");
    fs.writeFileSync(kc, kubeconfig);
    const script = path.join(dir, "ns.ko");
    fs.writeFileSync(
      script,
      `import "k8s"\nMain() {\n\treturn: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "here"))).metadata.namespace\n}\n`,
    );
    const viaEnv = await ko(["run", script, "--no-cache"], { env: { KUBECONFIG: kc, HOME: dir } });
    expect(viaEnv.stdout.trim(), viaEnv.stderr).toBe('"default"');
    expect(viaEnv.stderr).toBe("");
    const withNs = await ko(["run", script, "--no-cache", "--namespace", "kube-public", "--context", "ko"], {
      env: { KUBECONFIG: kc, HOME: dir },
    });
    expect(withNs.stdout.trim()).toBe('"kube-public"');
    const badContext = await ko(["run", script, "--no-cache", "--context", "nope"], { env: { KUBECONFIG: kc, HOME: dir } });
    expect(badContext.status).toBe(2);
    expect(badContext.stderr).toContain("nope");
  });

  test("no kubeconfig: the embedded cluster, said on stderr; --cluster-state keeps its state between runs", async () => {
    const dir = tempDir("ko-k8s-emb-");
    const script = path.join(dir, "count.ko");
    fs.writeFileSync(
      script,
      `import "k8s"\nMain() {\n\tcm: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "n", labels: (ko: "test")), data: (seen: "yes")))\n\treturn: Len(k8s.ListConfigMapsByLabelSelector(namespace: "default", labelSelector: "ko=test", _after: cm))\n}\n`,
    );
    const env = { HOME: dir, KUBECONFIG: "" };
    const first = await ko(["run", script, "--no-cache"], { env });
    expect(first.stderr).toMatch(
      /^ko: no kubeconfig found; using the embedded cluster at https:\/\/127\.0\.0\.1:\d+ \(its state ends with the run\)\n$/,
    );
    expect(first.stdout.trim()).toBe("1");
    const state = path.join(dir, "state.journal");
    const persisted = await ko(["run", script, "--no-cache", "--cluster", "embedded", "--cluster-state", state], { env });
    expect(persisted.stderr).toContain(`using the embedded cluster at`);
    expect(persisted.stderr).toContain(`(state in ${state})`);
    const read = path.join(dir, "read.ko");
    fs.writeFileSync(read, `import "k8s"\nMain() {\n\treturn: k8s.Get(kind: "ConfigMap", name: "n").data.seen\n}\n`);
    const again = await ko(["run", read, "--no-cache", "--cluster-state", state], { env });
    expect(again.stdout.trim()).toBe('"yes"');
    const bad = await ko(["run", script, "--cluster", "somewhere"], { env });
    expect(bad.status).toBe(2);
  });
});

describe("the whole API, generated from the client's metadata", () => {
  test("operations of CoreV1Api, AppsV1Api, BatchV1Api and PolicyV1Api with their own parameter names", async () => {
    const { result } = await run(`
Main() {
	ns: k8s.CoreV1CreateNamespace(body: (metadata: (name: "generated")))
	cm: k8s.CreateNamespacedConfigMap(namespace: "generated", body: (metadata: (name: "g", labels: (app: "db")), data: (k: "v")), _after: ns)
	listed: k8s.ListNamespacedConfigMap(namespace: "generated", labelSelector: "app=db", _after: cm)
	read: k8s.ReadNamespacedConfigMap(name: "g", namespace: "generated", _after: cm)
	sets: k8s.ListNamespacedStatefulSet(namespace: "generated")
	jobs: k8s.ListNamespacedJob(namespace: "generated")
	budgets: k8s.ListNamespacedPodDisruptionBudget(namespace: "generated")
	return: (
		kind: listed.kind
		names: Len(listed.items)
		data: read.data
		empty: Len(sets.items, jobs.items, budgets.items)
	)
}`);
    expect(result).toEqual({ kind: "ConfigMapList", names: 1, data: { k: "v" }, empty: 0 });
  });

  test("a generated patch operation sends a JSON patch: a list of operations, or one alone", async () => {
    const { result } = await run(`
Main() {
	ns: k8s.CoreV1CreateNamespace(body: (metadata: (name: "patched")))
	cm: k8s.CreateNamespacedConfigMap(namespace: "patched", body: (metadata: (name: "p"), data: (a: "1", b: "2")), _after: ns)
	one: k8s.PatchNamespacedConfigMap(name: "p", namespace: "patched", body: (op: "replace", path: "/data/a", value: "one"), _after: cm)
	two: k8s.PatchNamespacedConfigMap(
		name: "p"
		namespace: "patched"
		body: ((op: "remove", path: "/data/b"), (op: "add", path: "/metadata/labels", value: (patched: "yes")))
		_after: one
	)
	return: (data: two.data, labels: two.metadata.labels)
}`);
    expect(result).toEqual({ data: { a: "one" }, labels: { patched: "yes" } });
    const r = await kubectl(c, ["get", "configmap", "p", "-n", "patched", "-o", "json"]);
    expect(JSON.parse(r.stdout).data).toEqual({ a: "one" });
  });

  test("fields and parameters whose JSON name is not the client's TypeScript name keep their JSON name (continue)", async () => {
    const { result } = await run(`
Main() {
	ns: k8s.CoreV1CreateNamespace(body: (metadata: (name: "paged")))
	a: k8s.CreateNamespacedConfigMap(namespace: "paged", body: (metadata: (name: "a", labels: (page: "yes"))), _after: ns)
	b: k8s.CreateNamespacedConfigMap(namespace: "paged", body: (metadata: (name: "b", labels: (page: "yes"))), _after: ns)
	first: k8s.ListNamespacedConfigMap(namespace: "paged", labelSelector: "page", limit: 1, _after: (a, b))
	rest: k8s.ListNamespacedConfigMap(namespace: "paged", labelSelector: "page", limit: 1, continue: first.metadata.continue)
	return: (first: Len(first.items), more: Have(first.metadata.continue), rest: Len(rest.items), done: Have(rest.metadata.continue))
}`);
    expect(result).toEqual({ first: 1, more: true, rest: 1, done: false });
  });

  test("the generated calls are policed and dry-run like the convenience layer", async () => {
    const dir = tempDir("ko-k8s-pol-");
    const policy = path.join(dir, "p.yaml");
    fs.writeFileSync(policy, "deny:\n  - verbs: [delete]\n    kinds: [ConfigMap]\n");
    await expect(
      run(`Main() { return: k8s.DeleteNamespacedConfigMap(name: "g", namespace: "generated") }`, { policy }),
    ).rejects.toMatchObject({
      message: expect.stringContaining("deny[0] (verbs: [delete], kinds: [ConfigMap]) forbids delete ConfigMap generated/g"),
    });
    const { out } = await run(`Main() { return: k8s.DeleteNamespacedConfigMap(name: "g", namespace: "generated") }`, { dryRun: true });
    expect(out).toContain("  - delete ConfigMap generated/g\n");
    expect(out).toContain("ko: dry run: nothing was changed.");
    const still = (await http(c, "GET", "/api/v1/namespaces/generated/configmaps/g")).body;
    expect(still.metadata.name).toBe("g");
  });

  test("a program that does not import k8s never reads the generated operations", async () => {
    const registry = new HostRegistry();
    registerCoreBuiltins(registry);
    registerStdlib(registry);
    registerK8s(registry);
    const lazy = () => (registry as unknown as { lazy: Map<string, unknown> }).lazy.has("k8s");
    compile({ kind: "file", file: path.join(REPO, "examples/hello.ko") }, { registry });
    expect(lazy()).toBe(true);
    compile(
      { kind: "text", text: `import "k8s"\nMain() { return: k8s.ListNamespacedPod }`, pkgPath: "uses", path: "<uses>" },
      { registry },
    );
    expect(lazy()).toBe(false);
  });
});
