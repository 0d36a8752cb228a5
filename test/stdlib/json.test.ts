import { describe, expect, it } from "vitest";
import { KoError } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import { EMPTY, field, FloatVal, IntVal, Opaque, Seq, Struct, struct, type Value, Variety } from "../../src/value/value.js";
import { call, fieldsOf, fn, panicOf } from "./host.js";

const j = (name: string, args: Record<string, Value> = {}) => call("encoding/json", name, args);
const marshal = (v: Value) => j("Marshal", { "": v });
const unmarshal = (text: string) => j("Unmarshal", { "": text });
const seq = (...items: Value[]) => new Seq(items);
const f64 = (x: number) => new FloatVal("Float64", x);

describe("encoding/json.Marshal", () => {
  it("encodes structures as objects in field order", () => {
    expect(marshal(struct({ x: 5 }))).toBe('{"x":5}');
    expect(marshal(struct({ z: 56, a: seq("a", "b", "c") }))).toBe('{"z":56,"a":["a","b","c"]}');
    expect(marshal(Struct.empty)).toBe("{}");
  });
  it("encodes every basic kind", () => {
    expect(marshal(struct({ b: true, s: 'q"\n<', f: f64(5.6), g: f64(2), e: f64(1e21), t: f64(1e-7) }))).toBe(
      '{"b":true,"s":"q\\"\\n<","f":5.6,"g":2,"e":1e+21,"t":1e-7}',
    );
    expect(marshal(new FloatVal("Float32", Math.fround(0.1)))).toBe("0.1");
    expect(marshal(new IntVal("Uint64", 18446744073709551615n))).toBe("18446744073709551615");
    expect(marshal(new IntVal("Int8", -3n))).toBe("-3");
    expect(marshal(9007199254740993n)).toBe("9007199254740993");
  });
  it("encodes Empty as null and leaves Empty fields out", () => {
    expect(marshal(EMPTY)).toBe("null");
    expect(j("Marshal")).toBe("null");
    expect(marshal(new Struct([field("first", 1), field("remainder", EMPTY)]))).toBe('{"first":1}');
  });
  it("encodes a monadic field under the empty name", () => {
    expect(marshal(new Struct([field("", 1), field("y", 2)]))).toBe('{"":1,"y":2}');
  });
  it("refuses varieties, host values and non-finite floats", () => {
    const variety = new Variety(fn("strings", "Join"), []);
    expect(() => marshal(struct({ f: variety }))).toThrow(/a variety \(strings\.Join\) cannot be encoded/);
    expect(() => marshal(new Opaque("thing", {}))).toThrow(KoError);
    expect(() => marshal(f64(NaN))).toThrow(/no JSON form/);
    expect(() => marshal(f64(-Infinity))).toThrow(KoError);
  });
});

describe("encoding/json.MarshalIndent", () => {
  it("indents with a tab by default", () => {
    expect(j("MarshalIndent", { "": struct({ x: 56, y: seq("a", "b") }) })).toBe('{\n\t"x": 56,\n\t"y": [\n\t\t"a",\n\t\t"b"\n\t]\n}');
  });
  it("uses the given prefix and indent", () => {
    expect(j("MarshalIndent", { value: struct({ x: "foo" }), indent: "#", prefix: "-" })).toBe('{\n-#"x": "foo"\n-}');
    expect(j("MarshalIndent", { value: struct({ x: true }), indent: " " })).toBe('{\n "x": true\n}');
  });
  it("keeps empty collections and scalars on one line", () => {
    expect(j("MarshalIndent", { "": struct({ o: Struct.empty }) })).toBe('{\n\t"o": {}\n}');
    expect(j("MarshalIndent", { "": 7 })).toBe("7");
  });
  it("rejects a non-string indent", () => {
    expect(() => j("MarshalIndent", { "": 1, indent: 2 })).toThrow(KoError);
  });
});

describe("encoding/json.Unmarshal", () => {
  it("decodes objects to structures in document order", () => {
    expect(printValue(unmarshal('{"x":56,"y":["a","b","c"],"a":{}}'))).toBe('(x: 56, y: ("a", "b", "c"), a: ())');
  });
  it("makes every number a Float64, as Go's decoder does (D34)", () => {
    const v = fieldsOf(unmarshal('{"i":5,"big":9223372036854775807,"neg":-9223372036854775808,"f":5.0,"e":1e3,"h":5.6}'));
    expect(v.i).toEqual(f64(5));
    expect(v.big).toEqual(f64(2 ** 63));
    expect(v.neg).toEqual(f64(-(2 ** 63)));
    expect(v.f).toEqual(f64(5));
    expect(v.e).toEqual(f64(1000));
    expect(v.h).toEqual(f64(5.6));
  });
  it("makes integers beyond Int64 Float64", () => {
    expect(unmarshal("18446744073709551616")).toEqual(f64(18446744073709551616));
  });
  it("panics on a number beyond the doubles, as Go's decoder fails on it", async () => {
    const p = fieldsOf(await panicOf(() => unmarshal("[1e400]")));
    expect(p.message).toBe("invalid JSON at byte 1: number 1e400 is out of the range of a Float64");
  });
  it("reads arrays of numbers as sequences of Float64", () => {
    expect(printValue(unmarshal("[1, 2.5]"))).toBe("(1, 2.5)");
    expect((unmarshal("[1, 2]") as Seq).items).toEqual([f64(1), f64(2)]);
    const [first] = (unmarshal('[{"a": 1, "b": [2]}, {"a": 2.5}]') as Seq).items;
    expect(fieldsOf(first!).a).toEqual(f64(1));
    expect(printValue(unmarshal('[{"a": 1}, {"b": "x"}]'))).toBe('((a: 1), (b: "x"))');
  });
  it("panics when an array's elements cannot form a Ko sequence", async () => {
    for (const text of ['[1, "a"]', '{"x": [{"a": true}, {"a": 1}]}']) {
      const p = fieldsOf(await panicOf(() => unmarshal(text)));
      expect(p.error).toBe("encoding/json.Unmarshal");
      expect(p.message).toMatch(/no Ko form.*unif/);
    }
  });
  it("turns null into Empty, dropping it from objects and arrays", () => {
    expect(unmarshal("null")).toBe(EMPTY);
    expect(printValue(unmarshal('{"a":null,"b":1}'))).toBe("(b: 1)");
    expect(printValue(unmarshal("[null, 1]"))).toBe("(1)");
    expect(unmarshal("[]")).toBe(EMPTY);
  });
  it("decodes one-element arrays to one-element sequences", () => {
    expect(unmarshal('["x"]')).toBeInstanceOf(Seq);
  });
  it("decodes strings with escapes, replacing lone surrogates", () => {
    expect(unmarshal('"a\\u00e9\\n\\"\\/\\ud83d\\ude00"')).toBe('aé\n"/😀');
    expect(unmarshal('"x\\ud800y"')).toBe("x\ufffdy");
  });
  it("lets the last of repeated names win", () => {
    expect(printValue(unmarshal('{"a":1,"b":2,"a":3}'))).toBe("(a: 3, b: 2)");
  });
  it("round-trips", () => {
    const text = '{"x":56,"y":["a","b","c"],"z":{"f":5.6,"t":true}}';
    expect(marshal(unmarshal(text))).toBe(text);
  });
  it("panics with (error, message, offset) on invalid text", async () => {
    for (const bad of ["", "{", '{"a" 1}', "[1,]", "01", "tru", '"\\x"', '"a', "1 2", '"\n"', "-"]) {
      const p = fieldsOf(await panicOf(() => unmarshal(bad)));
      expect(p.error).toBe("encoding/json.Unmarshal");
      expect(p.message).toMatch(/^invalid JSON at byte \d+: /);
      expect(typeof p.offset).toBe("number");
    }
    const p = fieldsOf(await panicOf(() => unmarshal('{"é": x}')));
    expect(p.offset).toBe(7);
  });
  it("panics on excessive nesting instead of overflowing the stack", async () => {
    const p = fieldsOf(await panicOf(() => unmarshal("[".repeat(100000))));
    expect(p.message).toMatch(/nested deeper/);
  });
  it("rejects a non-string argument", async () => {
    expect(() => j("Unmarshal", { "": 1 })).toThrow(KoError);
    // No text is the empty text, which is not JSON: a panic, as the original's error.
    await expect(panicOf(() => j("Unmarshal"))).resolves.toBeDefined();
  });
});
