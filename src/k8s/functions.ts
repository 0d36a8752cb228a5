/**
 * The host half of package `k8s`: light declarations only. Each function's body loads the
 * session (and with it @kubernetes/client-node) at its first call, so registering them costs a
 * script that never imports "k8s" nothing. The Ko half, stdlib/k8s/k8s.ko, builds the
 * `List<Kinds>ByLabelSelector` and `Delete<Kinds>` families on top of `List` and `Delete`.
 *
 * Kubernetes API errors are panics (D15) whose value is a structure
 * `(code, reason, message, kind, name, namespace, verb)`; misused arguments are errors.
 */
import {
  defineHost,
  type HostContext,
  type HostFunction,
  type Known,
  type ParamSpec,
  type Refine,
  type Refinement,
} from "../host/binding.js";
import { T, type HostType } from "../host/host-type.js";
import { IntVal, type Value } from "../value/value.js";
import { modelName } from "./objects.js";
import { kindInfo } from "./kinds.js";
import { hasModel, knownModel, modelType } from "./models.js";
import { connectionOf } from "./options.js";
import type { K8sConnection } from "./connection.js";

const PKG = "k8s";

/**
 * Defines a function of the package whose body runs against the session; `reads` says it only
 * reads the cluster (dry-run.ts).
 */
function api(
  name: string,
  doc: string,
  params: readonly ParamSpec[],
  result: HostType,
  body: (s: K8sConnection, args: Value[], ctx: HostContext) => Promise<Value>,
  refine?: Refine,
  reads = false,
): HostFunction {
  return defineHost({
    pkg: PKG,
    name,
    doc,
    params,
    result,
    effects: "cluster",
    async: true,
    refine,
    ...(reads ? { dryRun: "runs" as const } : {}),
    impl: (args, ctx) => {
      const connection = connectionOf(ctx);
      return connection instanceof Promise ? connection.then((c) => body(c, args, ctx)) : body(connection, args, ctx);
    },
  });
}

/**
 * The record type of the objects of a kind, when the kind (and for kinds the convenience layer
 * does not know, the apiVersion) is known: `kind: "StatefulSet"` → V1StatefulSet.
 */
export function kindType(kind: Known, apiVersion: Known): HostType | undefined {
  if (typeof kind !== "string") return undefined;
  const info = kindInfo(kind);
  const version = typeof apiVersion === "string" ? apiVersion : info?.apiVersion;
  if (version === undefined) return undefined;
  const model = modelName(version, info && typeof apiVersion !== "string" ? info.kind : kind);
  return hasModel(model) ? modelType(model) : undefined;
}

/** The objects of the `kind` argument: one for `Get`, a list for `List` and `WaitFor`. */
const objectsOfKind = (many: boolean): Refine =>
  byKind((kind, apiVersion) => {
    const t = kindType(kind, apiVersion);
    return t && { result: many ? T.list(t) : t };
  });

/**
 * A refinement that depends only on the `kind` and `apiVersion` arguments, worked out once for
 * each: every call asks it again (host/binding.ts refines a call's arguments), with the few kinds
 * a program names, and a model's record type is made anew at each asking.
 */
function byKind(refine: (kind: string, apiVersion: string | undefined) => Refinement | undefined): Refine {
  const answers = new Map<string, Map<string | undefined, Refinement | undefined>>();
  return (args) => {
    if (typeof args.kind !== "string") return undefined;
    const apiVersion = typeof args.apiVersion === "string" ? args.apiVersion : undefined;
    let byVersion = answers.get(args.kind);
    if (byVersion === undefined) answers.set(args.kind, (byVersion = new Map()));
    if (!byVersion.has(apiVersion)) byVersion.set(apiVersion, refine(args.kind, apiVersion));
    return byVersion.get(apiVersion);
  };
}

/** `Apply` takes, and returns, an object of the kind its `kind` and `apiVersion` fields name. */
const appliedKind: Refine = (args) => {
  const object = args.object;
  if (typeof object !== "object") return undefined;
  if (typeof object.apiVersion !== "string") return undefined; // an object's own apiVersion decides, not a guess
  const t = kindType(object.kind, object.apiVersion);
  return t && { params: { object: t }, result: t };
};

const str = (v: Value | undefined): string | undefined => (typeof v === "string" ? v : undefined);

const namespaceParam = (monadic = false): ParamSpec => ({
  name: "namespace",
  type: T.string,
  optional: true,
  monadic,
  doc: 'the namespace (default: --namespace, else the kubeconfig context\'s, else "default")',
});
const kindParam: ParamSpec = { name: "kind", type: T.string, doc: "a kind: Pod, StatefulSet, Job... (or its plural)" };
const selectorParam: ParamSpec = { name: "labelSelector", type: T.string, optional: true, doc: "a label selector: app=db,tier!=cache" };

export const k8sFunctions: readonly HostFunction[] = [
  api(
    "CreateNamespace",
    "CreateNamespace(namespace?) creates the namespace and returns it; panics with reason AlreadyExists if it exists.",
    [{ ...namespaceParam(true), optional: false }],
    knownModel("V1Namespace"),
    (s, [ns]) => s.createNamespace(str(ns)!),
  ),
  api(
    "DeleteNamespace",
    "DeleteNamespace(namespace?) deletes the namespace (and so everything in it); Empty if it did not exist.",
    [{ ...namespaceParam(true), optional: false }],
    T.any,
    (s, [ns]) => s.deleteNamespace(str(ns)!),
  ),
  api(
    "Apply",
    "Apply(object?, namespace) applies the object (a structure with apiVersion, kind, metadata...) server-side, " +
      'as field manager "ko", and returns it as the cluster now has it. An object of a kind the client has a model for ' +
      "(its apiVersion and kind say which: V1StatefulSet) is checked against it, field by field, before anything is sent.",
    [{ name: "object", type: T.struct({}), monadic: true }, namespaceParam()],
    T.any,
    (s, [obj, ns]) => s.apply(obj!, str(ns)),
    appliedKind,
  ),
  api(
    "Get",
    "Get(kind, name, namespace, apiVersion) reads one object, typed as its kind's model (V1Pod); panics with reason NotFound if there is none.",
    [kindParam, { name: "name", type: T.string }, namespaceParam(), { name: "apiVersion", type: T.string, optional: true }],
    T.any,
    (s, [kind, name, ns, apiVersion]) => s.get(str(kind)!, str(name)!, str(ns), str(apiVersion)),
    objectsOfKind(false),
    true,
  ),
  api(
    "List",
    "List(kind, namespace, labelSelector) returns the matching objects, sorted by name (Empty if none).",
    [kindParam, namespaceParam(), selectorParam],
    T.list(T.any),
    (s, [kind, ns, sel]) => s.list(str(kind)!, str(ns), str(sel)),
    objectsOfKind(true),
    true,
  ),
  api(
    "Delete",
    "Delete(kind, namespace, name, labelSelector, objects?) deletes the named objects, those given, or those the " +
      "selector matches, and returns how many it deleted (objects already gone do not count and do not fail).",
    [
      kindParam,
      namespaceParam(),
      { name: "name", type: T.list(T.string), optional: true },
      selectorParam,
      { name: "objects", type: T.list(T.struct({})), optional: true, monadic: true },
    ],
    T.int64,
    (s, [kind, ns, names, sel, objects]) => s.delete(str(kind)!, str(ns), names!, str(sel), objects!),
  ),
  api(
    "WaitFor",
    "WaitFor(kind, namespace, name, labelSelector, condition, count, timeout) watches until the objects meet the " +
      "condition — Ready, Complete, Available, any status condition, or deleted — and returns them; at least " +
      "`count` (default 1) must match unless the condition is deleted. Panics with reason Timeout after `timeout` " +
      '("90s", "5m"; default 5m), and with reason Failed when a Job fails.',
    [
      kindParam,
      namespaceParam(),
      { name: "name", type: T.string, optional: true },
      selectorParam,
      { name: "condition", type: T.string, optional: true, doc: "default Ready" },
      { name: "count", type: T.integer, optional: true },
      { name: "timeout", type: T.string, optional: true },
    ],
    T.list(T.any),
    (s, [kind, ns, name, sel, condition, count, timeout], ctx) =>
      s.waitFor(
        {
          kind: str(kind)!,
          namespace: str(ns),
          name: str(name),
          labelSelector: str(sel),
          condition: str(condition) ?? "Ready",
          count: typeof count === "number" ? count : count instanceof IntVal ? Number(count.v) : 1,
          timeout: str(timeout) ?? "5m",
        },
        ctx.signal,
      ),
    objectsOfKind(true),
    true,
  ),
];
