/**
 * An operator author's kubectl session against `ko cluster serve --state`: a CRD applied and
 * waited for, custom resources applied (and refused, in the server's words as kubectl prints
 * them), printed with their columns, explained, patched (status too), scaled, described with
 * their events, waited on; everything still there after a restart; the CRD deleted with its
 * objects.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { findKubectl, HERE, kubectl, kubectlMinor, tempDir } from "./helpers.js";
import { isServed, serve, type Served } from "./serve.js";

const bin = findKubectl();
const skip = !bin && process.env.KO_SKIP_KUBECTL === "1";

const CRD = fs.readFileSync(path.join(HERE, "fixtures", "crds", "widgets.yaml"), "utf8");
const widget = (name: string, spec: string) => `apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}`;

/** Splits a kubectl table into rows of columns (split on runs of 2+ spaces). */
const table = (out: string) =>
  out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s{2,}/));

async function started(dir: string, state: string): Promise<Served> {
  const s = await serve(["--state", state, "--kubeconfig-out", path.join(dir, "kubeconfig")]);
  if (!isServed(s)) throw new Error(`the server did not start (${s.status}): ${s.output}`);
  return s;
}

describe.skipIf(skip)("kubectl and custom resources, through ko cluster serve", () => {
  test("define, apply, print, explain, patch, scale, describe, wait; restart; delete", async () => {
    const dir = tempDir("ko-crd-kubectl-");
    const state = path.join(dir, "cluster.state");
    const access = { kubeconfigPath: path.join(dir, "kubeconfig"), dir };
    const k = (args: string[], input?: string) => kubectl(access, args, input !== undefined ? { input } : {});
    const minor = kubectlMinor();
    let server = await started(dir, state);
    try {
      expect((await k(["apply", "-f", "-"], CRD)).stdout.trim()).toBe(
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created",
      );
      expect((await k(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=10s"])).stdout.trim()).toBe(
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met",
      );
      const crds = table((await k(["get", "crd"])).stdout);
      expect(crds[0]).toEqual(["NAME", "CREATED AT"]);
      expect(crds[1]![0]).toBe("widgets.example.com");
      expect(crds[1]![1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

      // Valid objects are created; an invalid one is refused with each field, as kubectl prints the causes.
      expect((await k(["apply", "-f", "-"], widget("w1", "  size: small\n"))).stdout.trim()).toBe("widget.example.com/w1 created");
      expect((await k(["create", "-f", "-"], widget("w2", "  size: large\n  replicas: 2\n"))).stdout.trim()).toBe(
        "widget.example.com/w2 created",
      );
      const bad = await k(["apply", "-f", "-"], widget("bad", "  size: huge\n  replicas: 20\n"));
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe(
        'The Widget "bad" is invalid: \n' +
          "* spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10\n" +
          '* spec.size: Unsupported value: "huge": supported values: "small", "large"\n',
      );
      const one = await k(["apply", "-f", "-"], widget("bad", "  size: small\n  name: Bad\n"));
      expect(one.stderr.trim()).toBe(
        'The Widget "bad" is invalid: spec.name: Invalid value: "Bad": spec.name in body should match \'^[a-z]+$\'',
      );
      const unknown = await k(["apply", "-f", "-"], widget("bad", "  size: small\n  sise: large\n"));
      // kubectl 1.25+ leaves unknown fields to the server (fieldValidation=Strict); older ones check
      // them against the OpenAPI v2 document themselves.
      expect(unknown.stderr.trim()).toBe(
        minor >= 25
          ? 'Error from server (BadRequest): error when creating "STDIN": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.sise"'
          : 'error: error validating "STDIN": error validating data: ValidationError(Widget.spec): unknown field "sise" in com.example.v1.Widget.spec; if you choose to ignore these errors, turn validation off with --validate=false',
      );

      // The printer columns, by plural, short name and category; a missing value prints empty.
      const widgets = table((await k(["get", "widgets"])).stdout);
      expect(widgets[0]).toEqual(["NAME", "SIZE", "REPLICAS", "READY", "AGE"]);
      expect(widgets.slice(1).map((r) => r.slice(0, 3))).toEqual([
        ["w1", "small", "1"],
        ["w2", "large", "2"],
      ]);
      expect((await k(["get", "wd", "-o", "name"])).stdout.trim().split("\n")).toEqual(["widget.example.com/w1", "widget.example.com/w2"]);
      expect((await k(["get", "all"])).stdout).toContain("widget.example.com/w1");
      expect((await k(["get", "widgets", "--field-selector", "spec.size=large", "-o", "name"])).stdout.trim()).toBe(
        "widget.example.com/w2",
      );

      // kubectl explain reads the published schema.
      const explain = (await k(["explain", "widget.spec"])).stdout;
      // (kubectl 1.27+ reads OpenAPI v3 and says FIELD; older ones read v2, as protobuf, and say RESOURCE.)
      expect(explain).toMatch(/^KIND:\s+Widget$/m);
      expect(explain).toMatch(/^(FIELD|RESOURCE): spec <Object>$/m);
      expect(explain).toContain("What the widget should be.");
      expect(explain).toMatch(/size\s+<string> -required-/);
      expect(explain).toContain("How big the widget is.");
      expect((await k(["explain", "widgets.spec.replicas"])).stdout).toContain("How many copies run.");

      // Patches: merge, JSON; a strategic one (kubectl's default) is refused; status through its subresource.
      expect((await k(["patch", "widget", "w1", "--type=merge", "-p", '{"spec":{"tags":["blue"]}}'])).stdout.trim()).toBe(
        "widget.example.com/w1 patched",
      );
      expect(
        (await k(["patch", "widget", "w1", "--type=json", "-p", '[{"op":"add","path":"/spec/tags/-","value":"red"}]'])).stdout.trim(),
      ).toBe("widget.example.com/w1 patched");
      const strategic = await k(["patch", "widget", "w1", "-p", '{"spec":{"tags":["x"]}}']);
      const refusal =
        "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
      // (kubectl before 1.2x printed the server's 415 as it came.)
      expect(strategic.stderr.trim()).toMatch(
        new RegExp(
          `^(error: application/strategic-merge-patch\\+json is not supported by example.com/v1, Kind=Widget|Error from server \\(UnsupportedMediaType\\)): ${refusal.replace(/[+.]/g, "\\$&")}$`,
        ),
      );
      if (minor >= 24) {
        const status = await k([
          "patch",
          "widget",
          "w1",
          "--subresource=status",
          "--type=merge",
          "-p",
          '{"status":{"replicas":1,"selector":"app=w1","conditions":[{"type":"Ready","status":"True","reason":"Up"}]}}',
        ]);
        expect(status.stdout.trim()).toBe("widget.example.com/w1 patched");
        expect((await k(["wait", "--for=condition=Ready", "widget/w1", "--timeout=10s"])).stdout.trim()).toBe(
          "widget.example.com/w1 condition met",
        );
        expect(table((await k(["get", "widget", "w1"])).stdout)[1]!.slice(0, 4)).toEqual(["w1", "small", "1", "True"]);
      }
      expect((await k(["scale", "widget", "w1", "--replicas=3"])).stdout.trim()).toBe("widget.example.com/w1 scaled");
      expect((await k(["get", "widget", "w1", "-o", "jsonpath={.spec.replicas} {.metadata.generation}"])).stdout).toBe("3 4");

      // Events about w1, in both APIs; describe shows them under the object.
      const uid = (await k(["get", "widget", "w1", "-o", "jsonpath={.metadata.uid}"])).stdout;
      const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
      const events = `apiVersion: v1
kind: Event
metadata: {name: w1.scaled, namespace: default}
involvedObject: {apiVersion: example.com/v1, kind: Widget, name: w1, namespace: default, uid: ${uid}}
reason: Scaled
message: scaled to 3
type: Normal
source: {component: widget-operator}
firstTimestamp: "${now}"
lastTimestamp: "${now}"
count: 1
---
apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: w1.failed, namespace: default}
regarding: {apiVersion: example.com/v1, kind: Widget, name: w1, namespace: default, uid: ${uid}}
reason: Failed
note: could not reach the widget
type: Warning
action: Reconcile
reportingController: example.com/widget-operator
reportingInstance: widget-operator-0
eventTime: "${new Date().toISOString()}"
`;
      expect((await k(["apply", "-f", "-"], events)).code).toBe(0);
      const listed = table((await k(["get", "events"])).stdout);
      expect(listed[0]).toEqual(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]);
      expect(listed.slice(1).map((r) => r.slice(1))).toEqual([
        ["Warning", "Failed", "widget/w1", "could not reach the widget"],
        ["Normal", "Scaled", "widget/w1", "scaled to 3"],
      ]);
      const described = (await k(["describe", "widget", "w1"])).stdout;
      expect(described).toMatch(/^Name:\s+w1$/m);
      const eventLines = described.slice(described.indexOf("Events:")).trim().split("\n");
      expect(eventLines[1]!.trim().split(/\s{2,}/)).toEqual(["Type", "Reason", "Age", "From", "Message"]);
      // kubectl sorts them by lastTimestamp, which an events.k8s.io event leaves unset.
      expect(
        eventLines.slice(3).map((l) =>
          l
            .trim()
            .split(/\s{2,}/)
            .filter((_, i) => i !== 2),
        ),
      ).toEqual([
        ["Warning", "Failed", "example.com/widget-operator", "could not reach the widget"],
        ["Normal", "Scaled", "widget-operator", "scaled to 3"],
      ]);
      expect((await k(["describe", "widget", "w2"])).stdout).toMatch(/Events:\s+<none>/);

      // A restart from --state serves the CRD and its objects again.
      expect(await server.stop()).toEqual([0, null]);
      server = await started(dir, state);
      expect((await k(["get", "widget", "w1", "-o", "jsonpath={.spec.replicas} {.spec.tags}"])).stdout).toBe('3 ["blue","red"]');
      expect(table((await k(["get", "wd"])).stdout)[0]).toEqual(["NAME", "SIZE", "REPLICAS", "READY", "AGE"]);
      expect((await k(["apply", "-f", "-"], widget("w3", "  size: small\n"))).stdout.trim()).toBe("widget.example.com/w3 created");
      expect(
        (await k(["get", "crd", "widgets.example.com", "-o", 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])).stdout,
      ).toBe("True");

      // Deleting the CRD deletes its objects, then the CRD.
      expect((await k(["delete", "crd", "widgets.example.com", "--timeout=20s"])).stdout.trim()).toBe(
        'customresourcedefinition.apiextensions.k8s.io "widgets.example.com" deleted',
      );
      expect((await k(["get", "crd", "-o", "name"])).stdout.trim()).toBe("");
      const gone = await k(["get", "widgets"]);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toMatch(/the server doesn't have a resource type "widgets"|could not find the requested resource/);
    } finally {
      await server.kill();
    }
  });
});
