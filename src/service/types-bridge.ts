/**
 * The one place where the editor features meet static type inference (src/types).
 *
 * Hover shows `typeAt`, completion after `.` lists `fieldsAt`, the REPL's `:type` asks `typeOf`,
 * and the checker's diagnostics (stage "type") are published with the others, errors and
 * warnings as `ko check` reports them.
 *
 * A program that compiles is checked as `ko check` checks it (checked-types.ts): every function
 * of the package, those a run may start from as they would be called, and those nothing calls
 * for arguments of any type (D33); a function's types are the union over its specialisations.
 *
 * A program with lexical, syntax or resolution errors cannot be compiled, and while a file is
 * being typed it rarely can. Then the types are those of the last analysis that compiled
 * (stale-types.ts): the text an edit did not touch maps onto that analysis, and elsewhere a
 * parameter or step is looked up by name in the function of the same name.
 */
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Program } from "../resolve/packages.js";
import { CheckedTypes } from "./checked-types.js";
import { StaleTypes } from "./stale-types.js";

/** A field a value is known to have, for completion after `.`. */
export interface FieldInfo {
  readonly name: string;
  /** The field's type, printed as reference 7.4 prints types. */
  readonly type: string;
  readonly doc?: string;
}

export interface TypeQueries {
  /** The checker's errors and warnings (stage "type"). */
  diagnostics(): readonly Diagnostic[];
  /**
   * The inferred type(s) of the innermost formula at `offset` of `file`, printed (reference 7.4); for
   * a function's name, its signature per specialisation, one a line.
   */
  typeAt(file: string, offset: number): string | undefined;
  /** The type(s) of the formula that spans exactly [start, end) of `file` (the REPL's `:type`). */
  typeOf(file: string, start: number, end: number): string | undefined;
  /**
   * The fields of the value before the `.` at `dotAt`. `qualifier`: the dotted name written just
   * before the dot (`x.a` in `x.a.`), when it is one, for text that no longer compiles.
   */
  fieldsAt(file: string, dotAt: number, qualifier?: readonly string[]): readonly FieldInfo[];
}

/**
 * The type queries for an analysed program. `hasErrors`: the program has lexical, syntax or
 * resolution errors (so it cannot be compiled); then the types of `previous`, the queries of the
 * last analysis of the same package, are kept if it had any.
 */
export function typeQueries(program: Program, hasErrors: boolean, previous?: TypeQueries): TypeQueries | undefined {
  if (!hasErrors) return new CheckedTypes(program);
  const good = previous instanceof CheckedTypes ? previous : previous instanceof StaleTypes ? previous.good : undefined;
  return good && new StaleTypes(good, program);
}
