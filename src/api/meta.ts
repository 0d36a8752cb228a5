/**
 * Host packages that need the compiler itself (reference 6.5, D29): `ko.Eval` compiles and runs a Ko
 * expression in an isolated package; `repo.Path` and `repo.Roots` name the repository roots the
 * run was given.
 */
import { defineHost, type HostContext, type HostFunction } from "../host/binding.js";
import { serviceKey } from "../host/services.js";
import { T } from "../host/host-type.js";
import { CompileFailure } from "../diag/diagnostic.js";
import { KoError } from "../value/failure.js";
import { listToValue } from "../value/sequence.js";
import { EMPTY, field, Struct, type Value } from "../value/value.js";
import type { KoProgram } from "./program.js";

/** What the packages need of the program that runs them: a service of the run (program.ts offers it). */
export interface CompilerService {
  /** The repository roots the program was compiled with. */
  readonly roots: readonly string[];
  /** Compiles source text as a package of its own, against the program's host functions and roots. */
  compileText(text: string): KoProgram;
}

export const COMPILER = serviceKey<CompilerService>("compiler");

function compilerOf(ctx: HostContext): CompilerService {
  const service = ctx.run.service(COMPILER);
  if (!service) throw new KoError("this run offers no compiler (run it through KoProgram.call)", "runtime/host");
  return service;
}

export function metaPackages(): HostFunction[] {
  const evalFn = defineHost({
    pkg: "ko",
    name: "Eval",
    doc: "Compiles and runs a Ko expression with builtins only; returns (eval, returned) or (eval, error).",
    params: [{ name: "koExpr", type: T.string, monadic: true, doc: 'the expression, e.g. "Sum(1, 2)"' }],
    result: T.struct({ eval: T.string, error: T.string, returned: T.any }),
    effects: "pure",
    async: true,
    impl: ([expr], ctx) => {
      const source = expr as string;
      const report = (message: string) => new Struct([field("eval", source), field("error", message)]);
      let program: KoProgram;
      try {
        program = compilerOf(ctx).compileText(`Eval() {\n\treturn: ${source}\n}\n`);
      } catch (e) {
        if (e instanceof CompileFailure) return report(e.diagnostics.map((d) => d.message).join("; "));
        throw e;
      }
      return program.call(program.func("Eval")!, [], { stdout: ctx.stdout, stderr: ctx.stderr, signal: ctx.signal }).then(
        (returned: Value) => new Struct([field("eval", source), field("returned", returned)]),
        (e: unknown) => {
          if (e instanceof KoError) return report(e.message);
          throw e;
        },
      );
    },
  });
  const path = defineHost({
    pkg: "repo",
    name: "Path",
    doc: "The first repository root (--root, then KOPATH entries as DIR/src), or empty if there is none.",
    params: [],
    result: T.string,
    effects: "io",
    dryRun: "runs",
    impl: (_args, ctx) => compilerOf(ctx).roots[0] ?? EMPTY,
  });
  const rootsFn = defineHost({
    pkg: "repo",
    name: "Roots",
    doc: "Every repository root, in lookup order.",
    params: [],
    result: T.list(T.string),
    effects: "io",
    dryRun: "runs",
    impl: (_args, ctx) => listToValue([...compilerOf(ctx).roots]),
  });
  return [evalFn, path, rootsFn];
}
