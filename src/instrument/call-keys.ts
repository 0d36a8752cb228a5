/**
 * Keys of calls: what identifies a call's result, for the cache and for run journals.
 *
 * The key of a call is the SHA-256 of
 *   - the callee's code: a Ko function's transitive hash (its circuit and everything it can
 *     call, comments and layout aside: compile/circuit-hash.ts), or a host function's identity,
 *     declared signature and effects;
 *   - the code of every callable named by a variety among the arguments (so `Map(f: F, ...)`
 *     is keyed by F's body too, and higher-order calls are keyed correctly);
 *   - the argument values, in the faithful serialisation of serial.ts. For a Ko function these
 *     are the values bound to its parameters (reference 5.1), so arguments it ignores (`after_`)
 *     do not change the key; a host function gets all its fields, since some echo them.
 * A call whose arguments hold a host value has no key: there is nothing to hash it by.
 */
import { createHash } from "node:crypto";
import { KoFunction } from "../compile/circuit.js";
import { reachable, transitiveHash } from "../compile/circuit-hash.js";
import { findArg, signature, type HostFunction } from "../host/binding.js";
import type { Callable, Field } from "../value/value.js";
import { fieldsToData, SerialError, toData, type Data } from "../value/serial.js";

/** The version of the key format: bump it to orphan every entry written before a change. */
const KEY_FORMAT = "ko-key/1";

export function sha256(text: string | Buffer): string {
  return createHash("sha256").update(text).digest("hex");
}

const purity = new WeakMap<KoFunction, boolean>();

/** True if neither the callable nor anything it can call has effects (declared by host functions). */
export function isPureCallable(c: Callable): boolean {
  if (c instanceof KoFunction) {
    let pure = purity.get(c);
    if (pure === undefined) purity.set(c, (pure = reachable(c).host.every((h) => h.effects === "pure")));
    return pure;
  }
  return (c as HostFunction).effects === "pure";
}

/** The hash of a callable's code, as far as this program can know it. */
export function codeHash(c: Callable): string {
  if (c instanceof KoFunction) return transitiveHash(c);
  const h = c as HostFunction;
  return sha256(`host ${h.identity} ${signature(h)} ${h.effects}`);
}

export interface KeyOptions {
  /** Refuse (return no key for) calls whose arguments hold a variety with effects. */
  readonly pure: boolean;
  /** Extra material the key must cover, such as the content hashes of a command's input files. */
  readonly extra?: string;
}

/** The key of calling `callee` with `fields`, or undefined if the call cannot be keyed. */
export function callKey(callee: Callable, fields: readonly Field[], opts: KeyOptions): string | undefined {
  const named = new Map<string, Callable>();
  const check = (c: Callable): boolean => {
    if (opts.pure && !isPureCallable(c)) return false;
    named.set(c.identity, c);
    return true;
  };
  let args: Data;
  try {
    args = callee instanceof KoFunction ? paramsToData(callee, fields, check) : fieldsToData(fields, check);
  } catch (e) {
    if (e instanceof SerialError) return undefined;
    throw e;
  }
  const lines = [KEY_FORMAT, `callee ${callee.identity} ${codeHash(callee)}`];
  for (const id of [...named.keys()].sort()) lines.push(`named ${id} ${codeHash(named.get(id)!)}`);
  if (opts.extra !== undefined) lines.push(`extra ${opts.extra}`);
  lines.push(`args ${JSON.stringify(args)}`);
  return sha256(lines.join("\n"));
}

/** The values a Ko function's parameters are bound to, by the rule of reference 5.1. */
function paramsToData(fn: KoFunction, fields: readonly Field[], check: (c: Callable) => boolean): Data {
  return fn.circuit.params.map((p) => {
    const v = findArg(fields, p.name, p.monadic);
    return v === undefined ? null : toData(v, check);
  });
}
