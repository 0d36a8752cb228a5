/** The pure parts: selectors, patches, cron schedules, protobuf decoding, CLI options. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { clusterOptions, clusterServeCommand, parseHold } from "../../src/cli/cluster.js";
import { UsageError } from "../../src/diag/exit.js";
import { startCluster } from "../../src/cluster/index.js";
import { nextSchedule } from "../../src/cluster/controllers/jobs.js";
import { decodeProtobuf } from "../../src/cluster/protobuf.js";
import { matchesRequirements, parseFieldSelector, parseLabelSelector } from "../../src/cluster/selectors.js";
import { mergePatch, strategicMergePatch } from "../../src/cluster/patch.js";
import { shapeOf } from "../../src/cluster/shapes.js";
import { evaluate, parseJsonPath } from "../../src/cluster/jsonpath.js";
import { compareVersions } from "../../src/cluster/resources.js";
import { humanDuration } from "../../src/cluster/util.js";
import { tempDir, tempFile } from "../support/temp.js";

describe("label selectors", () => {
  const sel = (s: string, labels: Record<string, string>) => matchesRequirements(parseLabelSelector(s), labels);
  test("every operator", () => {
    const l = { app: "web", tier: "front" };
    expect(sel("app=web", l)).toBe(true);
    expect(sel("app==web,tier=front", l)).toBe(true);
    expect(sel("app!=web", l)).toBe(false);
    expect(sel("app!=db", {})).toBe(true);
    expect(sel("tier in (front, back)", l)).toBe(true);
    expect(sel("tier notin (front)", l)).toBe(false);
    expect(sel("tier notin (front)", {})).toBe(true);
    expect(sel("app", l)).toBe(true);
    expect(sel("!app", l)).toBe(false);
    expect(sel("", l)).toBe(true);
  });
  test("errors are 400 BadRequest", () => {
    expect(() => parseLabelSelector("app in web")).toThrow(/unable to parse requirement/);
    expect(() => parseFieldSelector("nonsense")).toThrow(/invalid selector/);
    expect(parseFieldSelector("metadata.name=a\\,b,status.phase!=Running")).toEqual([
      { field: "metadata.name", op: "=", value: "a,b" },
      { field: "status.phase", op: "!=", value: "Running" },
    ]);
  });
});

describe("patches", () => {
  test("merge patch (RFC 7386)", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] })).toEqual({ a: 1, b: { d: 3, e: 4 }, f: [1] });
  });
  test("strategic merge: service ports merge by port, $patch: replace on a map", () => {
    const svc = {
      spec: {
        ports: [
          { port: 80, name: "http" },
          { port: 443, name: "https" },
        ],
        selector: { a: "1", b: "2" },
      },
    };
    const out = strategicMergePatch(
      svc,
      { spec: { ports: [{ port: 443, targetPort: 8443 }], selector: { $patch: "replace", c: "3" } } },
      shapeOf("Service"),
    ) as any;
    expect(out.spec.ports).toEqual([
      { port: 80, name: "http" },
      { port: 443, name: "https", targetPort: 8443 },
    ]);
    expect(out.spec.selector).toEqual({ c: "3" });
  });
});

describe("cron", () => {
  test("next schedule times", () => {
    const at = new Date("2025-03-10T10:07:30Z");
    expect(nextSchedule("*/5 * * * *", at)?.toISOString()).toBe("2025-03-10T10:10:00.000Z");
    expect(nextSchedule("0 3 * * *", at)?.toISOString()).toBe("2025-03-11T03:00:00.000Z");
    expect(nextSchedule("@hourly", at)?.toISOString()).toBe("2025-03-10T11:00:00.000Z");
    expect(nextSchedule("30 9 * * mon", at)?.toISOString()).toBe("2025-03-17T09:30:00.000Z");
  });
});

describe("protobuf", () => {
  test("a ConfigMap in the k8s\\0 envelope", () => {
    const str = (field: number, s: string) => Buffer.concat([Buffer.from([(field << 3) | 2, Buffer.byteLength(s)]), Buffer.from(s)]);
    const msg = (field: number, body: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2, body.length]), body]);
    const typeMeta = Buffer.concat([str(1, "v1"), str(2, "ConfigMap")]);
    const meta = Buffer.concat([str(1, "cfg"), str(3, ""), msg(11, Buffer.concat([str(1, "app"), str(2, "x")]))]);
    const raw = Buffer.concat([msg(1, meta), msg(2, Buffer.concat([str(1, "k"), str(2, "v")]))]);
    const body = Buffer.concat([Buffer.from("k8s\0", "latin1"), msg(1, typeMeta), msg(2, raw)]);
    expect(decodeProtobuf(body)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", labels: { app: "x" } },
      data: { k: "v" },
    });
  });
});

describe("ages and CLI options", () => {
  test("ages print as kubectl prints them", () => {
    expect([5e3, 119e3, 150e3, 3600e3 * 5 + 60e3 * 3, 3600e3 * 30, 86400e3 * 3].map(humanDuration)).toEqual([
      "5s",
      "119s",
      "2m30s",
      "5h3m",
      "30h",
      "3d",
    ]);
  });
  test("--hold-ready and --delay", async () => {
    expect(parseHold("app=web")).toEqual({ selector: "app=web" });
    expect(parseHold("app=web:job=migrate@prod")).toEqual({
      selector: "app=web",
      namespace: "prod",
      until: { jobComplete: "migrate", namespace: "prod" },
    });
    expect(parseHold("tier=api:pods=app=db")).toEqual({ selector: "tier=api", until: { podsReady: "app=db" } });
    const o = await clusterOptions({ port: "8080", delay: ["start=200", "ready=50"], holdReady: ["app=web"] });
    expect(o).toMatchObject({ port: 8080, delays: { start: 200, ready: 50 }, readinessHolds: [{ selector: "app=web" }] });
    await expect(clusterOptions({ delay: ["warp=1"] })).rejects.toThrow(/--delay expects STEP=MS/);
  });
  test("--config file (JSON or YAML) with delays and readiness holds", async () => {
    const file = tempFile(
      "cluster.yaml",
      "delays:\n  start: 100\nreadinessHolds:\n  - selector: app=web\n    namespace: prod\n    untilJobComplete: migrate\n",
      "ko-cfg-",
    );
    expect(await clusterOptions({ config: file })).toEqual({
      delays: { start: 100 },
      readinessHolds: [{ selector: "app=web", namespace: "prod", until: { jobComplete: "migrate", namespace: "prod" } }],
    });
  });

  test.each([
    { name: "a missing --config", text: undefined, message: /^--config \S+: cannot read it \(ENOENT\)$/ },
    {
      name: "a --config neither JSON nor YAML",
      text: "delays: [\n",
      message: /^--config \S+ is neither JSON nor valid YAML: Flow sequence/,
    },
    { name: "a --config that is a list", text: "- 1\n", message: /^--config \S+: expected a mapping$/ },
  ])("$name is a usage error", async ({ text, message }) => {
    const dir = tempDir("ko-cfg-");
    const file = path.join(dir, "cluster.yaml");
    if (text !== undefined) fs.writeFileSync(file, text);
    await expect(clusterOptions({ config: file })).rejects.toThrow(
      expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }),
    );
  });

  test("a port in use is a usage error", async () => {
    const c = await startCluster();
    try {
      await expect(clusterServeCommand({ port: c.port }, () => {})).rejects.toBeInstanceOf(UsageError);
    } finally {
      await c.close();
    }
  });
});

describe("JSONPath of printer columns", () => {
  const o = {
    metadata: { labels: { "app.kubernetes.io/name": "web" } },
    status: {
      conditions: [
        { type: "Ready", status: "True" },
        { type: "Synced", status: "False" },
      ],
      replicas: 3,
    },
    spec: { items: [{ n: 1 }, { n: 2 }] },
  };
  const at = (p: string) => evaluate(parseJsonPath(p), o);
  test("fields, indexes, wildcards, filters, quoted keys", () => {
    expect(at(".status.replicas")).toEqual([3]);
    expect(at("{.status.replicas}")).toEqual([3]);
    expect(at('.status.conditions[?(@.type=="Ready")].status')).toEqual(["True"]);
    expect(at(".status.conditions[?(@.type!='Ready')].type")).toEqual(["Synced"]);
    expect(at(".spec.items[*].n")).toEqual([1, 2]);
    expect(at(".spec.items[-1].n")).toEqual([2]);
    expect(at(".metadata.labels['app.kubernetes.io/name']")).toEqual(["web"]);
    expect(at(".status.missing")).toEqual([]);
    expect(() => parseJsonPath(".a[?(@.x > 1)]")).toThrow(/unsupported filter/);
  });
});

describe("versions in discovery order", () => {
  test("GA, then beta, then alpha, higher first; anything else last", () => {
    const versions = ["foo1", "v1alpha1", "v2", "v1beta1", "v1", "v11alpha2", "v10beta3", "foo10", "v1beta2"];
    expect([...versions].sort(compareVersions)).toEqual([
      "v2",
      "v1",
      "v10beta3",
      "v1beta2",
      "v1beta1",
      "v11alpha2",
      "v1alpha1",
      "foo1",
      "foo10",
    ]);
  });
});
