/**
 * Command-line arguments for Ko functions (D22, D25): `--arg name=VALUE` passes a named argument,
 * `--arg VALUE` the unnamed one. VALUE is read as a Ko literal (integer, float, quoted string,
 * `true`/`false`) when it is one, otherwise taken as a plain string.
 */
import { parseFile } from "../syntax/index.js";
import { FloatVal, int64, type Field, type Value } from "../value/value.js";

const NAME = /^[\p{L}_][\p{L}\p{Nd}_]*$/u;

/** Reads VALUE as a Ko literal if it is exactly one; otherwise returns it as a string. */
export function literalOrString(text: string): Value {
  const { ast, diagnostics } = parseFile("<arg>", `F() {\nreturn: ${text}\n}`);
  const steps = ast.funcs[0]?.steps;
  if (diagnostics.length > 0 || ast.funcs.length !== 1 || steps?.length !== 1) return text;
  const f = steps[0]!.formula;
  switch (f.kind) {
    case "int":
      return int64(f.value);
    case "float":
      return new FloatVal("Float64", f.value);
    case "string":
      return f.value;
    case "ref":
      if (f.path.length === 1 && (f.path[0]!.text === "true" || f.path[0]!.text === "false")) return f.path[0]!.text === "true";
      return text;
    default:
      return text;
  }
}

/** One `--arg` occurrence as an argument field. */
export function argField(spec: string): Field {
  const eq = spec.indexOf("=");
  if (eq > 0 && NAME.test(spec.slice(0, eq))) {
    const name = spec.slice(0, eq);
    return { name, value: literalOrString(spec.slice(eq + 1)), monadic: false };
  }
  return { name: "", value: literalOrString(spec), monadic: true };
}

/** `ko play` keeps the original's form (reference 8.2): `name=value` is a named string, a bare word the unnamed one. */
export function playField(spec: string): Field {
  const eq = spec.indexOf("=");
  if (eq >= 0) return { name: spec.slice(0, eq), value: spec.slice(eq + 1), monadic: false };
  return { name: "", value: spec, monadic: true };
}
