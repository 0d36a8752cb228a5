/**
 * Soundness of the type checker, tested on random programs (test/types/generate.ts), both ways:
 *
 * 1. a program the checker accepts with no diagnostic at all, and whose types it knows
 *    exactly (nothing Unknown, no limit reached), runs without a run-time error — panics,
 *    non-termination, runaway recursion and division by zero (values, not types) aside;
 * 2. a program the checker rejects does not run to completion: the checker rejects only
 *    what will fail.
 *
 * Programs run through the API with the check switched off, a short timeout and a small
 * --max-depth.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { compileSource, KoCompileError, KoError, type KoProgram, type TypeReport } from "../../src/api/index.js";
import type { StaticType } from "../../src/types/index.js";
import { programs } from "./generate.js";

type Outcome = { readonly kind: "ok" } | { readonly kind: "panic" | "timeout" } | { readonly kind: "error"; readonly error: KoError };

/** Failures that say nothing about types: the checker does not know values. */
const VALUE_ERRORS = new Set(["runtime/max-depth", "runtime/division-by-zero"]);

async function runUnchecked(program: KoProgram): Promise<Outcome> {
  try {
    await program.call(program.func("Main")!, [], {
      check: false,
      stdout: () => {},
      stderr: () => {},
      maxDepth: 2000,
      signal: AbortSignal.timeout(500),
    });
    return { kind: "ok" };
  } catch (e) {
    if (e instanceof KoError) return { kind: "error", error: e };
    if (e instanceof Error && e.name === "KoPanic") return { kind: "panic" };
    if (e instanceof Error && e.name === "KoCancelled") return { kind: "timeout" };
    throw e;
  }
}

function containsUnknown(t: StaticType): boolean {
  switch (t.k) {
    case "unknown":
      return true;
    case "sequence":
      return containsUnknown(t.elem);
    case "structure":
    case "variety":
      return t.fields.some((f) => containsUnknown(f.type)) || (t.k === "variety" && t.callee.k === "unknown");
    case "union":
      return t.members.some(containsUnknown);
    default:
      return false;
  }
}

/** The checker knows every type exactly: nothing it reaches is Unknown and no limit was hit. */
function exact(report: TypeReport): boolean {
  if (!report.complete) return false;
  for (const spec of report.reached.keys()) if (spec.steps.some(containsUnknown) || spec.args.some(containsUnknown)) return false;
  return true;
}

function compiled(source: string): KoProgram | undefined {
  try {
    return compileSource(source, { pkgPath: "gen" });
  } catch (e) {
    if (e instanceof KoCompileError) return undefined; // the generator's slip (a cycle, say): not a case
    throw e;
  }
}

function describeOutcome(o: Outcome): string {
  return o.kind === "error" ? `run-time error ${o.error.code}: ${o.error.message}` : o.kind;
}

describe("the type checker is sound on random programs", () => {
  const tally = { programs: 0, clean: 0, rejected: 0 };

  test("accepted programs have no run-time type errors; rejected ones never complete", { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(programs, async (source) => {
        const program = compiled(source);
        if (!program) return;
        tally.programs++;
        const report = program.check(program.func("Main")!);
        const outcome = await runUnchecked(program);
        const diagnostics = report.diagnostics
          .map((d) => `${d.span.start.line}:${d.span.start.col} ${d.severity}: ${d.message}`)
          .join("\n");
        if (report.diagnostics.length === 0 && exact(report)) {
          tally.clean++;
          const typeError = outcome.kind === "error" && !VALUE_ERRORS.has(outcome.error.code);
          expect(typeError, `accepted, but: ${describeOutcome(outcome)}\n${source}`).toBe(false);
        }
        if (report.errors.length > 0) {
          tally.rejected++;
          expect(outcome.kind, `rejected, but it runs to completion:\n${diagnostics}\n${source}`).not.toBe("ok");
        }
      }),
      { numRuns: Number(process.env.KO_SOUNDNESS_RUNS ?? 400) },
    );
    // The generator must produce both kinds in numbers, or the property says little.
    expect(tally.clean).toBeGreaterThan(tally.programs / 10);
    expect(tally.rejected).toBeGreaterThan(tally.programs / 10);
  });
});
