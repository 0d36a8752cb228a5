/**
 * `ko test [PKG|DIR|FILE ...]` (reference 8.4, D23): in each package, every parameterless function
 * whose name starts with `Test` runs, in name order. A panic fails the test; a run-time error
 * aborts the whole run (errors are bugs, not test failures); a test that would certainly fail, by
 * an unresolved reference or a type error, is refused and the others run (D33). Output is the
 * original's lines in canonical printing, ending with a plain `N passed, M failed`.
 */
import * as path from "node:path";
import type { KoProgram } from "../api/program.js";
import { renderFailure } from "../api/failures.js";
import type { EntrySource } from "../resolve/load.js";
import { KoPanic, KoFailure } from "../value/failure.js";
import { printValue } from "../value/print.js";
import { struct } from "../value/value.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { EXIT } from "../diag/exit.js";
import type { Session } from "../api/session.js";
import { cliSession, compileOrReport, printRefusal, refusalOf, warnDeferred } from "./run.js";
import { fileDirOrPackage, packageNotFound } from "./targets.js";
import type { CliIO } from "./io.js";

/** A package to test: its compiled program and its tests, or a line saying why there are none. */
type Suite = { readonly compiled: KoProgram; readonly pkg: string; readonly tests: readonly string[] } | { readonly note: string };

function suiteOf(target: string, compiled: KoProgram, entry: EntrySource): Suite {
  const pkg = compiled.packagePath;
  const found = compiled.entryPackage;
  // A package that no root and no standard package has is a usage error (D19), not an empty suite.
  if (entry.kind === "package" && found.files.length === 0 && found.host.size === 0) {
    throw packageNotFound(target, compiled.roots);
  }
  const tests = compiled
    .functionNames()
    .filter((n) => n.startsWith("Test") && compiled.func(n)!.circuit.params.length === 0)
    .sort();
  if (tests.length === 0) return { note: `No tests found in package ${pkg || path.basename(target)}` };
  return { compiled, pkg, tests };
}

export interface TestFlags {
  readonly root: string[];
  readonly maxDepth?: number;
}

export async function testCommand(targets: string[], flags: TestFlags, io: CliIO): Promise<number> {
  const session = cliSession(flags.root, {
    stdout: io.stdout,
    stderr: io.stderr,
    ...(flags.maxDepth !== undefined ? { maxDepth: flags.maxDepth } : {}),
  });
  try {
    return await testIn(session, targets, io);
  } finally {
    await session.close();
  }
}

/**
 * The tests of a suite that may not run (D33): those that certainly execute an unresolved
 * reference or that the checker proves would fail. Their problems, and as warnings the other
 * unresolved references, are printed; the other tests run.
 */
function refusedTests(compiled: KoProgram, tests: readonly string[], stderr: (text: string) => void): Set<string> {
  const calls = tests.map((name) => ({ name, fn: compiled.func(name)!, fields: [] }));
  warnDeferred(compiled, calls, stderr);
  const refused = new Set<string>();
  const problems: Diagnostic[] = [];
  for (const call of calls) {
    const refusal = refusalOf(compiled, call);
    if (refusal.length === 0) continue;
    refused.add(call.name);
    problems.push(...refusal);
  }
  if (problems.length > 0) printRefusal(compiled, problems, stderr);
  return refused;
}

/** Counts as the original prints them, and the refused tests, where there are any. */
function counts(passed: number, failed: number, refused: number): Record<string, number> {
  return refused > 0 ? { passed, failed, refused } : { passed, failed };
}

async function testIn(session: Session, targets: string[], io: CliIO): Promise<number> {
  const line = (text: string) => io.stdout(text + "\n");
  // Every package is compiled and every test checked before any test runs.
  const suites: Suite[] = [];
  for (const target of targets.length > 0 ? targets : ["."]) {
    const entry = fileDirOrPackage(target);
    const compiled = compileOrReport(session, entry, io.stderr, { deferUnresolved: true });
    if (typeof compiled === "number") return compiled;
    suites.push(suiteOf(target, compiled, entry));
  }
  const refusals = suites.map((s) => ("compiled" in s ? refusedTests(s.compiled, s.tests, io.stderr) : new Set<string>()));
  let passed = 0;
  let failed = 0;
  let refused = 0;
  for (const [i, suite] of suites.entries()) {
    if (!("compiled" in suite)) {
      line(suite.note);
      continue;
    }
    const { compiled, pkg, tests } = suite;
    line(printValue(struct({ package: pkg })));
    let pkgPassed = 0;
    let pkgFailed = 0;
    let pkgRefused = 0;
    for (const name of tests) {
      if (refusals[i]!.has(name)) {
        line(printValue(struct({ refused: name })));
        pkgRefused++;
        continue;
      }
      try {
        await session.call(compiled, compiled.func(name)!, [], { check: false });
        line(printValue(struct({ pass: name })));
        pkgPassed++;
      } catch (e) {
        if (e instanceof KoPanic) {
          line(printValue(struct({ fail: name, error: e.value })));
          pkgFailed++;
          continue;
        }
        if (e instanceof KoFailure) {
          io.stderr(renderFailure(e, compiled.sources));
          return EXIT.runtime;
        }
        throw e;
      }
    }
    line(printValue(struct({ package: pkg, ...counts(pkgPassed, pkgFailed, pkgRefused) })));
    passed += pkgPassed;
    failed += pkgFailed;
    refused += pkgRefused;
  }
  line(printValue(struct({ results: struct(counts(passed, failed, refused)) })));
  line(`${passed} passed, ${failed} failed${refused > 0 ? `, ${refused} refused` : ""}`);
  // A refused test is a program refused before running (D19): the strongest status.
  return refused > 0 ? EXIT.compile : failed > 0 ? EXIT.runtime : EXIT.ok;
}
