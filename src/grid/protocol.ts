/**
 * What travels through the grid's queue: a request is a BullMQ job whose data says which call to
 * compute, and whose return value says how it ended. The result itself is not in the return value
 * but in the memo (memo.ts), where every later request of the same call finds it.
 *
 * Job ids. A request made by a running job is a child job of it (BullMQ's parent/child jobs), its
 * id derived from the parent's id and the call's key, so that a parent run again after a crash
 * adds the very same child, which BullMQ then ignores. A job has one parent only, so identical
 * calls from different parents are different jobs; they share one computation through the memo's
 * owner and waiters instead. A request of a client (the top of a tree) has an id of the client's
 * own: the client waits for that job to finish.
 */
import { createHash } from "node:crypto";
import type { KoFunction } from "../compile/circuit.js";
import { printValue } from "../value/print.js";
import { Seq, Struct, type Field, type Value } from "../value/value.js";
import type { Data } from "../value/serial.js";
import type { FailureRecord } from "./failure-records.js";

/** The data of a job: one call of a pure Ko function. */
export interface CallRequest {
  /** The content hash of the program's sources (bundle.ts), which the worker loads. */
  readonly program: string;
  /** The function's identity in the program. */
  readonly fn: string;
  /** The argument fields, in the faithful serialisation of value/serial.ts. */
  readonly args: Data[];
  /** The call's key (instrument/call-keys.ts): the worker computes it again and compares. */
  readonly key: string;
  /** The call as people read it, `pkg.F(x: 1)`, for failure chains and `ko grid status`. */
  readonly call: string;
  /** Identities of the functions whose calls are requests too; all others run where they are called. */
  readonly remote: readonly string[];
  /** Keys of the requests this one is computed for, outermost first. */
  readonly chain: readonly string[];
}

/** How a job ended: its return value. */
export type CallOutcome =
  /** The result is in the memo. */
  | { readonly key: string; readonly done: true }
  /** The call panicked or failed with an error: not memoized. */
  | { readonly key: string; readonly failure: FailureRecord }
  /** The result cannot travel (it holds a host value, say): the caller computes the call itself. */
  | { readonly key: string; readonly local: string };

/** Requests nested deeper than this are refused (a runaway recursion through the grid). */
export const MAX_CHAIN = 1000;

/**
 * Options of every job. A job whose processor throws (the worker lost its program, Redis went
 * away mid-job) is tried again; a Ko failure is not a thrown error but an outcome. A child that
 * still fails makes its parent fail, and so on up to the client, which reports it.
 */
export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: "exponential", delay: 500 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600 },
} as const;

/** The id of a client's request: the key's head, the client's tag, and a number of the client's. */
export function clientJobId(key: string, client: string, n: number): string {
  return `${key.slice(0, 24)}-${client}-${n}`;
}

/** The id of a child request: the same for the same parent and key, whoever adds it. */
export function childJobId(key: string, parent: string): string {
  const tail = createHash("sha256").update(`${parent}\n${key}`).digest("hex").slice(0, 12);
  return `${key.slice(0, 24)}-${tail}`;
}

/** Arguments printed longer than this are cut in call summaries. */
const MAX_SUMMARY = 160;
/** A value of more parts than this is described rather than printed in a summary. */
const MAX_PRINTED_PARTS = 64;

/** `pkg.F(x: 1, y: "a")`, as a failure chain and the status show a call. */
export function callSummary(fn: KoFunction, fields: readonly Field[]): string {
  const args = fields.map((f) => (f.name === "" ? shortValue(f.value) : `${f.name}: ${shortValue(f.value)}`)).join(", ");
  const shown = args.length > MAX_SUMMARY ? `${args.slice(0, MAX_SUMMARY)}…` : args;
  return `${fn.displayName}(${shown})`;
}

/** The value printed, or for a big one (printing a list of a million costs) what it is. */
function shortValue(v: Value): string {
  if (parts(v, MAX_PRINTED_PARTS) <= MAX_PRINTED_PARTS) return printValue(v);
  if (v instanceof Seq) return `<${v.items.length} items>`;
  if (v instanceof Struct) return `<structure of ${v.fields.length} fields>`;
  return "<…>";
}

/** How many values `v` is made of, counted up to a little past `limit`. */
function parts(v: Value, limit: number): number {
  let n = 1;
  const inner = v instanceof Seq ? v.items : v instanceof Struct ? v.fields.map((f) => f.value) : [];
  for (const x of inner) {
    if (n > limit) break;
    n += parts(x, limit - n);
  }
  if (typeof v === "string") n += Math.floor(v.length / 16);
  return n;
}
