/**
 * Events, in their two APIs: core/v1 Event (what `kubectl get events` and `kubectl describe` read)
 * and events.k8s.io/v1 Event (what client-go's newer recorder writes). As in kube-apiserver they
 * are one resource in storage: an event written through either API is read through both, with
 * the fields renamed (regarding ↔ involvedObject, note ↔ message, reportingController ↔
 * reportingComponent, deprecatedSource ↔ source...). Field selectors, validation and the table
 * columns are the server's. Events do not expire here (the real server keeps them an hour).
 */
import { type FieldError, invalidField, requiredField } from "./errors.js";
import { isPlainObject } from "./fields.js";
import { define, microTime, type KObject, type ResourceType } from "./resources.js";
import { objectMeta, type Shape } from "./shapes.js";
import { type Cell, col, NAME, type Printer } from "./tables.js";
import { humanDuration, timestamp } from "./util.js";
import { validateName } from "./validation.js";

const str: Shape = { type: "string" };
const int: Shape = { type: "integer" };
const objectReference: Shape = {
  type: "object",
  fields: { kind: str, namespace: str, name: str, uid: str, apiVersion: str, resourceVersion: str, fieldPath: str },
  closed: true,
  ref: "io.k8s.api.core.v1.ObjectReference",
};
const eventSource: Shape = { type: "object", fields: { component: str, host: str }, closed: true };
const series = (name: string): Shape => ({ type: "object", fields: { count: int, lastObservedTime: str }, closed: true, ref: name });

const coreShape: Shape = {
  type: "object",
  closed: true,
  fields: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    involvedObject: objectReference,
    reason: str,
    message: str,
    source: eventSource,
    firstTimestamp: str,
    lastTimestamp: str,
    count: int,
    type: str,
    eventTime: str,
    series: series("io.k8s.api.core.v1.EventSeries"),
    action: str,
    related: objectReference,
    reportingComponent: str,
    reportingInstance: str,
  },
};

const v1Shape: Shape = {
  type: "object",
  closed: true,
  fields: {
    apiVersion: str,
    kind: str,
    metadata: objectMeta,
    eventTime: str,
    series: series("io.k8s.api.events.v1.EventSeries"),
    reportingController: str,
    reportingInstance: str,
    action: str,
    reason: str,
    regarding: objectReference,
    related: objectReference,
    note: str,
    type: str,
    deprecatedSource: eventSource,
    deprecatedFirstTimestamp: str,
    deprecatedLastTimestamp: str,
    deprecatedCount: int,
  },
};

/** events.k8s.io/v1 field ↔ core/v1 field. */
const RENAMES: [string, string][] = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["reportingController", "reportingComponent"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
];
const SAME = ["eventTime", "series", "reportingInstance", "action", "reason", "related", "type"];

function rename(o: KObject, apiVersion: string, pairs: [string, string][]): KObject {
  const out: KObject = { kind: "Event", apiVersion, metadata: o.metadata };
  for (const [from, to] of pairs) if (o[from] !== undefined) out[to] = o[from];
  for (const f of SAME) if (o[f] !== undefined) out[f] = o[f];
  return out;
}

/** A core/v1 Event as events.k8s.io/v1 serves it. */
export const coreToV1 = (o: KObject) =>
  rename(
    o,
    "events.k8s.io/v1",
    RENAMES.map(([a, b]) => [b, a]),
  );
/** An events.k8s.io/v1 Event as core/v1 stores it. */
export const v1ToCore = (o: KObject) => rename(o, "v1", RENAMES);

/** The zero values core/v1 always writes (its Go fields have no omitempty). */
function coreView(o: KObject): KObject {
  const out = { ...o };
  out.involvedObject ??= {};
  out.source ??= {};
  out.firstTimestamp ??= null;
  out.lastTimestamp ??= null;
  out.eventTime ??= null;
  out.reportingComponent ??= "";
  out.reportingInstance ??= "";
  return out;
}

/** Times as the server re-encodes them: metav1.Time to seconds, MicroTime to microseconds. */
function normalizeTimes(o: KObject, times: string[], microTimes: string[]): void {
  for (const f of times) if (typeof o[f] === "string" && !Number.isNaN(Date.parse(o[f]))) o[f] = timestamp(new Date(o[f]));
  for (const f of microTimes) if (typeof o[f] === "string") o[f] = microTime(o[f]);
  if (isPlainObject(o.series) && typeof o.series.lastObservedTime === "string")
    o.series.lastObservedTime = microTime(o.series.lastObservedTime);
}

const set = (v: unknown) => v !== undefined && v !== null && v !== "";

/** ValidateEventCreate and legacyValidateEvent, in the vocabulary of the API written to. */
function validateEvent(core: KObject, v1: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ns = core.metadata.namespace ?? "";
  const involved = core.involvedObject ?? {};
  const reporting = v1 ? "reportingController" : "reportingComponent";
  if (!set(core.eventTime)) {
    if (!involved.namespace) {
      if (ns !== "" && ns !== "default")
        errs.push(invalidField("involvedObject.namespace", involved.namespace ?? "", "does not match event.namespace"));
    } else if (ns !== involved.namespace)
      errs.push(invalidField("involvedObject.namespace", involved.namespace, "does not match event.namespace"));
  } else {
    if (!involved.namespace && ns !== "default" && ns !== "kube-system")
      errs.push(invalidField("involvedObject.namespace", involved.namespace ?? "", "does not match event.namespace"));
    if (!set(core.reportingComponent)) errs.push(requiredField(reporting));
    if (!set(core.reportingInstance)) errs.push(requiredField("reportingInstance"));
    else if (String(core.reportingInstance).length > 128)
      errs.push(invalidField("reportingInstance", "", "can have at most 128 characters"));
    if (!set(core.action)) errs.push(requiredField("action"));
    else if (String(core.action).length > 128) errs.push(invalidField("action", "", "can have at most 128 characters"));
    if (!set(core.reason)) errs.push(requiredField("reason"));
    else if (String(core.reason).length > 128) errs.push(invalidField("reason", "", "can have at most 128 characters"));
    if (typeof core.message === "string" && core.message.length > 1024)
      errs.push(invalidField(v1 ? "note" : "message", "", "can have at most 1024 characters"));
  }
  if (v1) {
    if (!set(core.eventTime)) errs.push(requiredField("eventTime"));
    if (core.type !== "Normal" && core.type !== "Warning") errs.push(invalidField("type", "", `has invalid value: ${core.type ?? ""}`));
    if (set(core.firstTimestamp)) errs.push(invalidField("deprecatedFirstTimestamp", "", "needs to be unset"));
    if (set(core.lastTimestamp)) errs.push(invalidField("deprecatedLastTimestamp", "", "needs to be unset"));
    if (core.count) errs.push(invalidField("deprecatedCount", "", "needs to be unset"));
    if (set(core.source?.component) || set(core.source?.host)) errs.push(invalidField("deprecatedSource", "", "needs to be unset"));
  }
  if (ns) errs.push(...validateName("subdomain", ns, "namespace"));
  return errs;
}

// ---------- printing ----------

const since = (t: unknown, now: number) => (typeof t === "string" && t ? humanDuration(now - Date.parse(t)) : "<unknown>");

function source(e: KObject): string {
  const component = e.source?.component || e.reportingComponent || "";
  const instance = e.source?.host || e.reportingInstance || "";
  return instance ? `${component}, ${instance}` : component;
}

/** printEvent of kube-apiserver's printers, over the core form. */
function eventRow(e: KObject, now: number): Cell[] {
  const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (isPlainObject(e.series)) {
    last = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (!count) count = 1;
  const inv = e.involvedObject ?? {};
  const target = inv.name ? `${String(inv.kind ?? "").toLowerCase()}/${inv.name}` : String(inv.kind ?? "").toLowerCase();
  return [
    last,
    e.type ?? "",
    e.reason ?? "",
    target,
    inv.fieldPath ?? "",
    source(e),
    String(e.message ?? "").trim(),
    first,
    count,
    e.metadata.name,
  ];
}

const EVENT_COLUMNS = [
  col("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
  col("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
  col(
    "Reason",
    "string",
    0,
    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  ),
  col("Object", "string", 0, "The object that this event is about."),
  col(
    "Subobject",
    "string",
    1,
    "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go-field access statement, such as desiredState.manifest.containers[2].",
  ),
  col("Source", "string", 1, "The component reporting this event. Should be a short machine understandable string."),
  col("Message", "string", 0, "A human-readable description of the status of this operation."),
  col("First Seen", "string", 1, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
  col("Count", "string", 1, "The number of times this event has occurred."),
  { ...NAME, priority: 1 },
];

const corePrinter: Printer = { columns: EVENT_COLUMNS, row: eventRow };
const v1Printer: Printer = { columns: EVENT_COLUMNS, row: (o, now) => eventRow(v1ToCore(o), now) };

// ---------- the resources ----------

const involved = (f: string) => (o: KObject) => String(o.involvedObject?.[f] ?? "");
const regarding = (f: string) => (o: KObject) => String(o.regarding?.[f] ?? "");

export const CORE_EVENT: ResourceType = define({
  kind: "Event",
  plural: "events",
  shortNames: ["ev"],
  shape: coreShape,
  printer: corePrinter,
  fieldSelectors: {
    "involvedObject.kind": involved("kind"),
    "involvedObject.namespace": involved("namespace"),
    "involvedObject.name": involved("name"),
    "involvedObject.uid": involved("uid"),
    "involvedObject.apiVersion": involved("apiVersion"),
    "involvedObject.resourceVersion": involved("resourceVersion"),
    "involvedObject.fieldPath": involved("fieldPath"),
    reason: (o) => String(o.reason ?? ""),
    reportingComponent: (o) => String(o.reportingComponent ?? ""),
    source: (o) => String(o.source?.component || o.reportingComponent || ""),
    type: (o) => String(o.type ?? ""),
  },
  fromStorage: coreView,
  defaults(o) {
    normalizeTimes(o, ["firstTimestamp", "lastTimestamp"], ["eventTime"]);
  },
  validate: (o) => validateEvent(o, false),
});

export const EVENTS_V1_EVENT: ResourceType = define({
  group: "events.k8s.io",
  kind: "Event",
  plural: "events",
  shortNames: ["ev"],
  storage: "/events",
  shape: v1Shape,
  printer: v1Printer,
  fieldSelectors: {
    "regarding.kind": regarding("kind"),
    "regarding.namespace": regarding("namespace"),
    "regarding.name": regarding("name"),
    "regarding.uid": regarding("uid"),
    "regarding.apiVersion": regarding("apiVersion"),
    "regarding.resourceVersion": regarding("resourceVersion"),
    "regarding.fieldPath": regarding("fieldPath"),
    reason: (o) => String(o.reason ?? ""),
    reportingController: (o) => String(o.reportingController ?? ""),
    type: (o) => String(o.type ?? ""),
  },
  fromStorage: coreToV1,
  toStorage: v1ToCore,
  defaults(o) {
    normalizeTimes(o, ["deprecatedFirstTimestamp", "deprecatedLastTimestamp"], ["eventTime"]);
  },
  validate: (o) => validateEvent(v1ToCore(o), true),
});
