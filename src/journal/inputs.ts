/**
 * The inputs a step read, as the journal keeps them: from the run's reads (host/inputs.ts) to
 * records and back, and what has changed since — the reason a step runs again on `--resume`.
 */
import * as path from "node:path";
import { inputNow, type Input } from "../host/inputs.js";
import type { InputRecord } from "./records.js";

/** Tells two reads of one input apart from reads of two inputs. */
export function inputId(input: Input): string {
  return input.kind === "file" ? `file\u0000${input.path}` : `env\u0000${input.name}`;
}

export function inputRecord(input: Input): InputRecord {
  return input.kind === "file" ? { file: input.path, hash: input.fingerprint } : { env: input.name, hash: input.fingerprint };
}

/** The input a record stands for; undefined for a record this version cannot read. */
export function recordedInput(r: InputRecord): Input | undefined {
  const hash = typeof r.hash === "string" ? r.hash : null;
  if ("file" in r && typeof r.file === "string") return { kind: "file", path: r.file, fingerprint: hash };
  if ("env" in r && typeof r.env === "string") return { kind: "env", name: r.env, fingerprint: hash };
  return undefined;
}

/**
 * The first of the recorded inputs that is not what it was, said as a reason to run again
 * ("config.yaml changed"), or undefined if they are all the same. An input this version cannot
 * read counts as changed: a step is run once too often rather than replayed wrongly.
 */
export async function firstChange(reads: readonly InputRecord[], env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const r of reads) {
    const then = recordedInput(r);
    if (!then) return "the journal records an input this version of ko cannot check";
    const now = await inputNow(then, env);
    if (now.fingerprint !== then.fingerprint) return describeChange(then, now);
  }
  return undefined;
}

function describeChange(then: Input, now: Input): string {
  if (then.kind === "env") {
    const name = `$${then.name}`;
    if (then.fingerprint === null) return `${name} is set now`;
    return now.fingerprint === null ? `${name} is not set any more` : `${name} changed`;
  }
  const name = shownPath(then.path);
  if (then.fingerprint === null) return `${name} exists now`;
  if (now.fingerprint === null) return `${name} is gone`;
  return `${name} changed`;
}

/** A path as the user would write it: relative to the current directory when it is under it. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
