import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import { EMPTY, field, FloatVal, IntVal, Seq, Struct, struct, type Value, Variety } from "../../src/value/value.js";
import { call, fieldsOf, fn, panicOf } from "./host.js";

const y = (name: string, args: Record<string, Value> = {}) => call("encoding/yaml", name, args);
const marshal = (v: Value) => y("Marshal", { "": v });
const unmarshal = (text: string) => y("Unmarshal", { "": text });
const seq = (...items: Value[]) => new Seq(items);

describe("encoding/yaml.Marshal", () => {
  it("writes structures as block mappings in field order, a mapping's sequence not indented (go-yaml v2, D34)", () => {
    expect(marshal(struct({ z: 5, a: seq("x", "w"), m: struct({ k: true }) }))).toBe("z: 5\na:\n- x\n- w\nm:\n  k: true\n");
  });
  it("keeps floats distinguishable from integers", () => {
    expect(marshal(struct({ f: new FloatVal("Float64", 2), g: new FloatVal("Float64", 2.5), i: 2 }))).toBe("f: 2.0\ng: 2.5\ni: 2\n");
  });
  it("writes integers exactly", () => {
    expect(marshal(new IntVal("Uint64", 18446744073709551615n))).toBe("18446744073709551615\n");
  });
  it("quotes strings that would read back as something else", () => {
    expect(marshal(struct({ a: "true", b: "12", c: "yes", d: "off", e: "plain", f: "y" }))).toBe(
      'a: "true"\nb: "12"\nc: "yes"\nd: "off"\ne: plain\nf: "y"\n',
    );
  });
  it("writes Empty as null and leaves Empty fields out", () => {
    expect(marshal(EMPTY)).toBe("null\n");
    expect(marshal(new Struct([field("a", 1), field("b", EMPTY)]))).toBe("a: 1\n");
    expect(marshal(Struct.empty)).toBe("{}\n");
  });
  it("refuses varieties", () => {
    expect(() => marshal(struct({ f: new Variety(fn("strings", "Join"), []) }))).toThrow(KoError);
  });
});

describe("encoding/yaml.Unmarshal", () => {
  it("decodes mappings, sequences and scalars", () => {
    const v = unmarshal("name: ko\ncount: 3\nratio: 0.5\nok: true\nitems:\n  - a\n  - b\nnothing: ~\n");
    expect(printValue(v)).toBe('(name: "ko", count: 3, ratio: 0.5, ok: true, items: ("a", "b"))');
    expect(fieldsOf(v).ratio).toEqual(new FloatVal("Float64", 0.5));
  });
  it("keeps large integers exact", () => {
    expect(unmarshal("9223372036854775807")).toBe(9223372036854775807n);
    expect(unmarshal("2.0")).toEqual(new FloatVal("Float64", 2));
  });
  it("turns scalar keys into field names and resolves aliases", () => {
    expect(printValue(unmarshal("1: one\ntrue: yes\nbase: &b {q: 1}\ncopy: *b\n"))).toBe(
      '(1: "one", true: "yes", base: (q: 1), copy: (q: 1))',
    );
  });
  it("decodes empty documents and collections to Empty or ()", () => {
    expect(unmarshal("")).toBe(EMPTY);
    expect(unmarshal("[]")).toBe(EMPTY);
    expect(unmarshal("{}")).toEqual(Struct.empty);
  });
  it("round-trips", () => {
    const v = struct({ a: seq(1, 2), b: struct({ c: "yes", d: new FloatVal("Float64", 1) }) });
    expect(printValue(unmarshal(marshal(v) as string))).toBe(printValue(v));
  });
  it("panics with (error, message) on invalid YAML", async () => {
    for (const bad of ["a: [1, 2\nb: c: d", "a: 1\n---\nb: 2\n", "? [1]\n: 2\n", "- *missing\n"]) {
      const p = fieldsOf(await panicOf(() => unmarshal(bad)));
      expect(p.error).toBe("encoding/yaml.Unmarshal");
      expect(p.message).toMatch(/^invalid YAML: /);
    }
  });
  it("panics when a sequence's elements cannot form a Ko sequence", async () => {
    const p = fieldsOf(await panicOf(() => unmarshal("- 1\n- a\n")));
    expect(p.error).toBe("encoding/yaml.Unmarshal");
    expect(p.message).toMatch(/no Ko form/);
    expect(printValue(unmarshal("- 1\n- 2.5\n"))).toBe("(1, 2.5)");
  });
  it("rejects a non-string argument", () => {
    expect(() => y("Unmarshal", { "": 1 })).toThrow(KoError);
  });
});

describe("encoding/yaml.UnmarshalAll", () => {
  const all = (text: string) => y("UnmarshalAll", { "": text });

  it("decodes every document of a stream, in order, leaving empty ones out", () => {
    expect(printValue(all("a: 1\n---\n---\n# only a comment\n---\nb: [x, y]\n---\nc: 7\n"))).toBe('((a: 1), (b: ("x", "y")), (c: 7))');
  });
  it("panics when the documents' types do not unify, as a sequence's elements must", async () => {
    const p = fieldsOf(await panicOf(() => all("a: 1\n---\ntext\n")));
    expect(p.error).toBe("encoding/yaml.UnmarshalAll");
    expect(p.message).toMatch(/^the documents have no Ko form as one sequence: .*cannot be unified/);
  });
  it("gives a sequence even for one document, and Empty for none", () => {
    expect(printValue(all("kind: Pod\n"))).toBe('((kind: "Pod"))');
    expect(all("")).toBe(EMPTY);
    expect(all("---\n---\n")).toBe(EMPTY);
  });
  it("reads documents as Unmarshal reads one: integers exact, floats Float64, {} the empty structure", () => {
    const v = all("n: 9223372036854775807\n---\nf: 2.0\n---\n{}\n") as Seq;
    expect(fieldsOf(v.items[0]!).n).toBe(9223372036854775807n);
    expect(fieldsOf(v.items[1]!).f).toEqual(new FloatVal("Float64", 2));
    expect(v.items[2]).toEqual(Struct.empty);
  });
  it("panics naming the document and its line when one is not valid YAML", async () => {
    const p = fieldsOf(await panicOf(() => all("a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 3\n")));
    expect(p).toMatchObject({ error: "encoding/yaml.UnmarshalAll", document: 3, line: 4 });
    expect(p.message).toMatch(/^invalid YAML: document 3 \(line 4\): /);
  });
  it("panics naming the document whose data has no Ko form", async () => {
    const p = fieldsOf(await panicOf(() => all("ok: true\n---\n- 1\n- a\n")));
    expect(p).toMatchObject({ error: "encoding/yaml.UnmarshalAll", document: 2, line: 2 });
    expect(p.message).toMatch(/^document 2 \(line 2\): the data has no Ko form/);
  });
});
