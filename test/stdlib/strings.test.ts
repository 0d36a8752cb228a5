import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import { EMPTY, IntVal, Opaque, Seq, type Value } from "../../src/value/value.js";
import { call } from "./host.js";

const seq = (...items: Value[]) => new Seq(items);
const s = (name: string, args: Record<string, Value> = {}) => call("strings", name, args);
const show = (name: string, args: Record<string, Value> = {}) => printValue(s(name, args));

describe("strings.Join", () => {
  it("joins with the delimiter", () => {
    expect(s("Join", { string: seq("a", "b", "c"), delimiter: "-" })).toBe("a-b-c");
  });
  it("defaults the delimiter to the empty string", () => {
    expect(s("Join", { "": seq("x", "y") })).toBe("xy");
  });
  it("accepts a single string and no string at all", () => {
    expect(s("Join", { string: "solo", delimiter: "-" })).toBe("solo");
    expect(s("Join", { delimiter: "-" })).toBe("");
  });
  it("rejects non-strings (D31)", () => {
    expect(() => s("Join", { "": seq("a", "b"), delimiter: 1 })).toThrow(KoError);
    expect(() => s("Join", { "": 65 })).toThrow(/expects \(String\)/);
  });
});

describe("strings.Split", () => {
  it("splits at the separator", () => {
    expect(show("Split", { string: "a,b,c", separator: "," })).toBe('("a", "b", "c")');
  });
  it("defaults the separator to a slash", () => {
    expect(show("Split", { "": "p/q/r" })).toBe('("p", "q", "r")');
  });
  it("returns a one-element sequence when there is nothing to split", () => {
    const v = s("Split", { string: "abc", separator: "," });
    expect(v).toBeInstanceOf(Seq);
    expect(printValue(v)).toBe('("abc")');
  });
  it("keeps empty pieces, as Go does", () => {
    expect(show("Split", { "": "a,,b,", separator: "," })).toBe('("a", "", "b", "")');
    expect(show("Split", { "": "", separator: "," })).toBe('("")');
  });
  it("splits into characters at an empty separator; nothing gives Empty", () => {
    expect(show("Split", { "": "héy😀", separator: "" })).toBe('("h", "é", "y", "😀")');
    expect(s("Split", { "": "", separator: "" })).toBe(EMPTY);
  });
  it("splits the empty string when none is given, as the original (Go's zero value)", () => {
    expect(s("Split", {})).toEqual(seq(""));
    expect(() => s("Split", { "": seq("a", "b") })).toThrow(KoError);
  });
});

describe("strings.Len", () => {
  it("counts UTF-8 bytes as an Int64", () => {
    expect(s("Len", { "": "héllo" })).toBe(6);
    expect(s("Len", { "": "😀" })).toBe(4);
  });
  it("adds up several strings; none is 0", () => {
    expect(s("Len", { string: seq("ab", "c") })).toBe(3);
    expect(s("Len")).toBe(0);
  });
  it("rejects integers", () => {
    expect(() => s("Len", { "": 3 })).toThrow(KoError);
  });
});

describe("strings.Equal", () => {
  it("compares all the strings", () => {
    expect(s("Equal", { string: seq("ab", "ab") })).toBe(true);
    expect(s("Equal", { string: seq("ab", "ab", "ba") })).toBe(false);
  });
  it("is true for one string or none", () => {
    expect(s("Equal", { "": "x" })).toBe(true);
    expect(s("Equal")).toBe(true);
  });
});

describe("prefix, suffix and containment", () => {
  it("HasPrefix", () => {
    expect(s("HasPrefix", { string: "kocircuit", prefix: "ko" })).toBe(true);
    expect(s("HasPrefix", { string: "kocircuit", prefix: "kx" })).toBe(false);
    // A missing prefix is the empty one, as in the original.
    expect(s("HasPrefix", { string: "kocircuit" })).toBe(true);
    expect(s("HasPrefix", {})).toBe(true);
  });
  it("HasSuffix", () => {
    expect(s("HasSuffix", { string: "kocircuit", suffix: "ko" })).toBe(false);
    expect(s("HasSuffix", { "": "kocircuit", suffix: "cuit" })).toBe(true);
  });
  it("Contains", () => {
    expect(s("Contains", { string: "kocircuit", subString: "cir" })).toBe(true);
    expect(s("Contains", { string: "kocircuit", subString: "" })).toBe(true);
    expect(s("Contains", { string: "kocircuit", subString: "x" })).toBe(false);
    expect(() => s("Contains", { string: "k", subString: 1 })).toThrow(KoError);
  });
  it("Index counts bytes and gives -1 when absent", () => {
    expect(s("Index", { "": "héllo", subString: "l" })).toBe(3);
    expect(s("Index", { "": "abc", subString: "z" })).toBe(-1);
    expect(s("Index", { "": "abc", subString: "" })).toBe(0);
  });
});

describe("case", () => {
  it("Upper and Lower", () => {
    expect(s("Upper", { "": "abc" })).toBe("ABC");
    expect(s("Lower", { string: "MiXeD Été" })).toBe("mixed été");
  });
  it("maps each character on its own, as Go does", () => {
    expect(s("Upper", { "": "straße" })).toBe("STRAßE");
    expect(s("Lower", { "": "ΟΔΟΣ" })).toBe("οδοσ");
  });
  it("rejects an integer rather than converting it (D31)", () => {
    expect(() => s("Upper", { "": 65 })).toThrow(/strings\.Upper: argument string: expects String, got Int64/);
    expect(() => s("Lower", { "": new IntVal("Int8", 65n) })).toThrow(KoError);
  });
});

describe("strings.Quote", () => {
  it("quotes like Go's strconv.Quote", () => {
    expect(s("Quote", { "": 'say "hi"\n' })).toBe('"say \\"hi\\"\\n"');
    expect(s("Quote", { "": "tab\there é" })).toBe('"tab\\there é"');
  });
  it("quotes the empty string when none is given, as the original", () => {
    expect(s("Quote", {})).toBe('""');
    expect(() => s("Quote", { "": 1 })).toThrow(KoError);
  });
});

describe("trimming and replacing", () => {
  it("TrimSpace removes Unicode white space at both ends", () => {
    expect(s("TrimSpace", { "": " \t\n a b \u00a0\r\n" })).toBe("a b");
    expect(s("TrimSpace", { "": "   " })).toBe("");
  });
  it("TrimPrefix and TrimSuffix remove one occurrence if present", () => {
    expect(s("TrimPrefix", { "": "prefix-rest", prefix: "prefix-" })).toBe("rest");
    expect(s("TrimPrefix", { "": "rest", prefix: "x" })).toBe("rest");
    expect(s("TrimSuffix", { "": "name.ko.ko", suffix: ".ko" })).toBe("name.ko");
    expect(s("TrimSuffix", { "": "name", suffix: "" })).toBe("name");
  });
  it("Replace replaces every occurrence", () => {
    expect(s("Replace", { "": "a-b-c", old: "-", new: "+" })).toBe("a+b+c");
    expect(s("Replace", { "": "aaa", old: "aa", new: "b" })).toBe("ba");
    expect(s("Replace", { "": "héy", old: "", new: "." })).toBe(".h.é.y.");
    expect(s("Replace", { "": "", old: "", new: "." })).toBe(".");
    expect(() => s("Replace", { "": "abc", old: "a" })).toThrow(/new: missing/);
  });
  it("Repeat concatenates copies", () => {
    expect(s("Repeat", { "": "ab", count: 3 })).toBe("ababab");
    expect(s("Repeat", { "": "ab", count: 0 })).toBe("");
    expect(() => s("Repeat", { "": "ab", count: -1 })).toThrow(/negative count/);
    expect(() => s("Repeat", { "": "ab", count: 2n ** 62n })).toThrow(/longer than/);
    expect(() => s("Repeat", { "": "ab", count: new IntVal("Int8", 2n) })).toThrow(KoError);
  });
  it("Fields splits around white space", () => {
    expect(show("Fields", { "": "  a b\t\nc  " })).toBe('("a", "b", "c")');
    expect(s("Fields", { "": "   " })).toBe(EMPTY);
  });
});

describe("string trees", () => {
  it("Tree and Flush render prefix, delimited middles and suffix", () => {
    const leaf = (text: string) => s("Tree", { prefix: text });
    const list = s("Tree", { prefix: "[", middle: seq(leaf("a"), leaf("b"), leaf("c")), delimiter: ", ", suffix: "]" });
    expect(list).toBeInstanceOf(Opaque);
    expect(s("Flush", { "": list })).toBe("[a, b, c]");
  });
  it("Flush concatenates several trees and accepts none", () => {
    const t = s("Tree", { prefix: seq("x", "y"), suffix: "z" });
    expect(s("Flush", { tree: seq(t, t) })).toBe("xyzxyz");
    expect(s("Flush")).toBe("");
  });
  it("rejects middles that are not trees", () => {
    expect(() => s("Tree", { middle: "text" })).toThrow(KoError);
    expect(() => s("Flush", { "": "text" })).toThrow(KoError);
  });
});
