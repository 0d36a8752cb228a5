/**
 * Kubernetes `Status` errors. Every failure the server reports is an ApiError carrying the exact
 * code, reason and wording a real kube-apiserver uses, so clients that branch on them (kubectl's
 * "AlreadyExists", client-node's 409 retry loops, informers' 410 relist) behave the same.
 */
import type { ResourceType } from "./resources.js";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** The wire form of a failure (meta/v1 Status). */
export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    // An error the server has no reason for (one storage relays) has none on the wire.
    if (!this.reason) delete s.reason;
    if (this.details) s.details = this.details;
    return s;
  }
}

/** "pods" for the core group, "deployments.apps" for others: how the server names a resource in messages. */
export function qualifiedResource(rt: Pick<ResourceType, "group" | "plural">): string {
  return rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
}

function details(rt: Pick<ResourceType, "group" | "plural">, name: string): StatusDetails {
  return rt.group ? { name, group: rt.group, kind: rt.plural } : { name, kind: rt.plural };
}

export function notFound(rt: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return new ApiError(404, "NotFound", `${qualifiedResource(rt)} "${name}" not found`, details(rt, name));
}

export function alreadyExists(rt: Pick<ResourceType, "group" | "plural">, name: string): ApiError {
  return new ApiError(409, "AlreadyExists", `${qualifiedResource(rt)} "${name}" already exists`, details(rt, name));
}

export function conflict(rt: Pick<ResourceType, "group" | "plural">, name: string, why: string): ApiError {
  return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(rt)} "${name}": ${why}`, details(rt, name));
}

export const STALE = "the object has been modified; please apply your changes to the latest version and try again";

export function forbidden(rt: Pick<ResourceType, "group" | "plural">, name: string, why: string, causes?: StatusCause[]): ApiError {
  const d = details(rt, name);
  if (causes) d.causes = causes;
  const what = name ? `${qualifiedResource(rt)} "${name}"` : qualifiedResource(rt);
  return new ApiError(403, "Forbidden", `${what} is forbidden: ${why}`, d);
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, "BadRequest", message);
}

export function methodNotAllowed(message = "the server does not allow this method on the requested resource"): ApiError {
  return new ApiError(405, "MethodNotAllowed", message);
}

export function notAcceptable(message: string): ApiError {
  return new ApiError(406, "NotAcceptable", message);
}

/** 415: a body in a format the endpoint does not read, with the formats it does (the server's wording). */
export function unsupportedMediaType(accepted: readonly string[], detail?: string): ApiError {
  return new ApiError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}${detail ? ` (${detail})` : ""}`,
  );
}

export function gone(message: string): ApiError {
  return new ApiError(410, "Expired", message);
}

export function internal(message: string): ApiError {
  return new ApiError(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}

/** One field validation failure, rendered the way apimachinery's field.Error does. */
export interface FieldError {
  type:
    | "FieldValueInvalid"
    | "FieldValueRequired"
    | "FieldValueNotSupported"
    | "FieldValueForbidden"
    | "FieldValueDuplicate"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueTypeInvalid";
  field: string;
  value?: unknown;
  detail?: string;
}

export const invalidField = (field: string, value: unknown, detail: string): FieldError => ({
  type: "FieldValueInvalid",
  field,
  value,
  detail,
});
export const requiredField = (field: string, detail = ""): FieldError => ({ type: "FieldValueRequired", field, detail });
export const forbiddenField = (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail });
export const unsupportedValue = (field: string, value: unknown, valid: string[]): FieldError => ({
  type: "FieldValueNotSupported",
  field,
  value,
  detail: `supported values: ${valid.map((v) => JSON.stringify(v)).join(", ")}`,
});
export const duplicateField = (field: string, value: unknown): FieldError => ({ type: "FieldValueDuplicate", field, value });
/** field.TooLong: the value is omitted, the limit said in bytes (apimachinery 1.32). */
export const tooLong = (field: string, max: number): FieldError => ({
  type: "FieldValueTooLong",
  field,
  detail: max >= 0 ? `may not be more than ${max} ${max === 1 ? "byte" : "bytes"}` : "value is too long",
});
/** field.TooMany: "Too many: 3: must have at most 2 items". */
export const tooMany = (field: string, actual: number, max: number): FieldError => ({
  type: "FieldValueTooMany",
  field,
  ...(actual >= 0 ? { value: actual } : {}),
  detail: max >= 0 ? `must have at most ${max} ${max === 1 ? "item" : "items"}` : "has too many items",
});
/** field.TypeInvalid: rendered as "Invalid value", as apimachinery does. */
export const typeInvalid = (field: string, value: unknown, detail: string): FieldError => ({
  type: "FieldValueTypeInvalid",
  field,
  value,
  detail,
});

/** A value already rendered as the API server prints it (Go's %#v of a map, say): printed as is. */
export class Rendered {
  constructor(readonly text: string) {}
}

/** A value of decoded JSON as the API server quotes it in a message. */
function renderValue(v: unknown): string {
  if (v instanceof Rendered) return v.text;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  return v === undefined ? "null" : JSON.stringify(v); // strings quoted, null, objects and arrays as JSON
}

/** The text after "field: " in a message, e.g. `Invalid value: "Foo": a lowercase RFC 1123 ...`. */
function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case "FieldValueRequired":
      return e.detail ? `Required value: ${e.detail}` : "Required value";
    case "FieldValueForbidden":
      return `Forbidden: ${e.detail}`;
    case "FieldValueDuplicate":
      return `Duplicate value: ${renderValue(e.value)}`;
    case "FieldValueNotSupported":
      return `Unsupported value: ${renderValue(e.value)}: ${e.detail}`;
    case "FieldValueTooLong":
      return `Too long: ${e.detail}`;
    case "FieldValueTooMany":
      return e.value === undefined ? `Too many: ${e.detail}` : `Too many: ${renderValue(e.value)}: ${e.detail}`;
    default:
      return `Invalid value: ${renderValue(e.value)}${e.detail ? `: ${e.detail}` : ""}`;
  }
}

/**
 * 422 Invalid: `Pod "x" is invalid: metadata.name: Invalid value: ...`, with one cause per field
 * error. The kind is qualified by its group as schema.GroupKind prints it (`Deployment.apps`,
 * `Widget.example.com`); the details carry the bare kind, which is what kubectl prints.
 */
export function invalid(rt: Pick<ResourceType, "group" | "kind">, name: string, errors: FieldError[]): ApiError {
  const parts = errors.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const body = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  const d: StatusDetails = {
    name,
    kind: rt.kind,
    causes: errors.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field })),
  };
  if (rt.group) d.group = rt.group;
  const qualified = rt.group ? `${rt.kind}.${rt.group}` : rt.kind;
  return new ApiError(422, "Invalid", `${qualified} "${name}" is invalid: ${body}`, d);
}

/** The text of one field error as apimachinery's field.Error.Error() renders it. */
export function fieldErrorText(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}
