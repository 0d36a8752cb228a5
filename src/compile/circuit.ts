/**
 * The compiled form of a Ko function (reference 2.2): a `Circuit`, a DAG of steps in an array, each
 * with its inputs as indices, sorted topologically. It is pure data — no closures — so it can be
 * hashed (for the cache and for shipping calls to other machines), printed as a graph, and turned
 * into executable closures by the runtime once per function. A program keeps every circuit it
 * builds, so a step holds no span: where steps and group labels are written is in the circuit's
 * `spans` (offsets, spans.ts).
 */
import type { Span } from "../diag/span.js";
import type { CircuitSpans } from "./spans.js";
import type { Callable, Value } from "../value/value.js";

/** A group of bracket terms under one label (reference 5.3); `name` "" is the unnamed (monadic) group. */
export interface ArgGroup {
  readonly name: string;
  readonly inputs: readonly number[];
  /**
   * Where the (first) label of the group is written, for messages, as a number for the circuit's
   * `spans.label`; none for the unnamed group. Not part of any hash.
   */
  readonly labelSpan?: number;
}

export type StepOp =
  /** The value of the function's parameter `index` (the "link" step of 2.2). */
  | { readonly op: "param"; readonly index: number }
  /** A literal, a boolean, or a function reference (a variety with no fields). */
  | { readonly op: "const"; readonly value: Value }
  /** `input.f1.f2...` */
  | { readonly op: "select"; readonly input: number; readonly fields: readonly string[] }
  /** `callee[groups]` */
  | { readonly op: "augment"; readonly callee: number; readonly groups: readonly ArgGroup[] }
  /** `callee(groups)` */
  | { readonly op: "invoke"; readonly callee: number; readonly groups: readonly ArgGroup[] };

export interface Step {
  readonly op: StepOp;
  /**
   * Every step this one waits for: its data inputs plus the inputs of dropped `_`-labelled
   * terms, which order steps without reaching the callee (5.3 rule 1).
   */
  readonly deps: readonly number[];
  /**
   * The label, for a labelled step; undefined for an anonymous sub-formula, which belongs to the
   * labelled step whose formula contains it (`ownerOf`). An unlabelled constant's step is shared
   * by every circuit of the program that has that constant: a step has nothing of its own place.
   */
  readonly label?: string;
}

export interface ParamInfo {
  readonly name: string;
  readonly monadic: boolean;
}

export interface Circuit {
  readonly params: readonly ParamInfo[];
  /** In topological order: dependencies first, ties broken by source order (D31). */
  readonly steps: readonly Step[];
  /** The index of the `return` step. */
  readonly ret: number;
  /** For each step, the steps that list it in `deps` (found when first read: a check never reads them). */
  readonly dependents: readonly (readonly number[])[];
  /** Where each step (`spans.step(i)`) and each group label is written: offsets, made spans when asked. */
  readonly spans: CircuitSpans;
}

/**
 * The label of the labelled step step `index` belongs to: its own, or that of the step whose
 * formula contains it. A sub-formula's step is listed by exactly one step, the formula it is part
 * of (which comes later in the order), so the owner is found by walking up through dependents.
 */
export function ownerOf(circuit: Circuit, index: number): string {
  const { steps, dependents } = circuit;
  for (let i = index; ;) {
    const label = steps[i]!.label;
    if (label !== undefined) return label;
    const parent = dependents[i]![0];
    if (parent === undefined) return "";
    i = parent;
  }
}

/** The owner of every step (`ownerOf`), by step index. */
export function ownersOf(circuit: Circuit): string[] {
  return circuit.steps.map((_, i) => ownerOf(circuit, i));
}

/**
 * A Ko function as a callable value: what a variety of it refers to.
 *
 * Its circuit may be built on first read (`buildOnFirstRead`): a program can have many functions
 * that a run never calls, such as most of the packages it imports, and a circuit is several times
 * the size of the source it comes from.
 */
export class KoFunction implements Callable {
  readonly displayName: string;
  readonly identity: string;
  /** Opaque slot for the runtime's executable form, built once on first call. */
  exec: unknown;
  private built: Circuit | undefined;
  private build: (() => Circuit) | undefined;

  constructor(
    readonly pkg: string,
    readonly name: string,
    readonly span: Span,
    readonly doc: string | undefined,
  ) {
    this.displayName = `${pkg}.${name}`;
    this.identity = `ko\u0000${pkg}\u0000${name}`;
  }

  /** The function's circuit; the compiler gives every function one, or the means to build it. */
  get circuit(): Circuit {
    if (this.built === undefined) {
      const build = this.build;
      if (build === undefined) throw new Error(`${this.displayName} has no circuit: the compiler has not reached it`);
      this.built = build();
      this.build = undefined;
    }
    return this.built;
  }

  set circuit(circuit: Circuit) {
    this.built = circuit;
    this.build = undefined;
  }

  /** Builds the circuit when it is first read. */
  buildOnFirstRead(build: () => Circuit): void {
    this.built = undefined;
    this.build = build;
  }

  /** Whether the circuit has been built (a function compiled lazily and never read has none yet). */
  get hasCircuit(): boolean {
    return this.built !== undefined;
  }
}
