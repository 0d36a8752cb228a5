/**
 * Limits that keep the syntax stage (and the stages after it) safe on any input: bounded
 * recursion, bounded error output.
 */

/**
 * Deepest bracket nesting accepted. Real programs stay far below it. The parser recurses about
 * two dozen JavaScript frames per level and overflows Node's default stack at about 330 levels,
 * so the limit keeps a wide margin for the caller's own stack and for later stages, which also
 * recurse once per level (Python has the same limit, 200, for the same reason).
 */
export const MAX_NESTING = 200;

/**
 * Deepest formula nesting accepted, counting brackets and postfix operators alike: later stages
 * walk formulas recursively, so a chain like `f()()()...` must be bounded as brackets are.
 */
export const MAX_FORMULA_DEPTH = 2 * MAX_NESTING;

/** Errors reported for one file; after so many, the rest are mostly consequences. */
export const MAX_DIAGNOSTICS = 100;
