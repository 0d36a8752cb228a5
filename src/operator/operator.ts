/**
 * `ko operator`: watches KoScripts and KoRuns of one namespace (client-node informers, which list,
 * then watch, and list again after a dropped watch), compiles every new generation of a script
 * and writes its status, and runs runs — at most `concurrency` at once — each in an attempt of
 * its own (executor.ts). Every second, and at every change it hears of, it looks over the runs it
 * knows: a Pending one is started; a Running one whose lease nobody renews (its operator died)
 * is resumed; a finished one past its ttlSecondsAfterFinished is deleted; one being deleted, or
 * suspended, while it runs here is interrupted.
 *
 * SIGINT or SIGTERM stops the operator: its attempts are cancelled and their leases given up,
 * the runs left Running, so that another operator resumes them at once from their journals.
 */
import * as os from "node:os";
import * as path from "node:path";
import { UsageError } from "../diag/exit.js";
import { KoCancelled } from "../value/failure.js";
import { executeRun, HandOver, type OperatorContext } from "./executor.js";
import { condition, FINISHED, RUNS, SCRIPTS, now, type KoRun, type KoScript } from "./kinds.js";
import { describeApiError, k8s, openKube, statusOf, type Kube, type KubeFlags } from "./kube.js";
import { leaseState } from "./lease.js";
import { compileScript } from "./scripts.js";

export interface OperatorOptions extends KubeFlags {
  readonly concurrency?: number;
  readonly workDir?: string;
  readonly name?: string;
  readonly leaseSeconds?: number;
  readonly maxAttempts?: number;
  readonly roots?: readonly string[];
  readonly log?: (message: string) => void;
}

type Informer<T> = k8s.Informer<T & k8s.KubernetesObject> & k8s.ObjectCache<T & k8s.KubernetesObject>;

export class Operator {
  private readonly ctx: OperatorContext;
  private readonly concurrency: number;
  private readonly stopping = new AbortController();
  private readonly active = new Set<string>();
  /** Script generations compiled (or being compiled), by uid: each is compiled once. */
  private readonly compiled = new Map<string, number>();
  private runs: Informer<KoRun> | undefined;
  private scripts: Informer<KoScript> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();

  constructor(kube: Kube, opts: OperatorOptions) {
    this.concurrency = opts.concurrency ?? 4;
    const log = opts.log ?? ((m: string) => void process.stderr.write(`ko operator: ${m}\n`));
    this.ctx = {
      kube,
      flags: opts,
      identity: opts.name ?? `${os.hostname()}-${process.pid}`,
      workDir: path.resolve(opts.workDir ?? path.join(".ko", "operator")),
      roots: opts.roots ?? [],
      leaseSeconds: opts.leaseSeconds ?? 15,
      maxAttempts: opts.maxAttempts ?? 5,
      attempts: new Map(),
      log,
    };
  }

  get identity(): string {
    return this.ctx.identity;
  }

  async start(): Promise<void> {
    const { kube } = this.ctx;
    const ns = kube.namespace;
    for (const kind of [SCRIPTS, RUNS]) {
      try {
        await kube.custom.listNamespacedCustomObject({ ...kind, namespace: ns, limit: 1 });
      } catch (e) {
        if (statusOf(e) === 404)
          throw new UsageError(
            `the cluster does not serve ${kind.plural}.${kind.group}: install the CRDs with \`ko operator crds | kubectl apply -f -\``,
          );
        throw new UsageError(`cannot list ${kind.plural}.${kind.group} in namespace ${ns}: ${describeApiError(e)}`);
      }
    }
    this.scripts = this.informer<KoScript>(SCRIPTS, (s) => this.onScript(s));
    this.runs = this.informer<KoRun>(RUNS, (r) => this.onRun(r));
    this.runs.on(k8s.DELETE, (r) => {
      if (r.metadata.uid) this.ctx.attempts.get(r.metadata.uid)?.cancel(new KoCancelled("the KoRun was deleted"));
    });
    await Promise.all([this.scripts.start(), this.runs.start()]);
    this.timer = setInterval(() => this.scan(), 1000);
    this.ctx.log(`watching koscripts and koruns in namespace ${ns} as ${this.identity} (concurrency ${this.concurrency})`);
    this.scan();
  }

  private informer<T extends { metadata: { name: string } }>(kind: typeof SCRIPTS | typeof RUNS, handle: (o: T) => void): Informer<T> {
    const { kube } = this.ctx;
    const ns = kube.namespace;
    const inf = k8s.makeInformer<T & k8s.KubernetesObject>(
      kube.kc,
      `/apis/${kind.group}/${kind.version}/namespaces/${ns}/${kind.plural}`,
      () =>
        kube.custom.listNamespacedCustomObject({ ...kind, namespace: ns }) as Promise<k8s.KubernetesListObject<T & k8s.KubernetesObject>>,
    );
    inf.on(k8s.ADD, (o) => handle(o));
    inf.on(k8s.UPDATE, (o) => handle(o));
    // A dropped watch or a failed list: start again (the informer lists, then watches).
    inf.on(k8s.ERROR, () => {
      if (!this.stopping.signal.aborted) setTimeout(() => void inf.start().catch(() => undefined), 500);
    });
    return inf;
  }

  /** A script's new generation is compiled, and its status written. */
  private onScript(script: KoScript): void {
    const uid = script.metadata.uid ?? script.metadata.name;
    const gen = script.metadata.generation ?? 0;
    if (script.status?.observedGeneration === gen || this.compiled.get(uid) === gen) return;
    this.compiled.set(uid, gen);
    void this.compileAndReport(script).catch((e: unknown) => {
      this.compiled.delete(uid);
      this.ctx.log(`${script.metadata.name}: cannot write its status: ${describeApiError(e)}`);
    });
  }

  private async compileAndReport(script: KoScript): Promise<void> {
    const { kube, workDir, roots } = this.ctx;
    const { status } = await compileScript(kube, workDir, script, roots);
    await kube.patchScriptStatus(script, status);
    const cond = status.conditions?.find((c) => c.type === "Compiled");
    if (cond && cond.status !== script.status?.conditions?.find((c) => c.type === "Compiled")?.status)
      await kube
        .event({ ...script, kind: "KoScript" }, cond.status === "True" ? "Normal" : "Warning", cond.reason, cond.message, this.identity)
        .catch(() => undefined);
  }

  private onRun(run: KoRun): void {
    void this.consider(run).catch((e: unknown) => this.ctx.log(`${run.metadata.name}: ${describeApiError(e)}`));
  }

  private scan(): void {
    for (const run of this.runs?.list() ?? []) this.onRun(run);
  }

  private async consider(run: KoRun): Promise<void> {
    if (this.stopping.signal.aborted) return;
    const uid = run.metadata.uid ?? run.metadata.name;
    const phase = run.status?.phase;
    const attempt = this.ctx.attempts.get(uid);
    if (attempt) {
      if (run.spec.suspend) attempt.cancel(new KoCancelled("the KoRun was suspended"));
      return;
    }
    if (this.active.has(uid) || run.metadata.deletionTimestamp) return;
    if (FINISHED.has(phase)) return this.expire(run);
    if (run.spec.suspend) return this.markSuspended(run);
    if (phase === "Running") {
      const lease = await leaseState(this.ctx.kube, run.metadata.namespace!, run.metadata.name, this.identity);
      if (!lease.free) return;
    }
    if (this.active.size >= this.concurrency) {
      if (phase === undefined) await this.markPending(run, `waiting for one of ${this.concurrency} slots of ${this.identity}`);
      return;
    }
    this.active.add(uid);
    const done = executeRun(this.ctx, run, this.stopping.signal)
      .catch((e: unknown) => this.ctx.log(`${run.metadata.name}: ${describeApiError(e)}`))
      .finally(() => {
        this.active.delete(uid);
        this.running.delete(done);
      });
    this.running.add(done);
  }

  private async markPending(run: KoRun, message: string, reason = "Waiting"): Promise<void> {
    const conditions = condition(run.status?.conditions, "Succeeded", "Unknown", reason, message, run.metadata.generation);
    await this.ctx.kube.patchRunStatus(run, { phase: "Pending", conditions }, run.metadata.resourceVersion).catch(unless(409));
  }

  private async markSuspended(run: KoRun): Promise<void> {
    if (run.status?.phase === "Pending" && run.status.conditions?.some((c) => c.reason === "Suspended")) return;
    await this.markPending(run, "spec.suspend is true", "Suspended");
  }

  /** Deletes a finished run once its ttlSecondsAfterFinished has passed. */
  private async expire(run: KoRun): Promise<void> {
    const ttl = run.spec.ttlSecondsAfterFinished;
    const finished = run.status?.finishTime ? Date.parse(run.status.finishTime) : NaN;
    if (ttl === undefined || Number.isNaN(finished) || Date.now() < finished + ttl * 1000) return;
    await this.ctx.kube.custom
      .deleteNamespacedCustomObject({ ...RUNS, namespace: run.metadata.namespace!, name: run.metadata.name })
      .catch(unless(404));
    this.ctx.log(`${run.metadata.namespace}/${run.metadata.name}: deleted ${ttl}s after it finished (${now()})`);
  }

  /** Stops watching; the attempts running here are handed over (their runs stay Running, their leases given up). */
  async stop(): Promise<void> {
    this.stopping.abort(new HandOver(`operator ${this.identity} stopped`));
    clearInterval(this.timer);
    await Promise.all([this.runs?.stop(), this.scripts?.stop()]);
    await Promise.all(this.running);
  }
}

/** `ko operator`: runs until SIGINT or SIGTERM. */
export async function runOperator(opts: OperatorOptions): Promise<number> {
  const operator = new Operator(openKube(opts), opts);
  await operator.start();
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await operator.stop();
  return 0;
}

/** A handler of a failed request that lets one with this status pass and throws any other. */
function unless(status: number): (e: unknown) => void {
  return (e) => {
    if (statusOf(e) !== status) throw e;
  };
}
