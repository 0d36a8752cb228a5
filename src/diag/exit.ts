/** Exit statuses of every `ko` command (D19). */
export const EXIT = {
  ok: 0,
  /** A run-time error, an unrecovered panic, or (for `ko test`) a failing test. */
  runtime: 1,
  /** Bad flags, a missing file or function. */
  usage: 2,
  /** A lexical, syntax, resolution or type error. */
  compile: 3,
  /** A run interrupted by Ctrl-C (SIGINT): 128 + 2, as shells report a command SIGINT ended. */
  interrupted: 130,
} as const;

/** A mistake in how `ko` was called; reported without a stack trace, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
