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
import { defineHost, type HostFunction, type ParamSpec } from "../host/binding.js";
import { T, type HostType } from "../host/host-type.js";
import type { Value } from "../value/value.js";
import { stdlibFile } from "./data-files.js";
import { clientType } from "./models.js";
import { connectionOf } from "./options.js";

export interface Operation {
  /** The client's class: CoreV1Api. */
  readonly api: string;
  /** The method: listNamespacedPod. */
  readonly method: string;
  /** The Ko name: ListNamespacedPod. */
  readonly name: string;
  /** `key` is the client's name of a parameter when it is not Ko's (`_continue` for `continue`). */
  readonly params: readonly { readonly name: string; readonly key?: string; readonly type: string; readonly optional: boolean }[];
  /** The result's model (V1PodList), or a basic type. */
  readonly result: string;
}

export function loadOperations(): readonly Operation[] {
  return (JSON.parse(fs.readFileSync(stdlibFile("operations.json"), "utf8")) as { operations: Operation[] }).operations;
}

/** An operation's result: a model's record, a basic type, or Empty (`void`). */
function resultType(type: string): HostType {
  return type === "void" ? T.empty : clientType(type);
}

/** The functions generatedFunctions made: `ko doc` lists them after the convenience layer. */
const generated = new WeakSet<HostFunction>();

/** Whether `f` is one of the client's operations rather than a function of the convenience layer. */
export function isGeneratedOperation(f: HostFunction): boolean {
  return generated.has(f);
}

/** The generated functions, named so as not to clash with `taken` (the convenience layer's names). */
export function generatedFunctions(taken: ReadonlySet<string>): HostFunction[] {
  return loadOperations().map((op) => {
    const name = taken.has(op.name) ? `${op.api.replace(/Api$/, "")}${op.name}` : op.name;
    const params: ParamSpec[] = op.params.map((p) => ({ name: p.name, type: clientType(p.type), optional: p.optional, doc: p.type }));
    const f = defineHost({
      pkg: "k8s",
      name,
      doc: `${name}(${op.params.map((p) => `${p.name}${p.optional ? "?" : ""}`).join(", ")}) calls ${op.api}.${op.method} and returns its ${op.result}.`,
      params,
      result: resultType(op.result),
      effects: "cluster",
      async: true,
      // read, list and watch operations send only GETs
      ...(/^(read|list|watch)[A-Z]/.test(op.method) ? { dryRun: "runs" as const } : {}),
      impl: async (args, ctx) => {
        const named: Record<string, Value> = {};
        op.params.forEach((p, i) => (named[p.name] = args[i]!));
        return (await connectionOf(ctx)).operation(op, named, ctx.signal);
      },
    });
    generated.add(f);
    return f;
  });
}
