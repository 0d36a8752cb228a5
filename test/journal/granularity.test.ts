/**
 * How much a named run journals: the steps of functions too cheap to matter (whose bodies call
 * only arithmetic, comparisons and construction) are not journaled, so a loop of 200,000 such
 * steps leaves a journal of a few records, not 800,000 of them, and still resumes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const loop = `
Count(n) {
	return: Loop(
		start: (i: 0, acc: 0)
		step: step(s?) {
			return: (i: Sum(s.i, 1), acc: Sum(s.acc, s.i))
		}
		stop: done[limit: n]
	)
}

done(limit, s?) {
	return: Equal(s.i, limit)
}

Main() {
	counted: Count(n: 200000)
	return: counted.acc
}
`;

test("a named run of a 200,000-step loop writes a journal under 5 MB, and resumes from it", async () => {
  const dir = tempDir("ko-journal-size-");
  fs.writeFileSync(path.join(dir, "loop.ko"), loop);
  const first = await ko(["run", "loop.ko", "Main", "--name", "big", "--no-cache"], { cwd: dir, timeoutMs: 60000 });
  expect(first.stderr).toBe("");
  expect(first.stdout).toBe("19999900000\n");
  const journal = path.join(dir, ".ko/runs/big/journal.jsonl");
  const size = fs.statSync(journal).size;
  expect(size).toBeLessThan(5 * 2 ** 20);
  // The step that counts is there, with its result, ready to be replayed.
  const records = fs
    .readFileSync(journal, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { t: string; step?: string; status?: string; value?: unknown });
  expect(records.find((r) => r.t === "step" && r.step === "counted")).toMatchObject({ status: "done" });

  const resumed = await ko(["run", "loop.ko", "Main", "--name", "big", "--resume", "--no-cache"], { cwd: dir, timeoutMs: 60000 });
  expect(resumed.stderr).toBe("");
  expect(resumed.stdout).toBe("19999900000\n");
  const shown = await ko(["runs", "show", "big"], { cwd: dir });
  expect(shown.stdout).toMatch(/replayed\s+[\d.]+ ms\s+loop\.Main:counted/);
});
