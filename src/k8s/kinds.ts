/**
 * The kinds the convenience layer knows by name: where each lives in the API and whether it
 * belongs to a namespace. Other kinds reach `Apply` and `Get` with their own `apiVersion`.
 */
export interface KindInfo {
  readonly kind: string;
  readonly apiVersion: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

const table: readonly KindInfo[] = [
  { kind: "Namespace", apiVersion: "v1", plural: "namespaces", namespaced: false },
  { kind: "Pod", apiVersion: "v1", plural: "pods", namespaced: true },
  { kind: "Service", apiVersion: "v1", plural: "services", namespaced: true },
  { kind: "ConfigMap", apiVersion: "v1", plural: "configmaps", namespaced: true },
  { kind: "Secret", apiVersion: "v1", plural: "secrets", namespaced: true },
  { kind: "PersistentVolumeClaim", apiVersion: "v1", plural: "persistentvolumeclaims", namespaced: true },
  { kind: "StatefulSet", apiVersion: "apps/v1", plural: "statefulsets", namespaced: true },
  { kind: "Deployment", apiVersion: "apps/v1", plural: "deployments", namespaced: true },
  { kind: "Job", apiVersion: "batch/v1", plural: "jobs", namespaced: true },
  { kind: "PodDisruptionBudget", apiVersion: "policy/v1", plural: "poddisruptionbudgets", namespaced: true },
];

const byName = new Map<string, KindInfo>();
for (const k of table) {
  byName.set(k.kind.toLowerCase(), k);
  byName.set(k.plural, k);
}

/** A kind by its name ("StatefulSet"), in any case, or by its plural ("statefulsets"). */
export function kindInfo(name: string): KindInfo | undefined {
  return byName.get(name.toLowerCase());
}

/** The kinds that get `List<Kinds>ByLabelSelector` and `Delete<Kinds>`: all but Namespace. */
export const listedKinds: readonly KindInfo[] = table.filter((k) => k.namespaced);

/** The REST path of a kind's collection: `/apis/apps/v1/namespaces/db/statefulsets`. */
export function collectionPath(k: KindInfo, namespace: string | undefined): string {
  const base = k.apiVersion.includes("/") ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return k.namespaced && namespace ? `${base}/namespaces/${namespace}/${k.plural}` : `${base}/${k.plural}`;
}

/**
 * The REST path of one object, as the client's object API writes it (namespace and name
 * percent-encoded, the whole path in lower case): `/apis/apps/v1/namespaces/db/statefulsets/web`.
 */
export function objectPath(k: KindInfo, namespace: string | undefined, name: string): string {
  const base = k.apiVersion.includes("/") ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  const where = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${where}/${k.plural}/${encodeURIComponent(name)}`.toLowerCase();
}

/**
 * The REST path and query of a list, as the client's object API writes them (the path as
 * objectPath's, the label selector a query parameter as URLSearchParams encodes it):
 * `/api/v1/namespaces/db/pods?labelSelector=app%3Ddb`.
 */
export function listPath(k: KindInfo, namespace: string | undefined, labelSelector: string | undefined): string {
  const base = k.apiVersion.includes("/") ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  const where = k.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  const path = `${base}${where}/${k.plural}`.toLowerCase();
  return labelSelector === undefined ? path : `${path}?${new URLSearchParams({ labelSelector }).toString()}`;
}
