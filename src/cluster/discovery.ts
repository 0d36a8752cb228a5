/**
 * Discovery documents: the legacy ones (/api, /apis, /api/v1, /apis/{group}/{version}) and the
 * aggregated form (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) that kubectl 1.30+ asks for
 * through its Accept header, which saves it one request per group version.
 */
import type { KObject, Registry, ResourceType } from "./resources.js";

const SUB_VERBS = ["get", "patch", "update"];

function subresources(rt: ResourceType): { name: string; kind: string; group: string; version: string; verbs: string[] }[] {
  const out = [];
  if (rt.status) out.push({ name: "status", kind: rt.kind, group: rt.group, version: rt.version, verbs: SUB_VERBS });
  if (rt.scale) out.push({ name: "scale", kind: "Scale", group: "autoscaling", version: "v1", verbs: SUB_VERBS });
  if (rt.kind === "Namespace") out.push({ name: "finalize", kind: "Namespace", group: "", version: "v1", verbs: ["update"] });
  if (rt.kind === "Pod") out.push({ name: "log", kind: "Pod", group: "", version: "v1", verbs: ["get"] });
  return out;
}

export function apiVersions(hostPort: string): KObject {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: hostPort }] };
}

export function apiGroupList(registry: Registry): KObject {
  const groups = registry.groups().map((g) => {
    const { kind: _k, apiVersion: _v, ...group } = apiGroup(registry, g);
    return group;
  });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** A named group with its versions, the preferred one first (custom resources may serve several). */
export function apiGroup(registry: Registry, group: string): KObject {
  const versions = registry.versions(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions, preferredVersion: versions[0] };
}

export function apiResourceList(registry: Registry, group: string, version: string): KObject | undefined {
  const types = registry.all.filter((rt) => rt.group === group && rt.version === version);
  if (!types.length) return undefined;
  const resources: KObject[] = [];
  for (const rt of types) {
    const r: KObject = { name: rt.plural, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: rt.verbs };
    if (rt.shortNames.length) r.shortNames = rt.shortNames;
    if (rt.categories.length) r.categories = rt.categories;
    resources.push(r);
    for (const s of subresources(rt)) {
      const sr: KObject = { name: `${rt.plural}/${s.name}`, singularName: "", namespaced: rt.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== rt.group || s.version !== rt.version) {
        sr.group = s.group;
        sr.version = s.version;
      }
      resources.push(sr);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

/** The aggregated document for /api (core only) or /apis (every named group). */
export function aggregatedDiscovery(registry: Registry, core: boolean): KObject {
  const groups = core ? [""] : registry.groups();
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((g) => {
      const versions = g ? registry.versions(g) : ["v1"];
      return {
        metadata: g ? { name: g, creationTimestamp: null } : { creationTimestamp: null },
        versions: versions.map((version) => ({
          version,
          resources: registry.all
            .filter((rt) => rt.group === g && rt.version === version)
            .map((rt) => {
              const r: KObject = {
                resource: rt.plural,
                responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
                scope: rt.namespaced ? "Namespaced" : "Cluster",
                singularResource: rt.singular,
                verbs: rt.verbs,
              };
              if (rt.shortNames.length) r.shortNames = rt.shortNames;
              if (rt.categories.length) r.categories = rt.categories;
              const subs = subresources(rt);
              if (subs.length)
                r.subresources = subs.map((s) => ({
                  subresource: s.name,
                  responseKind: { group: s.group, version: s.version, kind: s.kind },
                  verbs: s.verbs,
                }));
              return r;
            }),
          freshness: "Current",
        })),
      };
    }),
  };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): "v2" | "v2beta1" | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(",")) {
    const p = part.replace(/\s/g, "");
    if (!p.includes("as=APIGroupDiscoveryList") || !p.includes("g=apidiscovery.k8s.io")) continue;
    if (p.includes("v=v2beta1")) return "v2beta1";
    if (p.includes("v=v2")) return "v2";
  }
  return undefined;
}
