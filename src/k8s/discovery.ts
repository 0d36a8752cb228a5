/**
 * The resources a cluster serves, as its discovery documents list them (`/api/v1`, `/apis`,
 * `/apis/GROUP/VERSION`): for the classifier, the kind and scope of resources resources.ts does
 * not know (custom resources, aggregated APIs); for the guard, every resource that can be listed,
 * to find what a namespace holds and what an owner's deletion takes with it. Read once per
 * connection, through the seam like every other request.
 */
import { builtInResource, type ResourceType } from "./resources.js";

type Json = Record<string, any>;

/** A resource the cluster serves, with the version to address it by and what can be done to it. */
export interface ServedResource extends ResourceType {
  readonly version: string;
  readonly verbs: readonly string[];
}

/** How discovery reads the cluster: a GET of a path, its JSON, or undefined for 404. */
export type GetJson = (path: string) => Promise<Json | undefined>;

export class Catalog {
  private readonly lists = new Map<string, Promise<ServedResource[]>>();
  private preferred: Promise<ServedResource[]> | undefined;

  constructor(private readonly get: GetJson) {}

  /** A resource's kind and scope: built in, else as the cluster's discovery describes it, else undefined. */
  async type(group: string, version: string, resource: string): Promise<ResourceType | undefined> {
    const known = builtInResource(group, resource);
    if (known) return known;
    return (await this.groupVersion(group, version)).find((r) => r.resource === resource);
  }

  /** Every resource of the preferred version of every group that can be listed (subresources aside). */
  listable(): Promise<ServedResource[]> {
    return (this.preferred ??= (async () => {
      const core = await this.groupVersion("", "v1");
      const groups = ((await this.get("/apis"))?.groups ?? []) as Json[];
      const rest = await Promise.all(
        groups.map((g) => {
          const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
          return typeof version === "string" ? this.groupVersion(String(g.name), version) : Promise.resolve([]);
        }),
      );
      return [...core, ...rest.flat()].filter((r) => r.verbs.includes("list"));
    })());
  }

  /** Forgets what was read: a run that creates a CustomResourceDefinition or an APIService changes what is served. */
  forget(): void {
    this.lists.clear();
    this.preferred = undefined;
  }

  private groupVersion(group: string, version: string): Promise<ServedResource[]> {
    const key = `${group}/${version}`;
    let list = this.lists.get(key);
    if (!list) {
      list = this.get(group === "" ? `/api/${version}` : `/apis/${group}/${version}`).then((doc) =>
        ((doc?.resources ?? []) as Json[])
          .filter((r) => typeof r.name === "string" && !r.name.includes("/") && typeof r.kind === "string")
          .map((r) => ({
            group,
            version,
            resource: r.name as string,
            kind: r.kind as string,
            namespaced: r.namespaced === true,
            verbs: Array.isArray(r.verbs) ? (r.verbs as string[]) : [],
          })),
      );
      // A failed read is not remembered: the next request asks again.
      list.catch(() => this.lists.delete(key));
      this.lists.set(key, list);
    }
    return list;
  }
}
