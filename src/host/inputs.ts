/**
 * Inputs: what a host function reads from outside the program — a file's content, an environment
 * variable — and how such a read is told to the run and fingerprinted.
 *
 * A Ko function's result depends on its arguments and on whatever its host functions read, and
 * only the first can be seen from outside. So a host function that reads says what it read, and
 * says it at the moment it reads (the fingerprint is of the bytes it got, not of the file a
 * moment later). It tells the run's `INPUTS` service, when the run offers one — a named run's
 * journal does, to know on `--resume` whether what a step read then is still what it would read
 * now. A run without one pays nothing: nothing is hashed.
 *
 * A fingerprint is the SHA-256 of the content (of a file, of a directory's tree of files, of an
 * environment variable's value) — never a time stamp, so a file touched but not changed is the
 * same input — or `null` when there is nothing to read (no such file, a variable not set), or
 * `unreadable: CODE` when it is there but cannot be read.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type { HostContext } from "./binding.js";
import { serviceKey } from "./services.js";

/** One thing a call read, and its fingerprint at the time. */
export type Input =
  /** A file or a directory (every file under it), by absolute path. */
  | { readonly kind: "file"; readonly path: string; readonly fingerprint: string | null }
  /** An environment variable of the process, by name. Only the value's hash is kept, never the value. */
  | { readonly kind: "env"; readonly name: string; readonly fingerprint: string | null };

/** Where the reads of a run's host functions go: the run attributes each to the steps running it. */
export interface InputLog {
  read(input: Input): void;
}

export const INPUTS = serviceKey<InputLog>("inputs");

/** The run's log of inputs, or undefined when nobody listens (then there is nothing to hash). */
export function inputLog(ctx: HostContext): InputLog | undefined {
  return ctx.run.service(INPUTS);
}

export function sha256(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The fingerprint of a read that failed with `error`: nothing there, or something unreadable. */
export function failedReadFingerprint(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" ? null : `unreadable: ${code ?? "error"}`;
}

/** A file read with this content (or that could not be read, with the error). */
export function fileInput(file: string, content: { readonly bytes: Buffer } | { readonly error: unknown }): Input {
  return {
    kind: "file",
    path: path.resolve(file),
    fingerprint: "bytes" in content ? sha256(content.bytes) : failedReadFingerprint(content.error),
  };
}

/** An environment variable read with this value (undefined: not set). */
export function envInput(name: string, value: string | undefined): Input {
  return { kind: "env", name, fingerprint: value === undefined ? null : sha256(value) };
}

/** The SHA-256 of a file, or of a directory tree (each file's relative name and hash, in order). */
export async function contentHash(file: string): Promise<string> {
  const st = await fs.stat(file);
  if (!st.isDirectory()) return sha256(await fs.readFile(file));
  const entries = (await fs.readdir(file, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.relative(file, path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)))
    .sort();
  const lines = await Promise.all(entries.map(async (rel) => `${rel}\u0000${sha256(await fs.readFile(path.join(file, rel)))}`));
  return sha256(`tree\n${lines.join("\n")}`);
}

/** A file or directory as it is now. */
export async function fileInputNow(file: string): Promise<Input> {
  const absolute = path.resolve(file);
  let fingerprint: string | null;
  try {
    fingerprint = await contentHash(absolute);
  } catch (e) {
    fingerprint = failedReadFingerprint(e);
  }
  return { kind: "file", path: absolute, fingerprint };
}

/** The same input as it is now: what a step that read it would read if it ran again. */
export function inputNow(input: Input, env: NodeJS.ProcessEnv = process.env): Promise<Input> {
  return input.kind === "file" ? fileInputNow(input.path) : Promise.resolve(envInput(input.name, env[input.name]));
}
