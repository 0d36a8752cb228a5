/**
 * Function bodies compiled to JavaScript (src/runtime/codegen) against the interpreter, through
 * the real `ko`: each program runs twice, compiled and with KO_INTERPRET=1, and both runs must
 * print the same, fail the same (message, site, call chain) and exit the same, and as the table
 * says. The programs are the shapes the code generator treats specially: a fused
 * `Yield(...)()`, a body that goes asynchronous half-way (before and after a fused Yield), the
 * run pausing in the middle of a deep recursion, panics and errors inside compiled bodies, the
 * depth limit, sequential bodies, and calls that pass the cache's hooks.
 */
import { describe, expect, test } from "vitest";
import { interrupt, ko, type Outcome } from "../support/cli.js";
import { tempDir, tempFile } from "../support/temp.js";

interface Case {
  readonly name: string;
  readonly source: string;
  /** Arguments of `ko run` after the file; `--no-cache` unless the case says otherwise. */
  readonly args?: readonly string[];
  readonly stdout: string;
  readonly status: number;
  /** Lines (or patterns) standard error must hold, in this order. */
  readonly stderr?: readonly (string | RegExp)[];
}

const FIB = `Fib(n?) {
	return: Yield(if: Less(n, 2), then: Return[n], else: fibRec[n])()
}
fibRec(n?) {
	return: Sum(Fib(Sum(n, -1)), Fib(Sum(n, -2)))
}
`;

/** A binary tree of calls of depth `n`, whose leaves know whether they are the rightmost one. */
const TREE = `Tree(n, right) {
	return: Yield(if: Less(n, 1), then: leaf[right: right], else: tree[n: n, right: right])()
}
tree(n, right) {
	left: Tree(n: Sum(n, -1), right: false)
	rite: Tree(n: Sum(n, -1), right: right)
	return: Sum(left, rite)
}
`;

const cases: Case[] = [
  {
    name: "a fused Yield calls the chosen function only",
    source: `${FIB}Main() { return: Fib(20) }\n`,
    stdout: "6765\n",
    status: 0,
  },
  {
    name: "a fused Yield whose branches are varieties of host functions prints only the chosen one",
    source: `Pick(c) {
	return: Yield(if: c, then: Show[then: c], else: Show[else: c])()
}
Main() { return: (t: Pick(c: true), f: Pick(c: false)) }
`,
    stdout: "(then: true)\n(else: false)\n(t: (then: true), f: (else: false))\n",
    status: 0,
  },
  {
    name: "a fused Yield whose branches are values (not augmentations) invokes the chosen value",
    source: `Pick(c, yes, no) {
	return: Yield(if: c, then: yes, else: no)()
}
One() { return: 1 }
Two() { return: 2 }
Main() { return: (a: Pick(c: true, yes: One, no: Two), b: Pick(c: false, yes: One, no: Two)) }
`,
    stdout: "(a: 1, b: 2)\n",
    status: 0,
  },
  {
    // (The condition comes through a Memory, so that the checker cannot see it before the run.)
    name: "a condition that is not a Bool is an error at the Yield, with the call chain",
    source: `Pick(c) {
	return: Yield(if: c, then: Return[1], else: Return[2])()
}
Main() {
	m: Memory()
	r: m.Remember(key: "c", value: 1)
	p: Pick(c: m.Recall(key: "c", after_: r))
	return: p
}
`,
    stdout: "",
    status: 1,
    stderr: [
      /case\.ko:2:10: error: Yield: argument if: expects Bool, got Int64/,
      /at case\.Pick:return \(.*case\.ko:2:10\)/,
      /at case\.Main:p \(.*case\.ko:7:5\)/,
    ],
  },
  {
    name: "a panic at the bottom of a compiled recursion carries the whole chain",
    source: `Down(n?) {
	return: Yield(if: Less(n, 1), then: Panic[bottom: n], else: down[n])()
}
down(n?) {
	next: Down(Sum(n, -1))
	return: next
}
Main() { return: Down(2) }
`,
    stdout: "",
    status: 1,
    stderr: [
      /case\.ko:2:\d+: unrecovered panic: \(bottom: 0\)/,
      /at case\.Down:return/,
      /at case\.down:next \(.*case\.ko:5:/,
      /at case\.Down:return/,
      /at case\.down:next/,
      /at case\.Down:return/,
      /at case\.Main:return/,
    ],
  },
  {
    // The frames of the calls down the left-hand branches are reused by the calls that follow
    // them: the chain must be the failing call's own.
    name: "a panic after sibling calls have returned carries the chain of its own calls only",
    source: `${TREE}leaf(right) {
	return: Yield(if: right, then: Panic[bottom: right], else: Return[0])()
}
Main() { return: Tree(n: 3, right: true) }
`,
    stdout: "",
    status: 1,
    stderr: [
      /case\.ko:\d+:\d+: unrecovered panic: \(bottom: true\)/,
      /at case\.leaf:return/,
      /at case\.Tree:return/,
      ...Array.from({ length: 3 }, () => [/at case\.tree:rite \(/, /at case\.Tree:return/]).flat(),
      /at case\.Main:return/,
    ],
  },
  {
    name: "a panic after the leaves have gone asynchronous carries the chain of its own calls only",
    source: `${TREE}leaf(right) {
	w: Spin(Return[right]).Wait()
	return: Yield(if: w, then: Panic[bottom: w], else: Return[0])()
}
Main() { return: Tree(n: 3, right: true) }
`,
    stdout: "",
    status: 1,
    stderr: [
      /case\.ko:\d+:\d+: unrecovered panic: \(bottom: true\)/,
      /at case\.leaf:return/,
      /at case\.Tree:return/,
      ...Array.from({ length: 3 }, () => [/at case\.tree:rite \(/, /at case\.Tree:return/]).flat(),
      /at case\.Main:return/,
    ],
  },
  {
    // The error is the evaluator's own (no host function saw the frames): the spun call that
    // runs before it is reported makes calls as deep on the same JavaScript stack.
    name: "an error whose report waits for a spun call carries its own chain, not the spun call's",
    source: `${FIB}Down(n?) {
	return: Yield(if: Less(n, 1), then: Return[n], else: down[n])()
}
down(n?) {
	next: Down(Sum(n, -1))
	return: next
}
busy() { return: Fib(3) }
Main() {
	a: Spin(busy).Wait()
	b: Down(50)
	return: (a: a, b: b)
}
`,
    args: ["--no-cache", "--max-depth", "8"],
    stdout: "",
    status: 1,
    stderr: [
      /error: maximum call depth of 8 exceeded/,
      ...Array.from({ length: 3 }, () => [/at case\.Down:return/, /at case\.down:next/]).flat(),
      /at case\.Down:return/,
      /at case\.Main:b \(/,
    ],
  },
  {
    name: "a step that fails cancels the call running beside it, down to a host call that is the only step of its body",
    source: `Wait() {
	return: Hang()
}
Main() {
	w: Wait()
	q: Ratio(1, 0)
	return: (w: w, q: q)
}
`,
    stdout: "",
    status: 1,
    stderr: [/case\.ko:6:\d+: error: .*division by zero/, /at case\.Main:q \(.*case\.ko:6:/],
  },
  {
    name: "an error in a step of a compiled body is located at that step",
    source: `Div(a, b) {
	q: Ratio(a, b)
	return: Sum(q, 1)
}
Main() { return: Div(a: 1, b: 0) }
`,
    stdout: "",
    status: 1,
    stderr: [/case\.ko:2:\d+: error: .*division by zero/, /at case\.Div:q \(.*case\.ko:2:/, /at case\.Main:return/],
  },
  {
    name: "a body that goes asynchronous before its fused Yield finishes in the interpreter",
    source: `Pick(x?) {
	w: Spin(Return[x]).Wait()
	return: Yield(if: Less(w, 20), then: Return[w], else: big[w])()
}
big(n?) { return: (big: n) }
Main() { return: (a: Pick(3), b: Pick(30)) }
`,
    stdout: "(a: 3, b: (big: 30))\n",
    status: 0,
  },
  {
    name: "a body that goes asynchronous between a fused Yield's varieties and the Yield itself",
    source: `Pick(x?) {
	return: Yield(if: Less(w, 20), then: Return[x], else: big[x])()
	w: Spin(Return[x]).Wait()
}
big(n?) { return: (big: n) }
Main() { return: (a: Pick(3), b: Pick(30)) }
`,
    stdout: "(a: 3, b: (big: 30))\n",
    status: 0,
  },
  {
    name: "a recursion long enough for the run to pause (and the interpreter to take over) many times",
    source: `${FIB}Main() { return: Fib(25) }\n`,
    stdout: "75025\n",
    status: 0,
  },
  {
    name: "the depth limit stops a compiled recursion with the call chain",
    source: `Count(n?) {
	return: Yield(if: Less(n, 0), then: Return[n], else: count[n])()
}
count(n?) { return: Count(Sum(n, 1)) }
Main() { return: Count(0) }
`,
    args: ["--no-cache", "--max-depth", "40"],
    stdout: "",
    status: 1,
    stderr: [/error: maximum call depth of 40 exceeded/, /at case\.count:return/, /at case\.Count:return/, /at case\.Main:return/],
  },
  {
    name: "a sequential body runs its steps one at a time in source order",
    source: `Steps(x?) {
	a: Show(a: x)
	b: Show(b: Sum(x, 1))
	c: Yield(if: Less(x, 2), then: Show[c: "small"], else: Show[c: "large"])()
	return: (a: a, c: c)
}
Main() { return: Sequential(Steps[1]) }
`,
    stdout: '(a: 1)\n(b: 2)\n(c: "small")\n(a: (a: 1), c: (c: "small"))\n',
    status: 0,
  },
  {
    name: "Loop and Range call varieties with fields of their own, bound once for every turn",
    source: `Count(n) {
	return: Loop(start: (i: 0, tag: "?"), step: step[tag: "a"], stop: done[limit: n])
}
step(s?, tag) { return: (i: Sum(s.i, 1), tag: tag) }
done(limit, s?) { return: Equal(s.i, limit) }
Total(xs) {
	return: Range(over: xs, start: 0, with: add[extra: 10]).residue
}
add(carry, elem, extra) { return: (carry: Sum(carry, elem, extra)) }
Main() { return: (loop: Count(n: 5), total: Total(xs: (1, 2, 3))) }
`,
    stdout: '(loop: (i: 5, tag: "a"), total: 36)\n',
    status: 0,
  },
  {
    // (Through a Memory, so that the checker cannot refuse the run first.)
    name: "a Loop whose step already has an unnamed argument fails as the general call does",
    source: `inc(x?) { return: Sum(x, 1) }
Main() {
	m: Memory()
	r: m.Remember(key: "step", value: inc[5])
	l: Loop(start: 0, step: m.Recall(key: "step", after_: r), stop: Not)
	return: l
}
`,
    stdout: "",
    status: 1,
    stderr: [/case\.ko:5:5: error: augmenting duplicate field \? \(the unnamed argument\)/, /at case\.Main:l \(.*case\.ko:5:5\)/],
  },
  {
    name: "calls that pass the cache's hooks (no --no-cache) give the same results",
    source: `${FIB}Main() { return: (f: Fib(15), s: Show(Fib(10))) }\n`,
    args: [],
    stdout: "55\n(f: 610, s: 55)\n",
    status: 0,
  },
];

/** `ko run` of the case, compiled or interpreted; the cache, when used, is the case's own. */
async function run(c: Case, file: string, interpret: boolean): Promise<Outcome> {
  return ko(["run", file, ...(c.args ?? ["--no-cache"])], {
    env: { KO_INTERPRET: interpret ? "1" : "0", KO_CACHE_DIR: tempDir("ko-compiled-cache-") },
  });
}

/** The first of `patterns` that `text` does not hold after the ones before it, or undefined. */
function missingInOrder(text: string, patterns: readonly (string | RegExp)[]): string | RegExp | undefined {
  let rest = text;
  for (const p of patterns) {
    const at = typeof p === "string" ? rest.indexOf(p) : rest.search(p);
    if (at < 0) return p;
    rest = rest.slice(at + (typeof p === "string" ? p.length : rest.slice(at).match(p)![0].length));
  }
  return undefined;
}

describe("compiled bodies and the interpreter agree", () => {
  test.each(cases)("$name", async (c) => {
    const file = tempFile("case.ko", c.source, "ko-compiled-");
    const [compiled, interpreted] = await Promise.all([run(c, file, false), run(c, file, true)]);
    expect(compiled.stdout).toBe(c.stdout);
    expect(compiled.status).toBe(c.status);
    expect(missingInOrder(compiled.stderr, c.stderr ?? []), compiled.stderr).toBeUndefined();
    expect({ stdout: interpreted.stdout, stderr: interpreted.stderr, status: interpreted.status }).toEqual({
      stdout: compiled.stdout,
      stderr: compiled.stderr,
      status: compiled.status,
    });
  });
});

describe("cancellation of compiled code", () => {
  test.each([false, true])("Ctrl-C stops a tight recursion within a second (interpreted: %s)", async (interpretOnly) => {
    const file = tempFile("spin.ko", `${FIB}Main() { return: Fib(45) }\n`, "ko-compiled-");
    const { status, stderr, ms } = await interrupt(["run", file, "--no-cache"], {
      when: 1200,
      env: { KO_INTERPRET: interpretOnly ? "1" : "0" },
    });
    expect(ms).toBeLessThan(1000);
    expect(status).toBe(130);
    expect(stderr).toContain("cancelled: interrupted (Ctrl-C)");
    expect(stderr).toMatch(/spin\.(Fib|fibRec):return/);
  });
});
