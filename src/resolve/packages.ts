/**
 * The resolved program: packages, their files and functions, and what every reference means.
 * Built by `load.ts` and `resolve.ts`; read by the compiler, `ko doc`, and the language server.
 */
import type { FileAst, FuncDef, ImportDecl, Ref } from "../syntax/ast.js";
import type { HostFunction } from "../host/binding.js";

export interface SourceFile {
  /** Absolute path (or a pseudo path such as `<eval>`). */
  readonly path: string;
  readonly text: string;
  readonly ast: FileAst;
  /** Import aliases of this file, alias → package path. */
  readonly aliases: Map<string, string>;
}

/** A Ko function of a package: a top-level definition or a hoisted inline one. */
export interface FuncInfo {
  readonly def: FuncDef;
  readonly pkg: KoPackage;
  readonly file: SourceFile;
  /** Defined inline inside another function's formula (reference 2.1 note 9). */
  readonly inline: boolean;
}

/**
 * A package's sources without their syntax trees: what a compiled program keeps of it (KoProgram),
 * enough to tell what it has and to derive the package again. A KoPackage is one.
 */
export interface PackageSources {
  readonly path: string;
  /** The directory its `.ko` files came from, if any. */
  readonly dir?: string;
  readonly files: readonly { readonly path: string; readonly text: string }[];
  /** Host functions registered for this package path (D20). */
  readonly host: ReadonlyMap<string, HostFunction>;
}

export interface KoPackage {
  /** The package path, as functions print (`conf.Pair`, `strings.Join`, `idiom.Return`). */
  readonly path: string;
  /** The directory its `.ko` files came from, if any. */
  readonly dir?: string;
  readonly files: SourceFile[];
  readonly funcs: Map<string, FuncInfo>;
  /** Host functions registered for this package path (D20). */
  readonly host: Map<string, HostFunction>;
}

/** What a reference's first segment(s) denote (reference 3.6); the rest of its path is selection. */
export type Resolution =
  | { readonly k: "param"; readonly index: number; readonly rest: number }
  | { readonly k: "step"; readonly label: string; readonly rest: number }
  | { readonly k: "bool"; readonly value: boolean }
  | { readonly k: "func"; readonly func: FuncInfo; readonly rest: number }
  | { readonly k: "host"; readonly fn: HostFunction; readonly rest: number };

/**
 * What one function's body refers to, in source order: its references (each with its meaning, or
 * none when it could not be resolved) and its inline definitions, not those of the functions
 * defined inline in it. The compiler gives each function's build these alone (compile.ts).
 */
export interface OwnRefs {
  readonly refs: Ref[];
  /** The meaning of each of `refs`, at the same index. */
  readonly resolutions: (Resolution | undefined)[];
  /**
   * For each term of the body, by its index, where its references start in `refs`: a term's
   * references are a run of `refs`, in the order a walk of its formula meets them (callee before
   * terms, target before selections), so the compiler reads them without a table keyed by Ref.
   */
  readonly termStarts: number[];
  readonly inline: FuncDef[];
}

export interface Program {
  readonly packages: Map<string, KoPackage>;
  /** The package that `ko run` or the API was asked for. */
  readonly entry: KoPackage;
  /** The meaning of every resolved reference in every function (made when first read: the compiler reads `own`). */
  readonly refs: Map<Ref, Resolution>;
  /** What each function's own body refers to. */
  readonly own: Map<FuncInfo, OwnRefs>;
  /** The package an import declaration names, for go-to-definition. */
  readonly imports: Map<ImportDecl, KoPackage>;
}

export const IDIOM_PACKAGE = "idiom";
export const CORE_PACKAGE = "";
