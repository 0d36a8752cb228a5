/**
 * `ko run` keeps the parse of each file in its cache directory (src/resolve/parse-cache.ts) and
 * reads it on a later run of the same text. A run from kept parses must be the run from fresh
 * ones: the same output, the same diagnostics at the same places, and nothing stale once the
 * text changes; a file with syntax errors is never kept.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { ko, type Outcome } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

/** A script in a fresh directory, and `ko run` of it with the cache in that directory's `cache`. */
function project(text: string): { file: string; parses: string; run: () => Promise<Outcome> } {
  const dir = tempDir("ko-parse-cache-");
  const file = path.join(dir, "main.ko");
  fs.writeFileSync(file, text);
  const cache = path.join(dir, "cache");
  return { file, parses: path.join(cache, "parses"), run: () => ko(["run", file], { cwd: dir, env: { KO_CACHE_DIR: cache } }) };
}

const entries = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

const PROGRAM = `import "strings"

// Shout says it louder.
Shout(s?) {
	return: strings.Upper(s)
}

Main() {
	big: 9223372036854775807
	return: (shout: Shout("hi"), small: -0.0, nested: (a: (b: 2)).a.b, big: big, least: -9223372036854775808)
}
`;

test("a run from kept parses gives what the run that parsed gave", async () => {
  const p = project(PROGRAM);
  const first = await p.run();
  expect(first.stdout).toBe('(shout: "HI", small: -0, nested: 2, big: 9223372036854775807, least: -9223372036854775808)\n');
  // The entry's file and the standard library's idiom package, which every program loads.
  expect(entries(p.parses)).toHaveLength(2);
  const second = await p.run();
  expect(second).toEqual(first);
  expect(entries(p.parses)).toHaveLength(2);
});

test("text outside ASCII, in strings and comments, comes back from kept parses as it was written", async () => {
  const p = project('// Grüße, 世界 😀\nMain() {\n\treturn: (s: "héllo 😀")\n}\n');
  const first = await p.run();
  expect(first.stdout).toBe('(s: "héllo 😀")\n');
  expect(entries(p.parses)).toHaveLength(2);
  expect(await p.run()).toEqual(first);
});

test("diagnostics of a program read from kept parses are where the parsed program has them", async () => {
  const p = project('Main() {\n\tok: "fine"\n\tx: Sum(1, "a")\n\treturn: (ok: ok, x: x)\n}\n');
  const first = await p.run();
  expect(first.status).toBe(3);
  expect(first.stderr).toContain("main.ko:3:5: error: basic types Int64 and String cannot be unified");
  expect(entries(p.parses)).toHaveLength(2);
  expect(await p.run()).toEqual(first);
});

test("an edited file is parsed again; a file with syntax errors is not kept", async () => {
  const p = project('Main() { return: "one" }\n');
  expect((await p.run()).stdout).toBe('"one"\n');
  fs.writeFileSync(p.file, 'Main() { return: "two" }\n');
  expect((await p.run()).stdout).toBe('"two"\n');
  expect(entries(p.parses)).toHaveLength(3);
  fs.writeFileSync(p.file, 'Main() { return: "three" \n');
  const broken = await p.run();
  expect(broken.status).toBe(3);
  expect(broken.stderr).toContain("main.ko:");
  expect(entries(p.parses)).toHaveLength(3);
  expect(await p.run()).toEqual(broken);
});

test("--no-cache neither reads nor keeps parses", async () => {
  const p = project('Main() { return: "one" }\n');
  const dir = path.dirname(p.file);
  const r = await ko(["run", "--no-cache", p.file], { cwd: dir, env: { KO_CACHE_DIR: path.join(dir, "cache") } });
  expect(r.stdout).toBe('"one"\n');
  expect(fs.existsSync(path.join(dir, "cache"))).toBe(false);
});

test("an entry is used only for the text it was made from: another file's entry under its name is parsed anew", async () => {
  const p = project('Main() { return: "one" }\n');
  expect((await p.run()).stdout).toBe('"one"\n');
  const before = new Set(entries(p.parses));
  fs.writeFileSync(p.file, 'Main() { return: "two" }\n');
  expect((await p.run()).stdout).toBe('"two"\n');
  const [two] = entries(p.parses).filter((e) => !before.has(e));
  const [one] = [...before].filter((e) => fs.readFileSync(path.join(p.parses, e)).includes('"one"'));
  // As if the names of the two texts collided, or the entry were overwritten: the entry of "one" under the name of "two".
  fs.copyFileSync(path.join(p.parses, one!), path.join(p.parses, two!));
  expect((await p.run()).stdout).toBe('"two"\n');
});
