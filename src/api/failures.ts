/**
 * Turning failures into the messages users read (D18): located, with a source excerpt and the
 * Ko call chain; never a JavaScript stack trace unless KO_DEBUG=1.
 */
import { CompileFailure, type CallFrame, type Diagnostic } from "../diag/diagnostic.js";
import { displayPath, renderDiagnostic, type SourceLookup } from "../diag/render.js";
import { KoCancelled, KoError, KoFailure, KoPanic } from "../value/failure.js";
import { printValue } from "../value/print.js";
import * as path from "node:path";
import { stdlibDir } from "./program.js";

/** Call chains longer than this show their innermost and outermost frames only. */
const MAX_FRAMES = 24;

function trimFrames(frames: readonly CallFrame[]): CallFrame[] {
  if (frames.length <= MAX_FRAMES || frames.some((f) => f.elided !== undefined)) return [...frames];
  const head = frames.slice(0, MAX_FRAMES - 4);
  const tail = frames.slice(frames.length - 4);
  const gap: CallFrame = { func: "", step: "", span: tail[0]!.span, elided: frames.length - head.length - tail.length };
  return [...head, gap, ...tail];
}

/** The diagnostic form of a run-time failure. */
export function failureDiagnostic(e: KoFailure): Diagnostic | undefined {
  // A failure of a run's entry call made on the grid has a remote site and no local one.
  const site = e.site ?? e.remote;
  if (!site) return undefined;
  const message = e instanceof KoPanic ? `unrecovered panic: ${printValue(e.value)}` : e.message;
  const code = e instanceof KoError ? e.code : "runtime/panic";
  // A panic re-raised by Wait is located at the Wait() call, followed by the spun call's frames (D27).
  const spun = e.cause instanceof KoFailure && e.cause.site ? e.cause.site.frames : [];
  // One that began on a grid worker is located where it began, its hops before the local frames.
  const frames = [...(e.remote?.frames ?? []), ...(e.site?.frames ?? []), ...spun];
  const span = e.remote?.span ?? site.span;
  return headedAtUserLine({ severity: "error", stage: "runtime", code, message, span, frames: trimFrames(frames) });
}

/**
 * A failure inside the standard library's Ko (a `Branch`'s `Invoke`, say) is the user's call's
 * failure: it is headed at the innermost frame in the user's own files, with a note where in the
 * library it failed, and the library's frames stay in the chain before the user's.
 */
export function headedAtUserLine(d: Diagnostic): Diagnostic {
  if (!inLibrary(d.span.file)) return d;
  const user = d.frames?.find((f) => f.elided === undefined && f.hop === undefined && !f.host && !inLibrary(f.span.file));
  if (user === undefined) return d;
  const inner = d.frames![0]!;
  const note = { span: d.span, message: `where it fails, in the standard library: ${inner.func}:${inner.step}` };
  return { ...d, span: user.span, related: [note, ...(d.related ?? [])] };
}

function inLibrary(file: string): boolean {
  const rel = path.relative(stdlibDir(), file);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

export function renderFailure(e: unknown, sources: SourceLookup): string {
  if (e instanceof CompileFailure) return e.diagnostics.map((d) => renderDiagnostic(headedAtUserLine(d), sources)).join("");
  if (e instanceof KoCancelled) {
    let out = `cancelled: ${e.reason}\n`;
    if (e.inFlight.length > 0) {
      out += "steps in flight:\n";
      for (const f of e.inFlight) out += `  ${f.func}:${f.step} (${displayPath(f.span.file)}:${f.span.start.line}:${f.span.start.col})\n`;
    }
    return out;
  }
  if (e instanceof KoFailure) {
    const d = failureDiagnostic(e);
    if (d) return renderDiagnostic(d, sources) + debugStack(e);
    const head = e instanceof KoPanic ? `unrecovered panic: ${printValue(e.value)}` : `error: ${e.message}`;
    return `${head}\n${debugStack(e)}`;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return `internal error: ${err.message}\n${debugStack(err)}`;
}

function debugStack(e: Error): string {
  if (process.env.KO_DEBUG !== "1") return "";
  const cause = e.cause instanceof Error ? `\ncaused by: ${e.cause.stack}` : "";
  return `${e.stack ?? ""}${cause}\n`;
}
