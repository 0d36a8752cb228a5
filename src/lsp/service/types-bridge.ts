/**
 * The one place where the editor features meet static type inference (src/types, issue 3).
 *
 * Hover shows `typeAt`, completion after `.` lists `fieldsAt`, and the checker's diagnostics
 * (stage "type") are published with the others. Until the checker exists `typeQueries` returns
 * undefined and every feature works without types: hover shows no type, `.` after a step or
 * parameter offers no fields, and no type errors are reported.
 *
 * To wire the checker when src/types lands, replace the body of `typeQueries` with a call into
 * it that adapts its answers to this interface; nothing else in lsp/ or the REPL changes. With
 * the API as it stands in the working tree today (TypeChecker, defaultEntries, TypeQuery), that is:
 *
 *   if (hasErrors) return undefined;   // the checker works on a compiled program
 *   const compiled = compileProgram(program, defaultRegistry().lookup("", "")!);
 *   const fns = compiled.functions.get(program.entry.path) ?? new Map();
 *   const report = new TypeChecker(compiled).check(defaultEntries(fns));
 *   const query = new TypeQuery(report, compiled, program);
 *   return {
 *     diagnostics: () => report.diagnostics,
 *     typeAt: (file, offset) => query.at(file, offset)?.text,
 *     typeOf: (file, start, end) => query.at(file, start)?.text,   // or an exact-span query
 *     fieldsAt: (file, offset) => query.fieldsAfter(file, offset).map((name) => ({ name, type: "" })),
 *   };
 *
 * (While a file has resolution errors there are no types; a later refinement could keep the
 * last good analysis's types for hover.)
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { Program } from "../../resolve/program.js";

/** A field a value is known to have, for completion after `.`. */
export interface FieldInfo {
  readonly name: string;
  /** The field's type, printed as spec 7.4 prints types. */
  readonly type: string;
  readonly doc?: string;
}

export interface TypeQueries {
  /** The checker's errors (stage "type"). */
  diagnostics(): readonly Diagnostic[];
  /** The inferred type(s) of the innermost formula at `offset` of `file`, printed (spec 7.4). */
  typeAt(file: string, offset: number): string | undefined;
  /** The type(s) of the formula that spans exactly [start, end) of `file` (the REPL's `:type`). */
  typeOf(file: string, start: number, end: number): string | undefined;
  /** The fields of the value of the formula that ends at `offset` (just before a `.`). */
  fieldsAt(file: string, offset: number): readonly FieldInfo[];
}

/**
 * The type queries for an analysed program, or undefined while there is no checker.
 * `hasErrors`: the program has lexical, syntax or resolution errors (so it cannot be compiled).
 */
export function typeQueries(program: Program, hasErrors: boolean): TypeQueries | undefined {
  void program;
  void hasErrors;
  return undefined;
}
