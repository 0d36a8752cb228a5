/**
 * examples/build: the classic hello/world build, make-style, checked through `--events` on a copy
 * of the example: everything runs the first time (the two compilations at once), nothing the
 * second, lost outputs come back from the cache, and an edit of world.c runs exactly the world
 * branch and the final step again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { REPO } from "../support/cli.js";
import { runWithEvents, statuses, stepsWith, type StepEvent } from "../support/events.js";
import { tempDir } from "../support/temp.js";

const SOURCES = ["build.ko", "hello.c", "world.c", "inputs"];
const ALL = ["endState", "helloObject", "helloOutput", "helloProgram", "inputs", "worldObject", "worldOutput", "worldProgram"];
const MAIN = "build.Main";

let dir: string;
const run = () => runWithEvents(["build.ko"], { cwd: dir, timeoutMs: 60000 });
const read = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");
const mtime = (name: string) => fs.statSync(path.join(dir, name)).mtimeMs;

function span(events: readonly StepEvent[], step: string): [number, number] {
  const start = events.find((e) => e.function === MAIN && e.step === step && e.status === "started")!;
  const end = events.find((e) => e.function === MAIN && e.step === step && e.status !== "started")!;
  return [start.t, end.t];
}

beforeAll(() => {
  dir = tempDir("ko-build-");
  for (const f of SOURCES) fs.copyFileSync(path.join(REPO, "examples/build", f), path.join(dir, f));
});

describe("examples/build", () => {
  test("the first run builds everything, compiling hello.c and world.c at once", async () => {
    const out = await run();
    expect(out.stderr).toBe("");
    expect(out.status).toBe(0);
    expect(out.stdout).toBe('"end_state"\n');
    expect(read("end_state")).toBe(`hello\nworld\n${read("inputs")}`);
    expect(stepsWith(out.events, "done", MAIN)).toEqual(ALL);
    const [helloStart, helloEnd] = span(out.events, "helloObject");
    const [worldStart, worldEnd] = span(out.events, "worldObject");
    expect(helloStart < worldEnd && worldStart < helloEnd).toBe(true);
  });

  test("the second run executes nothing and touches no file", async () => {
    const before = ["hello.o", "world.o", "hello", "world", "end_state"].map(mtime);
    const out = await run();
    expect(out.status).toBe(0);
    expect(stepsWith(out.events, "cached", MAIN)).toEqual(ALL);
    expect(stepsWith(out.events, "done", MAIN)).toEqual([]);
    expect(["hello.o", "world.o", "hello", "world", "end_state"].map(mtime)).toEqual(before);
  });

  test("outputs that were removed come back from the cache, without running anything", async () => {
    fs.rmSync(path.join(dir, "hello.o"));
    fs.rmSync(path.join(dir, "world"));
    fs.writeFileSync(path.join(dir, "end_state"), "scribbled over");
    const out = await run();
    expect(stepsWith(out.events, "cached", MAIN)).toEqual(ALL);
    expect(fs.existsSync(path.join(dir, "hello.o"))).toBe(true);
    expect(fs.statSync(path.join(dir, "world")).mode & 0o111).not.toBe(0);
    expect(read("end_state")).toBe(`hello\nworld\n${read("inputs")}`);
  });

  test("touching a file without changing it runs nothing", async () => {
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(dir, "hello.c"), later, later);
    const out = await run();
    expect(stepsWith(out.events, "cached", MAIN)).toEqual(ALL);
  });

  test("after an edit of world.c exactly the world branch and the final step run again", async () => {
    fs.writeFileSync(path.join(dir, "world.c"), read("world.c").replace('"world\\n"', '"wide world\\n"'));
    const helloObject = mtime("hello.o");
    const out = await run();
    expect(out.status).toBe(0);
    expect(stepsWith(out.events, "done", MAIN)).toEqual(["endState", "worldObject", "worldOutput", "worldProgram"]);
    expect(stepsWith(out.events, "cached", MAIN)).toEqual(["helloObject", "helloOutput", "helloProgram", "inputs"]);
    expect(read("end_state")).toBe(`hello\nwide world\n${read("inputs")}`);
    expect(mtime("hello.o")).toBe(helloObject);
    expect(statuses(out.events, MAIN).worldObject).toBe("done");
  });
});
