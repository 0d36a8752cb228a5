/** Results as JSON and YAML (reference 7.5, 12.2): the mapping from Ko values, value by value. */
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { formatResult, resultData, UnwritableResult } from "../../src/api/result-formats.js";
import { REDACTED } from "../../src/k8s/objects.js";
import { EMPTY, field, FloatVal, IntVal, Opaque, Seq, Struct, struct, Variety, type Value } from "../../src/value/value.js";
import { builtin } from "../builtins/fake.js";

const json = (v: Value) => formatResult(v, "json");
const yaml = (v: Value) => formatResult(v, "yaml");
const seq = (...items: Value[]) => new Seq(items);

describe("the mapping", () => {
  test("structures are objects with their fields in order; sequences are arrays", () => {
    const v = struct({ zeta: 1, alpha: seq("a", "b"), mid: struct({ deep: true }) });
    expect(json(v)).toBe(
      '{\n    "zeta": 1,\n    "alpha": [\n        "a",\n        "b"\n    ],\n    "mid": {\n        "deep": true\n    }\n}\n',
    );
    expect(yaml(v)).toBe("zeta: 1\nalpha:\n- a\n- b\nmid:\n  deep: true\n");
  });

  test("Empty is null as the whole result, and a field whose value is Empty is left out", () => {
    expect(json(EMPTY)).toBe("null\n");
    expect(yaml(EMPTY)).toBe("null\n");
    const take = new Struct([field("first", 1), field("remainder", EMPTY)]); // as Take(1) makes it
    expect(json(take)).toBe('{\n    "first": 1\n}\n');
    expect(json(Struct.empty)).toBe("{}\n");
  });

  test("integers of every width keep every digit, as numbers", () => {
    const v = struct({ max: 9223372036854775807n, min: -9223372036854775808n, u: new IntVal("Uint64", 18446744073709551615n), small: 7 });
    expect(json(v)).toContain('"max": 9223372036854775807,\n');
    expect(json(v)).toContain('"min": -9223372036854775808,\n');
    expect(json(v)).toContain('"u": 18446744073709551615,\n');
    expect(yaml(v)).toBe("max: 9223372036854775807\nmin: -9223372036854775808\nu: 18446744073709551615\nsmall: 7\n");
    expect(parse(yaml(v), { intAsBigInt: true })).toEqual({
      max: 9223372036854775807n,
      min: -9223372036854775808n,
      u: 18446744073709551615n,
      small: 7n,
    });
  });

  test("floats: the shortest decimal; a Float32 by its own; YAML keeps a fraction", () => {
    const v = struct({
      f: new FloatVal("Float64", 2),
      g: new FloatVal("Float64", 0.1),
      h: new FloatVal("Float32", Math.fround(0.1)),
      e: new FloatVal("Float64", 1e21),
    });
    expect(JSON.parse(json(v))).toEqual({ f: 2, g: 0.1, h: 0.1, e: 1e21 });
    expect(yaml(v)).toBe("f: 2.0\ng: 0.1\nh: 0.1\ne: 1.0e+21\n");
    expect(yaml(new FloatVal("Float64", -0))).toBe("-0.0\n");
    expect(parse(yaml(v), { version: "1.1" })).toEqual(parse(yaml(v)));
  });

  test("NaN and the infinities: YAML has them, JSON has not", () => {
    const v = struct({ list: seq(new FloatVal("Float64", 1), new FloatVal("Float64", Infinity)) });
    expect(yaml(v)).toBe("list:\n- 1.0\n- .inf\n");
    expect(() => json(v)).toThrow(new UnwritableResult(".list[1]", "the float Infinity has no JSON form (YAML has one)"));
  });

  test("strings are quoted where a YAML 1.1 or 1.2 reader would read something else", () => {
    const v = seq("yes", "off", "true", "12", "1.20", "010", "1:20", "2026-01-02T03:04:05Z", "", "null", "plain text", "25%");
    expect(yaml(v)).toBe(
      '- "yes"\n- "off"\n- "true"\n- "12"\n- "1.20"\n- "010"\n- "1:20"\n- "2026-01-02T03:04:05Z"\n- ""\n- "null"\n- plain text\n- 25%\n',
    );
    expect(parse(yaml(v), { version: "1.1" })).toEqual(parse(yaml(v)));
  });

  test("multi-line text is a literal block in YAML and an escaped string in JSON", () => {
    const v = struct({ script: "set -e\nmake\n" });
    expect(yaml(v)).toBe("script: |\n  set -e\n  make\n");
    expect(json(v)).toBe('{\n    "script": "set -e\\nmake\\n"\n}\n');
  });

  test("the unnamed field of a structure keeps its empty name, as encoding/json writes it", () => {
    expect(JSON.parse(json(new Struct([field("", 1), field("y", 2)])))).toEqual({ "": 1, y: 2 });
  });

  test("a Secret's redacted values are written <redacted>: never the secret", () => {
    const secret = struct({ kind: "Secret", data: struct({ password: new Opaque(REDACTED, "aHVudGVyMg==") }) });
    expect(json(secret)).not.toContain("aHVudGVyMg==");
    expect(yaml(secret)).toBe("kind: Secret\ndata:\n  password: <redacted>\n");
  });
});

describe("what cannot be written", () => {
  test("a variety, named where it is", () => {
    const v = struct({ steps: seq(struct({ run: new Variety(builtin("Sum"), []) }), struct({ run: "x" })) });
    expect(() => resultData(v, "json")).toThrow(new UnwritableResult(".steps[0].run", "a variety (Sum) is a function, not data"));
  });

  test("a host value other than a redacted secret", () => {
    expect(() => resultData(new Opaque("Client", {}), "yaml")).toThrow(new UnwritableResult("", "a host value (Client) has no data form"));
    expect(new UnwritableResult("", "x").message).toBe("the result: x");
  });

  test("a field whose name jq could not read after a dot is written as a string", () => {
    const v = struct({ labels: struct({ "app.kubernetes.io/name": new Variety(builtin("Sum"), []) }) });
    expect(() => resultData(v, "json")).toThrow(
      new UnwritableResult('.labels["app.kubernetes.io/name"]', "a variety (Sum) is a function, not data"),
    );
  });
});

test("YAML writes several results as documents separated by ---", () => {
  expect(formatResult(1, "yaml", 0) + formatResult(struct({ a: 2 }), "yaml", 1)).toBe("1\n---\na: 2\n");
});
