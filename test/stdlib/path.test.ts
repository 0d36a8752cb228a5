import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { Seq, type Value } from "../../src/value/value.js";
import { basePath, cleanPath, dirPath } from "../../src/stdlib/path.js";
import { call } from "./host.js";

const p = (name: string, args: Record<string, Value> = {}) => call("file/path", name, args);

describe("cleanPath (Go's path.Clean)", () => {
  it.each([
    ["", "."],
    [".", "."],
    ["/", "/"],
    ["a/b/c", "a/b/c"],
    ["a//b", "a/b"],
    ["a/./b/", "a/b"],
    ["a/b/../c", "a/c"],
    ["../a", "../a"],
    ["a/../..", ".."],
    ["/../a", "/a"],
    ["/a/b/../../..", "/"],
    ["./", "."],
  ])("%j → %j", (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });
});

describe("file/path.Join", () => {
  it("joins with slashes and cleans", () => {
    expect(p("Join", { paths: new Seq(["a", "b/", "../c"]) })).toBe("a/c");
    expect(p("Join", { "": new Seq(["/", "x"]) })).toBe("/x");
  });
  it("skips empty elements; all empty gives the empty string", () => {
    expect(p("Join", { "": new Seq(["", "a", "", "b"]) })).toBe("a/b");
    expect(p("Join", { "": new Seq(["", ""]) })).toBe("");
    expect(p("Join")).toBe("");
  });
  it("accepts one path", () => {
    expect(p("Join", { "": "a//b" })).toBe("a/b");
  });
  it("rejects non-strings", () => {
    expect(() => p("Join", { "": new Seq(["a", 1]) })).toThrow(KoError);
  });
});

describe("file/path.Base and Dir", () => {
  it.each([
    ["a/b/c", "c", "a/b"],
    ["a/b/c/", "c", "a/b/c"],
    ["c", "c", "."],
    ["/c", "c", "/"],
    ["/", "/", "/"],
    ["", ".", "."],
    ["//x//", "x", "/x"],
  ])("%j: Base %j, Dir %j", (input, base, dir) => {
    expect(basePath(input)).toBe(base);
    expect(dirPath(input)).toBe(dir);
    expect(p("Base", { "": input })).toBe(base);
    expect(p("Dir", { path: input })).toBe(dir);
  });
  it("take a string; none is the empty path, as in the original", () => {
    expect(p("Base", {})).toBe(".");
    expect(p("Dir", {})).toBe(".");
    expect(() => p("Dir", { "": 3 })).toThrow(KoError);
  });
});

describe("file/path.Clean, Ext and IsAbs", () => {
  it("work like Go's", () => {
    expect(p("Clean", { "": "a/../b/./c//" })).toBe("b/c");
    expect(p("Ext", { "": "dir.x/file.tar.gz" })).toBe(".gz");
    expect(p("Ext", { "": "dir.x/file" })).toBe("");
    expect(p("IsAbs", { "": "/etc" })).toBe(true);
    expect(p("IsAbs", { "": "etc" })).toBe(false);
  });
});
