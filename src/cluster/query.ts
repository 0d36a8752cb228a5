/**
 * Query parameters, read as kube-apiserver reads them (apimachinery's parameter conversion).
 *
 * Booleans (watch, allowWatchBookmarks, sendInitialEvents, force, orphanDependents, follow...):
 * absent is false; "0" and "false" in any letter case are false; every other value is true —
 * "1", "t", "true", "True" (what the official Python client sends for watch=True), and even an
 * empty value. The real server never rejects a boolean (runtime.Convert_Slice_string_To_bool,
 * and requestinfo.go's verb detection), so neither does this one.
 *
 * Integers (limit, timeoutSeconds, gracePeriodSeconds, tailLines) are decimal, as Go's
 * strconv.ParseInt reads them; anything else is 400 BadRequest with ParseInt's wording, which
 * is what the server's parameter decoding answers.
 */
import { badRequest } from "./errors.js";

export class Query {
  constructor(private readonly params: URLSearchParams) {}

  /** The first value of a parameter, as the server reads a scalar. */
  string(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  all(name: string): string[] {
    return this.params.getAll(name);
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  flag(name: string): boolean {
    const v = this.params.get(name);
    return v !== null && v !== "0" && v.toLowerCase() !== "false";
  }

  /** A flag that is absent is neither true nor false (pointer fields such as orphanDependents). */
  optionalFlag(name: string): boolean | undefined {
    return this.params.has(name) ? this.flag(name) : undefined;
  }

  int(name: string): number | undefined {
    const v = this.params.get(name);
    if (v === null) return undefined;
    if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
    return n;
  }
}
