/**
 * What a KoRun's status cannot hold goes to ConfigMaps the run owns.
 *
 * A KoRun's status stays under 256 KiB: past that, finished step entries are taken out of it
 * (step-status.ts says which) and kept in ConfigMaps the run owns, `NAME-steps-0`, `NAME-steps-1`...,
 * one entry a line of JSON in `steps.jsonl`, each ConfigMap filled to 512 KiB before the next is
 * begun. The status counts them (`stepsOffloaded`), names the ConfigMaps (`stepsConfigMaps`), and
 * says so in the condition `StepsOffloaded`. An entry is kept as it was when it was taken out: a
 * resumed attempt that replays the step shows its new entry in the status again.
 *
 * A result whose JSON passes 64 KiB is not put in the status either: it is written, as JSON, to
 * the key `result.json` of `NAME-result-0`, `NAME-result-1`..., each at most 768 KiB of UTF-8 (a
 * ConfigMap holds at most 1 MiB), and the status names them (`resultConfigMaps`); the result is
 * their texts put together in that order.
 */
import { API_VERSION, type KoRun, type StepEntry } from "./kinds.js";
import { statusOf, type Kube } from "./kube.js";

/** The most a run's status may hold, as JSON. */
export const STATUS_LIMIT = 256 * 1024;
const CHUNK_LIMIT = 512 * 1024;
const KEY = "steps.jsonl";
/** The most of a result's JSON one ConfigMap holds, in bytes of UTF-8. */
export const RESULT_CHUNK = 768 * 1024;
export const RESULT_KEY = "result.json";

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

  private put(name: string, text: string): Promise<void> {
    return putOwnedConfigMap(this.kube, this.run, name, { [KEY]: text });
  }
}

/** Writes the result's JSON to ConfigMaps of the run; returns their names, in order. */
export async function offloadResult(kube: Kube, run: KoRun, json: string): Promise<string[]> {
  const names: string[] = [];
  for (const [i, part] of utf8Chunks(json, RESULT_CHUNK).entries()) {
    const name = `${run.metadata.name}-result-${i}`;
    await putOwnedConfigMap(kube, run, name, { [RESULT_KEY]: part });
    names.push(name);
  }
  return names;
}

/** TEXT cut into pieces of at most LIMIT bytes of UTF-8, never inside a character. */
export function utf8Chunks(text: string, limit: number): string[] {
  const bytes = Buffer.from(text, "utf8");
  const parts: string[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = Math.min(start + limit, bytes.length);
    // Back off to the first byte of a character: continuation bytes are 10xxxxxx.
    while (end > start && end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end--;
    // A limit smaller than one character: the character alone.
    if (end === start) for (end = start + 1; end < bytes.length && (bytes[end]! & 0xc0) === 0x80;) end++;
    parts.push(bytes.subarray(start, end).toString("utf8"));
    start = end;
  }
  return parts;
}

/** Creates or replaces the ConfigMap NAME holding DATA, owned by the run (deleted with it). */
async function putOwnedConfigMap(kube: Kube, run: KoRun, name: string, data: Record<string, string>): Promise<void> {
  const { namespace, name: runName, uid } = run.metadata;
  const body = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      labels: { "ko.dev/run": runName },
      ownerReferences: uid
        ? [{ apiVersion: API_VERSION, kind: "KoRun", name: runName, uid, controller: true, blockOwnerDeletion: true }]
        : [],
    },
    data,
  };
  try {
    await kube.core.replaceNamespacedConfigMap({ name, namespace: namespace!, body });
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
    await kube.core.createNamespacedConfigMap({ namespace: namespace!, body });
  }
}
