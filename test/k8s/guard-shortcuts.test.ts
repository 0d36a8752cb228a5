/**
 * Work the guard (guard.ts) spares itself, and what it must still do:
 * - reads of the same URL, again and again: it works out what a read is once (`reads`), but still
 *   counts each, still lets a planning pass answer it from the plan, and forgets what it worked
 *   out when the cluster stops serving the resource;
 * - writes to the run's own embedded cluster under a policy without rules: nothing can be refused,
 *   so it reads nothing to find out what they do; under a policy with rules it still does.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession } from "../../src/api/session.js";
import type { K8sOptions } from "../../src/k8s/options.js";
import { kubectl, testCluster } from "../cluster/helpers.js";
import type { TestCluster } from "./helpers.js";

let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.close());

/** Runs Main of the program in a session of its own; its result, and the requests its guard saw by verb. */
async function run(source: string, kubernetes: K8sOptions): Promise<{ result: unknown; requests: Map<string, number> }> {
  const session = createSession({ kubernetes, stdout: () => {}, stderr: () => {} });
  try {
    const program = session.compile({ kind: "text", pkgPath: "main", path: "main.ko", text: `import "k8s"\n${source}` });
    const result = await session.run(program, "Main");
    return { result, requests: new Map((await session.clusterConnection()).requests) };
  } finally {
    await session.close();
  }
}

const GIZMOS = `k8s.CreateCustomResourceDefinition(
		body: (
			metadata: (name: "gizmos.example.com")
			spec: (
				group: "example.com"
				names: (kind: "Gizmo", plural: "gizmos")
				scope: "Namespaced"
				versions: (name: "v1", served: true, storage: true, schema: (openAPIV3Schema: (type: "object")))
			)
		)
	)`;

describe("reads of one URL, repeated", { timeout: 60_000 }, () => {
  test("each is counted as a request of its own", async () => {
    const { result, requests } = await run(
      `Main() {
	return: Range(over: (1, 2, 3, 4, 5), with: read).residue
}
read(carry, elem) {
	return: (carry: k8s.Get(kind: "Namespace", name: "default", _after: carry).metadata.name)
}`,
      { kubeconfig: c.kubeconfigPath!, yes: true },
    );
    expect(result).toBe("default");
    expect(requests.get("get")).toBe(5);
  });

  test("while planning, a read made again after a planned write sees the plan, not the cluster", async () => {
    expect((await kubectl(c, ["create", "configmap", "planned", "-n", "default", "--from-literal=k=old"])).code).toBe(0);
    const { result } = await run(
      `Main() {
	before: k8s.Get(kind: "ConfigMap", namespace: "default", name: "planned").data.k
	changed: k8s.Apply(namespace: "default", object: (apiVersion: "v1", kind: "ConfigMap", metadata: (name: "planned"), data: (k: "new")), _after: before)
	after: k8s.Get(kind: "ConfigMap", namespace: "default", name: "planned", _after: changed).data.k
	return: (before: before, after: after)
}`,
      { kubeconfig: c.kubeconfigPath!, plan: true },
    );
    expect(result).toEqual({ before: "old", after: "new" });
    const live = await kubectl(c, ["get", "configmap", "planned", "-n", "default", "-o", "jsonpath={.data.k}"]);
    expect(live.stdout).toBe("old");
  });

  test("once the resource's definition is deleted, a read the guard allowed before is refused as one it cannot classify", async () => {
    const get = `k8s.Get(kind: "Gizmo", apiVersion: "example.com/v1", name: "g", namespace: "default"`;
    const outcome = run(
      `Main() {
	crd: ${GIZMOS}
	made: k8s.Apply(object: (apiVersion: "example.com/v1", kind: "Gizmo", metadata: (name: "g", namespace: "default")), _after: crd)
	first: ${get}, _after: made)
	again: ${get}, _after: first)
	gone: k8s.DeleteCustomResourceDefinition(name: "gizmos.example.com", _after: again)
	after: ${get}, _after: gone)
	return: after
}`,
      { cluster: "embedded", stderr: () => {} },
    );
    await expect(outcome).rejects.toThrow(
      "refusing GET /apis/example.com/v1/namespaces/default/gizmos/g: Ko cannot classify this request (gizmos is not a resource the cluster says it serves)",
    );
  });
});

describe("writes to the run's own embedded cluster", { timeout: 60_000 }, () => {
  const TRIPS = `Main() {
	return: Range(over: ("t-1", "t-2", "t-3"), with: trip).residue
}
trip(carry, elem) {
	made: k8s.CreateNamespacedConfigMap(namespace: "default", body: (metadata: (name: elem)), _after: carry)
	read: k8s.ReadNamespacedConfigMap(name: elem, namespace: "default", _after: made)
	gone: k8s.DeleteNamespacedConfigMap(name: elem, namespace: "default", _after: read)
	return: (carry: read.metadata.name)
}`;

  test("under no policy, only the program's own requests are sent", async () => {
    const { result, requests } = await run(TRIPS, { cluster: "embedded", stderr: () => {} });
    expect(result).toBe("t-3");
    expect(Object.fromEntries([...requests].filter(([verb]) => verb !== "discovery"))).toEqual({ create: 3, get: 3, delete: 3 });
  });

  test("under a policy with a rule, the guard still reads what each deletion deletes, and holds it to the rule", async () => {
    const counted = await run(TRIPS, {
      cluster: "embedded",
      stderr: () => {},
      policyDocument: { source: "policy", rules: { maxDeletions: 3 } },
    });
    expect(counted.result).toBe("t-3");
    expect(counted.requests.get("get")).toBeGreaterThan(3);
    await expect(
      run(TRIPS, { cluster: "embedded", stderr: () => {}, policyDocument: { source: "policy", rules: { maxDeletions: 2 } } }),
    ).rejects.toThrow("policy: maxDeletions 2 forbids delete ConfigMap default/t-3");
  });
});
