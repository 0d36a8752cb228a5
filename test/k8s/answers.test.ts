/**
 * The response processor Ko gives the generated API clients (src/k8s/answers.ts): a success is its
 * JSON as parsed (or its text), a failure the client's ApiException. It stands in for the client's
 * own processors, which read every success of an operation as that operation's one result type:
 * the last test checks that this holds of the client installed, for every operation Ko offers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { rawAnswers, type Success } from "../../src/k8s/answers.js";
import { loadOperations } from "../../src/k8s/generated.js";
import { REPO } from "../support/cli.js";

type Processor = Record<string, (r: k8s.ResponseContext) => Promise<{ data: Success }>>;
const processor = rawAnswers(k8s) as Processor;

function response(status: number, contentType: string | undefined, text: string): k8s.ResponseContext {
  const headers: Record<string, string> = contentType === undefined ? {} : { "content-type": contentType };
  return new k8s.ResponseContext(status, headers, { text: () => Promise.resolve(text), binary: () => Promise.resolve(Buffer.from(text)) });
}

describe("answers", () => {
  test.each<[string, number, string | undefined, string, Success]>([
    ["JSON", 200, "application/json", '{"kind":"Pod"}', { json: { kind: "Pod" } }],
    ["JSON with parameters", 201, "application/json; charset=utf-8", "[1]", { json: [1] }],
    ["a JSON-like media type", 200, "application/merge-patch+json", '{"a":1}', { json: { a: 1 } }],
    ["text (a log)", 200, "text/plain", "line\n", { text: "line\n" }],
    ["no media type", 202, undefined, "done", { text: "done" }],
    ["an empty body", 200, "application/json", "", undefined],
  ])("a success with %s", async (_, status, type, text, expected) => {
    const answered = await processor.readNamespacedPodWithHttpInfo!(response(status, type, text));
    expect(answered.data).toEqual(expected);
  });

  test.each([
    [401, "Unauthorized", undefined],
    [404, "Unknown API Status Code!", '{"kind":"Status","reason":"NotFound"}'],
    [500, "Unknown API Status Code!", "boom"],
  ])("a failure %i is the client's ApiException, with the body as text", async (status, message, body) => {
    const failed = processor.createNamespacedConfigMapWithHttpInfo!(response(status, "application/json", body ?? "ignored"));
    await expect(failed).rejects.toBeInstanceOf(k8s.ApiException);
    await expect(failed).rejects.toMatchObject({ code: status, body, headers: { "content-type": "application/json" } });
    await expect(failed).rejects.toThrow(message);
  });

  test("what is not an operation's processor method is not there", () => {
    expect(processor.then).toBeUndefined();
    expect(processor.readNamespacedPod).toBeUndefined();
  });

  test("the client's own processors read every success of an operation as its one result type", () => {
    const dir = path.join(REPO, "node_modules/@kubernetes/client-node/dist/gen/apis");
    const sources = new Map(fs.readdirSync(dir).map((f) => [f.replace(/\.js$/, ""), fs.readFileSync(path.join(dir, f), "utf8")]));
    const operations = loadOperations();
    expect(operations.length).toBeGreaterThan(800);
    for (const op of operations) {
      const source = sources.get(op.api)!;
      const start = source.indexOf(`async ${op.method}WithHttpInfo(response) {`);
      expect(start, `${op.api}.${op.method}`).toBeGreaterThan(0);
      const body = source.slice(start, source.indexOf("\n    }\n", start));
      const types = new Set([...body.matchAll(/deserialize\(.*?, "([^"]+)", ""\)/g)].map((m) => m[1]));
      expect([...types], `${op.api}.${op.method}`).toEqual(op.result === "void" ? [] : [op.result]);
    }
  });
});
