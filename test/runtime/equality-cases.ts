/**
 * Pairs of values with whether Ko calls them equal. Shared by the tests of `equal` and of the
 * canonical encoding, which must agree with it.
 */
import { EMPTY, Opaque, Struct, Variety, type Callable, type Value } from "../../src/value/value.js";
import { f32, f64, int, seq, st, variety } from "./helpers.js";

const memoryHandle = {};
const sumCallable: Callable = { displayName: "Sum", identity: "Sum" };

export const equalityCases: [string, Value, Value, boolean][] = [
  // basic values: same basic type and value
  ["3 and 3", 3, 3, true],
  ["3 and 4", 3, 4, false],
  ['"a" and "a"', "a", "a", true],
  ['"a" and "b"', "a", "b", false],
  ["true and true", true, true, true],
  ["true and false", true, false, false],
  ["Int64(1) and 1", 1, 1, true],
  ["1 and Int32(1)", 1, int("Int32", 1), false],
  ["Int8(1) and 1", int("Int8", 1), 1, false],
  ["Int8(1) and Uint8(1)", int("Int8", 1), int("Uint8", 1), false],
  ["Int32(7) and Int32(7)", int("Int32", 7), int("Int32", 7), true],
  ["Uint64 max and Uint64 max", int("Uint64", 18446744073709551615n), int("Uint64", 18446744073709551615n), true],
  ["big Int64s", 9223372036854775807n, 9223372036854775807n, true],
  ["big and small Int64", 9007199254740993n, 9007199254740991, false],
  ["1 and the string 1", 1, "1", false],
  ["1.5 and 1.5", f64(1.5), f64(1.5), true],
  ["0 and -0 floats", f64(0), f64(-0), true],
  ["Float32(1.5) and 1.5", f32(1.5), f64(1.5), false],
  ["Float64(1) and Int64 1", f64(1), 1, false],
  ["true and 1", true, 1, false],
  // Empty
  ["Empty and Empty", EMPTY, EMPTY, true],
  ["Empty and ()", EMPTY, Struct.empty, false],
  ["Empty and 0", EMPTY, 0, false],
  ['Empty and ""', EMPTY, "", false],
  // structures
  ["() and ()", Struct.empty, Struct.empty, true],
  ["(a: 1, b: 2) and (b: 2, a: 1)", st(["a", 1], ["b", 2]), st(["b", 2], ["a", 1]), true],
  ["(a: 1) and (a: 2)", st(["a", 1]), st(["a", 2]), false],
  ["(a: 1) and (a: 1, b: Empty())", st(["a", 1]), st(["a", 1], ["b", EMPTY]), true],
  ["(a: Empty()) and ()", st(["a", EMPTY]), Struct.empty, true],
  ["(a: ()) and ()", st(["a", Struct.empty]), Struct.empty, false],
  ["(a: 1) and (b: 1)", st(["a", 1]), st(["b", 1]), false],
  ["(a: 1) and (a: 1, b: 2)", st(["a", 1]), st(["a", 1], ["b", 2]), false],
  ["(?: 1) and (?: 1)", st(["", 1]), st(["", 1]), true],
  ["nested, reordered", st(["x", st(["p", 1], ["q", "s"])]), st(["x", st(["q", "s"], ["p", 1])]), true],
  ["structure and sequence of it", st(["a", 1]), seq(st(["a", 1])), true],
  // sequences (D13)
  ["(1, 2) and (1, 2)", seq(1, 2), seq(1, 2), true],
  ["(1, 2) and (2, 1)", seq(1, 2), seq(2, 1), false],
  ["(1, 2) and (1, 2, 3)", seq(1, 2), seq(1, 2, 3), false],
  ['("b") and "b"', seq("b"), "b", true],
  ['"c" and ("b")', "c", seq("b"), false],
  ['(("b")) and "b"', seq(seq("b")), "b", true],
  ['("b", "b") and "b"', seq("b", "b"), "b", false],
  ["(1, 2) and Empty", seq(1, 2), EMPTY, false],
  ["(1) and Empty", seq(1), EMPTY, false],
  ["((1, 2), 3) and ((1, 2), 3)", seq(seq(1, 2), 3), seq(seq(1, 2), 3), true],
  ["((1, 2), 3) and (1, 2, 3)", seq(seq(1, 2), 3), seq(1, 2, 3), false],
  ["((1), 2) and (1, 2)", seq(seq(1), 2), seq(1, 2), true],
  ["(Int8(1), 2) and (1, 2)", seq(int("Int8", 1), 2), seq(1, 2), false],
  // varieties
  ["Return[1] and Return[1]", variety("idiom.Return", ["", 1]), variety("idiom.Return", ["", 1]), true],
  ["Return[1] and Return[2]", variety("idiom.Return", ["", 1]), variety("idiom.Return", ["", 2]), false],
  ["Sum and Sum[]", new Variety(sumCallable, []), new Variety(sumCallable, []), true],
  ["Sum and Sum[x: Empty()]", variety("Sum"), variety("Sum", ["x", EMPTY]), true],
  ["Sum and Prod", variety("Sum"), variety("Prod"), false],
  ["F[x: 1, y: 2] and F[y: 2, x: 1]", variety("t.F", ["x", 1], ["y", 2]), variety("t.F", ["y", 2], ["x", 1]), true],
  ["Sum and ()", variety("Sum"), Struct.empty, false],
  ["Sum[x: 1] and (x: 1)", variety("Sum", ["x", 1]), st(["x", 1]), false],
  // host values
  ["the same host object", new Opaque("Memory", memoryHandle), new Opaque("Memory", memoryHandle), true],
  ["different host objects", new Opaque("Memory", {}), new Opaque("Memory", {}), false],
  ["same object, different host types", new Opaque("Memory", memoryHandle), new Opaque("Handle", memoryHandle), false],
  ["host primitives", new Opaque("Id", 7), new Opaque("Id", 7), true],
];
