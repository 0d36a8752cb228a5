/**
 * Plan, then apply: how a session runs a call that may write to a cluster that is not its own.
 *
 * When a run is planned:
 * - always with `plan` or `dryRun` (`ko run --plan`, `--dry-run`): the planning pass is the run;
 * - before running any program that imports "k8s" when the cluster is not the run's own embedded
 *   one (a kubeconfig's cluster, or `ko cluster serve` reached through one). The run's own
 *   embedded cluster is a scratch space: its requests are checked against the policy one at a
 *   time and sent.
 *
 * The lifecycle:
 * 1. The planning pass: the program runs once; every write to the cluster goes as a server-side
 *    dry run (guard.ts), reads go to the server and see what the plan has done so far, waits the
 *    dry run cannot reach are assumed met, and host functions with effects outside the cluster
 *    are skipped and listed (host/dry-run.ts). Its output is held back. If it fails — a request
 *    the policy refuses, an API error — nothing has been written, and the failure is reported.
 * 2. The plan is checked against the policy as a whole; a refusal anywhere means nothing is written.
 * 3. `plan`/`dryRun` stop here: the plan is shown, with "nothing was changed".
 *    A pass that wrote nothing, skipped nothing and assumed nothing was the run itself: its result
 *    and output are kept, and nothing runs twice.
 * 4. A plan that deletes anything, against a cluster that is not the embedded one, is confirmed:
 *    shown on the terminal with one question (the live view paused), or let through by `yes`;
 *    with neither a terminal nor `yes` it is refused as a usage error before anything is written.
 * 5. The real run, with the guard holding it to the plan: a deletion the plan did not show is refused.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { UsageError } from "../diag/exit.js";
import { DRY_RUN, type DryRunLog } from "../host/dry-run.js";
import type { Services } from "../host/services.js";
import type { Layer } from "../instrument/layers.js";
import type { ClusterAccess } from "../k8s/options.js";
import { Plan, type Origin } from "../k8s/plan.js";
import { KoExit } from "../stdlib/os.js";
import { KoError } from "../value/failure.js";
import type { Value } from "../value/value.js";

/** What the session lends a planned call. */
export interface PlannedCall {
  readonly access: ClusterAccess;
  /** The function planned, as people read it: `cockroachdb.StartCockroachDB`. */
  readonly subject: string;
  /** The program imports "k8s" (so its cluster is opened for the plan). */
  readonly usesCluster: boolean;
  /** Where the run's output goes; notices, the plan and the question go to `stderr`. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The live view's layer, shown during the planning pass too; and how to take it off the screen. */
  readonly view: Layer | undefined;
  pauseView(): void;
  /** Runs the call once as a planning pass: with these layers and services, its output to these writers. */
  pass(setup: {
    layers: Layer[];
    services: (s: Services) => Services;
    stdout?: (t: string) => void;
    stderr?: (t: string) => void;
  }): Promise<Value>;
  /** Runs the call for real. */
  real(): Promise<Value>;
}

/** Whether a call is planned before it runs: `only` (plan and stop), `first` (plan, then apply), or not at all. */
export async function planningOf(access: ClusterAccess, usesCluster: boolean): Promise<"only" | "first" | undefined> {
  if (access.options.plan === true || access.options.dryRun === true) return "only";
  if (!usesCluster) return undefined;
  return (await access.connection()).embedded ? undefined : "first";
}

export async function planThenApply(call: PlannedCall, mode: "only" | "first"): Promise<Value> {
  const { access, stderr } = call;
  const connection = call.usesCluster ? await access.connection() : undefined;
  const origins = new AsyncLocalStorage<() => readonly Origin[]>();
  const plan = new Plan(call.subject, connection?.where, () => origins.getStore()?.());
  // The planning pass's own output waits: it is the run's only if the pass turns out to be the run.
  const held: { write: (t: string) => void; text: string }[] = [];
  const hold = (write: (t: string) => void) => (text: string) => void held.push({ write, text });
  const flush = () => held.splice(0).forEach((h) => h.write(h.text));
  const passOutput = mode === "first" ? { stdout: hold(call.stdout), stderr: hold(stderr) } : {};
  connection?.guard.startPlan(plan);
  let outcome: { readonly result: Value } | { readonly exit: KoExit };
  try {
    outcome = {
      result: await call.pass({
        layers: [holdingBack(plan), knowingOrigins(origins), ...(call.view ? [call.view] : [])],
        services: (s) => s.with(DRY_RUN, plan),
        ...passOutput,
      }),
    };
  } catch (e) {
    // os.Exit ends the pass where it would end the run: the plan is what came before it.
    if (!(e instanceof KoExit)) {
      call.pauseView();
      flush();
      if (plan.writeRequests > 0 || plan.skipped.length > 0) stderr("ko: the run failed while it was planned: nothing was changed.\n");
      throw e;
    }
    outcome = { exit: e };
  } finally {
    connection?.guard.end();
    // Its promise hooks would otherwise stay on, slowing every promise of the process from now on.
    origins.disable();
  }
  const ended = outcome;
  const finish = (): Value => {
    if ("exit" in ended) throw ended.exit;
    return ended.result;
  };
  call.pauseView();
  const refusal = plan.refusal(access.policy);
  if (refusal) {
    stderr(plan.render());
    throw new KoError(
      `${access.policy.file === undefined ? "policy" : `policy ${access.policy.file}`}: ${refusal}; nothing was changed`,
      "k8s/policy",
    );
  }
  access.options.onPlan?.(plan);
  if (mode === "only") {
    stderr(
      plan.render() + (plan.unvouched.size === 0 ? "ko: dry run: nothing was changed.\n" : "ko: dry run: the cluster was not changed.\n"),
    );
    return finish();
  }
  if (plan.writeRequests === 0 && plan.skipped.length === 0 && plan.assumed.length === 0) {
    flush();
    return finish();
  }
  held.length = 0;
  if (connection && !connection.embedded && plan.counts().delete > 0 && access.options.yes !== true)
    await confirm(call, plan, connection.where);
  connection?.guard.startApply(plan);
  try {
    return await call.real();
  } finally {
    connection?.guard.end();
  }
}

/** Asks, once, whether to apply a plan that deletes; refuses without a way to ask. */
async function confirm(call: PlannedCall, plan: Plan, where: string): Promise<void> {
  const { access, stderr } = call;
  const deletes = plan.counts().delete;
  const ask = access.options.confirm ?? (process.stdin.isTTY && process.stderr.isTTY ? askTerminal : undefined);
  if (!ask) {
    stderr(plan.render());
    throw new UsageError(
      `this plan deletes ${deletes} object${deletes === 1 ? "" : "s"} on ${where}: confirm it on a terminal, or pass --yes (nothing was changed)`,
    );
  }
  call.pauseView();
  const yes = await ask(`${plan.render()}ko: apply this plan to ${where}? It deletes ${deletes} object${deletes === 1 ? "" : "s"}. [y/N] `);
  if (!yes) throw new KoError("the plan was not confirmed: nothing was changed", "k8s/confirm");
}

async function askTerminal(question: string): Promise<boolean> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * A layer that lets the plan know which Ko steps make each write: the cluster call's chain,
 * outermost first. The chain is built only when the plan records a write: most cluster calls are
 * reads, and building the chain of each would cost as much as the rest of Ko's work on the request.
 * A function that only reads (`dryRun: "runs"`: Get, List, WaitFor, the generated reads) makes no
 * write, so its calls do without the async context: until a call that may write enters one, the
 * promise hooks of AsyncLocalStorage stay off, and a run that only reads never pays for them.
 */
function knowingOrigins(origins: AsyncLocalStorage<() => readonly Origin[]>): Layer {
  return {
    wantsHostCall: (fn) => fn.effects === "cluster" && fn.dryRun !== "runs",
    hostCall(call, next) {
      if (call.fn.effects !== "cluster" || call.fn.dryRun === "runs") return next();
      const ctx = call.ctx;
      let chain: readonly Origin[] | undefined;
      const chainNow = () =>
        (chain ??= (ctx.callFrames?.() ?? [])
          .filter((f) => f.elided === undefined && f.hop === undefined)
          .map((f) => ({ func: f.func, line: f.span.start.line, col: f.span.start.col }))
          .reverse());
      return origins.run(chainNow, next);
    },
  };
}

/**
 * The layer of a planning pass that holds back host functions with effects outside the cluster
 * (host/dry-run.ts): a skipped call is listed with what it would have done and answered with its
 * stand-in result; a call with effects Ko cannot judge runs, and is listed.
 */
function holdingBack(log: DryRunLog): Layer {
  return {
    wantsHostCall: (fn) => fn.effects === "io" && fn.dryRun !== "runs",
    hostCall(call, next) {
      const fn = call.fn;
      if (fn.effects !== "io" || fn.dryRun === "runs") return next();
      if (fn.dryRun === undefined) {
        log.ranWithEffects(fn.displayName);
        return next();
      }
      log.skip(fn.displayName, fn.dryRun.would(call.fields));
      return fn.dryRun.result(call.fields);
    },
  };
}
