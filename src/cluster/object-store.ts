/**
 * The object store: one table per resource, one global resourceVersion counter shared by all of
 * them (as etcd's revision is), and a bounded log of recent events from which watches resume.
 * Every write goes through `commit`, which journals it (when persistent), applies it, and tells
 * the listeners synchronously, in resourceVersion order.
 */
import type { ClusterState, Journal } from "./journal.js";
import type { KObject } from "./resources.js";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  rv: number;
  type: EventType;
  /** Resource key, e.g. "apps/deployments" (see grKey). */
  gr: string;
  object: KObject;
  /** The object before this write (MODIFIED and DELETED). */
  previous?: KObject;
}

export const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export class Store {
  private rv = 0;
  private readonly tables = new Map<string, Map<string, KObject>>();
  private log: StoreEvent[] = [];
  /** Events after this resourceVersion are all in the log; a watch from an older one gets 410. */
  private compactedRV = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  /** Each table's keys in order, kept until a key is added or removed (lists are frequent, key changes rarer). */
  private readonly sortedKeys = new Map<string, string[]>();

  constructor(
    private readonly journal?: Journal,
    initial?: ClusterState,
    private readonly logCapacity = 50_000,
  ) {
    if (initial) {
      this.rv = initial.rv;
      this.compactedRV = initial.rv;
      for (const [gr, table] of initial.tables) this.tables.set(gr, new Map(table));
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResumableRV(): number {
    return this.compactedRV;
  }

  table(gr: string): Map<string, KObject> {
    let t = this.tables.get(gr);
    if (!t) this.tables.set(gr, (t = new Map()));
    return t;
  }

  get(gr: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.tables.get(gr)?.get(objectKey(namespace, name));
  }

  /** Objects of a resource, optionally of one namespace, in key order (namespace, then name). */
  list(gr: string, namespace?: string): KObject[] {
    const t = this.tables.get(gr);
    if (!t) return [];
    let keys = this.sortedKeys.get(gr);
    if (!keys) this.sortedKeys.set(gr, (keys = [...t.keys()].sort()));
    const out: KObject[] = [];
    if (!namespace) {
      for (const k of keys) out.push(t.get(k)!);
      return out;
    }
    // Keys sort by namespace first: binary search for the namespace's first key.
    const prefix = `${namespace}/`;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (keys[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(t.get(keys[i]!)!);
    return out;
  }

  /** Every object of every resource (namespace cleanup, garbage collection). */
  *entries(): Iterable<[string, KObject]> {
    for (const [gr, t] of this.tables) for (const o of t.values()) yield [gr, o];
  }

  /**
   * Writes `object` (a fresh object the caller no longer touches) as the new state of its key,
   * stamping the next resourceVersion on it. Returns the stored object.
   */
  put(gr: string, object: KObject): KObject {
    const key = objectKey(object.metadata.namespace, object.metadata.name);
    const t = this.table(gr);
    const previous = t.get(key);
    const rv = this.rv + 1;
    object.metadata.resourceVersion = String(rv);
    this.journal?.put(rv, gr, key, object);
    this.rv = rv;
    t.set(key, object);
    if (!previous) this.sortedKeys.delete(gr);
    this.emit({ rv, type: previous ? "MODIFIED" : "ADDED", gr, object, ...(previous ? { previous } : {}) });
    return object;
  }

  /** Removes the object; the DELETED event carries it with the deletion's resourceVersion. */
  remove(gr: string, namespace: string | undefined, name: string): KObject | undefined {
    const key = objectKey(namespace, name);
    const t = this.table(gr);
    const previous = t.get(key);
    if (!previous) return undefined;
    const rv = this.rv + 1;
    this.journal?.remove(rv, gr, key);
    this.rv = rv;
    t.delete(key);
    this.sortedKeys.delete(gr);
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.emit({ rv, type: "DELETED", gr, object, previous });
    return object;
  }

  /** Events after `rv`, or undefined when the log no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRV) return undefined;
    // The log is in rv order: binary search for the first event after rv.
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Forgets the event log up to now (tests of 410 Expired). */
  compact(): void {
    this.log = [];
    this.compactedRV = this.rv;
  }

  private emit(e: StoreEvent): void {
    this.log.push(e);
    if (this.log.length > this.logCapacity) {
      const drop = this.log.length - Math.floor(this.logCapacity * 0.9);
      this.compactedRV = this.log[drop - 1]!.rv;
      this.log = this.log.slice(drop);
    }
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        process.emitWarning(`ko cluster: listener failed: ${err instanceof Error ? err.stack : String(err)}`);
      }
    }
  }

  close(): void {
    this.journal?.close();
  }
}
