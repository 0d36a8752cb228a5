/**
 * How `ko run` picks its cluster, as kubectl does, before anything runs: --kubeconfig, else
 * KUBECONFIG (a list of files), else ~/.kube/config; the embedded cluster only when there is no
 * kubeconfig at all. A kubeconfig, context or policy that is wrong exits with status 2 and the
 * reason, and the script's first step never runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { tempDir, testCluster } from "../cluster/helpers.js";
import { ko } from "../support/cli.js";
import type { TestCluster } from "./helpers.js";

let c: TestCluster;
let dir: string;
/** A script whose first step leaves a file behind, before its first API call. */
let script: string;
const marker = () => path.join(dir, "ran");

beforeAll(async () => {
  c = await testCluster();
  dir = tempDir("ko-select-");
  script = path.join(dir, "first.ko");
  fs.writeFileSync(
    script,
    `import "k8s"\nimport "os"\nMain() {\n\twrote: os.WriteFile(path: ${JSON.stringify(marker())}, content: "yes")\n` +
      `\treturn: Len(k8s.ListConfigMapsByLabelSelector(namespace: "kube-system", _after: wrote))\n}\n`,
  );
});
afterAll(async () => {
  await c.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a file of the test's directory and returns its path. */
function file(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

/** The cluster's own kubeconfig with `edit` applied to its text. */
const kubeconfig = (name: string, edit: (text: string) => string = (t) => t) =>
  file(name, edit(fs.readFileSync(c.kubeconfigPath!, "utf8")));

/** `ko run` of the script with ARGS, in an environment with no kubeconfig but those given. */
function run(args: string[], env: NodeJS.ProcessEnv = {}, target = script) {
  fs.rmSync(marker(), { force: true });
  return ko(["run", "--no-cache", "--no-progress", target, ...args], { env: { HOME: path.join(dir, "home"), KUBECONFIG: "", ...env } });
}

interface Refusal {
  readonly name: string;
  /** The flags and environment, given the test's directory. */
  readonly setup: () => { args?: string[]; env?: NodeJS.ProcessEnv };
  readonly stderr: (d: string) => string;
}

const REFUSALS: Refusal[] = [
  {
    name: "--kubeconfig names a missing file",
    setup: () => ({ args: ["--kubeconfig", path.join(dir, "missing")] }),
    stderr: (d) => `ko: --kubeconfig ${d}/missing: no such file\n`,
  },
  {
    name: "KUBECONFIG names a missing file",
    setup: () => ({ env: { KUBECONFIG: path.join(dir, "missing") } }),
    stderr: (d) => `ko: KUBECONFIG=${d}/missing: no such file\n`,
  },
  {
    name: "KUBECONFIG names only missing files",
    setup: () => ({ env: { KUBECONFIG: `${dir}/one:${dir}/two` } }),
    stderr: (d) => `ko: KUBECONFIG=${d}/one:${d}/two: none of its files exists\n`,
  },
  {
    name: "--kubeconfig is not valid YAML",
    setup: () => ({ args: ["--kubeconfig", file("broken.yaml", "clusters: [\n")] }),
    stderr: (d) => `ko: kubeconfig ${d}/broken.yaml is not valid YAML: ${yamlError("clusters: [\n")}\n`,
  },
  {
    name: "KUBECONFIG is not valid YAML",
    setup: () => ({ env: { KUBECONFIG: file("broken-env.yaml", "users:\n\t- tab\n") } }),
    stderr: (d) => `ko: kubeconfig ${d}/broken-env.yaml is not valid YAML: ${yamlError("users:\n\t- tab\n")}\n`,
  },
  {
    name: "the kubeconfig is YAML but not a mapping",
    setup: () => ({ args: ["--kubeconfig", file("list.yaml", "- a\n- b\n")] }),
    stderr: (d) => `ko: kubeconfig ${d}/list.yaml is not a kubeconfig: expected a mapping\n`,
  },
  {
    name: "the kubeconfig's clusters are not a list",
    setup: () => ({
      args: ["--kubeconfig", kubeconfig("clusters.yaml", (t) => t.replace(/^clusters:\n/m, "clusters: 3\nold-clusters:\n"))],
    }),
    stderr: (d) => `ko: kubeconfig ${d}/clusters.yaml: clusters must be a list\n`,
  },
  {
    name: "--context names no context of the kubeconfig",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("ok.yaml"), "--context", "nope"] }),
    stderr: (d) => `ko: --context nope: kubeconfig ${d}/ok.yaml has no such context (its contexts: ko)\n`,
  },
  {
    name: "the current-context names no context",
    setup: () => ({ env: { KUBECONFIG: kubeconfig("stale.yaml", (t) => t.replace("current-context: ko", "current-context: gone")) } }),
    stderr: (d) => `ko: current-context gone: kubeconfig ${d}/stale.yaml has no such context (its contexts: ko)\n`,
  },
  {
    name: "no current-context and no --context",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("none.yaml", (t) => t.replace("current-context: ko\n", ""))] }),
    stderr: (d) => `ko: kubeconfig ${d}/none.yaml: no current-context; pass --context (its contexts: ko)\n`,
  },
  {
    name: "the context has no cluster",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("nocluster.yaml", (t) => t.replace("    cluster: ko\n", ""))] }),
    stderr: (d) => `ko: context ko in ${d}/nocluster.yaml names no cluster\n`,
  },
  {
    name: "the context names a cluster that is not defined",
    setup: () => ({
      args: ["--kubeconfig", kubeconfig("undefined.yaml", (t) => t.replace("    cluster: ko\n", "    cluster: elsewhere\n"))],
    }),
    stderr: (d) => `ko: context ko names cluster elsewhere, which kubeconfig ${d}/undefined.yaml does not define\n`,
  },
  {
    name: "the cluster has no server",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("noserver.yaml", (t) => t.replace(/ {4}server: .*\n/, ""))] }),
    stderr: (d) => `ko: cluster ko in ${d}/noserver.yaml has no server\n`,
  },
  {
    name: "--cluster kubeconfig, and no kubeconfig exists",
    setup: () => ({ args: ["--cluster", "kubeconfig"] }),
    stderr: () => `ko: --cluster kubeconfig: no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config)\n`,
  },
  {
    name: "--policy names a missing file",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("ok.yaml"), "--policy", path.join(dir, "nopolicy.yaml")] }),
    stderr: (d) => `ko: --policy ${d}/nopolicy.yaml: no such file\n`,
  },
  {
    name: "--policy is not valid YAML",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("ok.yaml"), "--policy", file("bad-policy.yaml", "deny: [\n")] }),
    stderr: (d) => `ko: policy ${d}/bad-policy.yaml is not valid YAML: ${yamlError("deny: [\n")}\n`,
  },
  {
    name: "--policy has a key no policy has",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("ok.yaml"), "--policy", file("odd-policy.yaml", "allowNamespace: [a]\n")] }),
    stderr: (d) =>
      `ko: policy ${d}/odd-policy.yaml: unknown key allowNamespace (the keys are allowNamespaces, denyNamespaces, allowClusterScope, deny, maxDeletions)\n`,
  },
  {
    name: "--cluster-state with --kubeconfig",
    setup: () => ({ args: ["--kubeconfig", kubeconfig("ok.yaml"), "--cluster-state", path.join(dir, "s.state")] }),
    stderr: () =>
      "ko: --cluster-state keeps the embedded cluster's state: it does not go with --cluster kubeconfig, --kubeconfig or --context\n",
  },
];

/** The first line of the YAML library's message for `text`, as the selection quotes it. */
function yamlError(text: string): string {
  try {
    parse(text);
  } catch (e) {
    return (e as Error).message.split("\n")[0]!.replace(/:$/, "");
  }
  throw new Error("valid YAML");
}

describe("a wrong cluster choice exits 2 before anything runs", () => {
  test.each(REFUSALS)("$name", async ({ setup, stderr }) => {
    const { args = [], env = {} } = setup();
    const r = await run(args, env);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 2, stderr: stderr(dir), stdout: "" });
    expect(fs.existsSync(marker())).toBe(false);
  });

  test("KUBECONFIG=/nonexistent ko run examples/cockroachdb.ko StartCockroachDB: exit 2, not a run against the embedded cluster", async () => {
    const r = await ko(["run", "--no-cache", "--no-progress", "examples/cockroachdb.ko", "StartCockroachDB"], {
      env: { HOME: dir, KUBECONFIG: "/nonexistent" },
    });
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({
      status: 2,
      stderr: "ko: KUBECONFIG=/nonexistent: no such file\n",
      stdout: "",
    });
  });

  test("a script that does not import k8s reads no kubeconfig", async () => {
    const r = await ko(["run", "--no-cache", "examples/hello.ko"], { env: { HOME: dir, KUBECONFIG: "/nonexistent" } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("the cluster chosen", () => {
  test("no kubeconfig at all (no flag, no KUBECONFIG, no ~/.kube/config): the embedded cluster, and stderr says so", async () => {
    const r = await run([]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^ko: no kubeconfig found; using the embedded cluster at https:\/\/127\.0\.0\.1:\d+ \(its state ends with the run\)\n$/,
    );
    expect(r.stdout).toBe("1\n"); // kube-root-ca.crt, which every namespace gets
    expect(fs.existsSync(marker())).toBe(true);
  });

  test("~/.kube/config when neither the flag nor KUBECONFIG is given", async () => {
    kubeconfig("home/.kube/config");
    const r = await run([]);
    fs.rmSync(path.join(dir, "home/.kube"), { recursive: true });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(Number(r.stdout)).toBeGreaterThan(0); // the test cluster's kube-system has kube-root-ca.crt
  });

  test("KUBECONFIG as a list, merged as kubectl merges: missing files skipped, the first to define a name wins", async () => {
    // The first file names the context and defines a decoy cluster by the name the second defines properly.
    const first = file("first.yaml", "current-context: ko\nclusters:\n- name: decoy\n  cluster: {server: https://127.0.0.1:1}\n");
    const second = kubeconfig("second.yaml", (t) => t.replace("current-context: ko", "current-context: other"));
    const r = await run([], { KUBECONFIG: [path.join(dir, "absent.yaml"), first, second].join(path.delimiter) });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(Number(r.stdout)).toBeGreaterThan(0);
  });

  test("in a pod, with no kubeconfig: the pod's service account (its server, CA, token and namespace)", async () => {
    const config = parse(fs.readFileSync(c.kubeconfigPath!, "utf8"));
    const account = path.join(dir, "serviceaccount");
    file("serviceaccount/token", config.users[0].user.token);
    file("serviceaccount/ca.crt", Buffer.from(config.clusters[0].cluster["certificate-authority-data"], "base64").toString());
    file("serviceaccount/namespace", "kube-system");
    const url = new URL(config.clusters[0].cluster.server);
    const pod = { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port, KO_SERVICE_ACCOUNT_DIR: account };
    const inNamespace = file("pod.ko", `import "k8s"\nMain() {\n\treturn: Len(k8s.List(kind: "ConfigMap"))\n}\n`);
    const r = await run([], pod, inNamespace);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(Number(r.stdout)).toBeGreaterThan(0); // kube-system's kube-root-ca.crt: the account's namespace was used

    // A token that is not the server's is refused by the server: the account's token is what is sent.
    file("serviceaccount/token", "not-the-token");
    const refused = await run([], pod, inNamespace);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("401");

    fs.rmSync(path.join(account, "token"));
    const missing = await run([], pod, inNamespace);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain(
      `the pod's service account (KUBERNETES_SERVICE_HOST=${url.hostname}): its token ${path.join(account, "token")}`,
    );
  });

  test("--kubeconfig wins over KUBECONFIG; a broken entry the context does not use is no one's business", async () => {
    const good = kubeconfig("good.yaml", (t) => t.replace("users:\n", "users:\n- name: broken\n  user: {token-file: /nowhere}\n"));
    const r = await run(["--kubeconfig", good], { KUBECONFIG: path.join(dir, "missing") });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
  });
});
