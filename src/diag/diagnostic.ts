import { plainSpan, type Span } from "./span.js";

export type Severity = "error" | "warning" | "note";

/** Which stage found the problem; decides the exit status (D19) and lets tools filter. */
export type DiagnosticStage = "lex" | "syntax" | "resolve" | "type" | "runtime";

/** A secondary location that explains a diagnostic ("first defined here"). */
export interface Related {
  readonly span: Span;
  readonly message: string;
  /** Show the source line there too, as for the diagnostic's own place. */
  readonly excerpt?: boolean;
}

/** One Ko call-chain frame of a run-time failure, innermost first (D18). */
export interface CallFrame {
  readonly func: string;
  readonly step: string;
  readonly span: Span;
  /** Set on a placeholder standing for this many frames left out of a very long chain. */
  readonly elided?: number;
  /** A host function's frame (`func` is its name, `step` empty, `span` its caller's): printed `at app.Lookup (host function)`. */
  readonly host?: boolean;
  /**
   * Set on a placeholder marking a hop of a grid call (src/grid/): the frames before it ran in
   * that job, on that worker, which computed that call for the frames after it.
   */
  readonly hop?: RemoteHop;
}

/** One remote call of a chain: what was called, and which job of which worker computed it. */
export interface RemoteHop {
  /** The call, `pkg.F(x: 1, y: "a")`, its arguments shortened. */
  readonly call: string;
  readonly job: string;
  readonly worker: string;
}

/** An edit that would fix the problem (a misspelled name), for editors' quick fixes. */
export interface Fix {
  /** The text to replace, and what it must still read for the fix to apply. */
  readonly span: Span;
  readonly oldText: string;
  readonly newText: string;
}

export interface Diagnostic {
  readonly severity: Severity;
  readonly stage: DiagnosticStage;
  /** A stable short code, e.g. "syntax/unexpected-token", "resolve/unknown-name". */
  readonly code: string;
  readonly message: string;
  readonly span: Span;
  readonly related?: readonly Related[];
  /** A replacement the user probably meant (for "did you mean" quick fixes). */
  readonly suggestion?: string;
  /** For run-time failures: the Ko call chain, innermost first. */
  readonly frames?: readonly CallFrame[];
  /** An edit elsewhere than `span` that fixes it (a manifest's misspelled field). */
  readonly fix?: Fix;
}

export function error(
  stage: DiagnosticStage,
  code: string,
  message: string,
  span: Span,
  extra: Partial<Pick<Diagnostic, "related" | "suggestion" | "frames">> = {},
): Diagnostic {
  return { severity: "error", stage, code, message, span, ...extra };
}

/**
 * A diagnostic whose spans are plain data, for another thread: a structured clone keeps an
 * object's own fields only, and a parsed node's span finds its line and column through methods.
 */
export function plainDiagnostic(d: Diagnostic): Diagnostic {
  return {
    ...d,
    span: plainSpan(d.span),
    ...(d.related ? { related: d.related.map((r) => ({ ...r, span: plainSpan(r.span) })) } : {}),
    ...(d.frames ? { frames: d.frames.map((f) => ({ ...f, span: plainSpan(f.span) })) } : {}),
    ...(d.fix ? { fix: { ...d.fix, span: plainSpan(d.fix.span) } } : {}),
  };
}

/** Thrown by a front-end stage that cannot go on; carries every diagnostic found so far. */
export class CompileFailure extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join("\n"));
    this.name = "CompileFailure";
  }
}
