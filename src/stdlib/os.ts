/**
 * Package `os`: the process environment and the local file system.
 *
 * Failures of the file system (a missing directory, a permission denied) are operational: they
 * panic with `(error: "os.<Func>", message: "...", code: "<ENOENT, EACCES, ...>", path: "...")`
 * so that a script can `Recover`.
 *
 * `Exit(code?)` does not stop the process itself: it throws `KoExit`, which unwinds the whole run
 * (no Ko code can catch it) and lets the command-line tool, or an embedding application, decide
 * what ending the run means.
 *
 * Not provided yet: `Task(name, binary, arg, env, dir, after)` of the original, which runs a
 * command.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { defineHost, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { KoFailure } from "../value/failure.js";
import { EMPTY } from "../value/value.js";
import { bigOf, cancellation, fileFailure, misuse, stringOr } from "./helpers.js";

const PKG = "os";

/**
 * Thrown by `os.Exit` to end the run with an exit status. It is neither an error nor a panic, so
 * `Recover` does not catch it; it is a `KoFailure` only so that the evaluator lets it unwind the
 * run untouched (abandoning the other steps, as any failure does) up to whoever started the run.
 */
export class KoExit extends KoFailure {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = "KoExit";
  }
}

const Env = defineHost({
  pkg: PKG,
  name: "Env",
  doc: 'Env(name?) returns the value of the environment variable, or "" if it is not set.',
  params: [{ name: "name", type: T.string, monadic: true, optional: true }],
  result: T.string,
  effects: "io",
  // No name is the empty name, which no variable has (the original's gate takes Go's zero value).
  impl: ([name]) => process.env[stringOr(name!, "")] ?? "",
});

const Mkdir = defineHost({
  pkg: PKG,
  name: "Mkdir",
  doc:
    "Mkdir(path?) creates the directory and any missing parents (mode 0755) and returns the path; " +
    "an existing directory is fine. Panics with (error, message, code, path) if it cannot.",
  params: [{ name: "path", type: T.string, monadic: true }],
  result: T.string,
  effects: "io",
  async: true,
  impl: async ([path]) => {
    const p = path as string;
    try {
      await mkdir(p, { recursive: true, mode: 0o755 });
    } catch (e) {
      throw fileFailure("os.Mkdir", p, e);
    }
    return p;
  },
});

const TempDir = defineHost({
  pkg: PKG,
  name: "TempDir",
  doc: "TempDir() returns the directory for temporary files ($TMPDIR, else the system's, such as /tmp).",
  params: [],
  result: T.string,
  effects: "io",
  impl: () => tmpdir(),
});

const ReadFile = defineHost({
  pkg: PKG,
  name: "ReadFile",
  doc: "ReadFile(path?) returns the content of the file as a string (UTF-8). Panics with (error, message, code, path) if it cannot.",
  params: [{ name: "path", type: T.string, monadic: true }],
  result: T.string,
  effects: "io",
  async: true,
  impl: async ([path], ctx) => {
    const p = path as string;
    try {
      return await readFile(p, { encoding: "utf8", signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw cancellation(ctx.signal);
      throw fileFailure("os.ReadFile", p, e);
    }
  },
});

const WriteFile = defineHost({
  pkg: PKG,
  name: "WriteFile",
  doc:
    "WriteFile(path?, content) writes the string (UTF-8) to the file, replacing it, and returns the path. " +
    "Panics with (error, message, code, path) if it cannot.",
  params: [
    { name: "path", type: T.string, monadic: true },
    { name: "content", type: T.string },
  ],
  result: T.string,
  effects: "io",
  async: true,
  impl: async ([path, content], ctx) => {
    const p = path as string;
    try {
      await writeFile(p, content as string, { encoding: "utf8", signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw cancellation(ctx.signal);
      throw fileFailure("os.WriteFile", p, e);
    }
    return p;
  },
});

const Exit = defineHost({
  pkg: PKG,
  name: "Exit",
  doc: "Exit(code?) ends the run with the exit status (0 to 255, default 0); nothing after it runs.",
  params: [{ name: "code", type: T.int64, monadic: true, optional: true }],
  result: T.empty,
  effects: "io",
  impl: ([code]) => {
    const status = code === EMPTY ? 0n : bigOf(code!);
    if (status < 0n || status > 255n) throw misuse("os.Exit", `exit status ${status} is not between 0 and 255`);
    throw new KoExit(Number(status));
  },
});

export const osFunctions: readonly HostFunction[] = [Env, Mkdir, TempDir, ReadFile, WriteFile, Exit];
