/** Service cluster IPs (10.96.0.0/12) and node ports, allocated on create as the real allocators do. */
import { invalid, invalidField } from "./errors.js";
import { grKey, type KObject, type ResourceType } from "./resources.js";
import type { Store } from "./object-store.js";

const ipToNumber = (ip: string) => ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
const numberToIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
const RANGE_START = ipToNumber("10.96.0.0");
const RANGE_END = ipToNumber("10.111.255.255");

export function allocateServiceValues(store: Store, rt: ResourceType, o: KObject): void {
  if (rt.kind !== "Service") return;
  const spec = o.spec;
  if (spec.type === "ExternalName") return;
  const services = store.list(grKey(rt));
  if (spec.clusterIP === "None") {
    spec.clusterIPs = ["None"];
  } else {
    const used = new Set(services.map((s) => s.spec?.clusterIP).filter(Boolean));
    if (spec.clusterIP) {
      const n = ipToNumber(spec.clusterIP);
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP) || n < RANGE_START || n > RANGE_END)
        throw invalid(rt, o.metadata.name, [
          invalidField(
            "spec.clusterIPs",
            [spec.clusterIP],
            `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`,
          ),
        ]);
      if (used.has(spec.clusterIP))
        throw invalid(rt, o.metadata.name, [
          invalidField("spec.clusterIPs", [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`),
        ]);
    } else {
      // Like the real allocator, pick pseudo-randomly (deterministically from the name) to avoid sequential patterns.
      let h = 0;
      for (const c of `${o.metadata.namespace}/${o.metadata.name}`) h = (h * 31 + c.charCodeAt(0)) >>> 0;
      const size = RANGE_END - RANGE_START - 10;
      let n = RANGE_START + 10 + (h % size);
      while (used.has(numberToIp(n))) n = n + 1 > RANGE_END ? RANGE_START + 10 : n + 1;
      spec.clusterIP = numberToIp(n);
    }
    spec.clusterIPs = [spec.clusterIP];
  }
  if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
    const usedPorts = new Set<number>();
    for (const s of services) for (const p of s.spec?.ports ?? []) if (p.nodePort) usedPorts.add(p.nodePort);
    let next = 30000;
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      while (usedPorts.has(next)) next++;
      p.nodePort = next;
      usedPorts.add(next);
    }
    spec.externalTrafficPolicy ??= "Cluster";
    if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  }
}
