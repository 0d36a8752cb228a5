/**
 * The answers of the generated operations (generated.ts), taken as the server sent them.
 *
 * A generated API client of @kubernetes/client-node hands each answer to its response processor,
 * which parses the JSON and deserializes it into the client's model objects — which Ko would then
 * turn into Ko values, renaming their fields back to the JSON's names (objects.ts `fromClient`).
 * The clients take their processor as a constructor argument, so Ko gives them this one: a
 * successful answer's data is its JSON as parsed, which `fromModelJson` reads into the very Ko
 * value `fromClient` makes of the model object, in one pass and without the model object.
 *
 * For every operation of the client, the client's own processor reads each success (2xx) as the
 * operation's one result type (generate-operations.mjs records it, checked by a test) and throws an
 * ApiException for every other status; this one does the same, keeping what the connection reads
 * of a failure (its status code, its body as text, its headers).
 */
import type * as K from "@kubernetes/client-node";
import { mediaType } from "./requests.js";

/** What a success carries: JSON, parsed; text (a log, a proxied page); or nothing (an empty body). */
export type Success = { readonly json: unknown } | { readonly text: string } | undefined;

/** The shape of a processor's answer: the client takes `data` from it. */
interface Processed {
  readonly httpStatusCode: number;
  readonly headers: Record<string, string>;
  readonly data: Success;
}

/**
 * A response processor for any generated API class: each of its `<operation>WithHttpInfo`
 * methods reads the answer as `answerOf` does.
 */
export function rawAnswers(k8s: typeof K): unknown {
  const read = (response: K.ResponseContext) => answerOf(k8s, response);
  return new Proxy(
    {},
    {
      get: (_, method) => (typeof method === "string" && method.endsWith("WithHttpInfo") ? read : undefined),
    },
  );
}

async function answerOf(k8s: typeof K, response: K.ResponseContext): Promise<Processed> {
  const { httpStatusCode: status, headers } = response;
  if (status === 401) throw new k8s.ApiException(status, "Unauthorized", undefined, headers);
  const text = await response.body.text();
  if (status < 200 || status > 299) throw new k8s.ApiException(status, "Unknown API Status Code!", text, headers);
  return { httpStatusCode: status, headers, data: successOf(headers["content-type"], text) };
}

/** A success's body, by its media type: JSON (`application/json`, `application/merge-patch+json`...) parsed, anything else as text. */
function successOf(contentType: string | undefined, text: string): Success {
  if (text === "") return undefined;
  const [type, subtype = ""] = mediaType(contentType).split("/");
  if (type === "application" && subtype.split("+").includes("json")) return { json: JSON.parse(text) as unknown };
  return { text };
}
