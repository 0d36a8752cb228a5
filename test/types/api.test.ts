/**
 * The checker through the embedding API and the tool API: what `compile`, `run` and `check`
 * do with types, and the types a language server asks for.
 */
import { describe, expect, test } from "vitest";
import { compileSource, defineHost, KoError, KoTypeError, T, TypeChecker } from "../../src/api/index.js";
import { fieldNames, showTy, TypeQuery, type StaticType } from "../../src/types/index.js";
import { BOOL, EMPTY, INT64, NEVER, STRING, basic, join, maybeEmpty, sequence, structure } from "../../src/types/static-type.js";

const quiet = { stdout: () => {}, stderr: () => {} };

describe("the embedding API checks each call before running it", () => {
  test("compile does not reject a program for a function that is never run", async () => {
    const p = compileSource(`Good() { return: 1 }\nBad() { return: Sum("a") }`);
    expect(await p.run("Good", {}, quiet)).toBe(1);
  });

  test("a call that would certainly fail is refused, located, and nothing runs", async () => {
    const printed: string[] = [];
    const p = compileSource(`Main() {\n\tshown: Show("never")\n\treturn: Sum(1, "a")\n}`, { pkgPath: "m" });
    const failure = await p.run("Main", {}, { stdout: (t) => printed.push(t), stderr: () => {} }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(KoTypeError);
    expect(failure).toBeInstanceOf(KoError);
    const e = failure as KoTypeError;
    expect(e.message).toBe("basic types Int64 and String cannot be unified");
    expect(e.diagnostics[0]!.stage).toBe("type");
    expect(e.diagnostics[0]!.code).toBe("type/unify");
    expect(e.site!.span.start.line).toBe(3);
    expect(printed).toEqual([]);
  });

  test("the arguments' types are what the entry is checked with", async () => {
    const p = compileSource(`Inc(n) { return: Sum(n, 1) }`);
    expect(await p.run("Inc", { n: 41 }, quiet)).toBe(42);
    await expect(p.run("Inc", { n: "x" }, quiet)).rejects.toThrow(KoTypeError);
    await expect(p.run("Inc", {}, quiet)).resolves.toBe(1);
  });

  test("checks are memoised per function and argument types", () => {
    const p = compileSource(`Inc(n) { return: Sum(n, 1) }`);
    const a = p.check(p.func("Inc")!, [{ name: "n", value: 1, monadic: false }]);
    const b = p.check(p.func("Inc")!, [{ name: "n", value: 2, monadic: false }]);
    expect(b).toBe(a);
  });

  test("the check can be skipped, leaving the evaluator's checks", async () => {
    const p = compileSource(`Main() { return: Sum("a") }`);
    const e = await p.run("Main", {}, { ...quiet, check: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KoError);
    expect(e).not.toBeInstanceOf(KoTypeError);
  });

  test("an application's host functions are checked against their declarations", async () => {
    const greet = defineHost({
      pkg: "app",
      name: "Greet",
      doc: "Greets someone.",
      params: [{ name: "who", type: T.string, monadic: true }],
      result: T.string,
      effects: "pure",
      impl: ([who]) => `hi ${who as string}`,
    });
    const p = compileSource(`import "app"\nMain() { return: app.Greet(7) }\nLen2() { return: Sum(app.Greet("a")) }`, { bind: [greet] });
    await expect(p.run("Main", {}, quiet)).rejects.toThrow(/app\.Greet: argument who: expects String, got Int64/);
    await expect(p.run("Len2", {}, quiet)).rejects.toThrow(/Sum: argument value: expects \(Integer\), got String/);
  });

  test("ko.Eval reports a program the checker refuses as an error, like a run-time one", async () => {
    const p = compileSource(`import "ko"\nMain() { return: ko.Eval("Sum(1.5)").error }`);
    expect(await p.run("Main", {}, quiet)).toMatch(/Sum: argument value: expects \(Integer\), got Float64/);
  });
});

describe("the tool API", () => {
  const source = [
    "Pair(left, right?) { return: (l: left, r: right) }",
    "Main() {",
    '\tp: Pair(left: 1, right: "x")',
    "\tq: Pair(left: true)",
    "\treturn: p.l",
    "}",
  ].join("\n");
  const program = compileSource(source, { pkgPath: "t", path: "t.ko" });
  const report = program.types.check([{ fn: program.func("Main")!, fields: [] }]);
  const query = new TypeQuery(report, program.program);
  const offset = (line: number, col: number) =>
    source
      .split("\n")
      .slice(0, line - 1)
      .join("\n").length +
    (line > 1 ? 1 : 0) +
    col -
    1;

  test("the type of a step, at its label or its formula, as 7.4 prints it", () => {
    expect(query.at("t.ko", offset(3, 2))).toMatchObject({ kind: "step", name: "p", text: "(l: Int64, r: String)" });
    expect(query.at("t.ko", offset(3, 9))).toMatchObject({ kind: "step", text: "(l: Int64, r: String)" });
    expect(query.at("t.ko", offset(3, 5))).toMatchObject({ kind: "step", text: "Variety" }); // the reference to Pair
  });

  test("the names in scope, with their types, for completion", () => {
    expect(query.scopeAt("t.ko", offset(5, 3)).map((i) => `${i.name}: ${i.text}`)).toEqual([
      "p: (l: Int64, r: String)",
      "q: (l: Bool)",
      "return: Int64",
    ]);
  });

  test("a parameter's type is the union over the specialisations reached", () => {
    const left = query.at("t.ko", offset(1, 6));
    expect(left).toMatchObject({ kind: "param", name: "left" });
    expect(left!.text).toBe("Int64 | Bool");
    expect(query.at("t.ko", offset(1, 12))!.text).toBe("*String");
  });

  test("a function's name shows each specialisation", () => {
    const pair = query.at("t.ko", offset(1, 2));
    expect(pair!.kind).toBe("function");
    expect(pair!.text.split("\n")).toEqual([
      "t.Pair(left: Int64, right: String) (l: Int64, r: String)",
      "t.Pair(left: Bool, right: Empty) (l: Bool)",
    ]);
  });

  test("a reference to a step has that step's type", () => {
    // `p` in `p.l` on line 5 is a reference; `p.l` itself is a selection step.
    expect(query.at("t.ko", offset(5, 10))).toMatchObject({ text: "Int64" });
  });

  test("every step, parameter and function of a file", () => {
    const infos = query.inFile("t.ko");
    expect(
      infos
        .filter((i) => i.kind === "function")
        .map((i) => i.name)
        .sort(),
    ).toEqual(["Main", "Pair"]);
    expect(infos.filter((i) => i.kind === "param").map((i) => i.name)).toEqual(["left", "right"]);
    expect(infos.filter((i) => i.kind === "step" && i.name === "q").map((i) => i.text)).toEqual(["(l: Bool)"]);
  });

  test("the fields to complete after a dot", () => {
    // `p` ends just before the `.` of `p.l`.
    expect(query.fieldsAfter("t.ko", offset(5, 11))).toEqual(["l", "r"]);
  });
});

describe("static types", () => {
  const shown = (t: StaticType) => showTy(t);

  test("print as reference 7.4 prints types, with unions for what does not unify", () => {
    expect(
      shown(
        structure([
          { name: "a", type: INT64 },
          { name: "b", type: maybeEmpty(STRING) },
        ]),
      ),
    ).toBe("(a: Int64, b: *String)");
    expect(shown(sequence(INT64))).toBe("(Int64)");
    expect(shown(maybeEmpty(sequence(INT64)))).toBe("(Int64)");
    expect(shown(join(INT64, STRING))).toBe("Int64 | String");
    expect(shown(join(EMPTY, join(INT64, STRING)))).toBe("*(Int64 | String)");
    expect(shown(NEVER)).toBe("Never");
  });

  test("join keeps a literal only when both sides have it", () => {
    expect(join(basic("Int64", 1), basic("Int64", 1))).toEqual(basic("Int64", 1));
    expect(join(basic("Int64", 1), basic("Int64", 2))).toBe(INT64);
    expect(join(basic("Bool", true), BOOL)).toBe(BOOL);
  });

  test("structures join field by field; a field on one side only may be Empty", () => {
    const t = join(structure([{ name: "a", type: INT64 }]), structure([{ name: "b", type: STRING }]));
    expect(shown(t)).toBe("(a: *Int64, b: *String)");
    expect(fieldNames(t)).toEqual(["a", "b"]);
  });

  test("a checker can be made for any compiled program", () => {
    const p = compileSource(`Main() { return: (Len("a"), 2) }`);
    const report = new TypeChecker(p.compiled).check([{ fn: p.func("Main")!, fields: [] }]);
    expect(report.diagnostics).toEqual([]);
    expect(showTy(report.entries[0]!.result)).toBe("(Int64)");
  });
});
