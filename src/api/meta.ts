/**
 * Host packages that need the compiler itself (spec 6.5, D29): `ko.Eval` compiles and runs a Ko
 * expression in an isolated package; `repo.Path` and `repo.Roots` name the repository roots the
 * run was given.
 */
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/types.js";
import { CompileFailure } from "../diag/diagnostic.js";
import { KoError } from "../runtime/failure.js";
import { listToValue } from "../runtime/sequence.js";
import { EMPTY, field, Struct, type Value } from "../runtime/value.js";
import type { KoProgram } from "./program.js";

/** Compiles source text as its own package; supplied by program.ts to avoid an import cycle. */
export type SourceCompiler = (text: string) => KoProgram;

export function metaPackages(compileText: SourceCompiler, roots: () => readonly string[]): HostFunction[] {
  const evalFn = defineHost({
    pkg: "ko",
    name: "Eval",
    doc: "Compiles and runs a Ko expression with builtins only; returns (eval, returned) or (eval, error).",
    params: [{ name: "koExpr", type: T.string, monadic: true, doc: "the expression, e.g. \"Sum(1, 2)\"" }],
    result: T.struct({ eval: T.string, error: T.string, returned: T.any }),
    effects: "pure",
    async: true,
    impl: ([expr], ctx) => {
      const source = expr as string;
      const report = (message: string) => new Struct([field("eval", source), field("error", message)]);
      let program: KoProgram;
      try {
        program = compileText(`Eval() {\n\treturn: ${source}\n}\n`);
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
    impl: () => roots()[0] ?? EMPTY,
  });
  const rootsFn = defineHost({
    pkg: "repo",
    name: "Roots",
    doc: "Every repository root, in lookup order.",
    params: [],
    result: T.list(T.string),
    effects: "io",
    impl: () => listToValue([...roots()]),
  });
  return [evalFn, path, rootsFn];
}
