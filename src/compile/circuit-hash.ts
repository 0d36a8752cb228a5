/**
 * Content hashes of compiled functions, for the cache and for shipping calls to other machines.
 *
 * A function's own hash covers its circuit — parameters, step operations, constants, the order
 * of steps — and not its spans, so editing a comment or moving code does not change it. Its
 * transitive hash covers the own hashes of every Ko function it can reach through the varieties
 * in its constants, and the identity and declared signature of every host function it can call:
 * changing any callee's body changes the caller's transitive hash.
 */
import { createHash } from "node:crypto";
import type { HostFunction } from "../host/binding.js";
import { signature } from "../host/binding.js";
import { canonicalEncode } from "../value/hash.js";
import { Variety, type Value } from "../value/value.js";
import { KoFunction, type Circuit, type StepOp } from "./circuit.js";

const ownHashes = new WeakMap<KoFunction, string>();
const transitiveHashes = new WeakMap<KoFunction, string>();

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The callables named by a value's varieties (constants can hold varieties with fields). */
function callablesIn(v: Value, out: Set<KoFunction | HostFunction>): void {
  if (!(v instanceof Variety)) return;
  out.add(v.callable as KoFunction | HostFunction);
  for (const f of v.fields) callablesIn(f.value, out);
}

function opText(op: StepOp): string {
  switch (op.op) {
    case "param":
      return `p${op.index}`;
    case "const":
      return `c${canonicalEncode(op.value)}`;
    case "select":
      return `s${op.input}.${op.fields.map((f) => `${f.length}:${f}`).join(".")}`;
    case "augment":
    case "invoke":
      return `${op.op === "augment" ? "a" : "i"}${op.callee}(${op.groups.map((g) => `${g.name.length}:${g.name}=${g.inputs.join(",")}`).join(";")})`;
  }
}

function circuitText(c: Circuit): string {
  const params = c.params.map((p) => `${p.name}${p.monadic ? "?" : ""}`).join(",");
  const steps = c.steps.map((s) => `${opText(s.op)}<${s.deps.join(",")}>${s.label ?? ""}`).join("\n");
  return `params ${params}\nret ${c.ret}\n${steps}`;
}

/** The hash of one function's own circuit. */
export function ownHash(fn: KoFunction): string {
  let h = ownHashes.get(fn);
  if (h === undefined) ownHashes.set(fn, (h = sha256(circuitText(fn.circuit))));
  return h;
}

/** The Ko and host functions `fn` can call, directly or through other Ko functions (including `fn`). */
export function reachable(fn: KoFunction): { ko: KoFunction[]; host: HostFunction[] } {
  const ko = new Set<KoFunction>([fn]);
  const host = new Set<HostFunction>();
  const queue = [fn];
  while (queue.length > 0) {
    const f = queue.pop()!;
    const found = new Set<KoFunction | HostFunction>();
    for (const s of f.circuit.steps) if (s.op.op === "const") callablesIn(s.op.value, found);
    for (const c of found) {
      if (c instanceof KoFunction) {
        if (!ko.has(c)) {
          ko.add(c);
          queue.push(c);
        }
      } else host.add(c);
    }
  }
  return { ko: [...ko], host: [...host] };
}

/** The hash of `fn` together with everything it can call. */
export function transitiveHash(fn: KoFunction): string {
  let h = transitiveHashes.get(fn);
  if (h !== undefined) return h;
  const { ko, host } = reachable(fn);
  const lines = [
    `entry ${fn.identity}`,
    ...ko.map((f) => `ko ${f.identity} ${ownHash(f)}`).sort(),
    ...host.map((f) => `host ${f.identity} ${signature(f)} ${f.effects}`).sort(),
  ];
  transitiveHashes.set(fn, (h = sha256(lines.join("\n"))));
  return h;
}

/** True if nothing `fn` can reach has effects (higher-order arguments aside: check those at the call). */
export function isPure(fn: KoFunction): boolean {
  return reachable(fn).host.every((h) => h.effects === "pure");
}
