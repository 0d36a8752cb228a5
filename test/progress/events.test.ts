/** `--events` and `--trace`: what a run did, step by step, as JSON lines and as a Chrome trace. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { readEvents, runWithEvents } from "../support/events.js";
import { tempDir } from "../support/temp.js";

const program = `import "time"

Main() {
	left: Wait(150)
	right: Wait(150)
	both: Sum(left, right)
	fine: Recover(invoke: Oops, panic: Return)
	return: (both: both, fine: fine)
}

Wait(ms?) {
	slept: time.Sleep(time.Millisecond(ms))
	return: ms
}

Oops() {
	return: Panic("caught")
}
`;

function project(source = program): string {
  const dir = tempDir("ko-progress-");
  fs.writeFileSync(path.join(dir, "p.ko"), source);
  return dir;
}

describe("--events", () => {
  test("one started and one final event per labelled step, in JSON lines", async () => {
    const dir = project();
    const out = await runWithEvents(["p.ko", "--no-cache"], { cwd: dir });
    expect(out.status).toBe(0);
    expect(out.stderr).toBe("");
    const started = out.events.filter((e) => e.status === "started");
    const ended = out.events.filter((e) => e.status !== "started");
    expect(ended.length).toBe(started.length);
    for (const e of out.events) {
      expect(e.type).toBe("step");
      expect(typeof e.function).toBe("string");
      expect(typeof e.step).toBe("string");
      if (e.status !== "started") expect(e.ms).toBeGreaterThanOrEqual(0);
    }
    const key = (e: { function: string; step: string; activation: number }) => `${e.function}:${e.step}#${e.activation}`;
    expect(new Set(ended.map(key))).toEqual(new Set(started.map(key)));
    const main = ended.filter((e) => e.function === "p.Main").map((e) => `${e.step} ${e.status}`);
    expect(main.sort()).toEqual(["both done", "fine done", "left done", "return done", "right done"]);
    const oops = ended.find((e) => e.function === "p.Oops")!;
    expect(oops.status).toBe("failed");
    expect(oops.error).toBe('panic: "caught"');
    expect(ended.find((e) => e.function === "p.Main" && e.step === "left")!.ms).toBeGreaterThanOrEqual(140);
  });

  test("- writes the events to standard error; without --events nothing extra is written", async () => {
    const dir = project();
    const withEvents = await ko(["run", "p.ko", "--no-cache", "--events", "-"], { cwd: dir });
    const lines = withEvents.stderr
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((l) => l.type === "step")).toBe(true);
    const plain = await ko(["run", "p.ko", "--no-cache"], { cwd: dir });
    expect(plain.stderr).toBe("");
    expect(plain.stdout).toBe(withEvents.stdout);
  });
});

describe("--trace", () => {
  interface TraceEvent {
    name: string;
    cat?: string;
    ph: string;
    ts?: number;
    dur?: number;
    pid: number;
    tid: number;
    args?: { function?: string; status?: string; name?: string };
  }

  test("a Chrome trace with one complete event per step, concurrent steps on different lanes", async () => {
    const dir = project();
    const traceFile = path.join(dir, "trace.json");
    const eventsFile = path.join(dir, "events.jsonl");
    const out = await ko(["run", "p.ko", "--no-cache", "--trace", traceFile, "--events", eventsFile], { cwd: dir });
    expect(out.status).toBe(0);
    const trace = JSON.parse(fs.readFileSync(traceFile, "utf8")) as { traceEvents: TraceEvent[] };
    const complete = trace.traceEvents.filter((e) => e.ph === "X");
    const finished = readEvents(eventsFile).filter((e) => e.status !== "started");
    expect(complete.length).toBe(finished.length);
    expect(complete.map((e) => `${e.cat}:${e.name}`).sort()).toEqual(finished.map((e) => `${e.function}:${e.step}`).sort());
    for (const e of complete) {
      expect(Number.isInteger(e.ts)).toBe(true);
      expect(e.dur).toBeGreaterThanOrEqual(0);
      expect(e.args!.status).toMatch(/^(done|cached|failed)$/);
    }
    // No two steps overlap on a lane; left and right ran at once, so on two lanes.
    const lanes = new Map<number, TraceEvent[]>();
    for (const e of complete) lanes.set(e.tid, [...(lanes.get(e.tid) ?? []), e]);
    for (const events of lanes.values()) {
      events.sort((a, b) => a.ts! - b.ts!);
      for (let i = 1; i < events.length; i++) expect(events[i]!.ts!).toBeGreaterThanOrEqual(events[i - 1]!.ts! + events[i - 1]!.dur!);
    }
    const left = complete.find((e) => e.cat === "p.Main" && e.name === "left")!;
    const right = complete.find((e) => e.cat === "p.Main" && e.name === "right")!;
    expect(left.tid).not.toBe(right.tid);
    expect(left.ts! < right.ts! + right.dur! && right.ts! < left.ts! + left.dur!).toBe(true);
    const names = trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name").map((e) => e.args!.name);
    expect(names).toContain("lane 1");
    expect(names).toContain("lane 2");
  });
});
