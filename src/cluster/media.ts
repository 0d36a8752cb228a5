/**
 * The formats of request bodies, from their Content-Type, as kube-apiserver negotiates them: a
 * create or update reads JSON, YAML or protobuf (no Content-Type at all means JSON); a patch
 * names its kind of patch. Anything else is 415 UnsupportedMediaType before the body is read —
 * in particular text/plain and form posts, the bodies a web page may send to another origin
 * without asking first.
 */
import type { PatchType } from "./api.js";
import { unsupportedMediaType } from "./errors.js";

export type BodyFormat = "json" | "yaml" | "protobuf";

const BODY_TYPES: Record<string, BodyFormat> = {
  "application/json": "json",
  "application/yaml": "yaml",
  "application/vnd.kubernetes.protobuf": "protobuf",
};

const PATCH_TYPES: Record<string, PatchType> = {
  "application/json-patch+json": "json",
  "application/merge-patch+json": "merge",
  "application/strategic-merge-patch+json": "strategic",
  "application/apply-patch+yaml": "apply",
  "application/apply-patch+json": "apply",
};

/** The format of a create's or update's body; `formats` narrows what the endpoint reads (the admin endpoints: JSON). */
export function bodyFormat(contentType: string | undefined, formats: readonly BodyFormat[] = ["json", "yaml", "protobuf"]): BodyFormat {
  const type = mediaType(contentType);
  const format = type === "" ? "json" : BODY_TYPES[type];
  if (format === undefined || !formats.includes(format))
    throw unsupportedMediaType(Object.keys(BODY_TYPES).filter((t) => formats.includes(BODY_TYPES[t]!)));
  return format;
}

export function patchType(contentType: string | undefined): PatchType {
  const type = PATCH_TYPES[mediaType(contentType)];
  if (type === undefined) throw unsupportedMediaType(Object.keys(PATCH_TYPES).filter((t) => t !== "application/apply-patch+json"));
  return type;
}

/** "application/json; charset=utf-8" → "application/json". */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}
