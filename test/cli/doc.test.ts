/**
 * `ko doc` as a user reads it: on their own file and package (doc comments, parameters, inferred
 * types), on Kubernetes kinds by their short names and fields, and `ko doc k8s` with the
 * convenience layer before the client's generated operations.
 */
import { describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

const APP = `import "strings"

// Main greets and pairs.
Main() {
	return: (a: Greet(name: "Ada"), b: Twice(n: 21), c: Twice(n: "ab"))
}

// Greet says hello to name.
// It joins with a comma.
Greet(name) {
	return: strings.Join(string: ("Hello", name), delimiter: ", ")
}

// Twice pairs n with itself.
Twice(n) {
	return: (first: n, second: n)
}

Undocumented(x) {
	return: x
}
`;

const GREET = `app.Greet(name)
    Greet says hello to name.
    It joins with a comma.
    inferred type:
      app.Greet(name: String) String
`;

describe("ko doc on the user's own code", () => {
  test("a file: every function with its doc comment, parameters and inferred types, in the order written", async () => {
    const dir = writeFiles(tempDir(), { "app.ko": APP });
    const out = await ko(["doc", "app.ko"], { cwd: dir });
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(
      "package app: 4 functions\n\n" +
        "app.Main()\n    Main greets and pairs.\n    inferred type:\n      app.Main() (a: String, b: (first: Int64, second: Int64), c: (first: String, second: String))\n\n" +
        GREET +
        "\n" +
        // Called two ways, Twice has a signature for each.
        "app.Twice(n)\n    Twice pairs n with itself.\n    inferred types:\n      app.Twice(n: Int64) (first: Int64, second: Int64)\n      app.Twice(n: String) (first: String, second: String)\n\n" +
        // Nothing calls it: checked for arguments of any type.
        "app.Undocumented(x)\n    (no documentation)\n    inferred type:\n      app.Undocumented(x: Unknown) Unknown\n\n",
    );
  });

  test("a file followed by function names shows those only, and other names keep their meaning", async () => {
    const dir = writeFiles(tempDir(), { "app.ko": APP });
    const out = await ko(["doc", "app.ko", "Greet", "Sum"], { cwd: dir });
    expect(out.status).toBe(0);
    expect(out.stdout).toBe(`${GREET}\nSum(value?: (Integer)) Integer\n    Adds integers, wrapping around in the type of the first.\n\n`);
  });

  test("a package in the roots, whole or one function, by --root or KOPATH", async () => {
    const root = writeFiles(tempDir(), { "greet/app.ko": APP });
    const hello = await ko(["doc", "--root", root, "greet.Greet"]);
    expect(hello.status).toBe(0);
    expect(hello.stdout).toBe(`${GREET.replaceAll("app.Greet", "greet.Greet")}\n`);
    // KOPATH=D looks packages up in D/src.
    const gopath = writeFiles(tempDir(), { "src/greet/app.ko": APP });
    const whole = await ko(["doc", "greet"], { env: { KOPATH: gopath } });
    expect(whole.status).toBe(0);
    expect(whole.stdout).toMatch(/^package greet: 4 functions\n\ngreet\.Main\(\)\n/);
    const byPath = await ko(["doc", "--root", root, "greet/Twice"]);
    expect(byPath.stdout).toMatch(/^greet\.Twice\(n\)\n {4}Twice pairs n with itself\.\n/);
    const missing = await ko(["doc", "--root", root, "greet.Nope"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `ko: no builtin, idiom, package, function or Kubernetes object type named greet.Nope; package greet.Nope not found (roots: ${root})\n`,
    );
  });

  test("a file that does not compile is reported as ko check reports it", async () => {
    const dir = writeFiles(tempDir(), { "bad.ko": "Main() {\n\treturn: Sum(1, 2\n}\n" });
    const out = await ko(["doc", "bad.ko"], { cwd: dir });
    expect(out.status).toBe(3);
    expect(out.stderr).toMatch(/^bad\.ko:2:13: error: bracket imbalance/);
  });
});

describe("ko doc on Kubernetes types by their short names", () => {
  test.each([
    ["Pod", "k8s.V1Pod (a Kubernetes object type: a closed record)\n    apiVersion: String\n"],
    ["HorizontalPodAutoscaler", "k8s.V2HorizontalPodAutoscaler (a Kubernetes object type: a closed record)\n"],
    ["Deployment.spec.replicas", "k8s.V1Deployment.spec.replicas: Integer\n    Number of desired pods."],
    [
      "Pod.spec.containers",
      "k8s.V1Pod.spec.containers: (V1Container)\n    List of containers belonging to the pod.\n  the fields of k8s.V1Container:\n    args: (String)\n",
    ],
    ["k8s.StatefulSet.spec", "k8s.V1StatefulSet.spec: V1StatefulSetSpec\n"],
  ])("ko doc %s", async (query, start) => {
    const out = await ko(["doc", query]);
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    expect(out.stdout.startsWith(start), out.stdout.slice(0, 400)).toBe(true);
  });

  test("a field the type does not have is a usage error naming the fields it has", async () => {
    const out = await ko(["doc", "Pod.spec.nope"]);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(
      /^ko: k8s\.V1Pod\.spec has no field nope \(k8s\.V1PodSpec has activeDeadlineSeconds, affinity, .*containers, /,
    );
  });
});

test("ko doc k8s lists the convenience layer before the client's generated operations", async () => {
  const out = await ko(["doc", "k8s"]);
  expect(out.status).toBe(0);
  const heads = out.stdout.split("\n").filter((l) => l.startsWith("k8s.") || l.startsWith("──"));
  const split = heads.findIndex((l) => l.startsWith("──"));
  expect(heads[split]).toMatch(/^── the Kubernetes client's operations, generated \(\d+\) ──$/);
  const convenience = heads.slice(0, split).map((l) => /^k8s\.(\w+)\(/.exec(l)![1]);
  expect(convenience).toEqual(expect.arrayContaining(["Apply", "Get", "List", "WaitFor", "Delete", "CreateNamespace"]));
  // The generated operations: ListNamespacedPod is among them, after the line, and none before it.
  const generated = heads.slice(split + 1).map((l) => /^k8s\.(\w+)\(/.exec(l)![1]);
  expect(generated).toContain("ListNamespacedPod");
  expect(convenience).not.toContain("ListNamespacedPod");
  expect(Number(/\((\d+)\)/.exec(heads[split]!)![1])).toBe(generated.length);
});
