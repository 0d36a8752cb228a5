/**
 * Small helpers shared by the standard library's host functions.
 *
 * The library reports two kinds of trouble, never confused (D15):
 *
 * * a **misuse** — an argument of the wrong type or out of range — is a `KoError`; the argument
 *   types are mostly checked by `defineHost` already, the rest with `misuse` below;
 * * an **operational failure** — a file that cannot be read, a text that is not JSON — is a
 *   `KoPanic` whose value is the structure `(error: "<pkg>.<Func>", message: "<what went wrong>", ...)`
 *   made by `failure`, so that a script can `Recover` from it and inspect `error` and `message`.
 */
import { writeFile } from "node:fs/promises";
import type { DryRunBehaviour } from "../host/dry-run.js";
import { KoCancelled, KoError, KoPanic } from "../value/failure.js";
import { EMPTY, type Field, type Value, field, IntVal, lift, Struct } from "../value/value.js";
import { findArg } from "../host/binding.js";

/** A run-time error for an argument `defineHost` could not check by its type alone. */
export function misuse(fn: string, message: string): KoError {
  return new KoError(`${fn}: ${message}`, "runtime/host-argument");
}

/**
 * A recoverable panic for an operational failure of host function `fn` (its display name, such
 * as `os.Mkdir`). `extra` fields (a path, an error code) follow `error` and `message`.
 */
export function failure(fn: string, message: string, extra: Record<string, Value> = {}): KoPanic {
  const fields = [field("error", fn), field("message", message)];
  for (const [name, value] of Object.entries(extra)) fields.push(field(name, value));
  return new KoPanic(new Struct(fields));
}

/**
 * A file system failure of host function `fn` on `path` as a recoverable panic:
 * `(error: fn, message, code: "ENOENT", path)`, the code when Node gives one.
 */
export function fileFailure(fn: string, path: string, e: unknown): KoPanic {
  const code = (e as NodeJS.ErrnoException).code;
  return failure(fn, messageOf(e), code === undefined ? { path } : { code, path });
}

/** The failure that ends a host function whose run was cancelled through `signal`. */
export function cancellation(signal: AbortSignal): KoCancelled {
  const reason: unknown = signal.reason;
  if (reason instanceof KoCancelled) return reason;
  if (typeof reason === "string") return new KoCancelled(reason);
  return new KoCancelled(reason instanceof Error && reason.name !== "AbortError" ? reason.message : "cancelled");
}

/** The message of a caught JavaScript exception, without a stack trace. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The elements of a list parameter (declared `T.list(T.string)`, so already type-checked). */
export function stringsOf(v: Value): string[] {
  return lift(v) as string[];
}

/** A string parameter declared optional: its value, or `fallback` when it was not given. */
export function stringOr(v: Value, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}

/** An Int64 (a number when safe, else a bigint) as a bigint. */
export function bigOf(v: Value): bigint {
  if (typeof v === "number") return BigInt(v);
  if (typeof v === "bigint") return v;
  if (v instanceof IntVal) return v.v;
  throw new TypeError("not an integer");
}

/** Wraps a bigint to 64 signed bits, as Go's int64 arithmetic does (D21). */
export function wrap64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** The UTF-8 length of a string argument (0 for anything else), for what a write would write. */
export function byteLength(v: Value | undefined): number {
  return typeof v === "string" ? Buffer.byteLength(v) : 0;
}

/** A string argument as a dry run names it: the string, or "?" when it is not one. */
export function textArg(fields: readonly Field[], name: string): string {
  const v = findArg(fields, name, false);
  return typeof v === "string" ? v : "?";
}

/** The `path` argument of a file function, for what a dry run says it would have done. */
export function pathArg(fields: readonly Field[]): string {
  const p = findArg(fields, "path", true);
  return typeof p === "string" ? p : "(no path)";
}

/** What writing a text file would do, for a dry run: the WriteFile of `os` and of `build`. */
export const writeFileDryRun: DryRunBehaviour = {
  would: (fields) => `write ${byteLength(findArg(fields, "content", false))} bytes to ${pathArg(fields)}`,
  result: (fields) => findArg(fields, "path", true) ?? EMPTY,
};

/**
 * Writes `content` to the file at `path` as UTF-8, replacing it, for host function `fn` (the
 * WriteFile of `os` and of `build`): a cancelled write ends the run, a failed one panics.
 */
export async function writeTextFile(fn: string, path: string, content: string, signal: AbortSignal): Promise<void> {
  try {
    await writeFile(path, content, { encoding: "utf8", signal });
  } catch (e) {
    if (signal.aborted) throw cancellation(signal);
    throw fileFailure(fn, path, e);
  }
}
