/**
 * From the specialisations an entry reaches to diagnostics (D18): each failure located at its
 * step, with the Ko call chain that leads there from the entry (innermost first, as the
 * evaluator would print it) and the specialisation chain as notes (`in conf.Fib(n: Int64)
 * called at fib.ko:3:12`).
 *
 * A failure is an error when it is certain (see context.ts) in a specialisation that the entry
 * certainly calls, through certain calls only; otherwise it is a warning: the evaluator's own
 * check stays in force at that place.
 */
import { ownerOf } from "../compile/circuit.js";
import type { CallFrame, Diagnostic, Related } from "../diag/diagnostic.js";
import { displayPath } from "../diag/render.js";
import type { Span } from "../diag/span.js";
import { UNDECLARED_ARGUMENT, type CallEdge, type Problem, type Spec } from "./engine.js";

export { UNDECLARED_ARGUMENT };
import { showSignature } from "./show.js";

/** How a specialisation was reached from an entry. */
export interface Reach {
  readonly spec: Spec;
  /** By certain calls only. */
  readonly certain: boolean;
  /** The caller and the call, or undefined for an entry. */
  readonly via?: { readonly from: Reach; readonly edge: CallEdge };
}

/**
 * Every specialisation reachable from the entries, those reached certainly first, each with
 * the shortest way there.
 */
export function reachable(entries: readonly Spec[]): Map<Spec, Reach> {
  const reached = new Map<Spec, Reach>();
  const walk = (start: Reach[], follow: (e: CallEdge) => boolean, certain: boolean) => {
    const queue = [...start];
    for (let i = 0; i < queue.length; i++) {
      const r = queue[i]!;
      for (const edge of r.spec.calls) {
        if (!follow(edge) || reached.has(edge.callee)) continue;
        const next: Reach = { spec: edge.callee, certain, via: { from: r, edge } };
        reached.set(edge.callee, next);
        queue.push(next);
      }
    }
  };
  const roots: Reach[] = [];
  for (const spec of entries) {
    if (reached.has(spec)) continue;
    const r: Reach = { spec, certain: true };
    reached.set(spec, r);
    roots.push(r);
  }
  walk(roots, (e) => e.certain, true);
  walk([...reached.values()], () => true, false);
  return reached;
}

/** Longest call chain shown; longer ones keep their innermost and outermost frames. */
const MAX_FRAMES = 24;

/**
 * The diagnostics of every failure found in the reachable specialisations, errors first, each
 * once. A warning is left out where an error says the same of the same function (the failure of
 * a spun call, say, is possible where it is spun and certain where it is waited for).
 */
export function diagnose(reached: ReadonlyMap<Spec, Reach>): Diagnostic[] {
  const found = new Map<string, { reach: Reach; problem: Problem; error: boolean }>();
  for (const reach of reached.values()) {
    for (const problem of reach.spec.problems) {
      const error = reach.certain && problem.certain && problem.lint === undefined;
      const span = problemSpan(reach.spec, problem);
      const key = `${span.file}\u0000${span.start.offset}\u0000${problem.message}`;
      const known = found.get(key);
      if (known && (known.error || !error)) continue;
      found.set(key, { reach, problem, error });
    }
  }
  const failures = [...found.values()];
  const certain = new Set(failures.filter((f) => f.error).map((f) => `${f.reach.spec.fn.identity}\u0000${f.problem.message}`));
  const errorSpans = new Set(failures.filter((f) => f.error).map((f) => spanKey(problemSpan(f.reach.spec, f.problem))));
  const shown = failures.filter(
    (f) =>
      f.error ||
      f.problem.lint !== undefined ||
      !(
        certain.has(`${f.reach.spec.fn.identity}\u0000${f.problem.message}`) ||
        errorSpans.has(spanKey(problemSpan(f.reach.spec, f.problem)))
      ),
  );
  return shown.sort((a, b) => Number(b.error) - Number(a.error)).map((f) => diagnostic(f.reach, f.problem, f.error));
}

function spanKey(span: Span): string {
  return `${span.file}\u0000${span.start.offset}`;
}

function diagnostic(reach: Reach, p: Problem, error: boolean): Diagnostic {
  if (p.lint !== undefined) {
    return {
      severity: "warning",
      stage: "type",
      code: p.code,
      message: p.message,
      span: p.lint.span,
      ...(p.lint.suggestion !== undefined ? { suggestion: p.lint.suggestion } : {}),
    };
  }
  return {
    severity: error ? "error" : "warning",
    stage: "type",
    code: p.code,
    message: error ? p.message : `may fail: ${p.message}`,
    span: stepSpan(reach.spec, p.step),
    frames: trim(frames(reach, p.step)),
    related: p.at ? [{ span: p.at, message: "the field is written here", excerpt: true }, ...chain(reach)] : chain(reach),
    ...(p.fix ? { fix: p.fix } : {}),
  };
}

/** Where a problem is reported: at its step, or for a warning about a name, at the name. */
function problemSpan(spec: Spec, p: Problem): Span {
  return p.lint?.span ?? stepSpan(spec, p.step);
}

function stepSpan(spec: Spec, step: number): Span {
  return spec.fn.circuit.spans.step(step);
}

/** The Ko call chain from the failing step out to the entry, innermost first (D18). */
function frames(reach: Reach, step: number): CallFrame[] {
  const out: CallFrame[] = [];
  for (let r: Reach | undefined = reach, s = step; r; s = r.via?.edge.step ?? -1, r = r.via?.from) {
    const circuit = r.spec.fn.circuit;
    out.push({ func: r.spec.fn.displayName, step: ownerOf(circuit, s), span: circuit.spans.step(s) });
    if (!r.via) break;
  }
  return out;
}

/**
 * The specialisations that lead to the failure, innermost first. An entry without parameters
 * adds nothing to its frame, so it has no note.
 */
function chain(reach: Reach): Related[] {
  const out: Related[] = [];
  for (let r: Reach | undefined = reach; r && out.length < MAX_FRAMES; r = r.via?.from) {
    if (!r.via && r.spec.fn.circuit.params.length === 0) break;
    const signature = showSignature(r.spec.fn.displayName, r.spec.fn.circuit.params, r.spec.args);
    const site = r.via ? stepSpan(r.via.from.spec, r.via.edge.step) : undefined;
    const where = site
      ? ` called at ${displayPath(site.file)}:${site.start.line}:${site.start.col}`
      : r.spec.args.every((a) => a.k === "unknown")
        ? " (nothing calls it: checked for arguments of any type)"
        : " (the entry)";
    out.push({ span: r.spec.fn.span, message: `in ${signature}${where}` });
  }
  return out;
}

function trim(fs: CallFrame[]): CallFrame[] {
  if (fs.length <= MAX_FRAMES) return fs;
  const head = fs.slice(0, MAX_FRAMES - 4);
  const tail = fs.slice(fs.length - 4);
  const gap: CallFrame = { func: `... ${fs.length - head.length - tail.length} more frames`, step: "...", span: tail[0]!.span };
  return [...head, gap, ...tail];
}
