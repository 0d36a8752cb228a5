/**
 * `k8s.Get` and `k8s.List` of a kind the package knows send their GET through the seam itself and
 * read the JSON into a Ko value in one pass (objects.ts, fromModelJson). The value must be the one
 * the client's object API gives through its model objects (fromClient of KubernetesObjectApi.read,
 * and of each item of KubernetesObjectApi.list): for every
 * such kind, live objects with their status, dates and defaults as the cluster made them; a
 * Secret's data redacted; managedFields left out. The generated operations (k8s.ReadNamespacedPod...)
 * read their answers as JSON too (answers.ts): theirs must be the values the client's own generated
 * API gives through its model objects, renamed fields (`x-kubernetes-...`, `enum`) and text answers
 * (a log) included.
 */
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, type Session } from "../../src/api/session.js";
import { fromClient, modelName } from "../../src/k8s/objects.js";
import { loadOperations, type Operation } from "../../src/k8s/generated.js";
import { dataList, listToValue } from "../../src/value/sequence.js";
import { kindInfo } from "../../src/k8s/kinds.js";
import { printValue } from "../../src/value/print.js";
import { kubectl, testCluster } from "../cluster/helpers.js";
import type { TestCluster } from "./helpers.js";

const NS = "values";

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}, labels: {team: a}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ${NS}, annotations: {note: "x"}}
data: {a: "1", b: "two"}
binaryData: {blob: aGVsbG8=}
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: ${NS}}
type: Opaque
data: {password: c2VjcmV0}
stringData: {user: admin}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9000, targetPort: admin}]
---
apiVersion: v1
kind: Service
metadata: {name: web2, namespace: ${NS}}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${NS}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: ${NS}}
spec:
  replicas: 2
  serviceName: web
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: "cockroachdb/cockroach:v23.1.0", ports: [{containerPort: 26257}], env: [{name: A, value: "1"}]}]
      volumes: [{name: scratch, emptyDir: {}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: ${NS}}
spec:
  replicas: 1
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: "nginx:1.25", resources: {limits: {cpu: 500m, memory: 64Mi}}}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: ${NS}}
spec:
  template:
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox, command: [sh, -c, "true"]}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: db, namespace: ${NS}}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: db}}}
---
apiVersion: v1
kind: Pod
metadata: {name: lone, namespace: ${NS}, labels: {app: lone}, annotations: {ko.dev/log: "started\\nready"}}
spec: {containers: [{name: c, image: busybox, args: [sleep, "3600"]}]}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              x-kubernetes-preserve-unknown-fields: true
              properties:
                size: {type: string, enum: [small, large]}
`;

/** Every kind the package knows, and an object of it the manifests make. */
const OBJECTS: readonly [kind: string, name: string][] = [
  ["Namespace", NS],
  ["ConfigMap", "settings"],
  ["Secret", "token"],
  ["Service", "web"],
  ["PersistentVolumeClaim", "data"],
  ["StatefulSet", "db"],
  ["Deployment", "api"],
  ["Job", "once"],
  ["PodDisruptionBudget", "db"],
  ["Pod", "lone"],
  ["Pod", "db-0"],
];

let c: TestCluster;
let session: Session;
beforeAll(async () => {
  c = await testCluster();
  const applied = await kubectl(c, ["apply", "-f", "-"], { input: MANIFESTS });
  if (applied.code !== 0) throw new Error(applied.stderr);
  const ready = await kubectl(c, ["wait", "-n", NS, "--for=condition=Ready", "pod/db-0", "pod/lone", "--timeout=30s"]);
  if (ready.code !== 0) throw new Error(ready.stderr);
  session = createSession({ kubernetes: { kubeconfig: c.kubeconfigPath!, namespace: NS }, stdout: () => {}, stderr: () => {} });
  const touch = session.compile({
    kind: "text",
    pkgPath: "touch",
    path: "touch.ko",
    text: `import "k8s"\nMain() {\n\treturn: k8s.Get(kind: "Namespace", name: "${NS}").metadata.name\n}`,
  });
  await session.run(touch, "Main");
});
afterAll(async () => {
  await session?.close();
  await c?.close();
});

describe("k8s.Get reads an object into the value the client's model object gives", { timeout: 60_000 }, () => {
  test.each(OBJECTS)("%s %s", async (kind, name) => {
    const connection = await session.clusterConnection();
    const info = kindInfo(kind)!;
    const namespace = info.namespaced ? NS : undefined;
    const read = await connection.get(kind, name, namespace, undefined);
    const viaModel = fromClient(
      await connection.objects.read({ apiVersion: info.apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } }),
      modelName(info.apiVersion, kind),
      k8s,
      kind === "Secret",
    );
    expect(printValue(read)).toBe(printValue(viaModel));
    expect(read).toEqual(viaModel);
  });

  test("a Secret's values stay redacted, and no managedFields reach Ko", async () => {
    const connection = await session.clusterConnection();
    const printed = printValue(await connection.get("Secret", "token", NS, undefined));
    expect(printed).toContain("data: (password: <redacted>, user: <redacted>)");
    expect(printed).not.toContain("managedFields");
  });
});

describe("a generated operation answers with the value the client's generated API gives", { timeout: 60_000 }, () => {
  const operation = (api: string, method: string): Operation => loadOperations().find((o) => o.api === api && o.method === method)!;
  /** What the client's own generated API, on the same cluster without Ko's seam, answers to an operation. */
  const clientCall = (op: Operation, args: Record<string, string>): Promise<unknown> => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfigPath!);
    const api = kc.makeApiClient((k8s as unknown as Record<string, k8s.ApiConstructor<k8s.ApiType>>)[op.api]!);
    return (api as unknown as Record<string, (p: unknown) => Promise<unknown>>)[op.method]!(args);
  };
  /** How the operations name a kind: readNamespace, readNamespacedPod. */
  const ofKind = (kind: string) => (kind === "Namespace" ? "Namespace" : `Namespaced${kind}`);
  /** The generated API class of a kind's group. */
  const clientApi = (kind: string) => {
    const group = kindInfo(kind)!.apiVersion;
    return group === "v1" ? "CoreV1Api" : group === "apps/v1" ? "AppsV1Api" : group === "batch/v1" ? "BatchV1Api" : "PolicyV1Api";
  };

  test.each(OBJECTS)("read%s %s", async (kind, name) => {
    const connection = await session.clusterConnection();
    const info = kindInfo(kind)!;
    const args: Record<string, string> = { name, ...(info.namespaced ? { namespace: NS } : {}) };
    const op = operation(clientApi(kind), `read${ofKind(kind)}`);
    const value = await connection.operation(op, args, new AbortController().signal);
    const expected = fromClient(await clientCall(op, args), op.result, k8s, kind === "Secret");
    expect(printValue(value)).toBe(printValue(expected));
    expect(value).toEqual(expected);
  });

  test.each([...new Set(OBJECTS.map(([kind]) => kind))].filter((k) => k !== "Namespace"))("list%s", async (kind) => {
    const connection = await session.clusterConnection();
    const op = operation(clientApi(kind), `list${ofKind(kind)}`);
    const value = await connection.operation(op, { namespace: NS }, new AbortController().signal);
    const expected = fromClient(await clientCall(op, { namespace: NS }), op.result, k8s, kind === "Secret");
    expect(printValue(value)).toBe(printValue(expected));
  });

  test("a custom resource definition, whose schema's fields the client's models rename", async () => {
    const connection = await session.clusterConnection();
    const op = operation("ApiextensionsV1Api", "readCustomResourceDefinition");
    const value = await connection.operation(op, { name: "gadgets.example.com" }, new AbortController().signal);
    const expected = fromClient(await clientCall(op, { name: "gadgets.example.com" }), op.result, k8s);
    expect(printValue(value)).toBe(printValue(expected));
    expect(printValue(value)).toContain("x-kubernetes-preserve-unknown-fields: true");
    expect(printValue(value)).toContain('enum: ("small", "large")');
  });

  test("a log is text, and a failure is the panic of its Status", async () => {
    const connection = await session.clusterConnection();
    const log = operation("CoreV1Api", "readNamespacedPodLog");
    expect(await connection.operation(log, { name: "lone", namespace: NS }, new AbortController().signal)).toBe("started\nready\n");
    const read = operation("CoreV1Api", "readNamespacedConfigMap");
    await expect(connection.operation(read, { name: "absent", namespace: NS }, new AbortController().signal)).rejects.toThrow(
      /NotFound|not found/,
    );
  });
});

describe("k8s.List reads each object into the value the client's model object gives", { timeout: 60_000 }, () => {
  const kinds = [...new Set(OBJECTS.map(([kind]) => kind))];
  test.each(kinds)("%s", async (kind) => {
    const connection = await session.clusterConnection();
    const info = kindInfo(kind)!;
    const listed = await connection.list(kind, NS, undefined);
    const viaModel = await connection.objects.list(info.apiVersion, kind, info.namespaced ? NS : undefined);
    const items = [...viaModel.items].sort((a, b) => String(a.metadata?.name).localeCompare(String(b.metadata?.name)));
    const expected = dataList(items.map((o) => fromClient(o, modelName(info.apiVersion, kind), k8s, kind === "Secret")));
    expect(items.length).toBeGreaterThan(0);
    expect(printValue(listed)).toBe(printValue(expected));
    expect(listed).toEqual(expected);
  });

  test("objects whose fields differ in type are listed; only a use that needs their common type fails", async () => {
    // web's ports name their target port by number and by name, web2's by number: no one type for both.
    const program = session.compile({
      kind: "text",
      pkgPath: "services",
      path: "services.ko",
      text: `import "k8s"
Count() {
	return: Len(k8s.List(kind: "Service", namespace: "${NS}"))
}
Names() {
	return: Range(over: k8s.List(kind: "Service", namespace: "${NS}"), with: name(carry, elem) {
		return: (carry: Merge(carry, elem.metadata.name))
	}).residue
}
Twice() {
	services: k8s.List(kind: "Service", namespace: "${NS}")
	return: Merge(services, services)
}`,
    });
    expect(await session.run(program, "Count")).toBe(2);
    expect(await session.run(program, "Names")).toEqual(["web", "web2"]);
    await expect(session.run(program, "Twice")).rejects.toThrow(/cannot be unified/);
  });

  test("a label selector is sent as the object API sends it, and selects", async () => {
    const connection = await session.clusterConnection();
    const pods = await connection.list("Pod", NS, "app in (db, lone),app!=web");
    expect(printValue(pods)).toContain("lone");
    expect(printValue(pods)).toContain("db-0");
    expect(printValue(await connection.list("Pod", NS, "app=nothing"))).toBe(printValue(listToValue([])));
  });
});
