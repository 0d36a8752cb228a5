/**
 * Package `k8s`: the Kubernetes API as Ko's vocabulary. The convenience layer (functions.ts;
 * manifests.ts for `ApplyFile`) and, built when a program first imports "k8s", every operation
 * of the client (generated.ts). The Ko half, stdlib/k8s/k8s.ko, builds on the convenience layer.
 */
import type { HostRegistry } from "../host/registry.js";
import { k8sFunctions } from "./functions.js";
import { generatedFunctions } from "./generated.js";
import { applyFile } from "./manifests.js";

export { ClusterAccess, ClusterConfigError, K8S, type K8sOptions } from "./options.js";

/** Registers the package's host functions. */
export function registerK8s(reg: HostRegistry): void {
  const convenience = [...k8sFunctions, applyFile];
  reg.register(...convenience);
  const convenient = new Set(convenience.map((f) => f.name));
  reg.registerLazy("k8s", () => generatedFunctions(convenient));
}
