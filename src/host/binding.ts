/**
 * Host bindings (D17): the one mechanism that exposes a TypeScript function to Ko. Core builtins,
 * the standard library's host functions, the Kubernetes API and an embedding application's own
 * functions are all declared with `defineHost` and registered in a `HostRegistry`.
 *
 * A declaration says, explicitly: the package and name, a doc line, each parameter (name, which
 * one is monadic, its type), the result type, whether the function is pure (so the cache may
 * reuse its results) or has effects, and whether it may return a promise.
 */
import type { CallFrame } from "../diag/diagnostic.js";
import { KoCancelled, KoError, KoFailure, KoPanic } from "../value/failure.js";
import { BASIC_TYPES, basicTypeOf, EMPTY, field, IntVal, Seq, Struct, type Callable, type Field, type Value } from "../value/value.js";
import { type HostType, checkHostType, showHostType } from "./host-type.js";
import type { ServiceKey } from "./services.js";
import type { DryRunBehaviour } from "./dry-run.js";

/** What a running host function may ask of the evaluator. */
export interface HostContext {
  /**
   * Augments the variety with `fields` and invokes it (reference 5.5); may return a promise.
   * With `sequential`, a Ko function's body runs one step at a time (D5, D31).
   * Fails with a KoError if `variety` is not a variety or a field is duplicated.
   */
  call(variety: Value, fields: readonly Field[], mode?: "sequential"): Value | Promise<Value>;
  /**
   * Like `call`, with `signal` cancelling the call in place of this context's `signal`: the Ko
   * steps and host calls under it see it aborted, and nothing else does (a `Timeout`'s deadline).
   * `signal` must follow `this.signal` (abort when it does), or the call would outlive a
   * cancellation of its caller.
   */
  callWithin(signal: AbortSignal, variety: Value, fields: readonly Field[]): Value | Promise<Value>;
  /**
   * A function that calls `variety` with one or two argument fields of these names (`""` for the
   * unnamed one), exactly as `call` would: made once for the many calls of a loop, so that each
   * call only puts its values in place. Contexts without one are served by `repeatedCall`.
   */
  caller?(variety: Value, names: readonly [string] | readonly [string, string]): RepeatedCall;
  /** Aborted when the run is cancelled or the calling body fails (D6). */
  readonly signal: AbortSignal;
  /** Standard output and error of the run (the CLI's streams, or the embedding app's). */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The Ko call chain at the calling step, one `at Func:step (FILE:LINE:COL)` line each. */
  callChain(): string;
  /** The same chain as frames, innermost first (the evaluator's contexts have it). */
  callFrames?(): CallFrame[];
  /** The package path of the Ko function whose step made this call. */
  readonly callerPackage: string;
  /** Runs `fn` on the run's behalf after the current call returns (for `Spin`). */
  readonly run: RunServices;
}

/** One call of a `caller`: the values of its fields, in the order of their names. */
export type RepeatedCall = (a: Value, b?: Value) => Value | Promise<Value>;

/** `ctx.caller(variety, names)`, or the same made of `ctx.call` where the context has none. */
export function repeatedCall(ctx: HostContext, variety: Value, names: readonly [string] | readonly [string, string]): RepeatedCall {
  if (ctx.caller) return ctx.caller(variety, names);
  return (a, b) => ctx.call(variety, names.length === 1 ? [field(names[0], a)] : [field(names[0], a), field(names[1], b!)]);
}

/** Services that belong to a whole run rather than to one call. */
export interface RunServices {
  /** Starts `variety()` concurrently (D32): the call belongs to the run, not to the caller's body. */
  spawn(variety: Value): SpawnHandle;
  /** The run's service of this key (services.ts), or undefined when the run offers none. */
  service<T>(key: ServiceKey<T>): T | undefined;
}

/** A spun call. Its failure is reported as a warning at the end of the run unless someone waited. */
export interface SpawnHandle {
  /** Settles with the call's result or failure, and records that the outcome was observed. */
  wait(): Promise<Value>;
}

export type Effects = "pure" | "io" | "cluster" | "time" | "random";

export interface ParamSpec {
  readonly name: string;
  readonly type: HostType;
  /** Receives the unnamed argument when no field of this name is given. */
  readonly monadic?: boolean;
  /** Missing (Empty) is allowed; otherwise a missing argument is an error. */
  readonly optional?: boolean;
  readonly doc?: string;
}

interface SpecBase {
  readonly pkg: string;
  readonly name: string;
  readonly doc: string;
  readonly result: HostType;
  readonly effects: Effects;
  /** May return a promise (does I/O or waits); synchronous functions never do. */
  readonly async?: boolean;
  /**
   * Sharper types than the declaration's, given what is known of the arguments: `Get(kind:
   * "Pod")` returns a V1Pod, `Apply` takes a StatefulSet when its object says `kind:
   * "StatefulSet"`. The checker asks with what it knows statically, the call with the values,
   * so the same types hold before the run and at the call.
   */
  readonly refine?: Refine;
  /**
   * What it does in a planning pass, when its effects are "io" (dry-run.ts): run, or be skipped;
   * "runs" for a "cluster" function that only reads.
   */
  readonly dryRun?: DryRunBehaviour;
  /** Shortcuts for the evaluator (FastForms); only for pure functions. */
  readonly fast?: FastForms;
}

/**
 * What is known of an argument: a literal string, number or Bool, or a structure of known
 * fields; undefined where nothing is known.
 */
export type Known = string | number | boolean | KnownFields | undefined;
export interface KnownFields {
  readonly [field: string]: Known;
}

export interface Refinement {
  /** Parameter types that replace the declared ones, by parameter name. */
  readonly params?: Readonly<Record<string, HostType>>;
  readonly result?: HostType;
}

/** Sharper types from the known arguments (by parameter name), or undefined for the declared ones. */
export type Refine = (args: Readonly<Record<string, Known>>) => Refinement | undefined;

/** A host function whose arguments are matched to declared parameters and checked strictly. */
export interface TypedSpec extends SpecBase {
  readonly params: readonly ParamSpec[];
  readonly impl: (args: Value[], ctx: HostContext) => Value | Promise<Value>;
}

/**
 * A host function that sees the raw argument fields: the builtins that echo all their arguments
 * (construction, Show, Panic, All, Hash, Peek) and the few whose argument rules the reference defines
 * by hand. `params` still documents what it reads, for `ko doc`, completion and the checker.
 */
export interface RawSpec extends SpecBase {
  readonly params: readonly ParamSpec[];
  readonly raw: (fields: readonly Field[], ctx: HostContext) => Value | Promise<Value>;
}

export interface HostFunction extends Callable {
  readonly pkg: string;
  readonly name: string;
  readonly doc: string;
  readonly params: readonly ParamSpec[];
  readonly result: HostType;
  readonly effects: Effects;
  readonly async: boolean;
  readonly echoesArgs: boolean;
  readonly refine?: Refine;
  readonly dryRun?: DryRunBehaviour;
  /** Shortcuts the evaluator may take past `invoke` for the commonest calls (see FastForms). */
  readonly fast?: FastForms;
  invoke(fields: readonly Field[], ctx: HostContext): Value | Promise<Value>;
}

/**
 * Shortcuts for the hottest pure builtins: arithmetic, comparison, `Yield` and construction,
 * which recursive and looping programs call for nearly every step. Going through `invoke` packs
 * positional terms into a sequence, builds a context and checks every argument's type; a fast
 * form takes the evaluated terms as they are, in typed JavaScript, and answers only the cases it
 * knows to give exactly what `invoke` would — plain Int64 numbers, Bools, strings. For anything
 * else it returns undefined and the evaluator calls `invoke`, which computes the result or words
 * the error. A fast form never throws and never needs the context, so it can be called before
 * deciding.
 */
export interface FastForms {
  /** The unnamed list argument given as two positional terms: `Sum(n, -1)`, `Less(a, b)`. */
  readonly pair?: (a: Value, b: Value) => Value | undefined;
  /**
   * Up to three named arguments, each one term (`Yield(if: c, then: t, else: e)`); a name not
   * given is Empty.
   */
  readonly named?: { readonly names: readonly string[]; readonly call: (a: Value, b: Value, c: Value) => Value | undefined };
  /** All the argument fields, for a raw builtin that reads nothing else (construction). */
  readonly fields?: (fields: readonly Field[]) => Value;
}

/** D8: core builtins print by name, package builtins as `short/path.Name`. */
export function hostDisplayName(pkg: string, name: string): string {
  return pkg === "" ? name : `${pkg}.${name}`;
}

/**
 * Finds the argument for a parameter (reference 5.1): the field of that name, else — for the monadic
 * parameter — the first monadic or unnamed field; else undefined.
 */
export function findArg(fields: readonly Field[], name: string, monadic: boolean): Value | undefined {
  for (let i = 0; i < fields.length; i++) if (fields[i]!.name === name) return fields[i]!.value;
  if (monadic) for (let i = 0; i < fields.length; i++) if (fields[i]!.monadic || fields[i]!.name === "") return fields[i]!.value;
  return undefined;
}

export function defineHost(spec: TypedSpec | RawSpec): HostFunction {
  const displayName = hostDisplayName(spec.pkg, spec.name);
  const base = {
    pkg: spec.pkg,
    name: spec.name,
    doc: spec.doc,
    params: spec.params,
    result: spec.result,
    effects: spec.effects,
    async: spec.async ?? false,
    displayName,
    identity: `${spec.pkg}\u0000${spec.name}`,
    refine: spec.refine,
    ...(spec.dryRun !== undefined ? { dryRun: spec.dryRun } : {}),
    ...(spec.fast !== undefined && spec.effects === "pure" ? { fast: spec.fast } : {}),
  };
  if ("raw" in spec) return { ...base, echoesArgs: true, invoke: spec.raw };
  const params = spec.params;
  const impl = spec.impl;
  const refine = spec.refine;
  const names = params.map((p) => p.name);
  const monadics = params.map((p) => p.monadic === true);
  // Per parameter, which quick test vouches for most well-typed arguments (see Quick).
  const quick = params.map((p) => quickOf(p.type));
  /**
   * Argument `v` of parameter `i`, checked against the declared type. A missing or Empty argument,
   * or one the quick test cannot vouch for, takes the general check, which also words the error.
   */
  const declared = (v: Value | undefined, i: number): Value =>
    v !== undefined && v !== EMPTY && passes(quick[i]!, v) ? v : checkHostType(v, params[i]!, displayName);
  if (refine) {
    return {
      ...base,
      echoesArgs: false,
      invoke(fields, ctx) {
        const args = new Array<Value>(params.length);
        for (let i = 0; i < params.length; i++) args[i] = findArg(fields, names[i]!, monadics[i]!) as Value;
        const refined = refinedParams(refine, params, args);
        for (let i = 0; i < params.length; i++) {
          const sharper = refined?.[names[i]!];
          args[i] = sharper === undefined ? declared(args[i], i) : checkHostType(args[i], params[i]!, displayName, sharper);
        }
        return impl(args, ctx);
      },
    };
  }
  return {
    ...base,
    echoesArgs: false,
    invoke(fields, ctx) {
      const args = new Array<Value>(params.length);
      for (let i = 0; i < params.length; i++) args[i] = declared(findArg(fields, names[i]!, monadics[i]!), i);
      return impl(args, ctx);
    },
  };
}

/**
 * Quick tests of an argument against the host types most parameters declare, run before the
 * general `problemWith` (which walks the type and builds messages): a test never accepts a value
 * `problemWith` would reject. They are small integers tested in a switch rather than closures,
 * so that the one call site shared by every host function stays monomorphic.
 */
const enum Quick {
  /** No quick test: always the general check. */
  None,
  Any,
  Integer,
  /** An integer, or a sequence of integers. */
  IntegerList,
  /** The basic types, in BASIC_TYPES order from here on. */
  Basic,
}

function quickOf(t: HostType): Quick {
  switch (t.k) {
    case "any":
      return Quick.Any;
    case "integer":
      return Quick.Integer;
    case "basic": {
      const k = BASIC_TYPES.indexOf(t.t);
      return k < 0 ? Quick.None : Quick.Basic + k;
    }
    case "list":
      return t.of.k === "integer" ? Quick.IntegerList : Quick.None;
    default:
      return Quick.None;
  }
}

function passes(quick: Quick, v: Value): boolean {
  switch (quick) {
    case Quick.None:
      return false;
    case Quick.Any:
      return true;
    case Quick.Integer:
      return isInteger(v);
    case Quick.IntegerList: {
      if (!(v instanceof Seq)) return isInteger(v);
      const items = v.items;
      for (let i = 0; i < items.length; i++) if (!isInteger(items[i]!)) return false;
      return true;
    }
    default:
      return basicTypeOf(v) === BASIC_TYPES[quick - Quick.Basic];
  }
}

function isInteger(v: Value): boolean {
  return typeof v === "number" || typeof v === "bigint" || v instanceof IntVal;
}

/** The refined parameter types for these argument values (undefined where absent). */
function refinedParams(
  refine: Refine,
  params: readonly ParamSpec[],
  args: readonly (Value | undefined)[],
): Readonly<Record<string, HostType>> | undefined {
  const known: Record<string, Known> = {};
  params.forEach((p, i) => (known[p.name] = knownOf(args[i])));
  return refine(known)?.params;
}

/** What a value tells a refinement: its literal, or its fields. */
export function knownOf(v: Value | undefined): Known {
  if (typeof v === "string" || typeof v === "boolean" || typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof IntVal) return Number(v.v);
  if (v instanceof Struct) {
    const fields: Record<string, Known> = {};
    for (const f of v.fields) fields[f.name] = knownOf(f.value);
    return fields;
  }
  return undefined;
}

/** A one-line signature for `ko list`, completion and hover: `Join(string?: (String), delimiter: String) String`. */
export function signature(f: HostFunction): string {
  const ps = f.params.map((p) => `${p.name}${p.monadic ? "?" : ""}: ${showHostType(p.type)}${p.optional ? " (optional)" : ""}`);
  return `${f.name}(${ps.join(", ")}) ${showHostType(f.result)}`;
}

export function hostArgumentError(fn: string, param: string, message: string): KoError {
  return new KoError(`${fn}: argument ${param}: ${message}`, "runtime/host-argument");
}

/**
 * An embedding application's host function, with its failures made Ko's (README, "Embedding"):
 *
 * - a failure after the run was cancelled (the signal aborted: a rejection with an `AbortError`,
 *   or anything else) is the cancellation, so the run ends as `KoCancelled`;
 * - any other JavaScript exception is a Ko panic that `Recover` catches, whose value is
 *   `(error: "app.Lookup", message: ERROR'S MESSAGE, name: ERROR'S NAME)`, with `code` when the
 *   error has a string one (Node's `ENOENT`);
 * - a `KoError`, `KoPanic` or `KoCancelled` it throws is itself.
 *
 * A failure that begins in it has it as the innermost frame of its call chain,
 * `at app.Lookup (host function)`. Ko's own builtins are not wrapped: an exception in one of
 * them is a bug of Ko's, reported as an internal error.
 */
export function appHostFunction(f: HostFunction): HostFunction {
  const invoke = f.invoke.bind(f);
  return {
    ...f,
    invoke(fields, ctx) {
      let result: Value | Promise<Value>;
      try {
        result = invoke(fields, ctx);
      } catch (e) {
        throw hostFailure(f, e, ctx);
      }
      return result instanceof Promise
        ? result.catch((e: unknown) => {
            throw hostFailure(f, e, ctx);
          })
        : result;
    },
  };
}

function hostFailure(f: HostFunction, e: unknown, ctx: HostContext): unknown {
  if (e instanceof KoCancelled) return e;
  if (!(e instanceof KoFailure)) {
    if (ctx.signal.aborted) {
      const reason: unknown = ctx.signal.reason;
      return reason instanceof KoFailure ? reason : new KoCancelled(reason instanceof Error ? reason.message : "cancelled");
    }
    if (e instanceof RangeError && /call stack/i.test(e.message)) return e;
    const error = e instanceof Error ? e : new Error(String(e));
    const fields = [field("error", f.displayName), field("message", error.message), field("name", error.name)];
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") fields.push(field("code", code));
    const panic = new KoPanic(new Struct(fields));
    panic.cause = e;
    e = panic;
  }
  const failure = e as KoFailure;
  const chain = failure.site ? undefined : ctx.callFrames?.();
  if (chain && chain.length > 0) {
    const span = chain[0]!.span;
    failure.site = { span, frames: [{ func: f.displayName, step: "", span, host: true }, ...chain] };
  }
  return failure;
}
