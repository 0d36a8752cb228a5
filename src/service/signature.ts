/**
 * Signature help: inside a call's brackets, the called function's signature, with the parameter
 * being written highlighted — the one its label names, or the monadic one for an unnamed value.
 */
import { calledAt, cursorAt } from "./places.js";
import { describeFunc, describeHost, paramRanges, qualifiedSignature } from "./describe.js";
import type { View } from "./workspace.js";

export interface SignatureResult {
  readonly label: string;
  readonly doc: string;
  /** Each parameter's [start, end) in the label. */
  readonly params: readonly (readonly [number, number])[];
  readonly active: number | undefined;
}

export function signatureHelp(view: View, file: string, offset: number): SignatureResult | undefined {
  const ctx = cursorAt(view, file, offset);
  if (ctx.kind !== "formula" || ctx.call === undefined) return undefined;
  const called = calledAt(view.analysis.program, view, file, ctx.call);
  if (called === undefined) return undefined;
  const d = "def" in called ? describeFunc(called) : describeHost(called);
  const label = qualifiedSignature(d);
  const shift = label.length - d.signature.length; // the package prefix
  const params = paramRanges(d).map(([s, e]) => [s + shift, e + shift] as const);
  const call = ctx.call;
  let active: number | undefined;
  if (call.label !== undefined && call.label !== "") active = d.params.findIndex((p) => p.name === call.label);
  else if (call.unlabelled || call.label === "") active = d.params.findIndex((p) => p.monadic);
  return { label, doc: d.doc, params, active: active === undefined || active < 0 ? undefined : active };
}
