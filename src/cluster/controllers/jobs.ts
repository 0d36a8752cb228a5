/**
 * Job → pods run to completion → SuccessCriteriaMet and Complete conditions (or Failed once the
 * backoff limit is exceeded); CronJob → a Job per schedule tick (minute resolution, UTC).
 */
import type { KObject } from "../resources.js";
import type { StoreEvent } from "../object-store.js";
import { clone, timestamp } from "../util.js";
import { type Controller, type ControllerManager, isActive, isPodReady, ownerKeys, ownerRef, setCondition, splitKey } from "./manager.js";
import { podFromTemplate } from "./replicas.js";

const MANAGER = "kube-controller-manager";

const hasCondition = (o: KObject, type: string) =>
  (o.status?.conditions ?? []).some((c: KObject) => c.type === type && c.status === "True");
export const jobFinished = (j: KObject) => hasCondition(j, "Complete") || hasCondition(j, "Failed");

export class JobController implements Controller {
  readonly name = "job";
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "batch/jobs", "/pods", "Job");
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const jobType = this.m.rt("batch", "jobs");
    const podType = this.m.rt("", "pods");
    const job = this.m.api.tryGet(jobType, ns, name);
    if (!job || job.metadata.deletionTimestamp || jobFinished(job)) return;
    if (!this.m.after(this.name, key, `${job.metadata.uid}:${job.metadata.generation}`, this.m.delays.controller)) return;
    const spec = job.spec;
    const now = timestamp();
    const pods = this.m.controlledBy(podType, job.metadata.uid);
    const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
    const failed = pods.filter((p) => p.status?.phase === "Failed").length;
    let active = pods.filter(isActive);
    const completions: number | null = spec.completions ?? null;
    const done = completions === null ? succeeded > 0 && active.length === 0 : succeeded >= completions;
    const backoffExceeded = failed > (spec.backoffLimit ?? 6);

    if (spec.suspend) {
      for (const p of active) this.m.api.delete(podType, ns, p.metadata.name, { fieldManager: MANAGER });
      this.m.mutate(
        jobType,
        ns,
        name,
        MANAGER,
        (o) => {
          o.status = {
            ...o.status,
            active: 0,
            conditions: setCondition(
              o.status?.conditions,
              { type: "Suspended", status: "True", reason: "JobSuspended", message: "Job suspended", lastProbeTime: now },
              now,
            ),
          };
          delete o.status.active;
        },
        "status",
      );
      return;
    }
    if (!done && !backoffExceeded) {
      const parallelism: number = spec.parallelism ?? 1;
      const remaining = completions === null ? (succeeded > 0 ? 0 : parallelism) : completions - succeeded;
      const want = Math.min(parallelism, remaining);
      for (let i = active.length; i < want; i++) {
        const pod = podFromTemplate(spec.template, job);
        pod.metadata.generateName = `${name}-`;
        if (spec.completionMode === "Indexed") {
          const used = new Set(
            pods
              .filter((p) => p.status?.phase !== "Failed")
              .map((p) => p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]),
          );
          let idx = 0;
          while (used.has(String(idx))) idx++;
          pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), "batch.kubernetes.io/job-completion-index": String(idx) };
          pod.metadata.labels["batch.kubernetes.io/job-completion-index"] = String(idx);
          pod.metadata.generateName = `${name}-${idx}-`;
          pod.spec.hostname = `${name}-${idx}`;
          pods.push(pod);
        }
        this.m.api.create(podType, ns, pod, { fieldManager: MANAGER });
      }
    } else if (backoffExceeded) for (const p of active) this.m.api.delete(podType, ns, p.metadata.name, { fieldManager: MANAGER });
    active = this.m.controlledBy(podType, job.metadata.uid).filter(isActive);

    this.m.mutate(
      jobType,
      ns,
      name,
      MANAGER,
      (o) => {
        const st: KObject = { ...(o.status ?? {}) };
        st.startTime ??= now;
        st.active = active.length;
        st.succeeded = succeeded;
        st.failed = failed;
        st.ready = active.filter(isPodReady).length;
        st.terminating = 0;
        st.uncountedTerminatedPods = {};
        let conds = st.conditions;
        if (done) {
          conds = setCondition(
            conds,
            {
              type: "SuccessCriteriaMet",
              status: "True",
              reason: "CompletionsReached",
              message: "Reached expected number of succeeded pods",
              lastProbeTime: now,
            },
            now,
          );
          conds = setCondition(
            conds,
            {
              type: "Complete",
              status: "True",
              reason: "CompletionsReached",
              message: "Reached expected number of succeeded pods",
              lastProbeTime: now,
            },
            now,
          );
          st.completionTime = now;
        } else if (backoffExceeded) {
          conds = setCondition(
            conds,
            {
              type: "FailureTarget",
              status: "True",
              reason: "BackoffLimitExceeded",
              message: "Job has reached the specified backoff limit",
              lastProbeTime: now,
            },
            now,
          );
          conds = setCondition(
            conds,
            {
              type: "Failed",
              status: "True",
              reason: "BackoffLimitExceeded",
              message: "Job has reached the specified backoff limit",
              lastProbeTime: now,
            },
            now,
          );
        }
        if (conds?.length) st.conditions = conds;
        for (const k of ["active", "succeeded", "failed"]) if (!st[k]) delete st[k];
        if (spec.completionMode === "Indexed") {
          const idx = pods
            .filter((p) => p.status?.phase === "Succeeded")
            .map((p) => Number(p.metadata.annotations?.["batch.kubernetes.io/job-completion-index"]))
            .filter(Number.isInteger)
            .sort((a, b) => a - b);
          if (idx.length) st.completedIndexes = idx.join(",");
        }
        o.status = st;
      },
      "status",
    );
  }
}

// ---------- CronJob ----------

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseField(f: string, min: number, max: number, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const part of f.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText ? Number(stepText) : 1;
    const value = (s: string) => {
      const i = names?.indexOf(s.toLowerCase()) ?? -1;
      return i >= 0 ? i + (names === MONTHS ? 1 : 0) : Number(s);
    };
    let lo = min;
    let hi = max;
    if (range !== "*" && range !== "?") {
      const [a, b] = range!.split("-");
      lo = value(a!);
      hi = b !== undefined ? value(b) : stepText ? max : lo;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !(step > 0)) throw new Error(`bad cron field ${f}`);
    for (let v = lo; v <= hi; v += step) out.add(v === 7 && names === DAYS ? 0 : v);
  }
  return out;
}

/** The first schedule time strictly after `after` (UTC, minute resolution), within a year. */
export function nextSchedule(schedule: string, after: Date): Date | undefined {
  const expr = MACROS[schedule.trim()] ?? schedule;
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return undefined;
  const [mi, ho, dom, mo, dow] = [
    parseField(f[0]!, 0, 59),
    parseField(f[1]!, 0, 23),
    parseField(f[2]!, 1, 31),
    parseField(f[3]!, 1, 12, MONTHS),
    parseField(f[4]!, 0, 6, DAYS),
  ];
  const domAny = f[2] === "*" || f[2] === "?";
  const dowAny = f[4] === "*" || f[4] === "?";
  const t = new Date(Math.floor(after.getTime() / 60000) * 60000 + 60000);
  for (let i = 0; i < 366 * 24 * 60; i++, t.setTime(t.getTime() + 60000)) {
    if (!mo.has(t.getUTCMonth() + 1) || !ho.has(t.getUTCHours()) || !mi.has(t.getUTCMinutes())) continue;
    const dayOk =
      domAny && dowAny
        ? true
        : domAny
          ? dow.has(t.getUTCDay())
          : dowAny
            ? dom.has(t.getUTCDate())
            : dom.has(t.getUTCDate()) || dow.has(t.getUTCDay());
    if (dayOk) return new Date(t);
  }
  return undefined;
}

export class CronJobController implements Controller {
  readonly name = "cronjob";
  private readonly timers = new Map<string, NodeJS.Timeout>();
  constructor(private readonly m: ControllerManager) {}

  keys(e: StoreEvent): Iterable<string> {
    return ownerKeys(e, "batch/cronjobs", "batch/jobs", "CronJob");
  }

  /** Creates the Job for a schedule tick now (tests, and `ko` scripts that cannot wait a minute). */
  trigger(namespace: string, name: string, at = new Date()): KObject | undefined {
    const cj = this.m.api.tryGet(this.m.rt("batch", "cronjobs"), namespace, name);
    return cj ? this.createJob(cj, at) : undefined;
  }

  private createJob(cj: KObject, at: Date): KObject {
    const jobType = this.m.rt("batch", "jobs");
    const ns = cj.metadata.namespace;
    const jt = cj.spec.jobTemplate ?? {};
    const job = this.m.api.create(
      jobType,
      ns,
      {
        metadata: {
          name: `${cj.metadata.name}-${Math.floor(at.getTime() / 60000)}`,
          labels: { ...(jt.metadata?.labels ?? {}) },
          annotations: {
            ...(jt.metadata?.annotations ?? {}),
            "batch.kubernetes.io/cronjob-scheduled-timestamp": at.toISOString().replace(/\.\d+Z$/, "Z"),
          },
          ownerReferences: [ownerRef(cj)],
        },
        spec: clone(jt.spec ?? {}),
      },
      { fieldManager: MANAGER },
    );
    this.m.mutate(
      this.m.rt("batch", "cronjobs"),
      ns,
      cj.metadata.name,
      MANAGER,
      (o) => {
        o.status = {
          ...(o.status ?? {}),
          lastScheduleTime: timestamp(at),
          active: [
            ...(o.status?.active ?? []),
            {
              kind: "Job",
              namespace: ns,
              name: job.metadata.name,
              uid: job.metadata.uid,
              apiVersion: "batch/v1",
              resourceVersion: job.metadata.resourceVersion,
            },
          ],
        };
      },
      "status",
    );
    return job;
  }

  reconcile(key: string): void {
    const [ns, name] = splitKey(key);
    const cjType = this.m.rt("batch", "cronjobs");
    const jobType = this.m.rt("batch", "jobs");
    const cj = this.m.api.tryGet(cjType, ns, name);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const jobs = this.m.controlledBy(jobType, cj.metadata.uid);
    // Keep status.active in step with the jobs, and trim history.
    const active = jobs.filter((j) => !jobFinished(j));
    const succeeded = jobs.filter((j) => hasCondition(j, "Complete"));
    const failedJobs = jobs.filter((j) => hasCondition(j, "Failed"));
    const trim = (list: KObject[], keep: number) => {
      const sorted = [...list].sort((a, b) => (a.metadata.creationTimestamp < b.metadata.creationTimestamp ? -1 : 1));
      for (const j of sorted.slice(0, Math.max(0, sorted.length - keep)))
        this.m.api.delete(jobType, ns, j.metadata.name, { propagationPolicy: "Background", fieldManager: MANAGER });
    };
    trim(succeeded, cj.spec.successfulJobsHistoryLimit ?? 3);
    trim(failedJobs, cj.spec.failedJobsHistoryLimit ?? 1);
    const lastSuccess = succeeded
      .map((j) => j.status?.completionTime)
      .filter(Boolean)
      .sort()
      .pop();
    this.m.mutate(
      cjType,
      ns,
      name,
      MANAGER,
      (o) => {
        const st: KObject = { ...(o.status ?? {}) };
        const refs = active.map((j) => ({
          kind: "Job",
          namespace: ns,
          name: j.metadata.name,
          uid: j.metadata.uid,
          apiVersion: "batch/v1",
          resourceVersion: j.metadata.resourceVersion,
        }));
        if (refs.length) st.active = refs;
        else delete st.active;
        if (lastSuccess) st.lastSuccessfulTime = lastSuccess;
        o.status = st;
      },
      "status",
    );
    if (cj.spec.suspend) return;
    const last = cj.status?.lastScheduleTime ? new Date(cj.status.lastScheduleTime) : new Date(cj.metadata.creationTimestamp);
    const next = nextSchedule(cj.spec.schedule, last);
    if (!next) return;
    const wait = next.getTime() - Date.now();
    if (wait <= 0) {
      if (cj.spec.concurrencyPolicy === "Forbid" && active.length) return;
      if (cj.spec.concurrencyPolicy === "Replace")
        for (const j of active) this.m.api.delete(jobType, ns, j.metadata.name, { propagationPolicy: "Background", fieldManager: MANAGER });
      this.createJob(cj, next);
      return;
    }
    const t = setTimeout(() => this.m.enqueue(this.name, key), Math.min(wait, 2 ** 31 - 1));
    t.unref();
    this.timers.set(key, t);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
  }
}
