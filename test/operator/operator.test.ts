/**
 * Operator mode end to end: KoScripts and KoRuns applied with kubectl or made by `ko submit`,
 * run by real `ko operator` processes against `ko cluster serve`, and read back with kubectl —
 * their columns, statuses and events; an ill-typed script that never runs; a failure located in
 * the script with its call chain; two operators sharing the work, each run executed once; the
 * CockroachDB walkthrough to Succeeded with its steps; a policy that denies its deletes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findKubectl, waitEvents } from "../cluster/helpers.js";
import { REPO } from "../support/cli.js";
import {
  eventReasons,
  finished,
  operatorCluster,
  runYaml,
  scriptYaml,
  startOperator,
  table,
  waitFor,
  type OperatorCluster,
  type OperatorProcess,
} from "./helpers.js";

const EXAMPLE = path.join(REPO, "examples", "cockroachdb.ko");
const NS = "cockroachdb-tutorial";

/** Each call makes a ConfigMap of its own labelled with the run: the executions can be counted. */
const ONCE = `import "k8s"

// Main records one execution.
Main(run, namespace) {
	made: k8s.CreateNamespacedConfigMap(namespace: namespace, body: (metadata: (generateName: "exec-", labels: (run: run)), data: (run: run)))
	return: (name: made.metadata.name, run: run)
}

// Missing fails two calls down: Get panics with NotFound.
Missing(namespace) {
	got: lookup(namespace: namespace)
	return: got
}

lookup(namespace) {
	cm: k8s.Get(kind: "ConfigMap", name: "not-there", namespace: namespace)
	return: cm.data
}
`;

/** Would create a ConfigMap if it ran; its second step can never be typed. */
const ILL_TYPED = `import "k8s"

Main() {
	cm: k8s.Apply(object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "never"), data: (a: "b")))
	sum: Sum(1, "two")
	return: (made: cm.metadata.name, sum: sum)
}
`;

/** Twelve steps of 150 ms, one after the other; or as many as `n` says. */
const SLOW = `import "time"

Main(n) {
	steps: chain(n: n)
	return: steps
}

chain(n) {
	return: Branch(if: Equal(n, 0), then: Return[0], else: next[n: n])
}

next(n) {
	slept: time.Sleep(150000000)
	rest: chain(n: Sum(n, -1), _after: slept)
	return: Sum(rest, 1)
}
`;

/** As many steps as you like, at once: 3 labelled steps for each of n calls. */
const MANY = `Main(n) {
	steps: chain(n: n)
	return: steps
}

chain(n) {
	return: Branch(if: Equal(n, 0), then: Return[0], else: next[n: n])
}

next(n) {
	rest: chain(n: Sum(n, -1))
	return: Sum(rest, 1)
}
`;

let c: OperatorCluster;
let a: OperatorProcess;

beforeAll(async () => {
  // The CockroachDB pods are held unready until the init Job completes, as the real readiness probe does.
  c = await operatorCluster(["--hold-ready", `app=cockroachdb:job=cluster-init@${NS}`]);
  a = await startOperator(c, "op-a", ["--work-dir", path.join(c.dir, "work-a"), "--concurrency", "4"]);
}, 60_000);

afterAll(async () => {
  await a?.stop();
  await c?.stop();
});

describe.skipIf(!findKubectl())("ko operator", { timeout: 60_000 }, () => {
  test("a KoRun applied with kubectl runs; kubectl get koruns shows Script, Function, Phase, Progress and Age; status, steps and events", async () => {
    expect((await c.k(["apply", "-f", "-"], scriptYaml("once", { "once.ko": ONCE }))).stdout.trim()).toBe("koscript.ko.dev/once created");
    const made = await c.k(["apply", "-f", "-"], runYaml("first", "once", "Main", { run: "first", namespace: "default" }));
    expect(made.stdout.trim()).toBe("korun.ko.dev/first created");
    const waited = await c.k(["wait", "--for=condition=Succeeded", "korun/first", "--timeout=20s"]);
    expect(waited.stdout.trim(), waited.stderr).toBe("korun.ko.dev/first condition met");

    const rows = table((await c.k(["get", "koruns"])).stdout);
    expect(rows[0]).toEqual(["NAME", "SCRIPT", "FUNCTION", "PHASE", "PROGRESS", "AGE"]);
    expect(rows[1]!.slice(0, 5)).toEqual(["first", "once", "Main", "Succeeded", "2/2"]);
    expect(rows[1]![5]).toMatch(/^\d+s$/);
    const scripts = table((await c.k(["get", "koscripts"])).stdout);
    expect(scripts[0]).toEqual(["NAME", "PACKAGE", "COMPILED", "AGE"]);
    expect(scripts[1]!.slice(0, 3)).toEqual(["once", "once", "True"]);

    const run = await c.get("korun", "first");
    const made1 = (await c.k(["get", "configmaps", "-l", "run=first", "-o", "name"])).stdout.trim();
    expect(made1).toMatch(/^configmap\/exec-[a-z0-9]{5}$/);
    expect(run.status).toMatchObject({
      phase: "Succeeded",
      attempt: 1,
      operator: "op-a",
      observedGeneration: 1,
      progress: "2/2",
      result: { name: made1.slice("configmap/".length), run: "first" },
    });
    expect(run.status.steps.map((s: any) => [s.id, s.phase, s.attempt])).toEqual([
      ["once.Main.made", "Succeeded", 1],
      ["once.Main.return", "Succeeded", 1],
    ]);
    expect(Date.parse(run.status.finishTime)).toBeGreaterThanOrEqual(Date.parse(run.status.startTime));
    expect(await eventReasons(c, "KoRun", "first")).toEqual(["Started", "Succeeded"]);
    const script = await c.get("koscript", "once");
    expect(script.status.functions).toEqual([
      { name: "Main", params: ["run", "namespace"], doc: "Main records one execution." },
      { name: "Missing", params: ["namespace"], doc: "Missing fails two calls down: Get panics with NotFound." },
      { name: "lookup", params: ["namespace"] },
    ]);
    expect(script.status.programHash).toMatch(/^[0-9a-f]{64}$/);
    expect((await c.k(["describe", "korun", "first"])).stdout).toMatch(/Normal\s+Succeeded\s+\S+\s+ko-operator\s+once\.Main returned/);
  });

  test("an ill-typed KoScript never runs: Compiled is False with the error located in its file; its KoRun fails (ko submit: exit 3)", async () => {
    const dir = path.join(c.dir, "ill");
    fs.mkdirSync(dir);
    const file = path.join(dir, "illtyped.ko");
    fs.writeFileSync(file, ILL_TYPED);
    const sub = await c.ko(["submit", file, "Main"]);
    expect(sub.status, sub.stderr).toBe(3);
    expect(sub.stderr).toContain("illtyped.ko:5:7: error: KoScript illtyped does not compile: ");
    expect(sub.stdout).toBe("");
    const script = await c.get("koscript", "illtyped");
    expect(script.status.conditions).toEqual([expect.objectContaining({ type: "Compiled", status: "False", reason: "TypeError" })]);
    expect(script.status.diagnostics[0]).toMatchObject({ severity: "error", location: "illtyped.ko:5:7" });
    const runName = /korun\.ko\.dev\/(\S+) created/.exec(sub.stderr)![1]!;
    const run = await c.get("korun", runName);
    expect(run.status.phase).toBe("Failed");
    expect(run.status.conditions).toEqual([expect.objectContaining({ type: "Succeeded", status: "False", reason: "ScriptNotCompiled" })]);
    expect(run.status.steps ?? []).toEqual([]);
    // Its first step would have made this ConfigMap.
    expect((await c.k(["get", "configmap", "never"])).stderr).toContain("NotFound");
    expect(await eventReasons(c, "KoScript", "illtyped")).toEqual(["TypeError"]);
  });

  test("a run that fails reports the Ko location in the script's file and the call chain (ko submit: exit 1)", async () => {
    const file = path.join(c.dir, "once.ko");
    fs.writeFileSync(file, ONCE);
    const sub = await c.ko(["submit", file, "Missing", "--arg", "namespace=default"]);
    expect(sub.status).toBe(1);
    const runName = /korun\.ko\.dev\/(\S+) created/.exec(sub.stderr)![1]!;
    const run = await c.get("korun", runName);
    expect(run.status.phase).toBe("Failed");
    expect(run.status.error).toMatchObject({
      location: "once.ko:16:6",
      callChain: ["once.lookup:cm (once.ko:16:6)", "once.Missing:got (once.ko:11:7)"],
    });
    expect(run.status.error.message).toContain("NotFound");
    expect(sub.stderr).toContain(`once.ko:16:6: error: ${run.status.error.message}\n  called from once.lookup:cm (once.ko:16:6)\n`);
    expect(await eventReasons(c, "KoRun", runName)).toEqual(["Started", "Failed"]);
  });

  test("two operators: every run is executed exactly once", async () => {
    const b = await startOperator(c, "op-b", ["--work-dir", path.join(c.dir, "work-b"), "--concurrency", "4"]);
    try {
      const names = Array.from({ length: 6 }, (_, i) => `twice-${i}`);
      const manifests = names.map((n) => runYaml(n, "once", "Main", { run: n, namespace: "default" })).join("---\n");
      expect((await c.k(["apply", "-f", "-"], manifests)).code).toBe(0);
      const runs = await Promise.all(names.map((n) => finished(c, n)));
      for (const run of runs) {
        expect(run.status).toMatchObject({ phase: "Succeeded", attempt: 1 });
        const executions = (await c.k(["get", "configmaps", "-l", `run=${run.metadata.name}`, "-o", "name"])).stdout.trim().split("\n");
        expect(executions).toHaveLength(1);
        expect(await eventReasons(c, "KoRun", run.metadata.name)).toEqual(["Started", "Succeeded"]);
      }
      expect(new Set(runs.map((r) => r.status.operator)).size).toBeGreaterThanOrEqual(1);
    } finally {
      const [status] = await b.stop();
      expect(status).toBe(0);
    }
  });

  test("ko submit of examples/cockroachdb.ko StartCockroachDB: Succeeded, every step in the status; a policy denying deletes fails StopCockroachDB with nothing deleted", async () => {
    const start = await c.ko(["submit", EXAMPLE, "StartCockroachDB"]);
    expect(start.status, start.stderr).toBe(0);
    expect(start.stderr).toMatch(/korun\/cockroachdb-startcockroachdb-\w+: Succeeded \(attempt 1\)/);
    const name = /korun\.ko\.dev\/(\S+) created/.exec(start.stderr)![1]!;
    const run = await c.get("korun", name);
    const steps = new Map<string, any>(run.status.steps.map((s: any) => [s.id, s]));
    for (const id of [
      "cockroachdb.StartCockroachDB.ns",
      "cockroachdb.StartCockroachDB.deploy",
      "cockroachdb.startCockroachDBNodes.public",
      "cockroachdb.startCockroachDBNodes.headless",
      "cockroachdb.startCockroachDBNodes.budget",
      "cockroachdb.startCockroachDBNodes.nodes",
      "cockroachdb.StartCockroachDB.podsReady",
      "cockroachdb.StartCockroachDB.initStarted",
      "cockroachdb.StartCockroachDB.initDone",
      "cockroachdb.waitForCockroachDBInitDone.job",
    ]) {
      expect(steps.get(id), id).toMatchObject({ phase: "Succeeded", attempt: 1 });
      expect(Date.parse(steps.get(id).finishTime)).toBeGreaterThanOrEqual(Date.parse(steps.get(id).startTime));
    }
    const [done, total] = run.status.progress.split("/").map(Number);
    expect(done).toBe(total);
    expect(total).toBe(run.status.steps.length);
    const pods = JSON.parse((await c.k(["get", "pods", "-n", NS, "-l", "app=cockroachdb", "-o", "json"])).stdout).items;
    expect(pods.filter((p: any) => p.status.conditions?.some((x: any) => x.type === "Ready" && x.status === "True"))).toHaveLength(3);

    const policy = path.join(c.dir, "no-deletes.yaml");
    fs.writeFileSync(policy, "deny:\n  - verbs: [delete, deletecollection]\n");
    const stop = await c.ko(["submit", EXAMPLE, "StopCockroachDB", "--policy", policy]);
    expect(stop.status).toBe(1);
    const stopName = /korun\.ko\.dev\/(\S+) created/.exec(stop.stderr)![1]!;
    const stopped = await c.get("korun", stopName);
    expect(stopped.spec.policy).toEqual({ deny: [{ verbs: ["delete", "deletecollection"] }] });
    expect(stopped.status.phase).toBe("Failed");
    expect(stopped.status.error.message).toContain(
      `policy KoRun default/${stopName} spec.policy: deny[0] (verbs: [delete, deletecollection], kinds: [all]) forbids delete`,
    );
    expect(stop.stderr).toContain("forbids delete");
    expect(await eventReasons(c, "KoRun", stopName)).toEqual(["Started", "Failed"]);
    // Nothing was deleted: the namespace and everything in it are still there.
    expect((await c.k(["get", "namespace", NS, "-o", "name"])).stdout.trim()).toBe(`namespace/${NS}`);
    expect(
      (await c.k(["get", "statefulsets,services,jobs,poddisruptionbudgets", "-n", NS, "-o", "name"])).stdout.trim().split("\n"),
    ).toHaveLength(5);
    expect(JSON.parse((await c.k(["get", "pods", "-n", NS, "-l", "app=cockroachdb", "-o", "json"])).stdout).items).toHaveLength(3);
    await waitFor("nothing else running", () => !a.output().includes("internal error"));
  });
  test("the status is written as merge patches at most every 500 ms, however fast the steps go", async () => {
    expect((await c.k(["apply", "-f", "-"], scriptYaml("slow", { "slow.ko": SLOW }))).code).toBe(0);
    const t0 = Date.now();
    const seen: { at: number; version: string; phase?: string; progress?: string }[] = [];
    const watched = waitEvents(
      c.served.access,
      "/apis/ko.dev/v1alpha1/namespaces/default/koruns?watch=1&fieldSelector=metadata.name%3Dpaced",
      (events) => {
        for (const e of events.slice(seen.length))
          seen.push({
            at: Date.now(),
            version: e.object.metadata.resourceVersion,
            phase: e.object.status?.phase,
            progress: e.object.status?.progress,
          });
        return seen.at(-1)?.phase === "Succeeded";
      },
      30_000,
    );
    await waitFor("the watch", () => Date.now() - t0 > 200);
    expect((await c.k(["apply", "-f", "-"], runYaml("paced", "slow", "Main", { n: 12 }))).code).toBe(0);
    await watched;
    const run = await c.get("korun", "paced");
    expect(run.status).toMatchObject({ phase: "Succeeded", result: 12 });
    // The run's own events: ADDED, then the status writes (the first takes the run).
    const writes = seen.slice(1);
    expect(writes.length).toBeGreaterThanOrEqual(3);
    // 13 activations of chain and 12 of next, with their steps: far more step changes than writes.
    expect(run.status.steps.length).toBeGreaterThan(40);
    expect(writes.length).toBeLessThan(10);
    // Spaced 500 ms apart when sent, they arrive spaced by that give or take each patch's latency
    // (a shared machine makes some slower than others), so the bound is on their number in the span.
    const span = writes.at(-1)!.at - writes[0]!.at;
    expect(writes.length - 1).toBeLessThanOrEqual(Math.floor(span / 500) + 1);
  });

  test("suspend: a suspended run waits Pending; resumed, it runs; suspended while running, it is Interrupted", async () => {
    expect((await c.k(["apply", "-f", "-"], runYaml("held", "slow", "Main", { n: 40 }, "  suspend: true\n"))).code).toBe(0);
    const pending = await waitFor("Pending", async () => {
      const run = await c.get("korun", "held");
      return run.status?.phase === "Pending" ? run : undefined;
    });
    expect(pending.status.conditions).toEqual([expect.objectContaining({ type: "Succeeded", status: "Unknown", reason: "Suspended" })]);
    expect(pending.status.steps).toBeUndefined();
    expect((await c.k(["patch", "korun", "held", "--type=merge", "-p", '{"spec":{"suspend":false}}'])).code).toBe(0);
    await waitFor("running steps", async () => (await c.get("korun", "held")).status?.steps?.length > 3, 10_000);
    expect((await c.k(["patch", "korun", "held", "--type=merge", "-p", '{"spec":{"suspend":true}}'])).code).toBe(0);
    const run = await finished(c, "held");
    expect(run.status.phase).toBe("Interrupted");
    expect(run.status.conditions).toEqual([
      expect.objectContaining({ type: "Succeeded", status: "False", reason: "Interrupted", message: "the KoRun was suspended" }),
    ]);
    expect(run.status.steps.some((s: any) => s.phase === "Interrupted")).toBe(true);
    expect(run.status.steps.some((s: any) => s.phase === "Running")).toBe(false);
    expect(await eventReasons(c, "KoRun", "held")).toEqual(["Started", "Interrupted"]);
  });

  test("dryRun plans without writing (the plan in status.output); ttlSecondsAfterFinished deletes a finished run", async () => {
    const dry = runYaml("dry", "once", "Main", { run: "dry", namespace: "default" }, "  dryRun: true\n  ttlSecondsAfterFinished: 4\n");
    expect((await c.k(["apply", "-f", "-"], dry)).code).toBe(0);
    const run = await finished(c, "dry");
    expect(run.status.phase).toBe("Succeeded");
    expect(run.status.output).toMatch(/^ {2}\+ create ConfigMap default\/exec-\w{5}$/m);
    expect(run.status.output).toContain("1 to create, 0 to change, 0 to delete.");
    expect(run.status.output).toContain("ko: dry run: nothing was changed.");
    expect((await c.k(["get", "configmaps", "-l", "run=dry", "-o", "name"])).stdout.trim()).toBe("");
    const gone = await c.k(["wait", "--for=delete", "korun/dry", "--timeout=10s"]);
    expect(gone.code, gone.stderr).toBe(0);
    // Deleted no sooner than its TTL (4 s: long enough for the poll above to see it finished on a loaded machine).
    expect(Date.now() - Date.parse(run.status.finishTime)).toBeGreaterThanOrEqual(4000);
  });
  test("a status that would pass 256 KiB keeps the latest steps and offloads the others to ConfigMaps the run owns", async () => {
    expect((await c.k(["apply", "-f", "-"], scriptYaml("many", { "many.ko": MANY }))).code).toBe(0);
    expect((await c.k(["apply", "-f", "-"], runYaml("big", "many", "Main", { n: 1000 }))).code).toBe(0);
    const run = await finished(c, "big");
    expect(run.status).toMatchObject({ phase: "Succeeded", result: 1000 });
    expect(JSON.stringify(run.status).length).toBeLessThanOrEqual(256 * 1024);
    const offloaded: number = run.status.stepsOffloaded;
    expect(offloaded).toBeGreaterThan(1000);
    expect(run.status.conditions).toContainEqual(
      expect.objectContaining({
        type: "StepsOffloaded",
        status: "True",
        message: `${offloaded} finished step entries are in ConfigMaps ${run.status.stepsConfigMaps.join(", ")}`,
      }),
    );
    const kept: string[] = run.status.steps.map((s: any) => s.id);
    const moved: any[] = [];
    for (const name of run.status.stepsConfigMaps) {
      const cm = await c.get("configmap", name);
      expect(cm.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "KoRun", name: "big", uid: run.metadata.uid })]);
      for (const line of cm.data["steps.jsonl"].trim().split("\n")) moved.push(JSON.parse(line));
    }
    expect(moved).toHaveLength(offloaded);
    expect(moved.every((s) => s.phase === "Succeeded")).toBe(true);
    // Each entry once, in the status or a ConfigMap: 1001 calls of chain (its return, and the
    // labelled steps of the idioms Branch and Invoke it calls), 1000 of next (rest, return), Main's steps.
    const all = new Set([...kept, ...moved.map((s) => s.id)]);
    expect(all.size).toBe(kept.length + moved.length);
    expect(all.size).toBe(4 * 1001 + 2 * 1000 + 1);
    expect(run.status.progress).toBe(`${all.size}/${all.size}`);
    expect(all.has("many.Main.steps")).toBe(true);
    expect(all.has("many.next.rest#1000")).toBe(true);
  });
  test("a result past 64 KiB is kept in ConfigMaps the run owns, cut at 768 KiB between characters; ko submit prints it whole", async () => {
    const file = path.join(c.dir, "large.ko");
    // 500,000 two-byte characters and a short tail: about 1 MB of JSON, so two ConfigMaps.
    fs.writeFileSync(file, 'import "strings"\n\nMain(n) {\n\treturn: (text: strings.Repeat(string: "é", count: n), tail: "end")\n}\n');
    const sub = await c.ko(["submit", file, "Main", "--arg", "n=500000"]);
    expect(sub.status, sub.stderr).toBe(0);
    // Compared by shape, not printed whole on a failure: a megabyte of text.
    const printed = sub.stdout.replace(/é{1000}/g, "É");
    expect(printed).toBe(`(\n\ttext: "${"É".repeat(500)}"\n\ttail: "end"\n)\n`);
    const runName = /korun\.ko\.dev\/(\S+) created/.exec(sub.stderr)![1]!;
    const run = await c.get("korun", runName);
    expect(run.status.result).toBeUndefined();
    expect(run.status.resultTruncated).toBeUndefined();
    expect(run.status.resultConfigMaps).toEqual([`${runName}-result-0`, `${runName}-result-1`]);
    let json = "";
    for (const name of run.status.resultConfigMaps) {
      const cm = await c.get("configmap", name);
      expect(cm.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "KoRun", name: runName, uid: run.metadata.uid })]);
      expect(Buffer.byteLength(cm.data["result.json"], "utf8")).toBeLessThanOrEqual(768 * 1024);
      json += cm.data["result.json"];
    }
    const parsed = JSON.parse(json) as { text: string; tail: string };
    expect(parsed.text === "é".repeat(500_000) && parsed.tail === "end").toBe(true);
  });

  test("a KoRun whose policy is not one fails before anything runs, in the policy file's words", async () => {
    const bad = runYaml(
      "bad-policy",
      "once",
      "Main",
      { run: "bad-policy", namespace: "default" },
      "  policy:\n    deny: []\n    bogus: true\n",
    );
    expect((await c.k(["apply", "-f", "-"], bad)).code).toBe(0);
    const run = await finished(c, "bad-policy");
    expect(run.status.phase).toBe("Failed");
    expect(run.status.conditions).toEqual([
      expect.objectContaining({
        type: "Succeeded",
        status: "False",
        reason: "InvalidPolicy",
        message:
          "policy KoRun default/bad-policy spec.policy: unknown key bogus (the keys are allowNamespaces, denyNamespaces, allowClusterScope, deny, maxDeletions)",
      }),
    ]);
    expect((await c.k(["get", "configmaps", "-l", "run=bad-policy", "-o", "name"])).stdout.trim()).toBe("");
  });
  test("a KoScript whose files are in a ConfigMap (spec.configMapRef): its .ko keys are the package", async () => {
    const dir = path.join(c.dir, "from-cm");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "main.ko"), "Main(who) {\n\treturn: greeting(who: who)\n}\n");
    fs.writeFileSync(
      path.join(dir, "greet.ko"),
      'import "strings"\n\ngreeting(who) {\n\treturn: strings.Join(: ("hello", who), delimiter: ", ")\n}\n',
    );
    fs.writeFileSync(path.join(dir, "README"), "not Ko\n");
    expect((await c.k(["create", "configmap", "greeter-src", `--from-file=${dir}`])).code).toBe(0);
    const script =
      "apiVersion: ko.dev/v1alpha1\nkind: KoScript\nmetadata:\n  name: greeter\nspec:\n  configMapRef:\n    name: greeter-src\n";
    expect((await c.k(["apply", "-f", "-"], script)).code).toBe(0);
    expect((await c.k(["apply", "-f", "-"], runYaml("greet", "greeter", "Main", { who: "cluster" }))).code).toBe(0);
    const run = await finished(c, "greet");
    expect(run.status).toMatchObject({ phase: "Succeeded", result: "hello, cluster" });
    const compiled = await waitFor("the script's status", async () => (await c.get("koscript", "greeter")).status?.functions);
    expect(compiled.map((f: any) => f.name)).toEqual(["Main", "greeting"]);
  });
  test("the CRDs' schemas: an invalid KoRun is refused with each field's path; kubectl explain reads their descriptions", async () => {
    const bad =
      "apiVersion: ko.dev/v1alpha1\nkind: KoRun\nmetadata:\n  name: bad\nspec:\n  function: not valid\n  ttlSecondsAfterFinished: -1\n";
    const refused = await c.k(["apply", "-f", "-"], bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'The KoRun "bad" is invalid: \n' +
        "* spec.function: Invalid value: \"not valid\": spec.function in body should match '^[A-Za-z_][A-Za-z0-9_]*$'\n" +
        "* spec.ttlSecondsAfterFinished: Invalid value: -1: spec.ttlSecondsAfterFinished in body should be greater than or equal to 0\n" +
        "* spec.scriptRef: Required value\n",
    );
    const explained = (await c.k(["explain", "korun.spec.dryRun"])).stdout;
    expect(explained).toMatch(/^KIND:\s+KoRun$/m);
    expect(explained).toContain("Plan only, as ko run --dry-run");
    // The default function is Main.
    expect(
      (
        await c.k(
          ["apply", "-f", "-"],
          "apiVersion: ko.dev/v1alpha1\nkind: KoRun\nmetadata:\n  name: main\nspec:\n  scriptRef:\n    name: none\n  suspend: true\n",
        )
      ).code,
    ).toBe(0);
    expect((await c.get("korun", "main")).spec.function).toBe("Main");
  });
});
