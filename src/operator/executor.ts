/**
 * One attempt of a KoRun, from taking it to its end:
 *
 * 1. The run's Lease is taken (lease.ts); then the run is read afresh and taken by a status
 *    patch at the version read, so that an operator acting on an old view of the run (one that
 *    another operator finished since) takes nothing. A run found Running is resumed: attempt + 1.
 * 2. Its KoScript is compiled and checked (scripts.ts); a script with errors, a function it does
 *    not have, arguments the function cannot take, or a call the checker proves would fail (the
 *    refusal of `ko run`, exit 3 there) fail the run before anything runs.
 * 3. The call runs through a session, as `ko run` runs it: the run's namespace, its policy and
 *    dry run, planned first on any cluster but the session's own embedded one, journaled under
 *    the run's name in the work directory and copied to a ConfigMap the run owns
 *    (journal-store.ts), so that a later attempt, on any operator, replays the steps that finished. Every plan is applied without a question (`--yes`): creating the KoRun was the
 *    decision, and the policy is its guard. Steps reach the status through a layer of their own.
 * 4. The end — Succeeded with the result (bounded), Failed with the error located in the
 *    script's files and its Ko call chain, or Interrupted — is written, an Event says it, and
 *    the lease is given up.
 */
import * as path from "node:path";
import { failureDiagnostic } from "../api/failures.js";
import { fieldsFromJs, KoValue, toJs } from "../api/js-values.js";
import { createSession, type Session } from "../api/session.js";
import { UsageError } from "../diag/exit.js";
import { KoCancelled, KoFailure } from "../value/failure.js";
import type { Field } from "../value/value.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { condition, FINISHED, now, type KoRun, type KoRunStatus, type RunError, type RunPhase } from "./kinds.js";
import { describeApiError, statusOf, type Kube, type KubeFlags } from "./kube.js";
import { RunLease } from "./lease.js";
import { compileScript, locationIn } from "./scripts.js";
import { StatusWriter } from "./status-writer.js";
import { StepStatusLayer } from "./step-status.js";
import { offloadResult, STATUS_LIMIT, StepOffload } from "./status-offload.js";
import { JournalCopy, journalConfigMapName, prepareJournal } from "./journal-store.js";
import { JOURNAL_FILE } from "../journal/records.js";

/** Results larger than this (bytes of JSON) are kept in ConfigMaps the status names, not in it. */
export const RESULT_LIMIT = 64 * 1024;
/** How much of what the run printed the status keeps (the end of it). */
export const OUTPUT_LIMIT = 8 * 1024;

export interface OperatorContext {
  readonly kube: Kube;
  readonly flags: KubeFlags;
  /** This operator's name in leases, statuses and events. */
  readonly identity: string;
  /** Where scripts are compiled from and runs journaled. */
  readonly workDir: string;
  readonly roots: readonly string[];
  readonly leaseSeconds: number;
  /** A run whose attempts were cut short this many times is not resumed again, but fails. */
  readonly maxAttempts: number;
  /** The attempts running in this operator, by the run's uid: how a deleted or suspended run is stopped. */
  readonly attempts: Map<string, { cancel(reason: Error): void }>;
  log(message: string): void;
}

/** Why an attempt stopped without the run ending: the operator stops, or lost the run. */
export class HandOver extends Error {
  override name = "HandOver";
}

/** The journal's name of a run: unique per object (a run made again under the same name starts afresh). */
export function journalName(run: KoRun): string {
  return `${run.metadata.namespace}.${run.metadata.name}.${(run.metadata.uid ?? "").slice(0, 8)}`;
}

/** Runs one attempt of the run if this operator can take it; resolves when it has ended (or was not taken). */
export async function executeRun(ctx: OperatorContext, seen: KoRun, stop: AbortSignal): Promise<void> {
  const { kube } = ctx;
  const namespace = seen.metadata.namespace!;
  const name = seen.metadata.name;
  const lease = new RunLease(kube, namespace, name, ctx.identity, ctx.leaseSeconds);
  if (!(await lease.acquire(seen.metadata))) return;
  let run: KoRun;
  try {
    run = await kube.getRun(namespace, name);
    if (FINISHED.has(run.status?.phase) || run.spec.suspend || run.metadata.deletionTimestamp) return await lease.release();
    const resuming = run.status?.phase === "Running";
    const attempt = (run.status?.attempt ?? 0) + 1;
    if (attempt > ctx.maxAttempts) return await exhausted(ctx, run, lease);
    const taken: KoRunStatus = {
      phase: "Running",
      attempt,
      operator: ctx.identity,
      startTime: resuming ? (run.status?.startTime ?? now()) : now(),
      ...(run.metadata.generation !== undefined ? { observedGeneration: run.metadata.generation } : {}),
      conditions: condition(
        run.status?.conditions,
        "Succeeded",
        "Unknown",
        resuming ? "Resumed" : "Running",
        `attempt ${attempt} on ${ctx.identity}`,
        run.metadata.generation,
      ),
    };
    run = await kube.patchRunStatus(run, taken, run.metadata.resourceVersion);
  } catch (e) {
    await lease.release();
    if (statusOf(e) === 409 || statusOf(e) === 404) return; // changed (taken, finished) or deleted since we looked
    throw e;
  }
  await new Attempt(ctx, run, lease, stop).execute();
}

/**
 * A run cut short as often as `--max-attempts` allows (each time its operator died or stopped)
 * fails instead of being resumed once more: a run that brings its operator down would otherwise
 * bring down each operator that takes it, one after another.
 */
async function exhausted(ctx: OperatorContext, run: KoRun, lease: RunLease): Promise<void> {
  const n = run.status?.attempt ?? 0;
  const message = `${n} ${n === 1 ? "attempt was" : "attempts were"} cut short (--max-attempts ${ctx.maxAttempts}): the run is not resumed again`;
  try {
    const ended = await ctx.kube.patchRunStatus(
      run,
      {
        phase: "Failed",
        finishTime: now(),
        error: { message },
        conditions: condition(run.status?.conditions, "Succeeded", "False", "AttemptsExhausted", message, run.metadata.generation),
      },
      run.metadata.resourceVersion,
    );
    await ctx.kube.event(ended, "Warning", "Failed", message, ctx.identity).catch(() => undefined);
    ctx.log(`${run.metadata.namespace}/${run.metadata.name}: Failed: ${message}`);
  } finally {
    await lease.release();
  }
}

class Attempt {
  private status: KoRunStatus;
  private readonly writer: StatusWriter;
  private readonly steps: StepStatusLayer;
  private readonly offload: StepOffload;
  private output = "";
  private readonly controller = new AbortController();
  /** The journal's copy in the cluster, once the call is about to run. */
  private journal: JournalCopy | undefined;

  constructor(
    private readonly ctx: OperatorContext,
    private readonly run: KoRun,
    private readonly lease: RunLease,
    stop: AbortSignal,
  ) {
    this.status = run.status ?? {};
    this.offload = new StepOffload(ctx.kube, run, {
      count: run.status?.stepsOffloaded ?? 0,
      configMaps: run.status?.stepsConfigMaps ?? [],
    });
    this.writer = new StatusWriter(
      ctx.kube,
      run,
      () => this.current(),
      (m) => ctx.log(m),
      // The journal's copy is written with each status, before it: the cluster never shows a step
      // finished that a resuming operator would not find in the copy.
      async () => {
        await this.offload.write();
        await this.journal?.flush();
      },
    );
    this.steps = new StepStatusLayer(this.attempt, run.status?.steps ?? [], run.status?.stepsOffloaded ?? 0, () => {
      this.writer.changed();
    });
    const onStop = () => this.controller.abort(stop.reason);
    if (stop.aborted) onStop();
    else stop.addEventListener("abort", onStop, { once: true });
  }

  get attempt(): number {
    return this.status.attempt ?? 1;
  }

  /** Cancels the attempt: `reason` a HandOver (the run goes on elsewhere) or a KoCancelled (the run is Interrupted). */
  cancel(reason: Error): void {
    this.controller.abort(reason);
  }

  /** The status to write: within STATUS_LIMIT, finished step entries offloaded past it (status-offload.ts). */
  private current(): KoRunStatus {
    const rest: KoRunStatus = { ...this.status, steps: [], ...(this.output !== "" ? { output: this.output } : {}) };
    // What is not a step entry, and room for the fields the offload adds.
    const budget = STATUS_LIMIT - JSON.stringify(rest).length - 2048;
    const { steps, evicted, progress } = this.steps.snapshot(budget);
    if (evicted.length > 0) {
      this.offload.add(evicted);
      const message = `${this.offload.count} finished step entries are in ConfigMaps ${this.offload.configMaps.join(", ")}`;
      this.status = { ...this.status, conditions: condition(this.status.conditions, "StepsOffloaded", "True", "StatusLimit", message) };
    }
    return {
      ...rest,
      conditions: this.status.conditions ?? [],
      steps,
      progress,
      ...(this.offload.count > 0 ? { stepsOffloaded: this.offload.count, stepsConfigMaps: this.offload.configMaps } : {}),
    };
  }

  private capture = (text: string): void => {
    this.output = (this.output + text).slice(-OUTPUT_LIMIT);
  };

  async execute(): Promise<void> {
    const { ctx, run } = this;
    const where = `${run.metadata.namespace}/${run.metadata.name}`;
    ctx.log(`${where}: attempt ${this.attempt}`);
    ctx.attempts.set(run.metadata.uid ?? where, this);
    this.lease.keep((why) => this.cancel(new HandOver(why)));
    await this.event("Normal", this.attempt > 1 ? "Resumed" : "Started", `attempt ${this.attempt} on ${ctx.identity}`);
    try {
      // Whatever goes wrong ends the run: one left Running would be resumed, and fail, again and again.
      const outcome = await this.perform().catch((e: unknown) => fail("InternalError", e instanceof Error ? e.message : String(e)));
      if (outcome === "handover") {
        this.writer.stop();
        return;
      }
      await this.finish(outcome);
    } finally {
      ctx.attempts.delete(run.metadata.uid ?? where);
      await this.lease.release();
    }
  }

  private async perform(): Promise<Ending | "handover"> {
    const { ctx, run } = this;
    const fnName = run.spec.function ?? "Main";
    let script;
    try {
      script = await ctx.kube.getScript(run.metadata.namespace!, run.spec.scriptRef.name);
    } catch (e) {
      return fail("ScriptNotFound", `KoScript ${run.spec.scriptRef.name}: ${describeApiError(e)}`);
    }
    const compiled = await compileScript(ctx.kube, ctx.workDir, script, ctx.roots);
    if (!compiled.program) {
      const cond = compiled.status.conditions?.find((c) => c.type === "Compiled");
      const first = compiled.status.diagnostics?.find((d) => d.severity === "error");
      const why = first ? first.message : (cond?.message ?? "errors");
      const at = first ? { location: first.location, code: first.code, message: first.message } : undefined;
      return fail("ScriptNotCompiled", `KoScript ${script.metadata.name} does not compile: ${why}`, at);
    }
    const program = compiled.program;
    const fn = program.func(fnName);
    if (!fn)
      return fail(
        "FunctionNotFound",
        `KoScript ${script.metadata.name} has no function ${fnName} (its functions: ${program.functionNames().sort().join(", ")})`,
      );
    let fields: Field[];
    try {
      fields = fieldsFromJs(run.spec.arguments ?? {});
    } catch (e) {
      return fail("InvalidArguments", `spec.arguments: ${e instanceof Error ? e.message : String(e)}`);
    }
    const refusal = program.check(fn, fields).errors;
    if (refusal.length > 0) return fail("IllTyped", refusal.map((d) => d.message).join("; "), diagnosticError(refusal[0]!, compiled.dir));

    let session: Session;
    try {
      session = this.session(run);
    } catch (e) {
      // A policy that is not one (spec.policy with an unknown key, say), found before anything runs.
      if (e instanceof UsageError) return fail("InvalidPolicy", e.message);
      throw e;
    }
    const name = journalName(run);
    const file = path.join(ctx.workDir, "runs", name, JOURNAL_FILE);
    let resume: boolean;
    try {
      resume = await prepareJournal(ctx.kube, run, file);
    } catch (e) {
      await session.close();
      return fail("JournalUnavailable", `the journal's copy in ConfigMap ${journalConfigMapName(run)}: ${describeApiError(e)}`);
    }
    this.journal = new JournalCopy(ctx.kube, run, file, (m) => ctx.log(m));
    try {
      const value = await session.call(program, fn, fields, {
        signal: this.controller.signal,
        name,
        resume,
        argv: ["ko", "operator", `${run.metadata.namespace}/${run.metadata.name}`],
        check: false,
        layers: [this.steps],
      });
      return { phase: "Succeeded", reason: "Completed", message: `${fn.displayName} returned`, result: toJs(value) };
    } catch (e) {
      const why = this.controller.signal.reason as unknown;
      if (why instanceof HandOver) return "handover";
      if (e instanceof KoCancelled && why instanceof KoCancelled)
        return { phase: "Interrupted", reason: "Interrupted", message: why.reason };
      if (e instanceof KoFailure) {
        const d = failureDiagnostic(e);
        return fail("Failed", d?.message ?? e.message, d ? diagnosticError(d, compiled.dir) : undefined);
      }
      if (e instanceof UsageError) return fail("Refused", e.message);
      return fail("InternalError", e instanceof Error ? e.message : String(e));
    } finally {
      await session.close();
      await this.journal.flush();
    }
  }

  /** The session the run runs in: as `ko run`'s, with the run's namespace, policy and dry run. */
  private session(run: KoRun): Session {
    const { ctx } = this;
    return createSession({
      ...(ctx.roots.length > 0 ? { roots: ctx.roots } : {}),
      kubernetes: {
        ...(ctx.flags.kubeconfig !== undefined ? { kubeconfig: ctx.flags.kubeconfig } : {}),
        ...(ctx.flags.context !== undefined ? { context: ctx.flags.context } : {}),
        namespace: run.metadata.namespace!,
        cluster: "kubeconfig",
        ...(run.spec.policy !== undefined
          ? { policyDocument: { source: `KoRun ${run.metadata.namespace}/${run.metadata.name} spec.policy`, rules: run.spec.policy } }
          : {}),
        dryRun: run.spec.dryRun === true,
        yes: true,
        stderr: this.capture,
      },
      cache: false,
      runsDir: path.join(ctx.workDir, "runs"),
      stdout: this.capture,
      stderr: this.capture,
    });
  }

  private async finish(end: Ending): Promise<void> {
    const { run } = this;
    const result = end.result === undefined ? {} : await this.resultFields(end.result);
    this.status = {
      ...this.status,
      phase: end.phase,
      finishTime: now(),
      ...result,
      ...(end.error ? { error: end.error } : {}),
      conditions: condition(
        this.status.conditions,
        "Succeeded",
        end.phase === "Succeeded" ? "True" : "False",
        end.reason,
        end.message,
        run.metadata.generation,
      ),
    };
    await this.writer.flush();
    await this.event(end.phase === "Succeeded" ? "Normal" : "Warning", end.phase, end.message);
    this.ctx.log(`${run.metadata.namespace}/${run.metadata.name}: ${end.phase}: ${end.message}`);
  }

  /**
   * The result as the status holds it: its JSON, or past RESULT_LIMIT the ConfigMaps it was
   * written to (or, if they cannot be written, only that it is left out).
   */
  private async resultFields(value: unknown): Promise<{ result?: unknown; resultConfigMaps?: string[]; resultTruncated?: boolean }> {
    const json = JSON.stringify(value, (_k, v: unknown) =>
      // Integers beyond 2^53 as their digits; a value JSON has no form for (a function) as Ko prints it.
      typeof v === "bigint" ? v.toString() : v instanceof KoValue ? v.toString() : v,
    );
    if (Buffer.byteLength(json, "utf8") <= RESULT_LIMIT) return { result: JSON.parse(json) as unknown };
    try {
      return { resultConfigMaps: await offloadResult(this.ctx.kube, this.run, json) };
    } catch (e) {
      this.ctx.log(`cannot write the result of ${this.run.metadata.name} to ConfigMaps: ${describeApiError(e)}`);
      return { resultTruncated: true };
    }
  }

  private async event(type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    await this.ctx.kube.event(this.run, type, reason, message.slice(0, 1000), this.ctx.identity).catch((e: unknown) => {
      this.ctx.log(`cannot record an event: ${describeApiError(e)}`);
    });
  }
}

interface Ending {
  readonly phase: Exclude<RunPhase, "Pending" | "Running">;
  readonly reason: string;
  readonly message: string;
  readonly result?: unknown;
  readonly error?: RunError;
}

function fail(reason: string, message: string, at?: RunError | { location: string; message: string; code?: string }): Ending {
  return { phase: "Failed", reason, message, error: { ...(at ?? {}), message } };
}

/** An error as the status holds it: where, in the script's files, and the Ko call chain (innermost first). */
function diagnosticError(d: Diagnostic, dir: string): RunError {
  const at = (s: Diagnostic["span"]) => locationIn(dir, s.file, s.start.line, s.start.col);
  return {
    message: d.message,
    code: d.code,
    location: at(d.span),
    ...(d.frames && d.frames.length > 0
      ? { callChain: d.frames.map((f) => (f.elided !== undefined ? `... ${f.elided} more` : `${f.func}:${f.step} (${at(f.span)})`)) }
      : {}),
  };
}
