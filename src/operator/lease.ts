/**
 * A run's Lease (coordination.k8s.io/v1, `korun-NAME` in the run's namespace): the operator that
 * holds it runs the run, so two operators never run the same run. It is taken by a create, or by
 * a replace at the resourceVersion read (so of two operators racing for it, one gets a 409),
 * renewed every third of its duration, and given up (deleted) when the run has ended. A lease
 * whose holder stopped renewing it is free once its duration has passed since the last renewal:
 * that is how a run whose operator died is found and resumed by another.
 */
import { k8s, statusOf, type Kube } from "./kube.js";

export type LeaseState = { readonly free: true } | { readonly free: false; readonly holder: string };

export class RunLease {
  private timer: NodeJS.Timeout | undefined;
  private lease: k8s.V1Lease | undefined;

  constructor(
    private readonly kube: Kube,
    readonly namespace: string,
    readonly run: string,
    private readonly identity: string,
    private readonly seconds: number,
  ) {}

  get name(): string {
    return `korun-${this.run}`;
  }

  /** Takes the lease if nobody holds it (or its holder stopped renewing it); false if someone does. */
  async acquire(owner: { uid?: string | undefined }): Promise<boolean> {
    const { namespace, name } = this;
    const spec = () => ({
      holderIdentity: this.identity,
      leaseDurationSeconds: this.seconds,
      acquireTime: new k8s.V1MicroTime(),
      renewTime: new k8s.V1MicroTime(),
    });
    let current: k8s.V1Lease | undefined;
    try {
      current = await this.kube.coordination.readNamespacedLease({ name, namespace });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
    }
    try {
      if (current === undefined) {
        const ownerReferences = owner.uid
          ? [{ apiVersion: "ko.dev/v1alpha1", kind: "KoRun", name: this.run, uid: owner.uid, blockOwnerDeletion: false }]
          : [];
        this.lease = await this.kube.coordination.createNamespacedLease({
          namespace,
          body: { metadata: { name, ownerReferences }, spec: spec() },
        });
      } else {
        if (heldByOther(current, this.identity)) return false;
        const transitions = (current.spec?.leaseTransitions ?? 0) + 1;
        this.lease = await this.kube.coordination.replaceNamespacedLease({
          name,
          namespace,
          body: { ...current, spec: { ...current.spec, ...spec(), leaseTransitions: transitions } },
        });
      }
    } catch (e) {
      // Someone else created or took it between our read and our write.
      if (statusOf(e) === 409) return false;
      throw e;
    }
    return true;
  }

  /** Renews the lease every third of its duration; `lost` is called if another operator took it. */
  keep(lost: (why: string) => void): void {
    this.timer = setInterval(
      () => {
        void this.renew().then(
          (ok) => ok || lost(`the lease ${this.name} was taken by another operator`),
          () => undefined, // a renewal that failed for another reason is tried again at the next tick
        );
      },
      Math.max(200, (this.seconds * 1000) / 3),
    );
    this.timer.unref();
  }

  private async renew(): Promise<boolean> {
    if (!this.lease) return false;
    try {
      this.lease = await this.kube.coordination.replaceNamespacedLease({
        name: this.name,
        namespace: this.namespace,
        body: { ...this.lease, spec: { ...this.lease.spec, renewTime: new k8s.V1MicroTime() } },
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 409 || statusOf(e) === 404) return false;
      throw e;
    }
  }

  /** Stops renewing and deletes the lease (at the version this operator holds). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    const version = this.lease?.metadata?.resourceVersion;
    this.lease = undefined;
    await this.kube.coordination
      .deleteNamespacedLease({ name: this.name, namespace: this.namespace, body: { preconditions: { resourceVersion: version } } })
      .catch(() => undefined);
  }

  /** Stops renewing without giving the lease up (the process is going away; another operator takes over after it expires). */
  abandon(): void {
    clearInterval(this.timer);
  }
}

/** Whether another holder renewed the lease within its duration. */
export function heldByOther(lease: k8s.V1Lease, identity: string): boolean {
  const holder = lease.spec?.holderIdentity;
  if (!holder || holder === identity) return false;
  const renewed = timeOf(lease.spec?.renewTime ?? lease.spec?.acquireTime);
  const seconds = lease.spec?.leaseDurationSeconds ?? 15;
  return renewed !== undefined && Date.now() < renewed + seconds * 1000;
}

export async function leaseState(kube: Kube, namespace: string, run: string, identity: string): Promise<LeaseState> {
  try {
    const lease = await kube.coordination.readNamespacedLease({ name: `korun-${run}`, namespace });
    return heldByOther(lease, identity) ? { free: false, holder: lease.spec!.holderIdentity! } : { free: true };
  } catch (e) {
    if (statusOf(e) === 404) return { free: true };
    throw e;
  }
}

function timeOf(t: unknown): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : typeof t === "string" ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
