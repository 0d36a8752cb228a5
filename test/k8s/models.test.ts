/**
 * The record types of Kubernetes objects (src/k8s/models.ts) against the client they come from:
 * stdlib/k8s/models.json must be in step with the installed @kubernetes/client-node, and its
 * types must say what the client's metadata says.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { describe, expect, test } from "vitest";
import { showHostType } from "../../src/host/host-type.js";
import { fromClient, fromJson, toJson } from "../../src/k8s/objects.js";
import { clientType, hasModel, modelSchema } from "../../src/k8s/models.js";
import { printValue } from "../../src/value/print.js";
import { REPO } from "../support/cli.js";

interface ModelClass {
  getAttributeTypeMap(): { name: string; baseName: string; type: string; format: string }[];
}
const models = Object.entries(k8s as Record<string, unknown>).filter(
  (e): e is [string, ModelClass] => typeof (e[1] as Partial<ModelClass>).getAttributeTypeMap === "function",
);

describe("stdlib/k8s/models.json", () => {
  test("was generated from the installed client (node src/k8s/generate-models.mjs)", () => {
    const file = JSON.parse(fs.readFileSync(path.join(REPO, "stdlib/k8s/models.json"), "utf8")) as { client: string };
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules/@kubernetes/client-node/package.json"), "utf8")) as {
      version: string;
    };
    expect(file.client).toBe(pkg.version);
  });

  test("every model of the client is a record with the JSON names of its fields", () => {
    expect(models.length).toBeGreaterThan(500);
    for (const [name, cls] of models) {
      expect(hasModel(name), name).toBe(true);
      expect(modelSchema(name).fieldNames(), name).toEqual(cls.getAttributeTypeMap().map((a) => a.baseName));
    }
  });
});

describe("field types", () => {
  test.each([
    ["V1StatefulSetSpec", "replicas", "Integer"],
    ["V1StatefulSetSpec", "template", "V1PodTemplateSpec"],
    ["V1PodSpec", "containers", "(V1Container)"],
    ["V1ObjectMeta", "labels", "(...: String)"],
    ["V1ObjectMeta", "creationTimestamp", "String"],
    ["V1ServicePort", "targetPort", "Integer | String"],
    ["V1Container", "command", "(String)"],
    ["V1Secret", "data", "(...: String | redacted)"],
    ["V1ResourceRequirements", "limits", "(...: String | Integer | Float64)"],
    ["V1EmptyDirVolumeSource", "sizeLimit", "String | Integer | Float64"],
    ["V1JSONSchemaProps", "x-kubernetes-preserve-unknown-fields", "Bool"],
    ["V1ListMeta", "continue", "String"],
  ])("%s.%s is %s", (model, field, shown) => {
    const t = modelSchema(model).field(field);
    expect(t && showHostType(t)).toBe(shown);
  });

  test("every field named as a quantity exists", () => {
    for (const [model, field] of [
      ["V1ResourceQuotaStatus", "used"],
      ["V1LimitRangeItem", "maxLimitRequestRatio"],
      ["V1CSIStorageCapacity", "maximumVolumeSize"],
      ["V2MetricValueStatus", "averageValue"],
    ]) {
      expect(showHostType(modelSchema(model!).field(field!)!)).toMatch(/Integer \| Float64/);
    }
  });

  test("a field the model does not have has no type", () => {
    expect(modelSchema("V1Container").field("imagePulPolicy")).toBeUndefined();
  });

  test("a name the client has no model for is Any, not a record", () => {
    expect(clientType("V1Widget")).toEqual({ k: "any" });
  });

  test("documentation comes with the fields", () => {
    expect(modelSchema("V1Container").fieldDoc?.("image")).toBe("Container image name.");
  });
});

describe("start-up", () => {
  test("declaring package k8s reads no model: models.json is read at the first question about a field", () => {
    const probe = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const read = [];
const original = fs.readFileSync;
fs.readFileSync = (file, ...rest) => (read.push(String(file)), original(file, ...rest));
syncBuiltinESMExports();
const { k8sFunctions } = await import(${JSON.stringify(path.join(REPO, "dist/k8s/functions.js"))});
const before = read.filter((f) => f.endsWith("models.json")).length;
const ns = k8sFunctions.find((f) => f.name === "CreateNamespace").result;
const fields = ns.schema.fieldNames();
console.log(JSON.stringify({ before, after: read.filter((f) => f.endsWith("models.json")).length, fields }));
`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ before: 0, after: 1, fields: ["apiVersion", "kind", "metadata", "spec", "status"] });
  });
});

describe("names between Ko and the client", () => {
  test("a field whose JSON name is not its TypeScript name is `from` in Ko and `_from` for the client's serializer", () => {
    const fromClientShape = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      spec: { ingress: [{ _from: [{ podSelector: { matchLabels: { app: "db" } } }] }] },
    };
    const value = fromClient(fromClientShape, "V1NetworkPolicy", k8s);
    expect(printValue(value)).toContain('spec: (ingress: ((from: ((podSelector: (matchLabels: (app: "db")))))))');
    expect(toJson(value, "V1NetworkPolicy", k8s)).toEqual(fromClientShape);
  });

  test("where the model has a list, a single value is written as a one-element list (reference 4.4); maps keep their keys", () => {
    const value = fromJson({
      spec: { ingress: { from: { podSelector: { matchLabels: { from: "x" } } } } },
      metadata: { labels: { _from: "y" } },
    });
    expect(toJson(value, "V1NetworkPolicy", k8s)).toEqual({
      spec: { ingress: [{ _from: [{ podSelector: { matchLabels: { from: "x" } } }] }] },
      metadata: { labels: { _from: "y" } },
    });
  });

  test("a model with no renamed field anywhere in it is passed through as it is", () => {
    const pod = { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i" }] } };
    expect(printValue(fromClient(pod, "V1Pod", k8s))).toBe(printValue(fromJson(pod)));
  });
});
