/**
 * A KoRun's status stays under 256 KiB: past that, finished step entries are taken out of it
 * (step-status.ts says which) and kept in ConfigMaps the run owns, `NAME-steps-0`, `NAME-steps-1`...,
 * one entry a line of JSON in `steps.jsonl`, each ConfigMap filled to 512 KiB before the next is
 * begun. The status counts them (`stepsOffloaded`), names the ConfigMaps (`stepsConfigMaps`), and
 * says so in the condition `StepsOffloaded`. An entry is kept as it was when it was taken out: a
 * resumed attempt that replays the step shows its new entry in the status again.
 */
import { API_VERSION, type KoRun, type StepEntry } from "./kinds.js";
import { statusOf, type Kube } from "./kube.js";

/** The most a run's status may hold, as JSON. */
export const STATUS_LIMIT = 256 * 1024;
const CHUNK_LIMIT = 512 * 1024;
const KEY = "steps.jsonl";

export class StepOffload {
  private readonly chunks: string[];
  private readonly dirty = new Set<number>();
  private written: Promise<void> = Promise.resolve();
  private added = 0;

  constructor(
    private readonly kube: Kube,
    private readonly run: KoRun,
    /** The offloaded entries of earlier attempts: new ones go to a ConfigMap after theirs. */
    private readonly earlier: { readonly count: number; readonly configMaps: readonly string[] },
  ) {
    this.chunks = earlier.configMaps.map(() => "");
  }

  get count(): number {
    return this.earlier.count + this.added;
  }

  /** The ConfigMaps that hold entries, earlier attempts' included. */
  get configMaps(): string[] {
    return this.chunks.map((_, i) => this.nameOf(i));
  }

  private nameOf(i: number): string {
    return `${this.run.metadata.name}-steps-${i}`;
  }

  add(entries: readonly StepEntry[]): void {
    for (const e of entries) {
      const line = JSON.stringify(e) + "\n";
      const last = this.chunks.length - 1;
      // An earlier attempt's ConfigMap is not read back: new entries begin one of their own.
      if (last < this.earlier.configMaps.length || this.chunks[last]!.length + line.length > CHUNK_LIMIT) this.chunks.push("");
      const i = this.chunks.length - 1;
      this.chunks[i] += line;
      this.dirty.add(i);
      this.added++;
    }
  }

  /** Writes the ConfigMaps that took entries since the last write. */
  write(): Promise<void> {
    const turn = this.written.then(async () => {
      const todo = [...this.dirty];
      this.dirty.clear();
      for (const i of todo) {
        try {
          await this.put(this.nameOf(i), this.chunks[i]!);
        } catch (e) {
          this.dirty.add(i);
          throw e;
        }
      }
    });
    this.written = turn.catch(() => undefined); // a failed write is tried again with the next
    return turn;
  }

  private async put(name: string, text: string): Promise<void> {
    const { namespace, name: run, uid } = this.run.metadata;
    const body = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name,
        labels: { "ko.dev/run": run },
        ownerReferences: uid
          ? [{ apiVersion: API_VERSION, kind: "KoRun", name: run, uid, controller: true, blockOwnerDeletion: true }]
          : [],
      },
      data: { [KEY]: text },
    };
    try {
      await this.kube.core.replaceNamespacedConfigMap({ name, namespace: namespace!, body });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
      await this.kube.core.createNamespacedConfigMap({ namespace: namespace!, body });
    }
  }
}
