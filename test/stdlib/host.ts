/**
 * Helpers for testing the standard library's host functions directly: the registry they are
 * registered in, a minimal HostContext, and calls by package, name and argument fields.
 */
import type { HostContext, HostFunction } from "../../src/host/binding.js";
import { HostRegistry } from "../../src/host/registry.js";
import { KoPanic } from "../../src/value/failure.js";
import { field, Struct, type Value } from "../../src/value/value.js";
import { registerStdlib } from "../../src/stdlib/index.js";

export const registry = new HostRegistry();
registerStdlib(registry);

/** A context good enough for host functions that do not call back into Ko. */
export function fakeContext(signal: AbortSignal = new AbortController().signal): HostContext {
  return {
    call: () => {
      throw new Error("fake context: call not supported");
    },
    callWithin: () => {
      throw new Error("fake context: call not supported");
    },
    signal,
    stdout: () => {},
    stderr: () => {},
    callChain: () => "",
    callerPackage: "test",
    run: {
      spawn: () => {
        throw new Error("fake context: spawn not supported");
      },
      service: () => undefined,
    },
  };
}

export function fn(pkg: string, name: string): HostFunction {
  const f = registry.lookup(pkg, name);
  if (!f) throw new Error(`no host function ${pkg}.${name}`);
  return f;
}

/** Calls a host function; the key "" of `args` is the unnamed (monadic) argument. */
export function call(pkg: string, name: string, args: Record<string, Value> = {}, ctx = fakeContext()): Value | Promise<Value> {
  return fn(pkg, name).invoke(
    Object.entries(args).map(([k, v]) => field(k, v)),
    ctx,
  );
}

/** The panic value of a call expected to panic (synchronously or as a rejected promise). */
export async function panicOf(run: () => unknown): Promise<Value> {
  try {
    await run();
  } catch (e) {
    if (e instanceof KoPanic) return e.value;
    throw e;
  }
  throw new Error("expected a panic");
}

/** A structure's fields as a plain object, for assertions. */
export function fieldsOf(v: Value): Record<string, Value> {
  if (!(v instanceof Struct)) throw new Error("not a structure");
  return Object.fromEntries(v.fields.map((f) => [f.name, f.value]));
}
