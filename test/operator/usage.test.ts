/**
 * What `ko operator` and `ko submit` refuse before doing anything (exit 2): a cluster without the
 * CRDs (with how to install them), a kubeconfig that is not there, flags out of range, a file
 * that is not there.
 */
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir } from "../cluster/helpers.js";
import { isServed, serve, type Served } from "../cluster/serve.js";

let served: Served;
let kubeconfig: string;

beforeAll(async () => {
  kubeconfig = path.join(tempDir("ko-operator-usage-"), "kubeconfig");
  const s = await serve(["--kubeconfig-out", kubeconfig]);
  if (!isServed(s)) throw new Error(s.output);
  served = s;
});
afterAll(() => served?.stop());

describe("ko operator and ko submit refuse, with exit status 2", () => {
  test.each([
    [
      "a cluster without the CRDs",
      () => ["operator", "--kubeconfig", kubeconfig],
      "ko: the cluster does not serve koscripts.ko.dev: install the CRDs with `ko operator crds | kubectl apply -f -`\n",
    ],
    ["a kubeconfig that is not there", () => ["operator", "--kubeconfig", "/nonexistent/kubeconfig"], /^ko: cannot read the kubeconfig /],
    ["--concurrency 0", () => ["operator", "--concurrency", "0"], 'ko: --concurrency takes a whole number of at least 1, not "0"\n'],
    ["--lease-seconds x", () => ["operator", "--lease-seconds", "x"], 'ko: --lease-seconds takes a whole number of at least 1, not "x"\n'],
    ["a file that is not there", () => ["submit", "nosuch.ko", "--kubeconfig", kubeconfig], "ko: nosuch.ko: no such file or directory\n"],
    [
      "a context the kubeconfig lacks",
      () => ["submit", "examples/hello.ko", "--kubeconfig", kubeconfig, "--context", "nope"],
      "ko: the kubeconfig has no context nope\n",
    ],
  ])("%s", async (_what, args, message) => {
    const out = await ko(args());
    expect(out.status).toBe(2);
    if (typeof message === "string") expect(out.stderr).toBe(message);
    else expect(out.stderr).toMatch(message);
    expect(out.stdout).toBe("");
  });
});
