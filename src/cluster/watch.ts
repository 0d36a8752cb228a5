/**
 * Watch streams: newline-delimited JSON events ({"type":"ADDED","object":{...}}) over a chunked
 * response. A watch starts from the current state (synthetic ADDED events) when no
 * resourceVersion is given or it is "0", or resumes after a resourceVersion from the store's event
 * log, answering an ERROR event with a 410 Expired Status when the log no longer reaches back.
 */
import type { ServerResponse } from "node:http";
import type { Api, Filter } from "./api.js";
import type { DroppableWatch, Faults, RequestInfo } from "./faults.js";
import { objectJSON } from "./object-json.js";
import { apiVersionOf, grKey, type KObject, type ResourceType } from "./resources.js";
import type { StoreEvent } from "./object-store.js";
import { partialMetadata, toTable, type IncludeObject } from "./tables.js";

export interface WatchParams {
  rt: ResourceType;
  namespace?: string;
  /** Watch one object (?fieldSelector=metadata.name=x, or a watch on an item path). */
  filter: Filter;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  /** Render each object as a one-row Table (kubectl get -w). */
  table?: IncludeObject;
  /** Render objects as PartialObjectMetadata. */
  metadataOnly?: boolean;
  bookmarkIntervalMs: number;
  info: RequestInfo;
}

export function serveWatch(api: Api, faults: Faults, res: ServerResponse, p: WatchParams): void {
  const { rt } = p;
  const gr = grKey(rt);
  let headerSent = false;
  // Events carry stored objects; a watch sends them as its resource serves them.
  const view = (o: KObject) => api.view(rt, o);
  const render = (o: KObject): KObject => {
    if (p.table) {
      const t = toTable(rt, [o], { resourceVersion: o.metadata.resourceVersion }, p.table, !headerSent);
      headerSent = true;
      return t;
    }
    return p.metadataOnly ? partialMetadata(o) : o;
  };
  const inScope = (o: KObject) => (!rt.namespaced || !p.namespace || o.metadata.namespace === p.namespace) && api.matches(rt, p.filter, o);

  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let closed = false;
  const send = (type: string, object: KObject) => {
    if (!closed) res.write(`{"type":${JSON.stringify(type)},"object":${objectJSON(object)}}\n`);
  };
  const bookmark = (extra: KObject = {}) =>
    send("BOOKMARK", {
      kind: rt.kind,
      apiVersion: apiVersionOf(rt),
      metadata: { resourceVersion: String(api.store.resourceVersion), ...extra },
    });

  const onEvent = (e: StoreEvent) => {
    if (e.gr !== gr) return;
    const object = view(e.object);
    const now = inScope(object);
    const before = e.previous ? inScope(view(e.previous)) : false;
    if (e.type === "ADDED") {
      if (now) send("ADDED", render(object));
    } else if (e.type === "DELETED") {
      if (before || now) send("DELETED", render(object));
    } else if (now && before) send("MODIFIED", render(object));
    else if (now) send("ADDED", render(object));
    else if (before) send("DELETED", render(object));
  };

  const rvParam = p.resourceVersion;
  if (rvParam === undefined || rvParam === "" || rvParam === "0" || p.sendInitialEvents) {
    for (const stored of api.store.list(gr, rt.namespaced ? p.namespace : undefined)) {
      const o = view(stored);
      if (inScope(o)) send("ADDED", render(o));
    }
    if (p.sendInitialEvents && p.allowBookmarks) bookmark({ annotations: { "k8s.io/initial-events-end": "true" } });
  } else {
    // A resourceVersion is a decimal count: "1e3" or "0x10" is no version, though Number reads them.
    const from = /^\d+$/.test(rvParam) ? Number(rvParam) : NaN;
    const backlog = Number.isFinite(from) ? api.store.eventsSince(from) : undefined;
    if (!backlog) {
      send("ERROR", {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: Number.isFinite(from)
          ? `too old resource version: ${from} (${api.store.oldestResumableRV + 1})`
          : `invalid resource version: ${rvParam}`,
        reason: Number.isFinite(from) ? "Expired" : "BadRequest",
        code: Number.isFinite(from) ? 410 : 400,
      });
      closed = true;
      res.end();
      return;
    }
    for (const e of backlog) onEvent(e);
  }

  const unsubscribe = api.store.subscribe(onEvent);
  // A custom resource whose definition changed or went is no longer served as it was: its watches
  // end, and clients watch again (and find the new schema, or a 404).
  const unregister = api.registry.onChange(() => {
    if (!api.registry.serves(rt)) {
      finish();
      res.end();
    }
  });
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    unregister();
    for (const t of timers) clearTimeout(t);
    faults.watches.delete(handle);
  };
  const handle: DroppableWatch = {
    info: p.info,
    drop(mode) {
      finish();
      if (mode === "reset") res.destroy();
      else res.end();
    },
  };
  faults.watches.add(handle);
  const timeoutMs = (p.timeoutSeconds && p.timeoutSeconds > 0 ? p.timeoutSeconds : 1800) * 1000;
  timers.push(
    setTimeout(() => {
      finish();
      res.end();
    }, timeoutMs),
  );
  if (p.allowBookmarks) {
    const iv = setInterval(() => bookmark(), p.bookmarkIntervalMs);
    timers.push(iv);
  }
  res.on("close", finish);
}
