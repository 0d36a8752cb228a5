/**
 * A small stand-in for the evaluator, enough to run builtins on their own: a HostContext whose
 * `call` augments a variety of a host function (with the duplicate-field rule of reference 5.5) and
 * invokes it, plus a few host functions playing the part of Ko functions (`Return`, `Twice`, ...)
 * and helpers to build values and argument fields tersely.
 */
import { defineHost, type HostContext, type HostFunction } from "../../src/host/binding.js";
import { T } from "../../src/host/host-type.js";
import { registerCoreBuiltins } from "../../src/builtins/index.js";
import { HostRegistry } from "../../src/host/registry.js";
import { KoError } from "../../src/value/failure.js";
import { printValue } from "../../src/value/print.js";
import {
  EMPTY,
  FloatVal,
  IntVal,
  Seq,
  Struct,
  Variety,
  field,
  kindOf,
  type Field,
  type FloatType,
  type SizedIntType,
  type Value,
} from "../../src/value/value.js";

export const registry = new HostRegistry();
registerCoreBuiltins(registry);

/** A registered builtin by name (`Sum`, or `integer.Sum`). */
export function builtin(name: string): HostFunction {
  const dot = name.lastIndexOf(".");
  const [pkg, short] = dot < 0 ? ["", name] : [name.slice(0, dot), name.slice(dot + 1)];
  const fn = registry.lookup(pkg, short);
  if (!fn) throw new Error(`no builtin ${name}`);
  return fn;
}

// Values -------------------------------------------------------------------------------------

export const seq = (...items: Value[]): Seq => new Seq(items);
export const st = (entries: Record<string, Value>): Struct => new Struct(Object.entries(entries).map(([k, v]) => field(k, v)));
export const int = (type: SizedIntType, v: number | bigint): IntVal => new IntVal(type, BigInt(v));
/** A float; a Float32 is held widened, as the evaluator holds it. */
export const float = (v: number, type: FloatType = "Float64"): FloatVal => new FloatVal(type, type === "Float32" ? Math.fround(v) : v);
export const show = (v: Value): string => printValue(v);

/** Argument fields from a record; the key "" is the unnamed (monadic) argument. */
export function args(entries: Record<string, Value> = {}): Field[] {
  return Object.entries(entries).map(([k, v]) => field(k, v));
}

/** A variety of a builtin (by name) or host function, with pre-filled fields. */
export function vty(fn: HostFunction | string, entries: Record<string, Value> = {}): Variety {
  return new Variety(typeof fn === "string" ? builtin(fn) : fn, args(entries));
}

// The fake evaluator --------------------------------------------------------------------------

export interface FakeRun {
  readonly ctx: HostContext;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Every call the builtins made through ctx.call, with its mode. */
  readonly calls: { callee: string; mode: string | undefined }[];
  readonly controller: AbortController;
}

export function fakeRun(): FakeRun {
  const controller = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  const calls: FakeRun["calls"] = [];
  /** Augments and invokes, as the evaluator does, with `within` as the callee's context. */
  const invoke = (variety: Value, fields: readonly Field[], mode: string | undefined, within: HostContext) => {
    if (!(variety instanceof Variety)) throw new KoError(`${kindOf(variety)} cannot be invoked`);
    const all = [...variety.fields, ...fields];
    const seen = new Set<string>();
    for (const f of all) {
      if (seen.has(f.name)) throw new KoError(`augmenting duplicate field ${f.name === "" ? "?" : f.name}`);
      seen.add(f.name);
    }
    calls.push({ callee: variety.callable.displayName, mode });
    return (variety.callable as HostFunction).invoke(all, within);
  };
  /** The context of calls cancelled through `signal` (`callWithin` gives a call one of its own). */
  const contextWith = (signal: AbortSignal): HostContext => {
    const ctx: HostContext = {
      call: (variety, fields, mode) => invoke(variety, fields, mode, ctx),
      callWithin: (within, variety, fields) => invoke(variety, fields, undefined, contextWith(within)),
      signal,
      stdout: (t) => stdout.push(t),
      stderr: (t) => stderr.push(t),
      callChain: () => "  at test.Main:step (test.ko:1:1)\n",
      callerPackage: "test/pkg",
      run: {
        spawn: (v) => {
          const p = Promise.resolve().then(() => ctx.call(v, []));
          p.catch(() => {});
          return { wait: () => p };
        },
        // A fake run offers no services (the cluster, the cache...).
        service: () => undefined,
      },
    };
    return ctx;
  };
  const ctx = contextWith(controller.signal);
  return { ctx, stdout, stderr, calls, controller };
}

/** Runs a builtin (or host function) with the given arguments in a fresh fake run. */
export async function run(fn: HostFunction | string, fields: Field[] | Record<string, Value> = [], r = fakeRun()): Promise<Value> {
  const f = typeof fn === "string" ? builtin(fn) : fn;
  return f.invoke(Array.isArray(fields) ? fields : args(fields), r.ctx);
}

/** Like `run`, printing the result canonically. */
export async function runShown(fn: HostFunction | string, fields: Field[] | Record<string, Value> = []): Promise<string> {
  return show(await run(fn, fields));
}

// Stand-ins for Ko functions -------------------------------------------------------------------

function koLike(
  name: string,
  params: string[],
  monadicParam: string | undefined,
  body: (a: Value[], ctx: HostContext) => Value | Promise<Value>,
): HostFunction {
  return defineHost({
    pkg: "test",
    name,
    doc: `test stand-in for a Ko function ${name}`,
    params: params.map((p) => ({ name: p, type: T.any, optional: true, monadic: p === monadicParam })),
    result: T.any,
    effects: "pure",
    impl: body,
  });
}

const callSum = (ctx: HostContext, ...xs: Value[]) => ctx.call(vty("Sum"), args({ "": new Seq(xs) }));
const callLess = (ctx: HostContext, ...xs: Value[]) => ctx.call(vty("Less"), args({ "": new Seq(xs) }));

/** `Return(pass?) { return: pass }` */
export const Return = koLike("Return", ["pass"], "pass", ([p]) => p!);
/** `Twice(n?) { return: Sum(n, n) }` */
export const Twice = koLike("Twice", ["n"], "n", ([n], ctx) => callSum(ctx, n!, n!));
/** `above(limit, x?) { return: Less(limit, x) }` */
export const Above = koLike("above", ["limit", "x"], "x", ([limit, x], ctx) => callLess(ctx, limit!, x!));
/** `lt(left, right) { return: Less(left, right) }` */
export const Lt = koLike("lt", ["left", "right"], undefined, ([l, r], ctx) => callLess(ctx, l!, r!));
/** `byKey(left, right) { return: Less(left.k, right.k) }` */
export const ByKey = koLike("byKey", ["left", "right"], undefined, ([l, r], ctx) =>
  callLess(ctx, (l as Struct).get("k"), (r as Struct).get("k")),
);
/** `acc(carry, elem) { return: (emit: Prod(elem, 10), carry: Sum(carry, elem)) }` */
export const Acc = koLike("acc", ["carry", "elem"], undefined, ([carry, elem]) =>
  st({ emit: (elem as number) * 10, carry: (carry as number) + (elem as number) }),
);
/** Returns its argument later, from a promise: a Ko function that did I/O. */
export const Later = koLike("later", ["pass"], "pass", ([p]) => new Promise((resolve) => setImmediate(() => resolve(p!))));
/** Returns a fixed non-Bool, for predicates that misbehave. */
export const NotABool = koLike("notABool", ["left", "right", "x"], "x", () => 7);
/** Counts up from its argument, forever useful for `Loop`. */
export const Inc = koLike("Inc", ["n"], "n", ([n], ctx) => callSum(ctx, n!, 1));
/** Returns the given field `r` of its call, to make Range iterators return odd things. */
export const Give = koLike("give", ["r", "carry", "elem"], undefined, ([r]) => r!);

export { EMPTY };

// Test names ----------------------------------------------------------------------------------

/** A call as Ko source would write it, for test names: `Sum(1, 2)`, `Loop(start: 1, step: test.Twice)`. */
export function koCall(fn: string, fields: Record<string, Value> = {}): string {
  const parts = Object.entries(fields).map(([k, v]) =>
    k === "" ? (v instanceof Seq ? v.items.map(show).join(", ") : show(v)) : `${k}: ${show(v)}`,
  );
  return `${fn}(${parts.join(", ")})`;
}

/** `koCall` with only the unnamed argument (none when undefined). */
export function koApply(fn: string, arg: Value | undefined): string {
  return koCall(fn, arg === undefined ? {} : { "": arg });
}

/** Rows of a table, each prefixed with a name for `it.each(...)("%s", ...)`. */
export function labelled<R extends readonly unknown[]>(rows: readonly R[], label: (row: NoInfer<R>) => string): [string, ...R][] {
  return rows.map((row) => [label(row), ...row]);
}
