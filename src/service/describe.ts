/**
 * How functions are described in completion, hover and signature help: the same signatures and
 * documentation `ko doc` prints. Host functions (core builtins, standard library bindings) carry
 * theirs in the registry; Ko functions have their parameters and the comment above them.
 */
import { signature, type HostFunction } from "../host/binding.js";
import { showHostType } from "../host/host-type.js";
import { CORE_PACKAGE, IDIOM_PACKAGE, type FuncInfo } from "../resolve/packages.js";

export interface ParamDescription {
  readonly name: string;
  /** How the parameter reads in the signature (`name?`, `delimiter: String`). */
  readonly text: string;
  readonly monadic: boolean;
  /** The declared type, for host functions. */
  readonly type?: string;
  readonly doc?: string;
}

export interface FunctionDescription {
  readonly name: string;
  /** The package path ("" for core builtins). */
  readonly pkg: string;
  /** `Join(string?: (String), delimiter: String) String` or `Greeting(name?)`. */
  readonly signature: string;
  readonly params: readonly ParamDescription[];
  readonly doc: string;
  readonly kind: "builtin" | "idiom" | "function";
}

export function describeFunc(info: FuncInfo): FunctionDescription {
  const def = info.def;
  const params = def.params.map((p) => ({ name: p.name.text, text: p.name.text + (p.monadic ? "?" : ""), monadic: p.monadic }));
  return {
    name: def.name.text,
    pkg: info.pkg.path,
    signature: `${def.name.text}(${params.map((p) => p.text).join(", ")})`,
    params,
    doc: def.doc ?? "",
    kind: info.pkg.path === IDIOM_PACKAGE ? "idiom" : "function",
  };
}

export function describeHost(fn: HostFunction): FunctionDescription {
  return {
    name: fn.name,
    pkg: fn.pkg,
    signature: signature(fn),
    params: fn.params.map((p) => ({
      name: p.name,
      text: `${p.name}${p.monadic ? "?" : ""}: ${showHostType(p.type)}${p.optional ? " (optional)" : ""}`,
      monadic: p.monadic === true,
      type: showHostType(p.type) + (p.optional ? " (optional)" : ""),
      ...(p.doc !== undefined ? { doc: p.doc } : {}),
    })),
    doc: fn.doc,
    kind: fn.pkg === CORE_PACKAGE ? "builtin" : "function",
  };
}

/** Where each parameter's text lies in the signature: [start, end) offsets. */
export function paramRanges(d: FunctionDescription): [number, number][] {
  let at = d.signature.indexOf("(") + 1;
  return d.params.map((p) => {
    const start = d.signature.indexOf(p.text, at);
    at = start + p.text.length;
    return [start, at];
  });
}

/** The signature with its package: `strings.Join(...)`; core builtins and idioms by bare name. */
export function qualifiedSignature(d: FunctionDescription): string {
  return d.pkg === CORE_PACKAGE || d.pkg === IDIOM_PACKAGE ? d.signature : `${d.pkg}.${d.signature}`;
}
