/** Failures as one line of text, for event logs, journals, traces and the live view. */
import { KoCancelled, KoPanic } from "./failure.js";
import { renderDoc, valueDoc } from "./print.js";

export function describeFailure(e: unknown): string {
  if (e instanceof KoPanic) return `panic: ${renderDoc(valueDoc(e.value), "", Number.MAX_SAFE_INTEGER)}`;
  // A step cancelled because another failed (D6) or the run was interrupted: its reason is the other's.
  if (e instanceof KoCancelled) return "cancelled";
  if (e instanceof Error) return e.message.replace(/\s*\n\s*/g, " ");
  return String(e);
}

export function isCancellation(e: unknown): boolean {
  return e instanceof KoCancelled;
}
