/**
 * The builtins for flaky steps, `Retry` and `Timeout` (src/builtins/retry.ts, timeout.ts): each
 * invokes its `invoke` variety now and returns what it returns — further attempts and deadlines
 * change when and whether it returns, never the type of what it returns. Their literal
 * arguments are read here with the evaluator's own rules (value/duration.ts), so that
 * `after: "5 seconds"` or `attempts: 0` is refused before the run, with the run's own message.
 */
import type { HostFunction } from "../../host/binding.js";
import { durationArgument } from "../../value/duration.js";
import type { CallCtx } from "../context.js";
import { checkParams } from "../host.js";
import { NEVER, alternatives, type StaticType } from "../static-type.js";
import type { Rule } from "./support.js";

/** `Retry(invoke, attempts, backoff, maxBackoff)`. */
export const retryRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [invoke, attempts, backoff, maxBackoff] = args as [StaticType, StaticType, StaticType, StaticType];
  const refused = [
    refuses(ctx, fn, "attempts", attempts, (n) => (typeof n === "bigint" && n < 1n ? `must be at least 1, got ${n}` : undefined)),
    refuses(ctx, fn, "backoff", backoff, durationProblem),
    refuses(ctx, fn, "maxBackoff", maxBackoff, durationProblem),
  ];
  return refused.includes(true) ? NEVER : ctx.invoke(invoke, [], true);
};

/** `Timeout(invoke, after)`. */
export const timeoutRule: Rule = (ctx, fn, fields) => {
  const { args, failed } = checkParams(ctx, fn, fields);
  if (failed) return NEVER;
  const [invoke, after] = args as [StaticType, StaticType];
  return refuses(ctx, fn, "after", after, durationProblem) ? NEVER : ctx.invoke(invoke, [], true);
};

type Literal = string | bigint;

/**
 * Checks the literal values an argument may have against `problem`, reporting the first one
 * refused; true when the call certainly fails (every value it may have is refused).
 */
function refuses(ctx: CallCtx, fn: HostFunction, param: string, t: StaticType, problem: (v: Literal) => string | undefined): boolean {
  const values = literals(t);
  const problems = values.map(problem).filter((p) => p !== undefined);
  if (problems.length === 0) return false;
  const certain = problems.length === values.length;
  ctx.fail("type/host-argument", `${fn.displayName}: argument ${param}: ${problems[0]}`, certain);
  return certain;
}

/** What is wrong with a literal duration, in the evaluator's words (durations.ts). */
function durationProblem(v: Literal): string | undefined {
  try {
    durationArgument(v);
    return undefined;
  } catch (e) {
    return (e as RangeError).message;
  }
}

/** The literals the checker knows an argument may be (integers as bigints); none when it does not know them all. */
function literals(t: StaticType): Literal[] {
  if (t.k === "unknown" || t.k === "never") return [];
  const out: Literal[] = [];
  for (const a of alternatives(t)) {
    if (a.k === "empty") continue; // not given: the default, which is fine
    if (a.k !== "basic" || a.literal === undefined) return [];
    if (typeof a.literal === "string") out.push(a.literal);
    else if (typeof a.literal === "number" || typeof a.literal === "bigint") out.push(BigInt(a.literal));
  }
  return out;
}
