/**
 * Query parameters read as kube-apiserver reads them (src/cluster/query.ts). A boolean is false
 * when absent, "0", or "false" in any letter case, and true otherwise — so `watch=True`, what the
 * official Python client sends, is a watch — and the server never refuses a boolean
 * (apimachinery's runtime.Convert_Slice_string_To_bool; requestinfo.go reads `watch` the same
 * way). A malformed integer is 400 BadRequest, with strconv.ParseInt's words.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Cluster } from "../../src/cluster/index.js";
import { http, send, testCluster, watchEvents } from "./helpers.js";

let c: Cluster & { dir: string };
beforeAll(async () => {
  c = await testCluster({ controllers: false, bookmarkIntervalMs: 50 });
});
afterAll(() => c.close());

const CM = "/api/v1/namespaces/default/configmaps";

/** Whether GET `p` answers with a watch's events (a stream of {"type": ...}) rather than a list. */
async function isWatch(p: string): Promise<boolean> {
  const ctrl = new AbortController();
  const res = await send(c, "GET", p, undefined, {}, ctrl.signal);
  res.setEncoding("utf8");
  let first = "";
  try {
    for await (const chunk of res) {
      first += chunk;
      if (first.includes("\n") || first.length > 20) break;
    }
  } catch {
    /* aborted */
  }
  ctrl.abort();
  res.destroy();
  return first.startsWith('{"type":');
}

// Go's strconv.ParseBool spellings, and others; what kube-apiserver makes of each.
const TRUE = ["1", "t", "T", "TRUE", "true", "True", "yes", ""];
const FALSE = ["0", "FALSE", "false", "False", "fAlSe"];
// strconv.ParseBool reads f and F as false; kube-apiserver's conversion does not (only "0" and "false" are).
const TRUE_ON_THE_SERVER = ["f", "F"];

describe("booleans", () => {
  test.each([...TRUE, ...TRUE_ON_THE_SERVER].map((v) => ({ v })))("watch=$v is a watch", async ({ v }) => {
    expect(await isWatch(`${CM}?watch=${v}`)).toBe(true);
  });

  test.each(FALSE.map((v) => ({ v })))("watch=$v is a list", async ({ v }) => {
    expect(await isWatch(`${CM}?watch=${v}`)).toBe(false);
    expect((await http(c, "GET", `${CM}?watch=${v}`)).body.kind).toBe("ConfigMapList");
  });

  test("allowWatchBookmarks=True and sendInitialEvents=True, as the Python client spells them", async () => {
    const events = await watchEvents(
      c,
      `${CM}?watch=True&sendInitialEvents=True&allowWatchBookmarks=True&resourceVersionMatch=NotOlderThan`,
      (e) => e.some((x) => x.type === "BOOKMARK"),
    );
    expect(events.find((e) => e.type === "BOOKMARK").object.metadata.annotations).toEqual({ "k8s.io/initial-events-end": "true" });
  });

  test.each([
    ...["1", "T", "True", "TRUE"].map((v) => ({ v, forced: true })),
    ...["0", "False", "FALSE"].map((v) => ({ v, forced: false })),
  ])("force=$v on a conflicting server-side apply: forced $forced", async ({ v, forced }) => {
    const name = `forced-${Buffer.from(v).toString("hex")}`; // True and TRUE need names of their own
    const apply = (manager: string, value: string, force?: string) =>
      http(
        c,
        "PATCH",
        `${CM}/${name}?fieldManager=${manager}${force !== undefined ? `&force=${force}` : ""}`,
        { apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { k: value } },
        { "content-type": "application/apply-patch+yaml" },
      );
    expect((await apply("first", "1")).status).toBe(201);
    const second = await apply("second", "2", v);
    expect(second.status).toBe(forced ? 200 : 409);
    if (!forced) expect(second.body.reason).toBe("Conflict");
  });
});

describe("integers", () => {
  test.each([
    { q: "limit=abc", message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
    { q: "limit=1.5", message: 'strconv.ParseInt: parsing "1.5": invalid syntax' },
    { q: "limit=99999999999999999999", message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' },
    { q: "watch=1&timeoutSeconds=soon", message: 'strconv.ParseInt: parsing "soon": invalid syntax' },
  ])("$q: 400 BadRequest", async ({ q, message }) => {
    expect((await http(c, "GET", `${CM}?${q}`)).body).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest", message });
  });

  test("limit=1 pages", async () => {
    const page = (await http(c, "GET", `${CM}?limit=1`)).body;
    expect(page.items).toHaveLength(1);
  });

  test("a resourceVersion to watch from is a decimal count: 1e3 is none", async () => {
    const events = await watchEvents(c, `${CM}?watch=true&resourceVersion=1e3`, (e) => e.length > 0);
    expect(events[0]).toMatchObject({ type: "ERROR", object: { code: 400, message: "invalid resource version: 1e3" } });
  });
});
