/** The embedding API, as a Node application uses it. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  compileSource,
  createSession,
  defineHost,
  KoCancelled,
  KoCompileError,
  KoError,
  KoPanic,
  KoValue,
  recordSchema,
  renderFailure,
  T,
  type RecordSchema,
} from "../../src/api/index.js";
import { REPO } from "../support/cli.js";
import { tempFile } from "../support/temp.js";

const quiet = { stdout: () => {}, stderr: () => {} };

describe("embedding", () => {
  test("examples/embed runs", () => {
    const out = execFileSync(process.execPath, [path.join(REPO, "examples/embed/embed.mjs")], { encoding: "utf8" });
    expect(out).toBe('{"items":["apples","pears","plums"],"total":8}\ncancelled: KoCancelled\n');
  });

  test("examples/embed/session.mjs: a session with roots, the embedded cluster, cache, a named run and events", () => {
    const out = execFileSync(process.execPath, [path.join(REPO, "examples/embed/session.mjs")], { encoding: "utf8" });
    expect(out).toBe("Hello, embedder\nsteps done: greeting.Hello:return, main.Main:config, main.Main:namespace\njournaled: true\n");
  });

  test("JavaScript arguments in, JavaScript results out", async () => {
    const p = compileSource(`Describe(n, ratio, name, flags, nested?) {
	return: (n: Sum(n, 1), ratio: ratio, name: name, flags: flags, nested: nested, count: Len(flags))
}`);
    const r = await p.run("Describe", { n: 41, ratio: 2.5, name: "ko", flags: [true, false], "?": { a: 1n << 60n } }, quiet);
    expect(r).toEqual({ n: 42, ratio: 2.5, name: "ko", flags: [true, false], nested: { a: 1n << 60n }, count: 2 });
  });

  test("a Ko function handed back to the app can be passed in again", async () => {
    const p = compileSource(`Make() { return: add[a: 40] }
add(a, b) { return: Sum(a, b) }
Apply(f) { return: f(b: 2) }`);
    const f = await p.run("Make", {}, quiet);
    expect(f).toBeInstanceOf(KoValue);
    expect(String(f)).toBe("main.add[a: 40]");
    expect(await p.run("Apply", { f }, quiet)).toBe(42);
  });

  test("host functions bound by the app are typed, may be async, and report misuse as errors", async () => {
    const calls: string[] = [];
    const greet = defineHost({
      pkg: "app",
      name: "Greet",
      doc: "Greets someone.",
      params: [{ name: "who", type: T.string, monadic: true }],
      result: T.string,
      effects: "io",
      async: true,
      impl: async ([who]) => {
        calls.push(who as string);
        return `hi ${who as string}`;
      },
    });
    const p = compileSource(
      `import "app"
Main() { return: (a: app.Greet("ann"), b: app.Greet(who: "bob")) }
Bad() { return: app.Greet(7) }`,
      { bind: [greet] },
    );
    expect(await p.run("Main", {}, quiet)).toEqual({ a: "hi ann", b: "hi bob" });
    expect(calls.sort()).toEqual(["ann", "bob"]);
    await expect(p.run("Bad", {}, quiet)).rejects.toThrow(/app\.Greet: argument who: expects String, got Int64/);
  });

  test("an app's record types are closed: a misspelled field is rejected before the run, and checked again at the call", async () => {
    const port: RecordSchema = recordSchema("Port", () => ({ number: T.integer, protocol: T.string }));
    const server: RecordSchema = recordSchema("Server", () => ({
      host: T.string,
      ports: T.list(T.record(port)),
      tags: T.map(T.string),
      weight: T.oneOf(T.integer, T.string),
    }));
    const sent: unknown[] = [];
    const deploy = defineHost({
      pkg: "app",
      name: "Deploy",
      doc: "Deploys a server and returns it as deployed.",
      params: [{ name: "server", type: T.record(server), monadic: true }],
      result: T.record(server),
      effects: "io",
      impl: ([s]) => (sent.push(s), s!),
    });
    const p = compileSource(
      `import "app"
import "encoding/json"
Good() {
	s: app.Deploy((host: "a", ports: ((number: 80, protocol: "TCP"), (number: 443)), tags: (tier: "web"), weight: "half"))
	return: s.host
}
Misspelled() { return: app.Deploy((host: "a", ports: (numbr: 80))) }
WrongType() { return: app.Deploy((host: "a", tags: (tier: 1))) }
Selected() { return: app.Deploy((host: "a")).hots }
Unknowable() { return: app.Deploy(json.Unmarshal("{\\"host\\": \\"a\\", \\"prots\\": 1}")) }`,
      { bind: [deploy] },
    );
    expect(await p.run("Good", {}, quiet)).toBe("a");
    const reject = async (name: string, message: string) => {
      const err = await p.run(name, {}, quiet).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(KoError);
      expect(String((err as Error).message), name).toContain(message);
    };
    await reject("Misspelled", "app.Deploy: argument server: field ports: Port has no field numbr (did you mean number?)");
    await reject("WrongType", "app.Deploy: argument server: field tags.tier: expects String, got Int64");
    await reject("Selected", "Server has no field hots (did you mean host?)");
    expect(sent).toHaveLength(1); // none of the three ran
    await reject("Unknowable", "app.Deploy: argument server: Server has no field prots (did you mean ports?)");
    expect(sent).toHaveLength(1); // the call checked what the checker could not know
  });

  test("compile errors carry every diagnostic with its location", () => {
    let caught: unknown;
    try {
      compileSource("Main() {\n\tx: Nope()\n\ty: AlsoNope()\n\treturn: 1\n}\n");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(KoCompileError);
    const ds = (caught as KoCompileError).diagnostics;
    expect(ds.map((d) => [d.span.start.line, d.code])).toEqual([
      [2, "resolve/unknown-name"],
      [3, "resolve/unknown-name"],
    ]);
    expect(renderFailure(caught, (caught as KoCompileError).sources)).toContain("main.ko:2:5: error: Nope not known");
  });

  test("failures are KoError or KoPanic with a Ko location and call chain", async () => {
    const p = compileSource(`Main() { return: Inner() }
Inner() { return: Panic(code: 7) }
Broken() { return: Sum("x") }`);
    const panic = await p.run("Main", {}, quiet).catch((e: unknown) => e);
    expect(panic).toBeInstanceOf(KoPanic);
    const frames = (panic as KoPanic).site!.frames.map((f) => `${f.func}:${f.step}`);
    expect(frames).toEqual(["main.Inner:return", "main.Main:return"]);
    const error = await p.run("Broken", {}, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KoError);
    expect((error as KoError).site!.span.start.line).toBe(3);
  });

  test("an AbortSignal cancels a run", async () => {
    const p = compileSource(`Main() { return: Loop(start: 0, step: Inc) }`);
    const t0 = Date.now();
    const e = await p.run("Main", {}, { ...quiet, signal: AbortSignal.timeout(100) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KoCancelled);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test("Show output goes to the stdout the app supplies", async () => {
    const out: string[] = [];
    const p = compileSource(`Main() { return: Show(x: 1) }`);
    await p.run("Main", {}, { stdout: (t) => out.push(t), stderr: () => {} });
    expect(out).toEqual(["(x: 1)\n"]);
  });

  test("a session's own warnings go to the stderr the app supplies", async () => {
    // The cache cannot be written where a file stands in for its directory: a warning, not a failure.
    const cache = tempFile("cache", "a file, not a directory");
    let err = "";
    const session = createSession({
      cache: { dir: cache },
      env: { KO_CACHE_MIN_MS: "0" },
      stdout: () => {},
      stderr: (t) => void (err += t),
    });
    const p = session.compileSource(`Main() { return: Twice(21) }\nTwice(x?) { return: Sum(x, x) }`);
    expect(await session.run(p, "Main")).toBe(42);
    await session.close();
    expect(err).toMatch(/^ko: warning: could not write to the cache /);
  });
});
