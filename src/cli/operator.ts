/**
 * `ko operator`, `ko operator crds` and `ko submit` (src/operator/): the flags checked and mapped
 * onto the operator's options. Loaded only when one of them runs (with client-node).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import { rootsFromEnv } from "../api/program.js";
import { toJs } from "../api/js-values.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { crdsYaml } from "../operator/crds.js";
import { runOperator } from "../operator/operator.js";
import { submit } from "../operator/submit.js";
import { Struct } from "../value/value.js";
import { argField } from "./args.js";
import type { CliIO } from "./io.js";

export interface OperatorFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly concurrency?: string;
  readonly workDir?: string;
  readonly name?: string;
  readonly leaseSeconds?: string;
  readonly maxAttempts?: string;
  readonly root: string[];
}

export interface SubmitFlags {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly namespace?: string;
  readonly arg: string[];
  readonly dryRun?: boolean;
  readonly policy?: string;
  readonly follow?: boolean;
}

function wholeNumber(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${flag} takes a whole number of at least ${min}, not ${JSON.stringify(value)}`);
  return n;
}

export function crdsCommand(io: CliIO): number {
  io.stdout(crdsYaml());
  return EXIT.ok;
}

export async function operatorCommand(flags: OperatorFlags): Promise<number> {
  const concurrency = wholeNumber("--concurrency", flags.concurrency, 1);
  const leaseSeconds = wholeNumber("--lease-seconds", flags.leaseSeconds, 1);
  const maxAttempts = wholeNumber("--max-attempts", flags.maxAttempts, 1);
  return runOperator({
    ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
    ...(flags.context !== undefined ? { context: flags.context } : {}),
    ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    ...(flags.workDir !== undefined ? { workDir: flags.workDir } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    roots: [...flags.root, ...rootsFromEnv()],
  });
}

export async function submitCommand(target: string, func: string | undefined, flags: SubmitFlags, io: CliIO): Promise<number> {
  // The arguments as `ko run` reads them (Ko literals, else strings), then as JSON for the KoRun.
  const args = toJs(new Struct(flags.arg.map(argField))) as Record<string, unknown>;
  const policy = flags.policy === undefined ? undefined : readPolicy(flags.policy);
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  if (io.standalone) process.once("SIGINT", onSigint);
  try {
    return await submit(target, func ?? "Main", {
      ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
      ...(flags.context !== undefined ? { context: flags.context } : {}),
      ...(flags.namespace !== undefined ? { namespace: flags.namespace } : {}),
      arguments: args,
      ...(flags.dryRun ? { dryRun: true } : {}),
      ...(policy ? { policy } : {}),
      ...(flags.follow === false ? { noFollow: true } : {}),
      stdout: io.stdout,
      stderr: io.stderr,
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", onSigint);
  }
}

/** A policy file's rules, put into the KoRun (the operator checks them as ko run checks the file). */
function readPolicy(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--policy ${file}: no such file`);
  }
  const { parse } = createRequire(import.meta.url)("yaml") as typeof import("yaml");
  const doc = parse(text) as unknown;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new UsageError(`policy ${file}: expected a mapping of rules`);
  return doc as Record<string, unknown>;
}
