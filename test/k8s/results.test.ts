/**
 * Results people can use, against the embedded cluster with the real kubectl: `k8s.ApplyFile`
 * applying manifest files as `kubectl apply -f` does, and `ko run -o json|yaml` printing objects
 * as the server has them (as `kubectl get -o json` does, less managedFields and Secret data).
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { formatResult } from "../../src/api/result-formats.js";
import { fromClient } from "../../src/k8s/objects.js";
import { findKubectl, kubectl, testCluster } from "../cluster/helpers.js";
import { tempDir, writeFiles } from "../support/temp.js";
import { koRun, type TestCluster } from "./helpers.js";

const haveKubectl = findKubectl() !== null;
let c: TestCluster;
beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.close());

/** A Ko script in a directory of its own, with files beside it; returns the directory. */
function project(script: string, files: Record<string, string> = {}): string {
  return writeFiles(tempDir("ko-results-"), { "main.ko": `import "k8s"\n${script}`, ...files });
}

/** `kubectl get` of one object as JSON. */
async function kubectlGet(...args: string[]): Promise<any> {
  const r = await kubectl(c, ["get", ...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(`kubectl get ${args.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const APP = `# The shop's web tier: its configuration, the Deployment and a Secret.
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
data:
  mode: production
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
      volumes:
      - name: scratch
        emptyDir: {}
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: shop
stringData:
  password: hunter2
`;

describe.skipIf(!haveKubectl)("k8s.ApplyFile", { timeout: 60_000 }, () => {
  test("a directory: its .yaml, .yml and .json files in name order, every document in order, as kubectl apply -f", async () => {
    const dir = project(`Main(dir) { return: k8s.ApplyFile(dir) }`, {
      "manifests/01-namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
      "manifests/02-app.yml": APP,
      "manifests/03-service.json": JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "shop" },
        spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 80 }] },
      }),
      "manifests/README.md": "not a manifest: left alone",
      "manifests/nested/ignored.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nested\n",
    });
    const run = await koRun(c, [path.join(dir, "main.ko"), "--arg", `dir=${path.join(dir, "manifests")}`, "-o", "json"]);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const applied = JSON.parse(run.stdout);
    expect(applied.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "Namespace/shop",
      "ConfigMap/web-config",
      "Deployment/web",
      "Secret/web-secret",
      "Service/web",
    ]);
    // What the cluster holds, as kubectl sees it.
    const deployment = await kubectlGet("deployment", "web", "-n", "shop");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: "scratch", emptyDir: {} }]);
    expect((await kubectlGet("configmap", "web-config", "-n", "shop")).data).toEqual({ mode: "production" });
    const secret = await kubectlGet("secret", "web-secret", "-n", "shop");
    expect(Buffer.from(secret.data.password, "base64").toString()).toBe("hunter2");
    expect((await kubectlGet("service", "web", "-n", "shop")).spec.ports[0].port).toBe(80);
    expect((await kubectl(c, ["get", "configmap", "nested", "-n", "default"])).code).not.toBe(0); // no recursion
    // The applied objects come back as the cluster has them: the emptyDir kept, the secret never shown.
    expect(applied[2].spec.template.spec.volumes).toEqual([{ name: "scratch", emptyDir: {} }]);
    expect(applied[3].data).toEqual({ password: "<redacted>" });
    expect(run.stdout).not.toContain("hunter2");
    expect(run.stdout).not.toContain(secret.data.password);
  });

  test("a List document stands for its items; a namespace argument places objects that name none", async () => {
    const dir = project(`Main(file) { return: k8s.ApplyFile(: file, namespace: "listed") }`, {
      "list.yaml": [
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: listed\n---",
        "apiVersion: v1\nkind: List\nitems:",
        '- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: first\n  data:\n    n: "1"',
        "- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: second\n",
      ].join("\n"),
    });
    const run = await koRun(c, [path.join(dir, "main.ko"), "--arg", `file=${path.join(dir, "list.yaml")}`, "-o", "yaml"]);
    expect(run.status, run.stderr).toBe(0);
    expect((parse(run.stdout) as any[]).map((o) => `${o.kind}/${o.metadata.namespace ?? "-"}/${o.metadata.name}`)).toEqual([
      "Namespace/-/listed",
      "ConfigMap/listed/first",
      "ConfigMap/listed/second",
    ]);
    expect((await kubectlGet("configmap", "first", "-n", "listed")).data).toEqual({ n: "1" });
  });

  test("a document that is not a valid object stops the run before anything is applied, naming file and document", async () => {
    const bad =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: never-applied\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replica: 2\n";
    const dir = project(`Main(file) { return: k8s.ApplyFile(file) }`, { "bad.yaml": bad });
    const file = path.join(dir, "bad.yaml");
    const run = await koRun(c, [path.join(dir, "main.ko"), "--arg", `file=${file}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("unrecovered panic: (\n");
    expect(run.stderr).toContain(
      `message: "${file}: document 2 (line 5): Deployment d: field spec: V1DeploymentSpec has no field replica (did you mean replicas?)"\n`,
    );
    expect(run.stderr).toContain(`\tfile: "${file}"\n\tdocument: 2\n`);
    expect(run.stderr).not.toMatch(/^\s+at .*\.(js|ts):\d+/m);
    expect((await kubectl(c, ["get", "configmap", "never-applied", "-n", "default"])).code).not.toBe(0);
  });

  test("invalid YAML and unreadable paths are panics a script can recover from", async () => {
    const dir = project(
      `Try(path?) { return: Recover(invoke: k8s.ApplyFile[path], panic: Return) }
Main(broken, missing) { return: (broken: Try(broken), missing: Try(missing)) }`,
      { "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: [\n" },
    );
    const paths = ["--arg", `broken=${path.join(dir, "broken.yaml")}`, "--arg", `missing=${path.join(dir, "none.yaml")}`];
    const run = await koRun(c, [path.join(dir, "main.ko"), ...paths, "-o", "json"]);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.broken).toMatchObject({ error: "k8s.ApplyFile", file: path.join(dir, "broken.yaml"), document: 2 });
    expect(out.broken.message).toMatch(/broken\.yaml: document 2 \(line 5\): invalid YAML: /);
    expect(out.missing).toEqual({
      error: "k8s.ApplyFile",
      message: `${path.join(dir, "none.yaml")}: no such file or directory`,
      file: path.join(dir, "none.yaml"),
    });
  });

  test("an API error is the usual panic, with the file and the document", async () => {
    const dir = project(`Main(file) { return: Recover(invoke: k8s.ApplyFile[file], panic: Return) }`, {
      "orphan.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: orphan\n  namespace: no-such-namespace\n",
    });
    const file = path.join(dir, "orphan.yaml");
    const run = await koRun(c, [path.join(dir, "main.ko"), "--arg", `file=${file}`, "-o", "json"]);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ code: 404, reason: "NotFound", kind: "ConfigMap", name: "orphan", file, document: 1 });
  });

  test("--dry-run reports what would be applied and changes nothing", async () => {
    const dir = project(`Main(file) { return: Len(k8s.ApplyFile(file)) }`, {
      "dry.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: run\n",
    });
    const run = await koRun(c, [path.join(dir, "main.ko"), "--arg", `file=${path.join(dir, "dry.yaml")}`, "--dry-run"]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe("2\n");
    expect(run.stderr).toContain(
      "  + create ConfigMap default/dry\n  + create ConfigMap default/run\n  2 to create, 0 to change, 0 to delete.",
    );
    expect((await kubectl(c, ["get", "configmap", "dry", "-n", "default"])).code).not.toBe(0);
  });
});

describe.skipIf(!haveKubectl)("ko run -o json|yaml", { timeout: 60_000 }, () => {
  /** kubectl's JSON of an object, less what Ko leaves out (managedFields, the bookkeeping of server-side apply). */
  const asKoWrites = (o: any) => {
    const { managedFields: _, ...metadata } = o.metadata;
    return { ...o, metadata };
  };

  test("objects come out as kubectl get -o json shows them, emptyDir: {} included", async () => {
    const manifest = `apiVersion: v1
kind: Service
metadata:
  name: scratchy
  namespace: default
spec:
  selector: {app: scratchy}
  ports:
  - name: http
    port: 80
    targetPort: http
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: scratchy
  namespace: default
  labels: {app: scratchy}
spec:
  replicas: 1
  selector:
    matchLabels: {app: scratchy}
  template:
    metadata:
      labels: {app: scratchy}
    spec:
      containers:
      - name: main
        image: busybox
        args: ["sleep", "3600"]
      volumes:
      - name: tmp
        emptyDir: {}
`;
    const applied = await kubectl(c, ["apply", "-f", "-"], { input: manifest });
    expect(applied.code, applied.stderr).toBe(0);
    const dir = project(`
Service() { return: k8s.Get(kind: "Service", name: "scratchy", namespace: "default") }
Deployment() { return: k8s.Get(kind: "Deployment", name: "scratchy", namespace: "default") }`);
    const run = await koRun(c, [path.join(dir, "main.ko"), "-l", "Service,Deployment", "-o", "yaml"]);
    expect(run.status, run.stderr).toBe(0);
    const [service, deployment] = run.stdout.split(/^---\n/m).map((doc) => parse(doc));
    expect(service).toEqual(asKoWrites(await kubectlGet("service", "scratchy", "-n", "default")));
    expect(deployment).toEqual(asKoWrites(await kubectlGet("deployment", "scratchy", "-n", "default")));
    expect(deployment.spec.template.spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
    // The JSON says the same as the YAML.
    const json = await koRun(c, [path.join(dir, "main.ko"), "Deployment", "-o", "json"]);
    expect(JSON.parse(json.stdout)).toEqual(deployment);
  });

  test("a Secret's data is written <redacted>, in JSON as in YAML: a secret is never printed", async () => {
    const created = await kubectl(c, [
      "create",
      "secret",
      "generic",
      "db-password",
      "-n",
      "default",
      "--from-literal=password=s3cr3t-value",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const dir = project(`Main() { return: k8s.Get(kind: "Secret", name: "db-password", namespace: "default") }`);
    for (const format of ["json", "yaml"]) {
      const run = await koRun(c, [path.join(dir, "main.ko"), "-o", format]);
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).not.toContain("s3cr3t-value");
      expect(run.stdout).not.toContain(Buffer.from("s3cr3t-value").toString("base64"));
      expect(format === "json" ? JSON.parse(run.stdout).data : parse(run.stdout).data).toEqual({ password: "<redacted>" });
    }
  });
});

test("fields the client renames (NetworkPolicy's from is _from in TypeScript) are written with their JSON names", async () => {
  const k8s = await import("@kubernetes/client-node");
  const rule = (from: string) => ({
    [from]: [{ podSelector: { matchLabels: { role: "frontend" } } }],
    ports: [{ port: 8080, protocol: "TCP" }],
  });
  const policy = (from: string) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "web-ingress", namespace: "default" },
    spec: { podSelector: { matchLabels: { app: "web" } }, ingress: [rule(from)] },
  });
  // What the client gives back names the field as its TypeScript model does; what is written, as the API does.
  const value = fromClient(policy("_from"), "V1NetworkPolicy", k8s);
  expect(JSON.parse(formatResult(value, "json"))).toEqual(policy("from"));
  expect(parse(formatResult(value, "yaml"))).toEqual(policy("from"));
});
