/**
 * Structural schemas, data-driven: the custom resources of fixtures/crds/objects.yaml against the
 * CRDs of widgets.yaml and gadgets.yaml (the 422 message the server words for each, or what it
 * stored after pruning and defaulting), and the CRDs of definitions.yaml that the server refuses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import YAML from "yaml";
import type { Cluster, KObject } from "../../src/cluster/index.js";
import { mergePatch } from "../../src/cluster/patch.js";
import { establish, HERE, http, testCluster } from "./helpers.js";

const FIXTURES = path.join(HERE, "fixtures", "crds");
const load = (file: string): any => YAML.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));

const CRDS: Record<string, KObject> = { widgets: load("widgets.yaml"), gadgets: load("gadgets.yaml") };

interface ObjectCase {
  crd: string;
  name: string;
  object: KObject;
  query?: string;
  code?: number;
  error?: string;
  spec?: KObject;
}

interface DefinitionCase {
  name: string;
  patch: KObject;
  error?: string;
  contains?: string;
  and?: string;
}

let c: Cluster & { dir: string };

/** Where objects of a CRD's storage version are created. */
function collection(crd: KObject, namespace = "default"): string {
  const version = crd.spec.versions.find((v: KObject) => v.storage).name;
  const base = `/apis/${crd.spec.group}/${version}`;
  return crd.spec.scope === "Namespaced" ? `${base}/namespaces/${namespace}/${crd.spec.names.plural}` : `${base}/${crd.spec.names.plural}`;
}

beforeAll(async () => {
  c = await testCluster({ controllers: false });
  for (const crd of Object.values(CRDS)) await establish(c, crd);
});
afterAll(() => c.close());

describe("custom resources against their schemas", () => {
  const cases: ObjectCase[] = load("objects.yaml");
  test.each(cases.map((k) => [k.name, k] as const))("%s", async (_name, k) => {
    const crd = CRDS[k.crd]!;
    const version = crd.spec.versions.find((v: KObject) => v.storage).name;
    const body = { apiVersion: `${crd.spec.group}/${version}`, kind: crd.spec.names.kind, metadata: { name: k.name }, ...k.object };
    const res = await http(c, "POST", `${collection(crd)}${k.query ? `?${k.query}` : ""}`, body);
    if (k.error !== undefined) {
      expect(res.status).toBe(k.code ?? 422);
      expect(res.body.message).toBe(k.error);
      expect(res.body.reason).toBe((k.code ?? 422) === 422 ? "Invalid" : "BadRequest");
    } else {
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.spec).toEqual(k.spec);
      // What a read returns is what the write returned.
      const got = await http(c, "GET", `${collection(crd)}/${k.name}`);
      expect(got.body.spec).toEqual(k.spec);
    }
  });

  test("every error is a cause with its field, as kubectl prints them", async () => {
    const crd = CRDS.widgets!;
    const res = await http(c, "POST", collection(crd), {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "causes" },
      spec: { size: "huge", replicas: 20 },
    });
    expect(res.body.details).toEqual({
      name: "causes",
      group: "example.com",
      kind: "Widget",
      causes: [
        { reason: "FieldValueNotSupported", message: 'Unsupported value: "huge": supported values: "small", "large"', field: "spec.size" },
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 20: spec.replicas in body should be less than or equal to 10",
          field: "spec.replicas",
        },
      ],
    });
  });
});

describe("definitions the server refuses", () => {
  const { base, cases } = load("definitions.yaml") as { base: KObject; cases: DefinitionCase[] };
  test.each(cases.map((k) => [k.name, k] as const))("%s", async (_name, k) => {
    const crd = mergePatch(base, k.patch) as KObject;
    const res = await http(c, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    if (k.error !== undefined) expect(res.body.message).toBe(k.error);
    else {
      expect(res.body.message).toContain(k.contains);
      expect(res.body.message).toContain(k.and);
    }
  });

  test("the base definition itself is accepted", async () => {
    await establish(c, base);
  });
});
