/**
 * Which callables a program can name, by identity: what a serialised variety is read back as.
 *
 * The world is closed: a variety in a stored value was made from a constant of some function of
 * the program (a function reference or a builtin name), so the Ko functions of the program and
 * the host functions its circuits name are all a cached value can refer to. A variety of
 * anything else — a `Wait` of a spun call, a `Memory`'s methods, made at run time with an
 * identity of their own — cannot be read back, and so is never stored.
 */
import { KoFunction } from "../compile/circuit.js";
import type { Compiled } from "../compile/compile.js";
import { Variety, type Callable, type Value } from "../value/value.js";
import type { CallableLookup } from "../value/serial.js";

export function programCallables(compiled: Compiled): CallableLookup {
  let byIdentity: Map<string, Callable> | undefined;
  return (identity) => (byIdentity ??= collect(compiled)).get(identity);
}

function collect(compiled: Compiled): Map<string, Callable> {
  const out = new Map<string, Callable>();
  for (const pkg of compiled.functions.values()) {
    for (const fn of pkg.values()) {
      out.set(fn.identity, fn);
      for (const step of fn.circuit.steps) if (step.op.op === "const") addVarieties(step.op.value, out);
    }
  }
  return out;
}

function addVarieties(v: Value, out: Map<string, Callable>): void {
  if (!(v instanceof Variety)) return;
  if (!(v.callable instanceof KoFunction)) out.set(v.callable.identity, v.callable);
  for (const f of v.fields) addVarieties(f.value, out);
}
