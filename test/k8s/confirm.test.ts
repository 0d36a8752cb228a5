/**
 * The question before a plan that deletes, as a person at a terminal sees it: `ko run` in a tmux
 * pseudo-terminal, with the live view on, against a cluster that is not the run's own. The plan
 * and the question stay on the screen (the live view, drawn while the plan was made, is paused),
 * "n" writes nothing, "y" applies the plan.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { findKubectl, testCluster } from "../cluster/helpers.js";
import { Terminal } from "../repl/tmux.js";
import { KO } from "../support/cli.js";
import { EXAMPLE, kget, koRun, namespaceExists, NS, type TestCluster } from "./helpers.js";

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;
if (!hasTmux) console.warn("test/k8s/confirm.test.ts: tmux is not installed (apt-get install tmux), so the question is NOT tested");
const haveKubectl = findKubectl() !== null;
let c: TestCluster;

beforeAll(async () => {
  c = await testCluster();
});
afterAll(() => c.close());

const QUESTION = /ko: apply this plan to https:\/\/127\.0\.0\.1:\d+ \(context ko\)\? It deletes 15 objects\. \[y\/N\]\s*$/m;

/** The screen's lines, trailing blank ones dropped. */
const lines = (screen: string) => screen.replace(/\s+$/, "").split("\n");

async function stopAt(answer: string): Promise<string> {
  // The plan takes a while (every list is slow), long enough for the live view to show.
  const slow = c.faults.latency({ verb: "list", latencyMs: 150 });
  const t = Terminal.start(`node ${KO} run ${EXAMPLE} StopCockroachDB --no-cache --kubeconfig ${c.kubeconfigPath}`, {
    HOME: c.dir,
    KUBECONFIG: "",
  });
  try {
    // The live view shows while the plan is made...
    await t.waitFor(/\d+ running · \d+ done · /, 20_000);
    const asked = await t.waitFor(QUESTION, 30_000);
    c.faults.remove(slow);
    expect(asked).toContain(`  - delete StatefulSet ${NS}/cockroachdb\n`);
    expect(asked).toContain("  0 to create, 0 to change, 15 to delete.\n");
    // ...and is gone when the question is asked: the question is the last line, and stays so.
    expect(lines(asked).at(-1)).toMatch(QUESTION);
    await new Promise((r) => setTimeout(r, 700));
    const later = t.screen();
    expect(lines(later).at(-1)).toMatch(QUESTION);
    expect(later).not.toMatch(/\d+ running · /);
    t.type(answer, "Enter");
    return await t.waitFor(/\[exited \d+\]/, 60_000);
  } finally {
    t.stop();
  }
}

describe.skipIf(!hasTmux || !haveKubectl)("the question before a plan that deletes, on a terminal", { timeout: 120_000 }, () => {
  test("shown with the plan; answered n, nothing is written; answered y, the plan is applied", async () => {
    expect((await koRun(c, [EXAMPLE, "StartCockroachDB"])).status).toBe(0);

    const declined = await stopAt("n");
    expect(declined).toContain("the plan was not confirmed: nothing was changed");
    expect(declined).toContain("[exited 1]");
    expect(await namespaceExists(c)).toBe(true);
    expect(await kget(c, "statefulsets")).toHaveLength(1);
    expect(await kget(c, "pods")).toHaveLength(4);

    const applied = await stopAt("y");
    expect(applied).toContain('(deleted: 8, namespace: "cockroachdb-tutorial")');
    expect(applied).toContain("[exited 0]");
    expect(await namespaceExists(c)).toBe(false);
  });
});
