/**
 * Cacheable host functions with effects: the make-style ones (`build.Exec`, `build.ReadFile`,
 * `build.WriteFile`). Their results depend on files, not only on their arguments, so a host
 * function of this kind says, for each call, what else its key must cover (the content of the
 * files it reads) and which files it produces (stored in the cache, put back on a hit).
 *
 * This module only holds the declarations; it is imported by the standard library, so it stays
 * small and loads nothing else.
 */
import type { HostContext, HostFunction } from "./binding.js";
import type { Input } from "./inputs.js";
import type { Field } from "../value/value.js";

/** A file a call produces. */
export interface OutputFile {
  /** The path as the call names it (relative to its working directory, as a rule). */
  readonly declared: string;
  /** Where it is on this machine. */
  readonly absolute: string;
}

/** What caching one call takes, beyond its arguments. */
export interface FileCall {
  /** Key material: the content hashes of the files the call reads, and whatever else it depends on. */
  readonly material: string;
  /** The files it produces. */
  readonly outputs: readonly OutputFile[];
  /**
   * What the call reads, as the material fingerprints it: a call answered from the cache did
   * not read it, yet its result stands for what it read then, so the run is told of it all the
   * same (inputs.ts).
   */
  readonly reads: readonly Input[];
}

export interface CachePolicy {
  /** How this call can be cached, or undefined if it cannot (it declared nothing, a file is missing...). */
  describe(fields: readonly Field[], ctx: HostContext): Promise<FileCall | undefined>;
}

const policies = new WeakMap<HostFunction, CachePolicy>();

/** Declares `fn` cacheable by `policy`; returns `fn`. */
export function declareCacheable(fn: HostFunction, policy: CachePolicy): HostFunction {
  policies.set(fn, policy);
  return fn;
}

export function cachePolicyOf(fn: HostFunction): CachePolicy | undefined {
  return policies.get(fn);
}
