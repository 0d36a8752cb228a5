/**
 * The cache through `ko run`: what is reused and what runs again, invalidation by code and not by
 * comments, damaged entries, effects that are never cached, and two processes sharing a cache.
 * The entry call is a call like any other: a pure entry is answered whole on a second run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { runWithEvents, statuses, stepsWith } from "../support/events.js";
import { tempDir } from "../support/temp.js";

/** Store every eligible call, however quick, so that small test programs are cached. */
const env = { KO_CACHE_MIN_MS: "0" };

const program = `
Main() {
	a: Work(n: 3)
	b: Work(n: 4)
	c: Twice(7)
	return: (a: a, b: b, c: c)
}

Work(n) {
	return: Sum(n, Helper(n))
}

Helper(x?) {
	return: Prod(x, 10)
}

Twice(x?) {
	return: Sum(x, x)
}
`;

function project(source = program): { dir: string; file: string } {
  const dir = tempDir("ko-cache-");
  const file = path.join(dir, "main.ko");
  fs.writeFileSync(file, source);
  return { dir, file };
}

describe("ko run caches pure calls", () => {
  test("the second run reuses every call, and prints the same", async () => {
    const { dir } = project();
    const first = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(first.status).toBe(0);
    expect(first.stdout).toBe("(a: 33, b: 44, c: 14)\n");
    expect(stepsWith(first.events, "cached", "main.Main")).toEqual([]);
    expect(packEntries(path.join(dir, ".ko/cache")).length).toBeGreaterThan(0);

    // The entry call itself is answered: no step runs at all.
    const second = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(second.stdout).toBe(first.stdout);
    expect(second.events).toEqual([]);
  });

  test("an entry with effects runs, and the calls it makes are reused", async () => {
    const { dir } = project(program.replace("return: (a: a, b: b, c: c)", "return: Show(a: a, b: b, c: c)"));
    const first = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(first.stdout).toBe("(a: 33, b: 44, c: 14)\n(a: 33, b: 44, c: 14)\n");
    const second = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(second.stdout).toBe(first.stdout);
    expect(statuses(second.events, "main.Main")).toEqual({ a: "cached", b: "cached", c: "cached", return: "done" });
    // Nothing inside the cached calls ran.
    expect(second.events.filter((e) => e.function !== "main.Main")).toEqual([]);
  });

  test("a run that stores more than one write's worth of entries finds every one of them again", async () => {
    // 3,000 entries of some 300 bytes: a store writes them 256 KB at a time, and the rest at close.
    const { dir } = project(`
Main() {
	return: Loop(start: (i: 0, acc: 0), step: step, stop: done[]).acc
}

step(s?) {
	return: (i: Sum(s.i, 1), acc: Sum(s.acc, Work(n: s.i)))
}

done(s?) {
	return: Equal(s.i, 3000)
}

Work(n) {
	return: Sum(n, Helper(n))
}

Helper(x?) {
	return: Prod(x, 10)
}
`);
    const first = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(first.stdout).toBe("49483500\n");
    const entries = packEntries(path.join(dir, ".ko/cache"));
    expect(entries.length).toBeGreaterThan(3000);
    expect(entries.reduce((n, e) => n + Buffer.byteLength(e), 0)).toBeGreaterThan(256 * 1024);
    // Every entry is whole: its header's length is its body's.
    for (const e of entries) {
      const [header, ...rest] = e.split("\n");
      expect(Buffer.byteLength(rest.join("\n"))).toBe(Number(header!.split(" ")[3]));
    }
    // With Main's own entry gone, its run answers every Work call from the store.
    fs.rmSync(path.join(dir, ".ko/cache"), { recursive: true });
    fs.mkdirSync(path.join(dir, ".ko/cache/packs"), { recursive: true });
    const packs = path.join(dir, ".ko/cache/packs");
    const kept = entries.filter((e) => !e.includes('"callee":"main.Main"'));
    expect(kept.length).toBe(entries.length - 1);
    fs.writeFileSync(path.join(packs, "kept.pack"), kept.join(""));
    const second = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(second.stdout).toBe(first.stdout);
    expect(statuses(second.events, "main.Main")).toEqual({ return: "done" });
    // Nothing below Main ran: every call it made was read from the pack.
    expect(second.events.filter((e) => e.function !== "main.Main")).toEqual([]);
  });

  test("--no-cache neither reuses nor stores", async () => {
    const { dir } = project();
    await runWithEvents(["main.ko"], { cwd: dir, env });
    const off = await runWithEvents(["main.ko", "--no-cache"], { cwd: dir, env });
    expect(stepsWith(off.events, "cached")).toEqual([]);
    const fresh = project();
    await runWithEvents(["main.ko", "--no-cache"], { cwd: fresh.dir, env });
    expect(fs.existsSync(path.join(fresh.dir, ".ko"))).toBe(false);
  });

  test("a comment does not invalidate; a callee's new body invalidates its callers only", async () => {
    const { dir, file } = project();
    await runWithEvents(["main.ko"], { cwd: dir, env });
    fs.writeFileSync(file, program.replace("Helper(x?) {", "// Helper multiplies by ten.\nHelper(x?) { // really\n"));
    const commented = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(commented.stdout).toBe("(a: 33, b: 44, c: 14)\n");
    expect(commented.events).toEqual([]);

    fs.writeFileSync(file, program.replace("Prod(x, 10)", "Prod(x, 100)"));
    const changed = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(changed.stdout).toBe("(a: 303, b: 404, c: 14)\n");
    expect(statuses(changed.events, "main.Main")).toMatchObject({ a: "done", b: "done", c: "cached" });
  });

  test.each(["a byte of every entry changed", "the pack cut short"])(
    "a damaged entry is ignored and computed again, never returned: %s",
    async (damage) => {
      const { dir } = project();
      await runWithEvents(["main.ko"], { cwd: dir, env });
      const packs = listFiles(path.join(dir, ".ko/cache/packs")).filter((f) => f.endsWith(".pack"));
      expect(packs.length).toBe(1);
      const text = fs.readFileSync(packs[0]!, "latin1");
      if (damage === "the pack cut short") fs.writeFileSync(packs[0]!, text.slice(0, text.length - 3), "latin1");
      // The last byte of every entry's body changes; headers and lengths stay as they were.
      else fs.writeFileSync(packs[0]!, text.replace(/\}(?=ko-cache-entry |$)/g, "]"), "latin1");
      const again = await runWithEvents(["main.ko"], { cwd: dir, env });
      expect(again.status).toBe(0);
      expect(again.stdout).toBe("(a: 33, b: 44, c: 14)\n");
      // The entry's own result was damaged: it runs again.
      expect(statuses(again.events, "main.Main").return).toBe("done");
      if (damage !== "the pack cut short") expect(stepsWith(again.events, "cached", "main.Main")).toEqual([]);
      // The damaged entries were stored again, in a pack of their own, and are found there.
      const third = await runWithEvents(["main.ko"], { cwd: dir, env });
      expect(third.stdout).toBe("(a: 33, b: 44, c: 14)\n");
      expect(third.events).toEqual([]);
    },
  );

  test("effects are never cached: Show and Print output every time", async () => {
    const { dir } = project(
      `Main() { a: Loud(1), b: Quiet(2), return: (a: a, b: b) }\nLoud(x?) { return: Show(Sum(x, 1)) }\nQuiet(x?) { return: Sum(x, 1) }\n`,
    );
    const first = await runWithEvents(["main.ko"], { cwd: dir, env });
    const second = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(first.stdout).toBe(second.stdout);
    expect(second.stdout).toContain("2\n");
    expect(statuses(second.events, "main.Main")).toMatchObject({ a: "done", b: "cached" });
  });

  test("a higher-order call is keyed by the code of the variety it is given", async () => {
    const source = `Main() { return: Apply(f: Inc, x: 1) }\nApply(f, x) { return: f(x) }\nInc(x?) { return: Sum(x, 1) }\n`;
    const { dir, file } = project(source);
    expect((await runWithEvents(["main.ko"], { cwd: dir, env })).stdout).toBe("2\n");
    fs.writeFileSync(file, source.replace("Sum(x, 1)", "Sum(x, 5)"));
    const changed = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(changed.stdout).toBe("6\n");
    expect(statuses(changed.events, "main.Main").return).toBe("done");
  });

  test("two processes sharing one cache both succeed and leave it intact", async () => {
    const cacheDir = tempDir("ko-shared-cache-");
    const source = `Main() { return: Range(over: (1, 2, 3, 4, 5, 6, 7, 8), with: Step).image }\nStep(carry, elem) { return: (emit: Square(elem)) }\nSquare(x?) { return: Prod(x, x) }\n`;
    const a = project(source);
    // Half the same calls, half others, and an entry of its own: each process has something to store.
    const b = project(source.replace("(1, 2, 3, 4, 5, 6, 7, 8)", "(5, 6, 7, 8, 9, 10, 11, 12)"));
    const shared = { ...env, KO_CACHE_DIR: cacheDir };
    for (let round = 0; round < 3; round++) {
      const [x, y] = await Promise.all([ko(["run", a.file], { env: shared }), ko(["run", b.file], { env: shared })]);
      expect(x.stdout).toBe("(1, 4, 9, 16, 25, 36, 49, 64)\n");
      expect(y.stdout).toBe("(25, 36, 49, 64, 81, 100, 121, 144)\n");
      expect(x.stderr + y.stderr).toBe("");
    }
    // Each process wrote a pack of its own, and indexed it when it closed; every entry is whole.
    const packs = listFiles(path.join(cacheDir, "packs"));
    expect(packs.filter((f) => f.endsWith(".pack")).length).toBeGreaterThanOrEqual(2);
    expect(packs.filter((f) => f.endsWith(".idx")).length).toBe(packs.filter((f) => f.endsWith(".pack")).length);
    const entries = packEntries(cacheDir);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e).toMatch(/^ko-cache-entry 2 [0-9a-f]{64} \d+ [0-9a-f]{64} [0-9a-f]{64}\n\{/);
    expect(listFiles(path.join(cacheDir, "tmp"))).toEqual([]);
    // A third process finds what both stored: the entry call is answered whole.
    const third = await runWithEvents([a.file], { cwd: a.dir, env: shared });
    expect(third.stdout).toBe("(1, 4, 9, 16, 25, 36, 49, 64)\n");
    expect(third.events).toEqual([]);
  });

  test("a deep recursion stores a few results, not one per level, and a call never waits for itself", async () => {
    const deep = `Count(n?) {\n\treturn: Yield(if: Less(n, 1), then: Return[0], else: down[n])()\n}\ndown(n?) {\n\treturn: Sum(Count(Sum(n, -1)), 1)\n}\nMain() { return: Count(20000) }\n`;
    const { dir } = project(deep);
    const first = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(first.stdout).toBe("20000\n");
    expect(packEntries(path.join(dir, ".ko/cache")).length).toBeLessThan(200);
    const second = await runWithEvents(["main.ko"], { cwd: dir, env });
    expect(second.stdout).toBe("20000\n");
    expect(second.events).toEqual([]);
    // Runaway recursion with the same argument at every level ends in the depth limit, not a hang.
    const loop = project(`F(x?) {\n\treturn: F(x)\n}\nMain() { return: F(1) }\n`);
    const out = await ko(["run", "main.ko", "--max-depth", "5000"], { cwd: loop.dir, env, timeoutMs: 15000 });
    expect(out.signal).toBeNull();
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("maximum call depth");
  });

  test("ko cache stats and clear", async () => {
    const { dir } = project();
    await runWithEvents(["main.ko"], { cwd: dir, env });
    const stats = await ko(["cache", "stats"], { cwd: dir });
    expect(stats.status).toBe(0);
    expect(stats.stdout).toContain(path.join(fs.realpathSync(dir), ".ko/cache"));
    expect(stats.stdout).toMatch(/entries: [1-9]\d* \(of [1-9]\d* functions\)/);
    const cleared = await ko(["cache", "clear", "main.ko"], { cwd: dir });
    expect(cleared.stdout).toMatch(/^cleared .*: [1-9]\d* entries/);
    expect(fs.existsSync(path.join(dir, ".ko/cache"))).toBe(false);
    expect((await ko(["cache", "stats"], { cwd: dir })).stdout).toContain("entries: 0");
    expect((await ko(["cache", "bogus"], { cwd: dir })).status).toBe(2);
  });
});

/** The entries of every pack of the cache in `dir`, each as text from its header on. */
function packEntries(dir: string): string[] {
  const out: string[] = [];
  for (const pack of listFiles(path.join(dir, "packs")).filter((f) => f.endsWith(".pack"))) {
    const text = fs.readFileSync(pack, "utf8");
    const starts = [...text.matchAll(/ko-cache-entry /g)].map((m) => m.index);
    starts.forEach((at, i) => out.push(text.slice(at, starts[i + 1] ?? text.length)));
  }
  return out;
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}
