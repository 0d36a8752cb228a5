/**
 * Random Ko programs for the soundness property of the type checker, from a small grammar of
 * well-formed Ko: literals, structures, sequences, selections, calls of a few generated functions
 * and of builtins, Yield/When/Switch/Range/Loop/Sort with bounded iteration, augmentation.
 *
 * The grammar is typed loosely — each position asks for an integer, a string, a Bool, a
 * structure, a sequence or a variety — and now and then takes something of another kind, so
 * that some programs are well typed and some are not. Everything is built as source text, so a
 * shrunk counterexample is a readable program.
 */
import fc from "fast-check";

/**
 * What a position asks for. `value` is any well-formed value; `any` is also what often fails
 * (Empty where a value is needed, invoking or selecting whatever came) — the mutations.
 */
type Kind = "int" | "str" | "bool" | "struct" | "seq" | "variety" | "value" | "any";

/** Functions every generated program has. Loop and recursion are bounded by construction. */
export const PRELUDE = `import "strings"
lt(left, right) { return: Less(left, right) }
acc(carry, elem) { return: (emit: Prod(elem, 10), carry: Sum(carry, elem)) }
Twice(n?) { return: Sum(n, n) }
above(limit, x?) { return: Less(limit, x) }
zero(p?) { return: 0 }
Count(n?) { return: Yield(if: Less(n, 1), then: Return[0], else: countDown[n])() }
countDown(n?) { return: Sum(Count(Sum(n, -1)), 1) }
`;

/** How many functions G0, G1, ... a program defines besides Main. */
const FUNCTIONS = 3;
const DEPTH = "ko-expr";

/**
 * Placeholders resolved when a function is assembled: `@ref` is an earlier step of the same
 * function (or a literal in the first step), `@G` a generated function that may be called
 * from there without recursion.
 */
const REF = "@ref";
const CALLEE = "@G";

const expressions = fc.letrec<Record<Kind, string>>((tie) => {
  /** A position of kind `k`: mostly that, sometimes anything (which may not fit). */
  const slot = (k: Kind) => fc.oneof({ weight: 40, arbitrary: tie(k) }, { weight: 1, arbitrary: tie("any") });
  const call = (template: (...parts: string[]) => string, ...kinds: Kind[]) =>
    fc.tuple(...kinds.map(slot)).map((parts) => template(...parts));
  const node = (...arbs: fc.Arbitrary<string>[]) =>
    fc.oneof({ depthIdentifier: DEPTH, maxDepth: 4, depthSize: "small", withCrossShrink: true }, ...arbs);
  const small = fc.integer({ min: -3, max: 9 }).map(String);
  /** A variety position with a usual right choice, sometimes any variety (often a wrong one). */
  const usually = (right: string) => fc.oneof({ weight: 5, arbitrary: fc.constant(right) }, { weight: 1, arbitrary: tie("variety") });
  return {
    int: node(
      small,
      fc.constant("x"),
      fc.constant(REF),
      call((a, b) => `Sum(${a}, ${b})`, "int", "int"),
      call((a, b) => `Prod(${a}, ${b})`, "int", "int"),
      call((a) => `Negative(${a})`, "int"),
      call((a) => `Len(${a})`, "value"),
      call((a) => `Int64(${a})`, "int"),
      fc.integer({ min: 0, max: 5 }).map((n) => `Count(${n})`),
      call((s) => `${s}.a`, "struct"),
      call((s) => `Take(${s}).first`, "seq"),
      fc.integer({ min: 1, max: 3 }).map((n) => `Loop(start: ${n}, step: Twice, stop: above[limit: 40])`),
      call((s) => `Range(over: ${s}, start: 0, with: acc).residue`, "seq"),
      call((c, a, b) => `Yield(if: ${c}, then: ${a}, else: ${b})`, "bool", "int", "int"),
      call((a) => `When(have: ${a}, then: Twice, else: Return[0])`, "int"),
      call((a) => `Switch(case: Return[], case: Return[${a}])`, "int"),
      call((v, a) => `${v}(${a})`, "variety", "int"),
      call((a, s) => `${CALLEE}(: ${a}, y: ${s})`, "int", "str"),
      call((v) => `Recover(invoke: ${v}, panic: zero)`, "variety"),
      call((v) => `Spin(${v}).Wait()`, "variety"),
      fc.constantFrom("1.5", "Float32(2)", "Uint8(7)").map((a) => `Int64(${a})`),
      usually("above[limit: 9]").map((v) => `Loop(start: 1, step: Twice, stop: ${v})`),
      fc.tuple(slot("seq"), usually("acc")).map(([s, v]) => `Range(over: ${s}, start: 0, with: ${v}).residue`),
      call((a) => `strings.Len(${a})`, "str"),
    ),
    str: node(
      fc.constantFrom('"a"', '"ko"', '""'),
      fc.constant("y"),
      call((a) => `String(${a})`, "str"),
      call((c, a, b) => `Yield(if: ${c}, then: ${a}, else: ${b})`, "bool", "str", "str"),
      call((s) => `${s}.b`, "struct"),
      call((a, b) => `Take(${a}, ${b}).first`, "str", "str"),
      call((a) => `Show(${a})`, "str"),
      call((a) => `strings.Upper(${a})`, "str"),
      call((a, b) => `strings.Join(string: (${a}, ${b}), delimiter: "-")`, "str", "str"),
      call((a) => `Print(${a})`, "str"),
    ),
    bool: node(
      fc.constantFrom("true", "false"),
      call((a, b) => `Less(${a}, ${b})`, "int", "int"),
      call((a, b) => `Equal(${a}, ${b})`, "value", "value"),
      call((a) => `Not(${a})`, "bool"),
      call((a) => `Have(${a})`, "value"),
      call((a, b) => `And(${a}, ${b})`, "bool", "bool"),
      call((a) => `Bool(${a})`, "bool"),
    ),
    struct: node(
      call((a, b) => `(a: ${a}, b: ${b})`, "int", "str"),
      call((a) => `(a: ${a})`, "int"),
      fc.constant("()"),
      call((c, a, b) => `Yield(if: ${c}, then: ${a}, else: ${b})`, "bool", "struct", "struct"),
      call((a, b) => `All(a: ${a}, b: ${b})`, "int", "str"),
    ),
    seq: node(
      call((a, b) => `(${a}, ${b})`, "int", "int"),
      call((a, b, c) => `(${a}, ${b}, ${c})`, "int", "int", "int"),
      call((s, a) => `Merge(${s}, ${a})`, "seq", "int"),
      call((s) => `Sort(over: ${s}, less: lt)`, "seq"),
      fc.tuple(slot("seq"), usually("lt")).map(([s, v]) => `Sort(over: ${s}, less: ${v})`),
      fc
        .tuple(slot("struct"), usually("String"))
        .map(([t, v]) => `Template(template: "{{a}}-{{b}}", args: ${t}, withString: Return, withArg: ${v})`),
      call((s) => `Range(over: ${s}, start: 0, with: acc).image`, "seq"),
      call((s) => `Take(${s}).remainder`, "seq"),
    ),
    variety: node(
      fc.constantFrom("Twice", "Return", "Count", "zero"),
      call((a) => `Return[${a}]`, "value"),
      call((a) => `Sum[${a}]`, "int"),
      call((a) => `above[limit: ${a}]`, "int"),
      call((s) => `${CALLEE}[y: ${s}]`, "str"),
      call((c, a, b) => `Yield(if: ${c}, then: ${a}, else: ${b})`, "bool", "variety", "variety"),
      call((a) => `Panic[${a}]`, "value"),
    ),
    value: node(
      fc.constant("Empty()"),
      fc.constantFrom("1.5", "Float32(2)", "Uint8(7)"),
      fc.constant(REF),
      tie("int"),
      tie("str"),
      tie("bool"),
      tie("struct"),
      tie("seq"),
      tie("variety"),
    ),
    any: node(
      tie("value"),
      call((a, b) => `(${a}, ${b})`, "any", "any"),
      call((a) => `${a}.a`, "any"),
      call((a) => `${a}()`, "any"),
      call((a, b) => `${a}[y: ${b}]`, "any", "any"),
    ),
  };
});

/** One function: its steps' expressions (the last one is returned). */
const body = fc.array(fc.oneof(expressions.int, expressions.struct, expressions.str, expressions.value), { minLength: 1, maxLength: 4 });

/** A whole program: the prelude, G0..G2 with parameters (x?, y), and Main, which calls G0 and G1. */
export const programs: fc.Arbitrary<string> = fc
  .tuple(fc.array(body, { minLength: FUNCTIONS, maxLength: FUNCTIONS }), body, fc.array(fc.nat(), { minLength: 64, maxLength: 64 }))
  .map(([gs, main, choices]) => {
    let next = 0;
    const choose = (n: number) => (n <= 0 ? 0 : choices[next++ % choices.length]! % n);
    const fns = gs.map((steps, k) => assemble(`G${k}(x?, y)`, steps, k + 1, choose));
    fns.push(assemble("Main()", main, 0, choose, true, `(main: s${main.length - 1}, g0: G0(: 2, y: "b"), g1: G1(: 3, y: "c"))`));
    return PRELUDE + fns.join("\n") + "\n";
  });

/**
 * A function from its steps: placeholders resolved (a function only calls later ones, so there
 * is no recursion among them), `x` and `y` replaced by literals in Main, which has no parameters.
 */
function assemble(
  header: string,
  steps: readonly string[],
  firstCallee: number,
  choose: (n: number) => number,
  isMain = false,
  result = `s${steps.length - 1}`,
): string {
  const lines = steps.map((expr, i) => {
    let text = expr.replaceAll(REF, () => (i === 0 ? "1" : `s${choose(i)}`));
    text = text.replaceAll(CALLEE, () => (firstCallee >= FUNCTIONS ? "Twice" : `G${firstCallee + choose(FUNCTIONS - firstCallee)}`));
    if (isMain) text = text.replace(/\bx\b/g, "2").replace(/\by\b(?!:)/g, '"b"');
    return `\ts${i}: ${text}`;
  });
  lines.push(`\treturn: ${result}`);
  return `${header} {\n${lines.join("\n")}\n}`;
}
