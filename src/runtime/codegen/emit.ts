/**
 * The JavaScript text of a circuit's body: the code generator proper.
 *
 * The body is what the interpreter's `runBody` does for this one circuit, written out: its
 * steps in the same order, each one a few lines of straight JavaScript in place of a closure
 * called from a shared site, with the step values in the same `vals` array. So the two agree on
 * everything observable, and the interpreter can take over a body half-way: when a step returns
 * a promise, or the run pauses to give way to the event loop, the generated code hands the rest
 * to the interpreter's AsyncBody (`resume`) exactly where `runBody` would.
 *
 * Generated code names: `vals` the step values, `frame`, `run`, `mode` as in runBody, `i` the
 * step running (for the failure's site), `v` the step's value, `hh`/`kh` whether the run has hooks of
 * host/Ko calls at all, `kN` the constants the body refers to (functions, varieties, names).
 */
import { KoFunction, type ArgGroup, type Circuit, type ParamInfo } from "../../compile/circuit.js";
import type { HostFunction } from "../../host/binding.js";
import { Variety } from "../../value/value.js";
import { planBinding } from "../binding-plan.js";
import { findFusedYields, type Branch, type FusedYield } from "./fusion.js";

export interface BodySource {
  /** The text of a function of (L, C) returning the body: L the linkage, C `constants`. */
  readonly source: string;
  readonly constants: readonly unknown[];
}

/** The names of the linkage the generated code uses (linkage.ts), bound once per body. */
const LINKAGE = [
  "invoke",
  "callKo",
  "callKoPositional",
  "koHooked",
  "hostHooked",
  "resume",
  "locate",
  "augment",
  "selectPath",
  "groupValues",
  "Struct",
  "EMPTY",
] as const;

export function emitBody(circuit: Circuit, active: Int32Array, name: string): BodySource {
  return new Emitter(circuit, active).emit(name);
}

class Emitter {
  private readonly constants: unknown[] = [];
  private readonly lines: string[] = [];
  private readonly fused: Map<number, FusedYield>;
  /** Steps a fused Yield leaves out, with the position of their Yield. */
  private readonly skipped: { readonly step: number; readonly at: number }[] = [];
  /** Position in `active` of each step. */
  private readonly position = new Map<number, number>();

  constructor(
    private readonly circuit: Circuit,
    private readonly active: Int32Array,
  ) {
    this.fused = findFusedYields(circuit, active);
    active.forEach((s, k) => this.position.set(s, k));
    for (const [at, f] of this.fused) {
      for (const b of [f.then, f.else]) if (b.kind === "augmented") this.skipped.push({ step: b.step, at });
    }
  }

  emit(name: string): BodySource {
    const { circuit, active } = this;
    for (let k = 0; k < active.length; k++) {
      const step = active[k]!;
      const f = this.fused.get(k);
      if (f) {
        this.fusedYield(k, f);
        k++; // the call of the Yield's result is part of it
      } else if (!this.skipped.some((s) => s.step === step)) this.step(k, step);
    }
    const head = LINKAGE.map((n) => `const ${n} = L.${n};`);
    const consts = this.constants.map((_, n) => `const k${n} = C[${n}];`);
    const source = [
      '"use strict";',
      ...head,
      ...consts,
      `return function ${identifier(name)}(frame, vals, run, mode) {`,
      "const hooks = run.hooks;",
      "const hh = hooks.hostCall !== undefined;",
      "const kh = hooks.koCall !== undefined;",
      "let i = -1;",
      "let v;",
      "try {",
      ...this.lines,
      "} catch (e) {",
      "frame.release();",
      "throw locate(e, frame, i);",
      "}",
      "frame.release();",
      `return vals[${circuit.ret}];`,
      "};",
    ].join("\n");
    return { source, constants: this.constants };
  }

  private constant(value: unknown): string {
    let n = this.constants.indexOf(value);
    if (n < 0) n = this.constants.push(value) - 1;
    return `k${n}`;
  }

  /** Fields of a bracket's terms (reference 5.3), as `gather` in eval.ts builds them. */
  private fields(groups: readonly ArgGroup[]): string {
    const fs = groups.map(({ name, inputs }) => {
      const value = inputs.length === 1 ? `vals[${inputs[0]}]` : `groupValues([${inputs.map((s) => `vals[${s}]`).join(", ")}])`;
      return `{ name: ${JSON.stringify(name)}, value: ${value}, monadic: ${name === ""} }`;
    });
    return `[${fs.join(", ")}]`;
  }

  /**
   * The steps a fused Yield left out that the interpreter must compute if it takes over at
   * position `k`: those before `k` whose Yield is at `k` or later (`except` the Yield at that
   * position, when it has already built them).
   */
  private extra(k: number, except?: number): string {
    const steps = this.skipped.filter((s) => this.position.get(s.step)! < k && s.at >= k && s.at !== except).map((s) => s.step);
    return steps.length === 0 ? "undefined" : this.constant(steps);
  }

  /** The interpreter takes over at position `k`, with `pending` the promise of step active[k] if any. */
  private handOver(k: number, pending: boolean, except?: number): string {
    return `return resume(frame, ${k}, ${pending ? "v" : "undefined"}, mode, ${this.extra(k, except)});`;
  }

  private pauseCheck(k: number): void {
    this.lines.push(`if (run.pause !== undefined) ${this.handOver(k, false)}`);
  }

  private step(k: number, s: number): void {
    const op = this.circuit.steps[s]!.op;
    const out = this.lines;
    switch (op.op) {
      case "param":
      case "const":
        return;
      case "select":
        out.push(`i = ${s};`);
        if (op.fields.length === 1) {
          out.push(`v = vals[${op.input}];`);
          out.push(
            `vals[${s}] = v instanceof Struct ? v.get(${JSON.stringify(op.fields[0])}) : selectPath(v, ${this.constant(op.fields)});`,
          );
        } else out.push(`vals[${s}] = selectPath(vals[${op.input}], ${this.constant(op.fields)});`);
        return;
      case "augment":
        out.push(`i = ${s};`, `vals[${s}] = augment(vals[${op.callee}], ${this.fields(op.groups)});`);
        return;
      case "invoke":
        this.pauseCheck(k);
        out.push(`i = ${s};`);
        out.push(...this.invocation(s, op.callee, op.groups));
        out.push(`if (v instanceof Promise) ${this.handOver(k, true)}`, `vals[${s}] = v;`);
    }
  }

  /** Lines that set `v` to the value (or promise) of step `s`, `callee(groups)`. */
  private invocation(s: number, callee: number, groups: readonly ArgGroup[]): string[] {
    const fields = this.fields(groups);
    const c = this.circuit.steps[callee]!.op;
    const general = (target: string) => `v = invoke(${target}, ${fields}, frame, ${s}, run, undefined, undefined);`;
    if (c.op !== "const" || !(c.value instanceof Variety) || c.value.fields.length !== 0) return [general(`vals[${callee}]`)];
    const variety = this.constant(c.value);
    const callable = c.value.callable;
    if (callable instanceof KoFunction) {
      const hooked = `kh && koHooked(run, ${this.constant(callable)})`;
      return [
        `v = ${hooked} ? invoke(${variety}, ${fields}, frame, ${s}, run, undefined, undefined) : ${this.koCall(callable, groups, s)};`,
      ];
    }
    return this.fastForm(callable as HostFunction, variety, groups, general(variety)) ?? [general(variety)];
  }

  /**
   * The call of Ko function `fn` with the terms `groups` as step `s`, when no hook watches Ko
   * calls: by position when the terms can be matched to `fn`'s parameters here once and for all
   * (bindParams's rules: the field of the parameter's name, else for the monadic parameter the
   * unnamed one), else with argument fields.
   */
  private koCall(fn: KoFunction, groups: readonly ArgGroup[], s: number): string {
    const params = parametersOf(fn);
    if (params === undefined || params.length > 3 || groups.some((g) => g.inputs.length !== 1)) {
      return `callKo(${this.constant(fn)}, ${this.fields(groups)}, frame, ${s}, run, undefined, undefined)`;
    }
    const args = planBinding(
      params,
      groups.map((g) => g.name),
    ).map((k) => (k === undefined ? "EMPTY" : `vals[${groups[k]!.inputs[0]}]`));
    const passed = passedThrough(fn.circuit);
    const answer = passed === undefined ? undefined : passed.op === "param" ? args[passed.index]! : this.constant(passed.value);
    while (args.length < 3) args.push("EMPTY");
    const call = `callKoPositional(${this.constant(fn)}, frame, ${s}, run, ${args.join(", ")})`;
    if (answer === undefined) return call;
    // A body that computes nothing (idiom.Return) is answered in place, when the call would be
    // allowed: the run goes on and the depth is within the limit (else the call fails as usual).
    return `(run.stopped === undefined && frame.depth < run.maxDepth ? ${answer} : ${call})`;
  }

  /**
   * A builtin's fast form (host/binding.ts FastForms) for terms of the shape it takes, as
   * `fastStep` in eval.ts uses it: skipped while a hook watches calls of the builtin, and the
   * general call when it declines the values.
   */
  private fastForm(fn: HostFunction, variety: string, groups: readonly ArgGroup[], general: string): string[] | undefined {
    const forms = fn.fast;
    if (forms === undefined) return undefined;
    const hooked = `hh && hostHooked(run, ${this.constant(fn)})`;
    if (forms.pair && groups.length === 1 && groups[0]!.name === "" && groups[0]!.inputs.length === 2) {
      const [a, b] = groups[0]!.inputs;
      return [`if (${hooked} || (v = ${this.constant(forms.pair)}(vals[${a}], vals[${b}])) === undefined) ${general}`];
    }
    const named = forms.named;
    if (named && groups.length <= named.names.length && groups.every((g) => g.inputs.length === 1 && named.names.includes(g.name))) {
      const at = named.names.map((n) => groups.filter((g) => g.name === n));
      if (at.some((g) => g.length > 1)) return undefined; // a name given twice
      // A name not given is Empty, as for fastStep.
      const args = at.map((g) => (g.length === 1 ? `vals[${g[0]!.inputs[0]}]` : "EMPTY"));
      while (args.length < 3) args.push("EMPTY");
      return [`if (${hooked} || (v = ${this.constant(named.call)}(${args.join(", ")})) === undefined) ${general}`];
    }
    if (forms.fields) return [`if (${hooked}) ${general} else v = ${this.constant(forms.fields)}(${this.fields(groups)});`];
    return undefined;
  }

  /** A fused `Yield(...)()` at position `k` (its call at k + 1). */
  private fusedYield(k: number, f: FusedYield): void {
    const out = this.lines;
    const y = f.yieldStep;
    const c = f.callStep;
    this.pauseCheck(k);
    // A hook watching Yield's calls must see this one: then the steps run as written.
    const watched = `hh && hostHooked(run, ${this.constant(f.yieldVariety.callable)})`;
    out.push(`i = ${y};`, `v = vals[${f.condition}];`);
    out.push(`if (v === true && !(${watched})) {`, `i = ${c};`, this.branchCall(f.then, c));
    out.push(`} else if (v === false && !(${watched})) {`, `i = ${c};`, this.branchCall(f.else, c), "} else {");
    // As written: the varieties built, Yield called (and reporting a condition that is not a Bool), its result invoked.
    for (const b of [f.then, f.else]) {
      if (b.kind === "augmented") out.push(`vals[${b.step}] = augment(${this.constant(b.callee)}, ${this.fields(b.groups)});`);
    }
    const yieldOp = this.circuit.steps[y]!.op;
    if (yieldOp.op !== "invoke") throw new Error("a fused Yield step is an invocation");
    out.push(
      `i = ${y};`,
      `v = invoke(${this.constant(f.yieldVariety)}, ${this.fields(yieldOp.groups)}, frame, ${y}, run, undefined, undefined);`,
    );
    out.push(`if (v instanceof Promise) ${this.handOver(k, true, k)}`, `vals[${y}] = v;`);
    this.pauseCheck(k + 1);
    out.push(`i = ${c};`, `v = invoke(v, [], frame, ${c}, run, undefined, undefined);`, "}");
    out.push(`if (v instanceof Promise) ${this.handOver(k + 1, true)}`, `vals[${c}] = v;`);
  }

  /** The call of a fused Yield's chosen branch, as step `c`. */
  private branchCall(b: Branch, c: number): string {
    if (b.kind === "value") return `v = invoke(vals[${b.step}], [], frame, ${c}, run, undefined, undefined);`;
    const variety = this.constant(b.callee);
    const fields = this.fields(b.groups);
    const callable = b.callee.callable;
    if (callable instanceof KoFunction) {
      const hooked = `kh && koHooked(run, ${this.constant(callable)})`;
      return `v = ${hooked} ? invoke(${variety}, ${fields}, frame, ${c}, run, undefined, undefined) : ${this.koCall(callable, b.groups, c)};`;
    }
    return `v = invoke(${variety}, ${fields}, frame, ${c}, run, undefined, undefined);`;
  }
}

/**
 * The parameters of `fn`, or undefined when its circuit cannot be had now (a function compiled
 * on first use that fails to compile: its call reports that, through the general path).
 */
function parametersOf(fn: KoFunction): readonly ParamInfo[] | undefined {
  try {
    return (fn.circuit as Circuit | undefined)?.params;
  } catch {
    return undefined;
  }
}

/**
 * What a body that computes nothing returns — one of its parameters, or a constant — or
 * undefined for a body with steps to run.
 */
function passedThrough(circuit: Circuit): { op: "param"; index: number } | { op: "const"; value: unknown } | undefined {
  if (circuit.steps.some((s) => s.op.op !== "param" && s.op.op !== "const")) return undefined;
  const ret = circuit.steps[circuit.ret]!.op;
  return ret.op === "param" || ret.op === "const" ? ret : undefined;
}

/** A JavaScript identifier from a function's name, for profiles and stack traces. */
function identifier(name: string): string {
  return "ko_" + name.replace(/[^A-Za-z0-9_$]/g, "_");
}
