/**
 * The classifier (src/k8s/requests.ts): a request to the API server placed from its method, URL
 * and body alone — or refused as unplaceable — and a request made a dry run the way the server
 * reads it.
 */
import { describe, expect, test } from "vitest";
import { asDryRun, classify, describeRequest, type RawRequest } from "../../src/k8s/requests.js";
import { builtInResource } from "../../src/k8s/resources.js";

const at = (method: string, path: string, extra: Partial<RawRequest> = {}): RawRequest => ({
  method,
  url: `https://k8s.example:6443${path}`,
  ...extra,
});

/** The request as `verb group/resource ns/name/sub`, or `unplaced: why`. */
function placed(r: RawRequest): string {
  const c = classify(r);
  if (c.type === "unplaced") return `unplaced: ${c.why}`;
  if (c.type === "server") return "server";
  return `${c.verb} ${c.group}/${c.resource} ${c.namespace ?? "-"}/${c.name ?? "-"}${c.subresource ? `/${c.subresource}` : ""}${c.dryRun ? " (dry run)" : ""}`;
}

describe("classifying a request from itself", () => {
  test.each([
    ["GET", "/api/v1/namespaces/db/pods", "list /pods db/-"],
    ["GET", "/api/v1/pods", "list /pods -/-"],
    ["GET", "/api/v1/namespaces/db/pods?watch=true", "watch /pods db/-"],
    ["GET", "/api/v1/watch/namespaces/db/pods", "watch /pods db/-"],
    ["GET", "/api/v1/namespaces/db", "get /namespaces -/db"],
    ["DELETE", "/api/v1/namespaces/db", "delete /namespaces -/db"],
    ["PUT", "/api/v1/namespaces/db/finalize", "update /namespaces -/db/finalize"],
    ["POST", "/api/v1/namespaces/db/bindings", "create /bindings db/-"],
    ["POST", "/api/v1/namespaces/db/pods/web-0/eviction", "create /pods db/web-0/eviction"],
    ["POST", "/api/v1/namespaces/db/pods/web-0/binding", "create /pods db/web-0/binding"],
    ["POST", "/api/v1/namespaces/db/serviceaccounts/robot/token", "create /serviceaccounts db/robot/token"],
    ["GET", "/api/v1/namespaces/db/pods/web-0/log", "get /pods db/web-0/log"],
    ["POST", "/api/v1/namespaces/db/pods/web-0/exec?command=sh", "connect /pods db/web-0/exec"],
    ["GET", "/api/v1/namespaces/db/services/web/proxy/admin/reset", "connect /services db/web/proxy"],
    ["PATCH", "/apis/apps/v1/namespaces/db/statefulsets/web/scale", "patch apps/statefulsets db/web/scale"],
    ["DELETE", "/apis/apps/v1/namespaces/db/statefulsets", "deletecollection apps/statefulsets db/-"],
    ["POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "create rbac.authorization.k8s.io/clusterrolebindings -/-"],
    ["DELETE", "/apis/example.com/v1/namespaces/db/gizmos/g", "delete example.com/gizmos db/g"],
    ["GET", "/apis/apps/v1", "server"],
    ["GET", "/version", "server"],
    ["POST", "/apis/apps/v1", "unplaced: it writes to a path that describes the server"],
    ["GET", "/metrics", "unplaced: its path is not under /api/v1 or /apis/GROUP/VERSION"],
    ["POST", "/api/v1/namespaces/db/pods/web-0", "unplaced: it posts to an object"],
    ["PUT", "/api/v1/namespaces/db/pods", "unplaced: it puts to a collection"],
    ["DELETE", "/api/v1/namespaces/db/pods/web-0/status", "unplaced: it deletes a subresource"],
    ["GET", "/api/v1/namespaces/db/pods/web-0/gadget", "unplaced: gadget is not a subresource Kubernetes defines"],
    ["GET", "/api/v1/namespaces/db/pods/web-0/status/extra", "unplaced: its path goes on past the subresource"],
    ["OPTIONS", "/api/v1/pods", "unplaced: Kubernetes has no OPTIONS requests"],
  ])("%s %s → %s", (method, path, expected) => {
    const contentType = method === "PATCH" ? "application/merge-patch+json" : undefined;
    expect(placed(at(method, path, contentType ? { contentType } : {}))).toBe(expected);
  });

  test("a patch must say which kind of patch it is", () => {
    expect(placed(at("PATCH", "/api/v1/namespaces/db/configmaps/c"))).toMatch(/^unplaced: its patch type "" is not one/);
    for (const [type, name] of [
      ["application/json-patch+json", "json"],
      ["application/merge-patch+json", "merge"],
      ["application/strategic-merge-patch+json", "strategic"],
      ["application/apply-patch+yaml", "apply"],
    ]) {
      const c = classify(at("PATCH", "/api/v1/namespaces/db/configmaps/c", { contentType: type }));
      expect(c.type === "resource" && c.patchType).toBe(name);
    }
  });

  test("a delete's options are read where the server reads them: its body when it has one, else its query", () => {
    const url = "/api/v1/namespaces/db/configmaps/c?dryRun=All&propagationPolicy=Orphan";
    expect(placed(at("DELETE", url))).toBe("delete /configmaps db/c (dry run)");
    const withBody = classify(at("DELETE", url, { body: JSON.stringify({ propagationPolicy: "Foreground" }) }));
    expect(withBody.type === "resource" && [withBody.dryRun, withBody.deleteOptions?.propagation]).toEqual([false, "Foreground"]);
    const orphanInQuery = classify(at("DELETE", url));
    expect(orphanInQuery.type === "resource" && orphanInQuery.deleteOptions?.propagation).toBe("Orphan");
    const dryBody = classify(at("DELETE", "/api/v1/namespaces/db/configmaps/c", { body: JSON.stringify({ dryRun: ["All"] }) }));
    expect(dryBody.type === "resource" && dryBody.dryRun).toBe(true);
    // A body that is not JSON asks for nothing: the delete is taken at its word.
    const garbled = classify(at("DELETE", url, { body: "{not json" }));
    expect(garbled.type === "resource" && garbled.dryRun).toBe(false);
  });

  test("made a dry run: in the query, and in a delete's body", () => {
    expect(asDryRun("POST", "https://h/api/v1/namespaces/db/configmaps", '{"metadata":{}}')).toEqual({
      url: "https://h/api/v1/namespaces/db/configmaps?dryRun=All",
      body: '{"metadata":{}}',
    });
    const del = asDryRun("DELETE", "https://h/api/v1/namespaces/db/configmaps/c", '{"propagationPolicy":"Foreground"}');
    expect(JSON.parse(del.body as string)).toEqual({ propagationPolicy: "Foreground", dryRun: ["All"] });
    expect(placed(at("DELETE", new URL(del.url).pathname, { body: del.body }))).toBe("delete /configmaps db/c (dry run)");
  });

  test("a server behind a path prefix is not mistaken for an unknown path (the guard takes the prefix off)", () => {
    expect(placed(at("GET", "/k8s/clusters/c-1/api/v1/pods"))).toMatch(/^unplaced/);
  });

  test("described for people, with the kind the URL names", () => {
    const crb = classify(at("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", { body: '{"metadata":{"name":"admin"}}' }));
    expect(describeRequest(crb, builtInResource("rbac.authorization.k8s.io", "clusterrolebindings"))).toBe(
      "create ClusterRoleBinding admin",
    );
    const dc = classify(at("DELETE", "/api/v1/namespaces/db/configmaps?labelSelector=app%3Dx"));
    expect(describeRequest(dc, builtInResource("", "configmaps"))).toBe("deletecollection ConfigMap in db (labelSelector app=x)");
    const gen = classify(at("POST", "/api/v1/namespaces/db/pods", { body: '{"metadata":{"generateName":"job-"}}' }));
    expect(describeRequest(gen, builtInResource("", "pods"))).toBe("create Pod db/job-*");
  });
});
