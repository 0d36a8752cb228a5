/**
 * The whole Kubernetes API as package `k8s`: every operation of every *Api class of
 * @kubernetes/client-node, with its own parameter names (`k8s.ListNamespacedPod(namespace: ns,
 * labelSelector: "app=db")`). The operations are read from stdlib/k8s/operations.json, which
 * src/k8s/generate-operations.mjs generates from the client's own declarations; they are
 * registered lazily, so the file is read only by programs that import "k8s".
 *
 * A name the convenience layer already has (CreateNamespace, DeleteNamespace) keeps the
 * convenient meaning; the generated operation gets its class in front (CoreV1CreateNamespace).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { defineHost, type HostFunction, type ParamSpec } from "../host/binding.js";
import { T, type HostType } from "../host/types.js";
import type { Value } from "../runtime/value.js";
import { k8sSession } from "./options.js";

export interface Operation {
  /** The client's class: CoreV1Api. */
  readonly api: string;
  /** The method: listNamespacedPod. */
  readonly method: string;
  /** The Ko name: ListNamespacedPod. */
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: string; readonly optional: boolean }[];
  /** The result's model (V1PodList), or a basic type. */
  readonly result: string;
}

/** The host type of a parameter type of the client's declarations. */
function hostType(type: string): HostType {
  switch (type) {
    case "string":
      return T.string;
    case "number":
      return T.integer;
    case "boolean":
      return T.bool;
    case "any":
      return T.any;
  }
  const array = /^Array<(.*)>$/.exec(type);
  if (array) return T.list(hostType(array[1]!));
  return T.struct({}); // a model: its fields are checked against the model's metadata when sent
}

/** Finds stdlib/k8s/operations.json from this module's location (src/k8s, dist/k8s or dist/cli/chunks). */
function operationsFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "stdlib", "k8s", "operations.json");
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("cannot find stdlib/k8s/operations.json next to the installed package");
}

export function loadOperations(): readonly Operation[] {
  return (JSON.parse(fs.readFileSync(operationsFile(), "utf8")) as { operations: Operation[] }).operations;
}

/** The generated functions, named so as not to clash with `taken` (the convenience layer's names). */
export function generatedFunctions(taken: ReadonlySet<string>): HostFunction[] {
  return loadOperations().map((op) => {
    const name = taken.has(op.name) ? `${op.api.replace(/Api$/, "")}${op.name}` : op.name;
    const params: ParamSpec[] = op.params.map((p) => ({ name: p.name, type: hostType(p.type), optional: p.optional, doc: p.type }));
    return defineHost({
      pkg: "k8s",
      name,
      doc: `${name}(${op.params.map((p) => `${p.name}${p.optional ? "?" : ""}`).join(", ")}) calls ${op.api}.${op.method} and returns its ${op.result}.`,
      params,
      result: T.any,
      effects: "cluster",
      async: true,
      impl: async (args, ctx) => {
        const named: Record<string, Value> = {};
        op.params.forEach((p, i) => (named[p.name] = args[i]!));
        return (await k8sSession()).operation(op, named, ctx.signal);
      },
    });
  });
}
