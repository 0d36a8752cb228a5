/**
 * `ko submit FILE FUNC [--arg ...]`: the script and its run as custom resources — the KoScript
 * (named after the file, created or updated), then a KoRun of FUNC with the arguments as JSON —
 * and the run followed until it ends, its finished steps and phases told on standard error and
 * its result printed on standard output, as `ko run` prints it. The exit status is `ko run`'s: 0
 * when it succeeded, 3 when the script or the call was refused before running (does not compile,
 * would certainly fail), 1 when it failed, 130 when it was interrupted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fromJs } from "../api/js-values.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { printValue } from "../value/print.js";
import { API_VERSION, FINISHED, RUNS, SCRIPTS, type KoRun, type KoScript, type KoScriptSpec } from "./kinds.js";
import { describeApiError, openKube, statusOf, type Kube, type KubeFlags } from "./kube.js";
import { RESULT_KEY } from "./status-offload.js";

export interface SubmitOptions extends KubeFlags {
  /** The arguments, already JSON (the command line's Ko literals converted). */
  readonly arguments: Record<string, unknown>;
  readonly dryRun?: boolean;
  /** A policy document (the policy file's content, parsed). */
  readonly policy?: Record<string, unknown>;
  /** Create the run and return at once, printing its name. */
  readonly noFollow?: boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Stops following (Ctrl-C); the run goes on in the cluster. */
  readonly signal?: AbortSignal;
}

/** Reasons of a run refused before it ran: `ko run` exits with 3 for these. */
const REFUSED = new Set(["ScriptNotCompiled", "IllTyped", "FunctionNotFound"]);

export async function submit(target: string, func: string, opts: SubmitOptions): Promise<number> {
  const { name, spec } = scriptOf(target);
  const kube = openKube(opts);
  const ns = kube.namespace;
  await putScript(kube, ns, name, spec);
  const body = {
    apiVersion: API_VERSION,
    kind: "KoRun",
    metadata: { generateName: `${name}-${func.toLowerCase().replace(/[^a-z0-9-]/g, "-")}-` },
    spec: {
      scriptRef: { name },
      function: func,
      arguments: opts.arguments,
      ...(opts.dryRun ? { dryRun: true } : {}),
      ...(opts.policy ? { policy: opts.policy } : {}),
    },
  };
  let run: KoRun;
  try {
    run = (await kube.custom.createNamespacedCustomObject({ ...RUNS, namespace: ns, body })) as KoRun;
  } catch (e) {
    throw new UsageError(`cannot create the KoRun: ${describeApiError(e)}`);
  }
  opts.stderr(`korun.ko.dev/${run.metadata.name} created\n`);
  if (opts.noFollow) {
    opts.stdout(`${run.metadata.name}\n`);
    return EXIT.ok;
  }
  return follow(kube, run, opts);
}

/** The KoScript of a .ko file (named after it) or of a package directory (its .ko files). */
function scriptOf(target: string): { name: string; spec: KoScriptSpec } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    throw new UsageError(`${target}: no such file or directory`);
  }
  const files: Record<string, string> = {};
  if (stat.isDirectory()) {
    for (const f of fs
      .readdirSync(target)
      .filter((f) => f.endsWith(".ko"))
      .sort())
      files[f] = fs.readFileSync(path.join(target, f), "utf8");
    if (Object.keys(files).length === 0) throw new UsageError(`${target}: no .ko files`);
  } else files[path.basename(target)] = fs.readFileSync(target, "utf8");
  const pkg = path.basename(path.resolve(target)).replace(/\.ko$/, "");
  const name = pkg.toLowerCase().replace(/[^a-z0-9-]/g, "-");
  return { name, spec: { ...(/^[A-Za-z_][A-Za-z0-9_]*$/.test(pkg) ? { package: pkg } : {}), files } };
}

/** Creates the KoScript, or replaces the spec of the one of that name. */
async function putScript(kube: Kube, namespace: string, name: string, spec: KoScriptSpec): Promise<void> {
  const body = { apiVersion: API_VERSION, kind: "KoScript", metadata: { name }, spec };
  try {
    await kube.custom.createNamespacedCustomObject({ ...SCRIPTS, namespace, body });
    return;
  } catch (e) {
    if (statusOf(e) !== 409) throw new UsageError(`cannot create the KoScript ${name}: ${describeApiError(e)}`);
  }
  const old = (await kube.custom.getNamespacedCustomObject({ ...SCRIPTS, namespace, name })) as KoScript;
  await kube.custom
    .replaceNamespacedCustomObject({ ...SCRIPTS, namespace, name, body: { ...body, metadata: { ...old.metadata, name } } })
    .catch((e: unknown) => {
      throw new UsageError(`cannot update the KoScript ${name}: ${describeApiError(e)}`);
    });
}

/** Polls the run until it has ended, telling its steps and phases as they change. */
async function follow(kube: Kube, created: KoRun, opts: SubmitOptions): Promise<number> {
  const { namespace, name } = created.metadata;
  const told = new Map<string, string>();
  let phase: string | undefined;
  for (;;) {
    if (opts.signal?.aborted) {
      opts.stderr(`ko: stopped following korun/${name}; it goes on in the cluster\n`);
      return EXIT.interrupted;
    }
    const run = await kube.getRun(namespace!, name).catch((e: unknown) => {
      throw new UsageError(`cannot read korun/${name}: ${describeApiError(e)}`);
    });
    const s = run.status ?? {};
    for (const step of s.steps ?? []) {
      if (step.phase === "Running" || told.get(step.id) === `${step.phase}${step.attempt}`) continue;
      told.set(step.id, `${step.phase}${step.attempt}`);
      opts.stderr(`  ${step.id}: ${step.phase}${step.message ? `: ${step.message}` : ""}\n`);
    }
    if (s.phase !== undefined && s.phase !== phase) {
      phase = s.phase;
      opts.stderr(`korun/${name}: ${phase}${s.attempt ? ` (attempt ${s.attempt})` : ""}\n`);
    }
    if (FINISHED.has(s.phase)) return ending(kube, run, opts);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function ending(kube: Kube, run: KoRun, opts: SubmitOptions): Promise<number> {
  const s = run.status!;
  const cond = s.conditions?.find((c) => c.type === "Succeeded");
  if (s.output) opts.stderr(s.output.endsWith("\n") ? s.output : `${s.output}\n`);
  if (s.phase === "Succeeded") {
    const result = s.resultConfigMaps ? await offloadedResult(kube, run, s.resultConfigMaps) : s.result;
    if (s.resultTruncated) opts.stderr(`ko: the result could not be stored (the operator's log says why): it is not shown\n`);
    else if (result !== undefined) opts.stdout(`${printValue(fromJs(result))}\n`);
    return EXIT.ok;
  }
  if (s.phase === "Interrupted") {
    opts.stderr(`interrupted: ${cond?.message ?? ""}\n`);
    return EXIT.interrupted;
  }
  const e = s.error;
  opts.stderr(`${e?.location ? `${e.location}: ` : ""}error: ${e?.message ?? cond?.message ?? "failed"}\n`);
  for (const frame of e?.callChain ?? []) opts.stderr(`  called from ${frame}\n`);
  return cond && REFUSED.has(cond.reason) ? EXIT.compile : EXIT.runtime;
}

/** A result the status names ConfigMaps for: their `result.json` texts, in order, are its JSON. */
async function offloadedResult(kube: Kube, run: KoRun, names: readonly string[]): Promise<unknown> {
  let json = "";
  for (const name of names) {
    const cm = await kube.core.readNamespacedConfigMap({ name, namespace: run.metadata.namespace! }).catch((e: unknown) => {
      throw new UsageError(`cannot read the result of korun/${run.metadata.name} from configmap/${name}: ${describeApiError(e)}`);
    });
    json += cm.data?.[RESULT_KEY] ?? "";
  }
  return JSON.parse(json) as unknown;
}
