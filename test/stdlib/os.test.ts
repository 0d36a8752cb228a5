import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { KoCancelled, KoError, KoPanic } from "../../src/value/failure.js";
import { IntVal, type Value } from "../../src/value/value.js";
import { KoExit } from "../../src/stdlib/index.js";
import { tempDir } from "../support/temp.js";
import { call, fakeContext, fieldsOf, panicOf } from "./host.js";

const o = (name: string, args: Record<string, Value> = {}, ctx = fakeContext()) => call("os", name, args, ctx);
const scratch = tempDir("ko-stdlib-os-");

describe("os.Env", () => {
  it('reads an environment variable, "" when unset', () => {
    process.env.KO_STDLIB_TEST_VAR = "value";
    expect(o("Env", { "": "KO_STDLIB_TEST_VAR" })).toBe("value");
    expect(o("Env", { name: "KO_STDLIB_TEST_SURELY_UNSET" })).toBe("");
    delete process.env.KO_STDLIB_TEST_VAR;
  });
  it("takes a string name; none is the empty name, which no variable has", () => {
    expect(o("Env", {})).toBe("");
    expect(() => o("Env", { "": 1 })).toThrow(KoError);
  });
});

describe("os.TempDir", () => {
  it("returns the temporary directory", () => {
    expect(o("TempDir")).toBe(os.tmpdir());
  });
});

describe("os.Mkdir", () => {
  it("creates the directory and its parents and returns the path", async () => {
    const dir = path.join(scratch, "a/b/c");
    expect(await o("Mkdir", { "": dir })).toBe(dir);
    expect(fs.statSync(dir).isDirectory()).toBe(true);
    expect(await o("Mkdir", { path: dir })).toBe(dir);
  });
  it("panics with (error, message, code, path) when it cannot", async () => {
    const file = path.join(scratch, "plain-file");
    fs.writeFileSync(file, "x");
    const p = fieldsOf(await panicOf(() => o("Mkdir", { "": path.join(file, "sub") })));
    expect(p.error).toBe("os.Mkdir");
    expect(p.code).toBe("ENOTDIR");
    expect(p.path).toBe(path.join(file, "sub"));
    expect(typeof p.message).toBe("string");
  });
  it("needs a string path", () => {
    expect(() => o("Mkdir", { "": 1 })).toThrow(KoError);
  });
});

describe("os.ReadFile and os.WriteFile", () => {
  it("write and read back UTF-8 text", async () => {
    const file = path.join(scratch, "text.txt");
    expect(await o("WriteFile", { "": file, content: "héllo\n" })).toBe(file);
    expect(await o("ReadFile", { path: file })).toBe("héllo\n");
  });
  it("panic with (error, message, code, path) when they cannot", async () => {
    const missing = path.join(scratch, "missing/file.txt");
    const r = fieldsOf(await panicOf(() => o("ReadFile", { "": missing })));
    expect(r).toMatchObject({ error: "os.ReadFile", code: "ENOENT", path: missing });
    const w = fieldsOf(await panicOf(() => o("WriteFile", { "": missing, content: "x" })));
    expect(w).toMatchObject({ error: "os.WriteFile", code: "ENOENT", path: missing });
  });
  it("WriteFile needs content", () => {
    expect(() => o("WriteFile", { "": path.join(scratch, "x") })).toThrow(/content: missing/);
  });
  it("fail with KoCancelled when the run is cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(o("ReadFile", { "": path.join(scratch, "text.txt") }, fakeContext(controller.signal))).rejects.toBeInstanceOf(KoCancelled);
  });
});

describe("os.Exit", () => {
  /** What os.Exit throws, at once: it never returns. */
  const thrownByExit = (args: Record<string, Value>): unknown => {
    try {
      void o("Exit", args);
    } catch (e) {
      return e;
    }
    throw new Error("Exit returned");
  };
  const exitCode = (args: Record<string, Value>) => {
    const e = thrownByExit(args);
    if (e instanceof KoExit) return e.code;
    throw e;
  };
  it("throws KoExit with the code, 0 by default", () => {
    expect(exitCode({ "": 3 })).toBe(3);
    expect(exitCode({ code: 255 })).toBe(255);
    expect(exitCode({})).toBe(0);
  });
  it("is neither an error nor a panic", () => {
    const e = thrownByExit({ "": 1 });
    expect(e).not.toBeInstanceOf(KoError);
    expect(e).not.toBeInstanceOf(KoPanic);
    expect(e).toBeInstanceOf(KoExit);
  });
  it("rejects codes out of range and of the wrong type", () => {
    expect(() => o("Exit", { "": 256 })).toThrow(/not between 0 and 255/);
    expect(() => o("Exit", { "": -1 })).toThrow(KoError);
    expect(() => o("Exit", { "": new IntVal("Int8", 1n) })).toThrow(KoError);
    expect(() => o("Exit", { "": "1" })).toThrow(KoError);
  });
});
