/** The embedding API, as a Node application uses it. */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, test } from "vitest";
import {
  compileSource,
  createSession,
  defineHost,
  fromJs,
  KoCancelled,
  KoCompileError,
  KoError,
  KoPanic,
  KoValue,
  recordSchema,
  renderFailure,
  T,
  toJs,
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

  test("examples/embed/errors.mjs: the failures an app handles, as an app handles them", () => {
    const out = execFileSync(process.execPath, [path.join(REPO, "examples/embed/errors.mjs")], { encoding: "utf8" });
    expect(out).toBe(
      [
        '"ann"',
        '{"missing":"no user 8","name":"Error","code":"ENOUSER"}',
        "KoPanic: no user 9 (ENOUSER)",
        'main.ko:14:10: unrecovered panic: (error: "app.FetchUser", message: "no user 9", name: "Error", code: "ENOUSER")',
        "  \treturn: app.FetchUser(id)",
        "  \t        ^^^^^^^^^^^^^^^^^",
        "  at app.FetchUser (host function)",
        "  at main.Unguarded:return (main.ko:14:10)",
        "KoCancelled: The operation was aborted due to timeout; in flight: main.Slow:return",
        "number bigint 18014398509481984",
        "bigint bigint",
        "KoError: basic types String and Int64 cannot be unified",
        "",
      ].join("\n"),
    );
  });

  describe("a host function of the app that fails", () => {
    const fails = (name: string, how: (signal: AbortSignal) => Promise<never> | never) =>
      defineHost({
        pkg: "app",
        name,
        doc: "Fails.",
        params: [],
        result: T.string,
        effects: "io",
        async: true,
        impl: (_args, ctx) => how(ctx.signal),
      });
    const throwing = fails("Throws", () => {
      throw new TypeError("cannot read a thing");
    });
    const rejecting = fails("Rejects", () => Promise.reject(Object.assign(new Error("gone"), { code: "ENOENT" })));
    const aborted = fails(
      "Waits",
      (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))),
    );
    const p = compileSource(
      `import "app"
Caught(which) { return: Recover(invoke: Yield(if: which, then: app.Throws, else: app.Rejects), panic: Return) }
Thrown() {
	x: app.Throws()
	return: x
}
Waiting() { return: app.Waits() }`,
      { bind: [throwing, rejecting, aborted] },
    );

    test.each([
      ["throws", true, { error: "app.Throws", message: "cannot read a thing", name: "TypeError" }],
      ["rejects", false, { error: "app.Rejects", message: "gone", name: "Error", code: "ENOENT" }],
    ])("that %s is a panic Recover catches, with the error's message and name", async (_how, which, value) => {
      expect(await p.run("Caught", { which }, quiet)).toEqual(value);
    });

    test("unrecovered, it rejects with a KoPanic whose data is a plain object, the host function first in the chain", async () => {
      const e = await p.run("Thrown", {}, quiet).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KoPanic);
      const panic = e as KoPanic;
      expect(panic.data).toEqual({ error: "app.Throws", message: "cannot read a thing", name: "TypeError" });
      expect(panic.message).toBe('panic: (error: "app.Throws", message: "cannot read a thing", name: "TypeError")');
      expect(panic.cause).toBeInstanceOf(TypeError);
      expect(panic.site!.frames.map((f) => (f.host ? `${f.func} (host)` : `${f.func}:${f.step}`))).toEqual([
        "app.Throws (host)",
        "main.Thrown:x",
      ]);
      expect(renderFailure(panic, p.sources)).toContain("  at app.Throws (host function)\n  at main.Thrown:x (main.ko:4:5)\n");
    });

    test("that rejects because the run was cancelled ends the run as cancelled, not as an internal error", async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      const e = await p.run("Waiting", {}, { ...quiet, signal: controller.signal }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(KoCancelled);
      expect((e as KoCancelled).inFlight.map((f) => `${f.func}:${f.step}`)).toEqual(["main.Waiting:return"]);
    });
  });

  test("integers come back as numbers when safe, else bigints; or always as bigints", async () => {
    const p = compileSource(`Main() { return: (small: 7, big: Prod(4294967296, 4194304), seq: (1, 2), sized: Int8(3)) }`);
    expect(await p.run("Main", {}, quiet)).toEqual({ small: 7, big: 1n << 54n, seq: [1, 2], sized: 3 });
    expect(await p.run("Main", {}, { ...quiet, integers: "bigint" })).toEqual({ small: 7n, big: 1n << 54n, seq: [1n, 2n], sized: 3n });
    const session = createSession({ stdout: () => {}, stderr: () => {} });
    const sp = session.compileSource(`Main() { return: 5 }`);
    expect(await session.run(sp, "Main", {}, { integers: "bigint" })).toBe(5n);
    await session.close();
  });

  test("fromJs refuses what has no Ko form", () => {
    expect(() => fromJs(new Map())).toThrow("cannot pass a JavaScript Map to Ko");
    expect(() => fromJs(() => 1)).toThrow("cannot pass a JavaScript function to Ko");
    expect(() => fromJs(1n << 70n)).toThrow(RangeError);
    expect(toJs(fromJs({ a: [1, 2], s: ["x", null], b: { c: true, f: 2.5 } }))).toEqual({ a: [1, 2], s: ["x"], b: { c: true, f: 2.5 } });
    expect(() => fromJs([1, "x"])).toThrow("cannot be unified");
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

  test("a function's circuit is built when a check or a call first needs it", async () => {
    const program = compileSource(
      'import "strings"\nShout(s?) { return: strings.Upper(s) }\nQuiet(s?) { return: strings.Lower(s) }\nMain() { return: Shout("hi") }\n',
    );
    const built = (pkg: string) => program.functionNames(pkg).filter((n) => program.func(n, pkg)!.hasCircuit);
    expect(built("main")).toEqual([]);
    expect(await program.run("Main", {}, quiet)).toBe("HI");
    expect(built("main").sort()).toEqual(["Main", "Shout"]);
    expect(built("idiom")).toEqual([]);
    // Checked on its own, an uncalled function is built, and its errors are found as before.
    expect(program.check(program.func("Quiet")!).errors).toEqual([]);
    expect(built("main").sort()).toEqual(["Main", "Quiet", "Shout"]);
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
