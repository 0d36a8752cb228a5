/**
 * The JavaScript text of a circuit's body: the code generator proper.
 *
 * The body is what the interpreter's `runBody` does for this one circuit, written out: its
 * steps in the same order, each one a few lines of straight JavaScript in place of a closure
 * called from a shared site, with the step values in local variables (or, for a function of
 * many parameters, in the interpreter's `vals` array). So the two agree on everything
 * observable, and the interpreter can take over a body half-way: when a step returns a promise,
 * or the run pauses to give way to the event loop, the generated code writes the values still
 * needed to an array and hands the rest to the interpreter's AsyncBody (`resume`) exactly where
 * `runBody` would.
 *
 * Generated code names: `sN` the value of step N (`vals[N]` when not local), `a`, `b`, `c` the
 * parameters' values, `frame`, `run`, `mode` as in runBody, `i` the step running (for the
 * failure's site), `v` the step's value, `hh`/`kh` whether the run has hooks of host/Ko calls at
 * all, `kN` the constants the body refers to (functions, varieties, names, the template).
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
  /**
   * Whether the body takes its parameters' values as arguments and keeps its step values in
   * local variables (see Emitter.locals); otherwise it works in `frame.vals`, like the interpreter.
   */
  readonly positional: boolean;
}

/** The names of the linkage the generated code uses (linkage.ts), bound once per body. */
const LINKAGE = [
  "invoke",
  "callKo",
  "callKoPositional",
  "koHooked",
  "hookedKoCall",
  "hostHooked",
  "resume",
  "locate",
  "augment",
  "selectPath",
  "groupValues",
  "Struct",
  "EMPTY",
] as const;

/**
 * The body of `circuit`, whose steps that compute something are `active` (in order) and whose
 * step values before a call are `template` (the constants in place).
 */
export function emitBody(circuit: Circuit, active: Int32Array, template: readonly unknown[], name: string): BodySource {
  return new Emitter(circuit, active, template).emit(name);
}

/** The key of -0 among the constants. */
const NEGATIVE_ZERO = Symbol("-0");

/** The most parameters a body takes as arguments (as eval.ts callKoPositional passes them). */
export const MAX_POSITIONAL = 3;

class Emitter {
  private readonly constants: unknown[] = [];
  private readonly constantIndex = new Map<unknown, number>();
  private readonly lines: string[] = [];
  private readonly fused: Map<number, FusedYield>;
  /** Steps a fused Yield leaves out, with the position of their Yield. */
  private readonly skipped: { readonly step: number; readonly at: number }[] = [];
  /** Position in `active` of each step. */
  private readonly position = new Map<number, number>();
  /**
   * Whether step values live in local variables `sN` (and constants are the body's constants)
   * rather than in `frame.vals`: for bodies of at most MAX_POSITIONAL parameters, which callers
   * pass as arguments. A call then allocates no array of step values; the values the interpreter
   * needs are written to one only when it takes over (see spill).
   */
  private readonly locals: boolean;

  constructor(
    private readonly circuit: Circuit,
    private readonly active: Int32Array,
    private readonly template: readonly unknown[],
  ) {
    this.locals = circuit.params.length <= MAX_POSITIONAL;
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
    const ret = this.ref(circuit.ret);
    const head = LINKAGE.map((n) => `const ${n} = L.${n};`);
    const consts = this.constants.map((_, n) => `const k${n} = C[${n}];`);
    const args = ["a", "b", "c"];
    const values = this.locals
      ? [
          ...circuit.steps.flatMap((st, s) => (st.op.op === "param" ? [`let s${s} = ${args[st.op.index]};`] : [])),
          ...(active.length > 0 ? [`let ${Array.from(active, (s) => `s${s}`).join(", ")};`] : []),
        ]
      : ["const vals = frame.vals;"];
    const source = [
      '"use strict";',
      ...head,
      ...consts,
      `return function ${identifier(name)}(frame, run, mode, a, b, c) {`,
      ...values,
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
      `return ${ret};`,
      "};",
    ].join("\n");
    return { source, constants: this.constants, positional: this.locals };
  }

  /** The value of step `s` as the generated code reads it. */
  private ref(s: number): string {
    if (!this.locals) return `vals[${s}]`;
    const op = this.circuit.steps[s]!.op;
    return op.op === "const" ? this.constant(op.value) : `s${s}`;
  }

  /** Where the generated code puts the value of step `s`. */
  private slot(s: number): string {
    return this.locals ? `s${s}` : `vals[${s}]`;
  }

  private constant(value: unknown): string {
    // A Map finds a constant in one step (a body may name thousands: a long literal's elements);
    // -0 is kept apart from 0, which a Map would take it for.
    const key = Object.is(value, -0) ? NEGATIVE_ZERO : value;
    let n = this.constantIndex.get(key);
    if (n === undefined) this.constantIndex.set(key, (n = this.constants.push(value) - 1));
    return `k${n}`;
  }

  /** Fields of a bracket's terms (reference 5.3), as `gather` in eval.ts builds them. */
  private fields(groups: readonly ArgGroup[]): string {
    const fs = groups.map(({ name, inputs }) => {
      const value = inputs.length === 1 ? this.ref(inputs[0]!) : `groupValues([${inputs.map((s) => this.ref(s)).join(", ")}])`;
      return `{ name: ${JSON.stringify(name)}, value: ${value}, monadic: ${name === ""} }`;
    });
    return `[${fs.join(", ")}]`;
  }

  /**
   * The steps a fused Yield left out that the interpreter must compute if it takes over at
   * position `k`: those before `k` whose Yield is at `k` or later (`except` the Yield at that
   * position, when it has already built them).
   */
  private extra(k: number, except?: number): number[] {
    return this.skipped.filter((s) => this.position.get(s.step)! < k && s.at >= k && s.at !== except).map((s) => s.step);
  }

  /** The interpreter takes over at position `k`, with `pending` the promise of step active[k] if any. */
  private handOver(k: number, pending: boolean, except?: number): string {
    const extra = this.extra(k, except);
    const resume = `return resume(frame, ${k}, ${pending ? "v" : "undefined"}, mode, ${extra.length === 0 ? "undefined" : this.constant(extra)});`;
    return this.locals ? `{ ${this.spill(k, extra)} ${resume} }` : resume;
  }

  /**
   * Statements that give the frame the array of step values the interpreter works in, when it
   * takes over at position `k` (with `extra` steps left out before it to compute): the
   * template, with the values of parameters and computed steps that a step still to run reads
   * (or that the body returns).
   */
  private spill(k: number, extra: readonly number[]): string {
    const steps = this.circuit.steps;
    const read = new Set<number>([this.circuit.ret]);
    for (const t of [...this.active.slice(k), ...extra]) for (const d of steps[t]!.deps) read.add(d);
    const known = [...read].filter((d) => {
      const op = steps[d]!.op.op;
      if (op === "param") return true;
      const at = this.position.get(d);
      return op !== "const" && at !== undefined && at < k && !extra.includes(d);
    });
    const writes = known.sort((x, y) => x - y).map((d) => `w[${d}] = s${d};`);
    return `const w = ${this.constant(this.template)}.slice(); ${writes.join(" ")} frame.vals = w;`;
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
          out.push(`v = ${this.ref(op.input)};`);
          out.push(
            `${this.slot(s)} = v instanceof Struct ? v.get(${JSON.stringify(op.fields[0])}) : selectPath(v, ${this.constant(op.fields)});`,
          );
        } else out.push(`${this.slot(s)} = selectPath(${this.ref(op.input)}, ${this.constant(op.fields)});`);
        return;
      case "augment":
        out.push(`i = ${s};`, `${this.slot(s)} = augment(${this.ref(op.callee)}, ${this.fields(op.groups)});`);
        return;
      case "invoke":
        this.pauseCheck(k);
        out.push(`i = ${s};`);
        out.push(...this.invocation(s, op.callee, op.groups));
        out.push(`if (v instanceof Promise) ${this.handOver(k, true)}`, `${this.slot(s)} = v;`);
    }
  }

  /** Lines that set `v` to the value (or promise) of step `s`, `callee(groups)`. */
  private invocation(s: number, callee: number, groups: readonly ArgGroup[]): string[] {
    const fields = this.fields(groups);
    const c = this.circuit.steps[callee]!.op;
    const general = (target: string) => `v = invoke(${target}, ${fields}, frame, ${s}, run, undefined, undefined);`;
    if (c.op !== "const" || !(c.value instanceof Variety) || c.value.fields.length !== 0) return [general(this.ref(callee))];
    const callable = c.value.callable;
    if (callable instanceof KoFunction) return [`v = ${this.callOf(callable, groups, s)};`];
    const variety = this.constant(c.value);
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
    ).map((k) => (k === undefined ? "EMPTY" : this.ref(groups[k]!.inputs[0]!)));
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
      return [`if (${hooked} || (v = ${this.constant(forms.pair)}(${this.ref(a!)}, ${this.ref(b!)})) === undefined) ${general}`];
    }
    const named = forms.named;
    if (named && groups.length <= named.names.length && groups.every((g) => g.inputs.length === 1 && named.names.includes(g.name))) {
      const at = named.names.map((n) => groups.filter((g) => g.name === n));
      if (at.some((g) => g.length > 1)) return undefined; // a name given twice
      // A name not given is Empty, as for fastStep.
      const args = at.map((g) => (g.length === 1 ? this.ref(g[0]!.inputs[0]!) : "EMPTY"));
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
    out.push(`i = ${y};`, `v = ${this.ref(f.condition)};`);
    out.push(`if (v === true && !(${watched})) {`, `i = ${c};`, this.branchCall(f.then, c));
    out.push(`} else if (v === false && !(${watched})) {`, `i = ${c};`, this.branchCall(f.else, c), "} else {");
    // As written: the varieties built, Yield called (and reporting a condition that is not a Bool), its result invoked.
    for (const b of [f.then, f.else]) {
      if (b.kind === "augmented") out.push(`${this.slot(b.step)} = augment(${this.constant(b.callee)}, ${this.fields(b.groups)});`);
    }
    const yieldOp = this.circuit.steps[y]!.op;
    if (yieldOp.op !== "invoke") throw new Error("a fused Yield step is an invocation");
    out.push(
      `i = ${y};`,
      `v = invoke(${this.constant(f.yieldVariety)}, ${this.fields(yieldOp.groups)}, frame, ${y}, run, undefined, undefined);`,
    );
    out.push(`if (v instanceof Promise) ${this.handOver(k, true, k)}`, `${this.slot(y)} = v;`);
    this.pauseCheck(k + 1);
    out.push(`i = ${c};`, `v = invoke(v, [], frame, ${c}, run, undefined, undefined);`, "}");
    out.push(`if (v instanceof Promise) ${this.handOver(k + 1, true)}`, `${this.slot(c)} = v;`);
  }

  /** The call of a fused Yield's chosen branch, as step `c`. */
  private branchCall(b: Branch, c: number): string {
    if (b.kind === "value") return `v = invoke(${this.ref(b.step)}, [], frame, ${c}, run, undefined, undefined);`;
    const callable = b.callee.callable;
    if (callable instanceof KoFunction) return `v = ${this.callOf(callable, b.groups, c)};`;
    return `v = invoke(${this.constant(b.callee)}, ${this.fields(b.groups)}, frame, ${c}, run, undefined, undefined);`;
  }

  /**
   * The call of Ko function `fn` (named by a constant variety with no fields of its own) with the
   * terms `groups` as step `s`: through the hooks if they want it, else directly (koCall).
   */
  private callOf(fn: KoFunction, groups: readonly ArgGroup[], s: number): string {
    const f = this.constant(fn);
    const hooked = `hookedKoCall(${f}, ${this.fields(groups)}, frame, ${s}, run, undefined, undefined)`;
    return `kh && koHooked(run, ${f}) ? ${hooked} : ${this.koCall(fn, groups, s)}`;
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
