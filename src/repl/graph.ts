/**
 * `:graph FUNC`: a compiled function's steps and edges as text, in the order they run. Each step
 * is `#i`, with its label if it has one; its inputs are the steps it names, and `after` lists the
 * steps it waits for without taking their value (`_after:` terms).
 */
import type { ArgGroup, Circuit, Step } from "../compile/circuit.js";
import { printValue } from "../value/print.js";

export function graphText(name: string, c: Circuit): string {
  const params = c.params.map((p) => p.name + (p.monadic ? "?" : "")).join(", ");
  const lines = [`${name}(${params})`];
  c.steps.forEach((s, i) => {
    const label = s.label !== undefined ? `${s.label}: ` : "";
    const waits = s.deps.filter((d) => !inputsOf(s).includes(d));
    const after = waits.length > 0 ? `  after ${waits.map((d) => `#${d}`).join(" ")}` : "";
    lines.push(`  #${i} ${label}${opText(s)}${after}`);
  });
  lines.push(`  returns #${c.ret}`);
  const edges = c.steps.flatMap((s, i) => s.deps.map((d) => `#${d} -> #${i}`));
  if (edges.length > 0) lines.push(`edges: ${edges.join(", ")}`);
  return lines.join("\n");
}

function opText(s: Step): string {
  const op = s.op;
  switch (op.op) {
    case "param":
      return `param ${op.index}`;
    case "const":
      return `const ${printValue(op.value)}`;
    case "select":
      return `#${op.input}.${op.fields.join(".")}`;
    case "augment":
      return `#${op.callee}[${groupsText(op.groups)}]`;
    case "invoke":
      return `#${op.callee}(${groupsText(op.groups)})`;
  }
}

function groupsText(groups: readonly ArgGroup[]): string {
  return groups.map((g) => `${g.name === "" ? "?" : g.name}: ${g.inputs.map((i) => `#${i}`).join(" ")}`).join(", ");
}

function inputsOf(s: Step): number[] {
  const op = s.op;
  switch (op.op) {
    case "select":
      return [op.input];
    case "augment":
    case "invoke":
      return [op.callee, ...op.groups.flatMap((g) => g.inputs)];
    default:
      return [];
  }
}
