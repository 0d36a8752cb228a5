/** The faithful serialisation: every value comes back identical — same kind, order, flags, print. */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/api/index.js";
import { programCallables } from "../../src/instrument/callables.js";
import { deserialize, SerialError, serialize } from "../../src/value/serial.js";
import { printValue } from "../../src/value/print.js";
import { EMPTY, FloatVal, IntVal, Opaque, Seq, Struct, Variety, field, type Value } from "../../src/value/value.js";

const program = compileSource(`Main() { return: (f: F, g: F[x: 1], s: Sum) }\nF(x) { return: x }`);
const lookup = programCallables(program.compiled);
const main = program.func("Main")!;
const varieties = (async () => (await program.call(main, [], { stdout: () => {}, stderr: () => {} })) as Struct)();

function roundTrip(v: Value): Value {
  return deserialize(serialize(v), lookup);
}

/** Identical: the same JavaScript shape, down to field order, monadic flags and number types. */
function expectIdentical(a: Value, b: Value): void {
  expect(printValue(b)).toBe(printValue(a));
  expect(shape(b)).toEqual(shape(a));
}

function shape(v: Value): unknown {
  if (v instanceof Struct) return { struct: v.fields.map((f) => [f.name, f.monadic, shape(f.value)]) };
  if (v instanceof Seq) return { seq: v.items.map(shape) };
  if (v instanceof Variety) return { variety: v.callable, fields: v.fields.map((f) => [f.name, f.monadic, shape(f.value)]) };
  if (v instanceof IntVal) return { int: v.type, v: v.v };
  if (v instanceof FloatVal) return { float: v.type, v: Object.is(v.v, -0) ? "-0" : v.v };
  if (v === EMPTY) return "Empty";
  return { [typeof v]: v };
}

describe("serialize / deserialize", () => {
  it.each<[string, Value]>([
    ["Empty", EMPTY],
    ["true", true],
    ["a string with quotes and newlines", 'a "b"\n\tc é 😀'],
    ["a safe Int64", -42],
    ["a big Int64", -9223372036854775808n],
    ["a Uint64", new IntVal("Uint64", 18446744073709551615n)],
    ["an Int8", new IntVal("Int8", -128n)],
    ["a Float64", new FloatVal("Float64", 0.1)],
    ["a Float32", new FloatVal("Float32", Math.fround(0.1))],
    ["negative zero", new FloatVal("Float64", -0)],
    ["NaN", new FloatVal("Float64", NaN)],
    ["infinity", new FloatVal("Float64", -Infinity)],
    ["fields out of order", new Struct([field("b", 1), field("a", 2)])],
    ["an empty structure", Struct.empty],
    ["a monadic field", new Struct([field("", 1), { name: "x", value: 2, monadic: true }])],
    ["a one-element sequence", new Seq(["b"])],
    ["nested sequences", new Seq([new Seq([1, 2]), 3])],
    ["an Empty field (argument lists keep them)", new Struct([field("a", EMPTY), field("b", 1)])],
  ])("%s", (_, v) => expectIdentical(v, roundTrip(v)));

  it("varieties of Ko and host functions, with their fields", async () => {
    const v = await varieties;
    expectIdentical(v, roundTrip(v));
    expect((roundTrip(v) as Struct).get("f")).toBeInstanceOf(Variety);
    expect(((roundTrip(v) as Struct).get("f") as Variety).callable).toBe(program.func("F"));
  });

  it("is deterministic", () => {
    const v = new Struct([field("b", new Seq([1, "x"])), field("a", new FloatVal("Float64", 1.5))]);
    expect(serialize(v)).toBe(serialize(roundTrip(v)));
  });

  it("refuses host values", () => {
    expect(() => serialize(new Opaque("Memory", {}))).toThrow(SerialError);
    expect(() => serialize(new Struct([field("m", new Opaque("Memory", {}))]))).toThrow(SerialError);
  });

  it("refuses what it cannot read back", () => {
    expect(() => deserialize(`{"variety":"ko\\u0000main\\u0000Gone","fields":[]}`, lookup)).toThrow(SerialError);
    expect(() => deserialize(`[]`, lookup)).toThrow(SerialError);
    expect(() => deserialize(`1.5`, lookup)).toThrow(SerialError);
    expect(() => deserialize(`{"struct":[["a"]]}`, lookup)).toThrow(SerialError);
    expect(() => deserialize(`{"struct":[["a",1]`, lookup)).toThrow(SerialError);
  });
});
