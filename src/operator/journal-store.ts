/**
 * A run's journal in the cluster: the journal (src/journal/, the file `ko run --name` writes) is
 * written to the work directory as it goes, and copied, gzipped, to a ConfigMap owned by the run
 * (`NAME-journal`, deleted with the run) just before each write of the run's status (at most every
 * 500 ms) and when the attempt ends. So the copy holds every step the status shows finished. An
 * operator that resumes the run — on another machine, with a work directory of its own — starts
 * from the copy in the cluster when it holds more than its own directory does. The copy may be
 * half a second behind the file: a step finished in that half second, which the status did not
 * show yet either, is not replayed but runs again, as a resumed run does with any step it has no
 * record of.
 *
 * The attempt being resumed was cut short (its operator stopped renewing the lease), so its end
 * is written before the new attempt begins: the journal would otherwise judge the run by the
 * process id of that attempt, which means nothing on another machine, or in a container where
 * every operator is process 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { API_VERSION, type KoRun } from "./kinds.js";
import { describeApiError, statusOf, type Kube } from "./kube.js";

const KEY = "journal.jsonl.gz";
/** A ConfigMap holds at most 1 MiB; the copy stops (with a warning) beyond this, and the run goes on. */
export const JOURNAL_COPY_LIMIT = 900 * 1024;

export class JournalCopy {
  private copiedSize = -1;
  private copying: Promise<void> = Promise.resolve();
  private tooLarge = false;

  constructor(
    private readonly kube: Kube,
    private readonly run: KoRun,
    private readonly file: string,
    private readonly warn: (message: string) => void,
  ) {}

  get name(): string {
    return journalConfigMapName(this.run);
  }

  private copy(): Promise<void> {
    this.copying = this.copying.then(async () => {
      let text: Buffer;
      try {
        text = fs.readFileSync(this.file);
      } catch {
        return;
      }
      if (text.length === this.copiedSize) return;
      const gz = zlib.gzipSync(text);
      if (gz.length > JOURNAL_COPY_LIMIT) {
        this.tooLarge = true;
        this.warn(
          `${this.run.metadata.name}: the journal (${gz.length} bytes gzipped) is too large for a ConfigMap: it stays in the work directory only`,
        );
        return;
      }
      try {
        await this.put(gz.toString("base64"));
        this.copiedSize = text.length;
      } catch (e) {
        this.warn(`${this.run.metadata.name}: cannot copy the journal to ConfigMap ${this.name}: ${describeApiError(e)}`);
      }
    });
    return this.copying;
  }

  private async put(data: string): Promise<void> {
    const { namespace, name, uid } = this.run.metadata;
    const body = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: this.name,
        labels: { "ko.dev/run": name },
        ownerReferences: uid ? [{ apiVersion: API_VERSION, kind: "KoRun", name, uid, controller: true, blockOwnerDeletion: true }] : [],
      },
      binaryData: { [KEY]: data },
    };
    try {
      await this.kube.core.replaceNamespacedConfigMap({ name: this.name, namespace: namespace!, body });
    } catch (e) {
      if (statusOf(e) !== 404) throw e;
      await this.kube.core.createNamespacedConfigMap({ namespace: namespace!, body });
    }
  }

  /** Copies what the journal holds now (if it grew), and waits for it. */
  async flush(): Promise<void> {
    if (!this.tooLarge) await this.copy();
  }
}

export function journalConfigMapName(run: KoRun): string {
  return `${run.metadata.name}-journal`;
}

/**
 * Before an attempt: puts the fuller of the two journals — the work directory's, the cluster's —
 * in the work directory, and ends its last attempt if that did not end. True if there is one.
 */
export async function prepareJournal(kube: Kube, run: KoRun, file: string): Promise<boolean> {
  const local = readText(file);
  let remote: string | undefined;
  try {
    const cm = await kube.core.readNamespacedConfigMap({ name: journalConfigMapName(run), namespace: run.metadata.namespace! });
    const data = cm.binaryData?.[KEY];
    // Only this run's: a run made again under the same name has a journal of its own.
    const ours = cm.metadata?.ownerReferences?.some((o) => o.uid === run.metadata.uid) === true;
    if (data && ours) remote = zlib.gunzipSync(Buffer.from(data, "base64")).toString("utf8");
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  const chosen = fuller(local, remote);
  if (chosen === undefined) return false;
  const whole = chosen.slice(0, chosen.lastIndexOf("\n") + 1); // a torn last line is dropped
  const lines = whole.split("\n").filter((l) => l !== "");
  const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]!) as { t?: string }) : undefined;
  const ended = last?.t === "end" || lines.length === 0;
  const end = ended
    ? ""
    : JSON.stringify({ t: "end", status: "interrupted", ms: 0, error: "its operator stopped renewing the run's lease" }) + "\n";
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, whole + end);
  return lines.length > 0;
}

/** The journal with more attempts, or, of as many, with more records. */
function fuller(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const attempts = (t: string) => (t.match(/^\{"t":"attempt"/gm) ?? []).length;
  const lines = (t: string) => t.split("\n").length;
  return attempts(b) > attempts(a) || (attempts(b) === attempts(a) && lines(b) > lines(a)) ? b : a;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
