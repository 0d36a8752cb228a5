/**
 * Sessions are independent: two in one process, with different repository roots and different
 * clusters and namespaces, run the same program concurrently and each sees only its own.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, type Session } from "../../src/api/index.js";
import { http, testCluster } from "../cluster/helpers.js";
import { tempDir } from "../support/temp.js";

type TestCluster = Awaited<ReturnType<typeof testCluster>>;

const PROGRAM = `import "k8s"
import "repo"
import "site"

Main(round) {
	marker: k8s.Get(kind: "ConfigMap", name: "marker")
	return: (round: round, site: site.Name(), root: repo.Path(), cluster: marker.data.who, namespace: marker.metadata.namespace)
}
`;

/** A root holding the package `site`, whose Name() says which root it came from. */
function rootNamed(who: string): string {
  const root = tempDir("ko-root-");
  fs.mkdirSync(path.join(root, "site"));
  fs.writeFileSync(path.join(root, "site", "site.ko"), `Name() { return: "${who}" }\n`);
  return root;
}

/** A cluster whose namespace `ns` holds the ConfigMap `marker` with data.who = who. */
async function clusterNamed(who: string, ns: string): Promise<TestCluster> {
  const c = await testCluster();
  expect((await http(c, "POST", "/api/v1/namespaces", { metadata: { name: ns } })).status).toBe(201);
  const made = await http(c, "POST", `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: "marker" }, data: { who } });
  expect(made.status).toBe(201);
  return c;
}

describe("two sessions in one process", () => {
  let a: TestCluster, b: TestCluster;
  let rootA: string, rootB: string;
  let sa: Session, sb: Session;
  beforeAll(async () => {
    [a, b] = await Promise.all([clusterNamed("cluster a", "alpha"), clusterNamed("cluster b", "beta")]);
    rootA = rootNamed("site a");
    rootB = rootNamed("site b");
    const quiet = { stdout: () => {}, stderr: () => {} };
    sa = createSession({ roots: [rootA], kubernetes: { kubeconfig: a.kubeconfigPath!, namespace: "alpha" }, ...quiet });
    sb = createSession({ roots: [rootB], kubernetes: { kubeconfig: b.kubeconfigPath!, namespace: "beta" }, ...quiet });
  });
  afterAll(async () => {
    await Promise.all([sa?.close(), sb?.close()]);
    await Promise.all([a?.close(), b?.close()]);
  });

  test("run concurrently, each with its own roots, cluster and namespace", async () => {
    const pa = sa.compileSource(PROGRAM, { pkgPath: "same" });
    const pb = sb.compileSource(PROGRAM, { pkgPath: "same" });
    // Interleaved: every round of one session runs while rounds of the other are in flight.
    const rounds = Array.from({ length: 6 }, (_, i) => i);
    const results = await Promise.all(rounds.flatMap((round) => [sa.run(pa, "Main", { round }), sb.run(pb, "Main", { round })]));
    rounds.forEach((round) => {
      expect(results[2 * round]).toEqual({ round, site: "site a", root: rootA, cluster: "cluster a", namespace: "alpha" });
      expect(results[2 * round + 1]).toEqual({ round, site: "site b", root: rootB, cluster: "cluster b", namespace: "beta" });
    });
  });

  test("closing one leaves the other working", async () => {
    const other = createSession({ roots: [rootB], kubernetes: { kubeconfig: b.kubeconfigPath!, namespace: "beta" }, stderr: () => {} });
    const p = other.compileSource(PROGRAM);
    expect(await other.run(p, "Main", { round: 0 })).toMatchObject({ cluster: "cluster b" });
    await other.close();
    await expect(other.run(p, "Main", { round: 1 })).rejects.toThrow("the session is closed");
    expect(await sb.run(sb.compileSource(PROGRAM), "Main", { round: 2 })).toMatchObject({ cluster: "cluster b", site: "site b" });
  });
});
