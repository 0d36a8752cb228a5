/**
 * The standard library's Ko packages (stdlib/idiom, stdlib/integer, stdlib/testing), and the
 * host packages as Ko programs see them, run end to end through the API.
 */
import { describe, expect, it } from "vitest";
import { compileSource } from "../../src/api/index.js";
import { KoError, KoPanic } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import { KoExit } from "../../src/stdlib/index.js";

const IMPORTS = ["integer", "testing", "strings", "encoding/json", "encoding/yaml", "file/path", "os", "time"]
  .map((p) => `import "${p}"`)
  .join("\n");

/** Runs `Main` of a program whose other functions are `defs`; returns its printed result and output. */
async function run(body: string, defs = ""): Promise<{ result: string; stdout: string }> {
  const program = compileSource(`${IMPORTS}\n${defs}\nMain() {\n\treturn: ${body}\n}\n`, { pkgPath: "t" });
  let stdout = "";
  const value = await program.call(program.func("Main")!, [], { stdout: (t) => (stdout += t), stderr: () => {} });
  return { result: printValue(value), stdout };
}

const result = async (body: string, defs = "") => (await run(body, defs)).result;

describe("idiom", () => {
  it("Switch stops at the first non-Empty case", async () => {
    const { result: r, stdout } = await run(`Switch(case: Return[], case: Show["first"], case: Show["second"])`);
    expect(r).toBe('"first"');
    expect(stdout).toBe('"first"\n');
  });
  it("Switch falls back to otherwise, or Empty", async () => {
    expect(await result(`Switch(case: Return[], otherwise: Return["other"])`)).toBe('"other"');
    expect(await result(`Switch(case: Return[])`)).toBe("empty");
    expect(await result(`Switch()`)).toBe("empty");
  });
  it("Branch, Pick, Have, Expect, Invoke, Inc", async () => {
    expect(await result(`Branch(if: false, then: Return["yes"])`)).toBe("empty");
    expect(await result(`Branch(if: false, then: Return["yes"], else: Return["no"])`)).toBe('"no"');
    expect(await result(`(Pick(either: Empty(), or: 2), Pick(either: 1, or: 2))`)).toBe("(2, 1)");
    expect(await result(`(Have(Empty()), Have(()), Have((1, 2)))`)).toBe("(false, true, true)");
    expect(await result(`Expect(0)`)).toBe("0");
    expect(await result(`Recover(invoke: Expect, panic: Return)`)).toBe('(expect: "expecting a value")');
    expect(await result(`Invoke(Return["called"])`)).toBe('"called"');
    expect(await result(`(Inc(41), Inc(Int8(127)))`)).toBe("(42, -128)");
  });
});

describe("integer", () => {
  it("FormatInt64", async () => {
    expect(await result(`(integer.FormatInt64(255), integer.FormatInt64(int64: 255, base: 16), integer.FormatInt64(-5))`)).toBe(
      '("255", "ff", "-5")',
    );
  });
  it("IsEven and IsOdd for every integer type and sign", async () => {
    expect(await result(`(integer.IsEven(4), integer.IsEven(-3), integer.IsEven(Int8(-2)), integer.IsEven(Uint64(0)))`)).toBe(
      "(true, false, true, true)",
    );
    expect(await result(`(integer.IsOdd(-3), integer.IsOdd(Uint8(255)), integer.IsOdd(10))`)).toBe("(true, true, false)");
  });
  it("IsEven rejects what is not an integer", async () => {
    await expect(run(`integer.IsEven("a")`)).rejects.toBeInstanceOf(KoError);
    await expect(run(`integer.IsEven(1.5)`)).rejects.toBeInstanceOf(KoError);
  });
  it("Inc and PermuteInt64", async () => {
    expect(await result(`integer.Inc(Int16(9))`)).toBe("10");
    expect(await result(`Equal(integer.PermuteInt64(6), integer.PermuteInt64(len: 6, seed: 0))`)).toBe("true");
    expect(await result(`Len(integer.PermuteInt64(len: 6, seed: 9))`)).toBe("6");
    expect(await result(`integer.PermuteInt64(0)`)).toBe("empty");
  });
});

describe("testing", () => {
  const defs = `
passing() {
	return: testing.AssertEqual(1, 1)
}
failing() {
	return: testing.AssertEqual(1, 2)
}
plain() {
	return: testing.Assert(false)
}
custom() {
	return: testing.Assert(value: false, messageBuilder: Return[(why: "custom")])
}
boom() {
	return: Panic(boom: 1)
}
`;
  it("Assert and AssertEqual return Empty when the check holds, without showing anything", async () => {
    const { result: r, stdout } = await run(`(testing.Assert(true), testing.AssertEqual("a", "a"), testing.AssertEqual(1))`, defs);
    expect(r).toBe("empty");
    expect(stdout).toBe("");
  });
  it("a failing AssertEqual shows and panics with the default message", async () => {
    const { result: r, stdout } = await run(`Recover(invoke: failing, panic: Return)`, defs);
    expect(r).toBe('(message: "Expected values to be equal", values: (1, 2))');
    expect(stdout).toBe('(message: "Expected values to be equal", values: (1, 2))\n');
  });
  it('a failing Assert panics with its builder\'s message or "Assertion failed"', async () => {
    expect(await result(`Recover(invoke: plain, panic: Return)`, defs)).toBe('"Assertion failed"');
    expect(await result(`Recover(invoke: custom, panic: Return)`, defs)).toBe('(why: "custom")');
  });
  it("Assert of a non-boolean is an error, not a panic", async () => {
    await expect(run(`testing.Assert(5)`)).rejects.toBeInstanceOf(KoError);
  });
  it("RunTests reports each package and test in order and returns the totals", async () => {
    const { result: r, stdout } = await run(
      `testing.RunTests(
		(name: "p1", tests: ((name: "TestA", func: passing), (name: "TestB", func: failing)))
		(name: "p2", tests: (name: "TestC", func: boom))
	)`,
      defs,
    );
    expect(r).toBe("(passed: 1, failed: 2)");
    expect(stdout.split("\n")).toEqual([
      '(package: "p1")',
      '(pass: "TestA")',
      '(message: "Expected values to be equal", values: (1, 2))',
      '(fail: "TestB", error: (message: "Expected values to be equal", values: (1, 2)))',
      '(package: "p1", passed: 1, failed: 1)',
      '(package: "p2")',
      '(fail: "TestC", error: (boom: 1))',
      '(package: "p2", passed: 0, failed: 1)',
      "",
    ]);
  });
});

describe("host packages from Ko", () => {
  it("work through their imports, long paths included", async () => {
    expect(await result(`(s: strings.Join(string: ("a", "b"), delimiter: "-"), p: path.Join("a", "b/../c"), t: time.Second(2))`)).toBe(
      '(s: "a-b", p: "a/c", t: 2000000000)',
    );
    const program = compileSource(
      `import "github.com/kocircuit/kocircuit/lib/encoding/json"\nMain() {\n\treturn: json.Marshal((x: 5))\n}\n`,
    );
    expect(printValue(await program.call(program.func("Main")!, []))).toBe('"{\\"x\\":5}"');
  });
  it("report wrong argument types as errors (D31)", async () => {
    await expect(run(`strings.Upper(65)`)).rejects.toBeInstanceOf(KoError);
  });
  it("report operational failures as recoverable panics (D15)", async () => {
    expect(await result(`Recover(invoke: json.Unmarshal["{"], panic: Return).error`)).toBe('"encoding/json.Unmarshal"');
    await expect(run(`yaml.Unmarshal("a: [1")`)).rejects.toBeInstanceOf(KoPanic);
  });
  it("let os.Exit unwind the run past Recover", async () => {
    await expect(run(`Recover(invoke: os.Exit[4], panic: Return)`)).rejects.toMatchObject({ code: 4 });
    await expect(run(`os.Exit()`)).rejects.toBeInstanceOf(KoExit);
  });
});

describe("time", () => {
  it("Sleep, Second, Minute and Hour are Ko over the original's gates (stdlib/time/time.ko)", async () => {
    expect(await result(`(s: time.Second(), m: time.Minute(2), h: time.Hour(), slept: time.Sleep(time.Millisecond(1)))`)).toBe(
      "(s: 1000000000, m: 120000000000, h: 3600000000000, slept: 1000000)",
    );
  });
});
