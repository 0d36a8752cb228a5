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
 * What `Env`, `TempDir` and `ReadFile` read from outside the program is told to the run
 * (host/inputs.ts), so that a named run knows when a step would read something else now.
 *
 * Not provided yet: `Task(name, binary, arg, env, dir, after)` of the original, which runs a
 * command.
 */
import { mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { defineHost, findArg, type HostFunction } from "../host/binding.js";
import { envInput, fileInput, inputLog } from "../host/inputs.js";
import { T } from "../host/host-type.js";
import { KoFailure } from "../value/failure.js";
import { EMPTY } from "../value/value.js";
import { bigOf, cancellation, fileFailure, misuse, pathArg, stringOr, writeFileDryRun, writeTextFile } from "./helpers.js";

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
  dryRun: "runs",
  // No name is the empty name, which no variable has (the original's gate takes Go's zero value).
  impl: ([name], ctx) => {
    const key = stringOr(name!, "");
    const value = process.env[key];
    inputLog(ctx)?.read(envInput(key, value));
    return value ?? "";
  },
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
  dryRun: {
    would: (fields) => `create the directory ${pathArg(fields)}`,
    result: (fields) => findArg(fields, "path", true) ?? EMPTY,
  },
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

const TEMP_DIR_VARIABLES = ["TMPDIR", "TMP", "TEMP"] as const;

const TempDir = defineHost({
  pkg: PKG,
  name: "TempDir",
  doc: "TempDir() returns the directory for temporary files ($TMPDIR, else the system's, such as /tmp).",
  params: [],
  result: T.string,
  effects: "io",
  dryRun: "runs",
  impl: (_args, ctx) => {
    // Node's tmpdir() reads these, the first one set wins (on POSIX systems).
    const inputs = inputLog(ctx);
    if (inputs) for (const name of TEMP_DIR_VARIABLES) inputs.read(envInput(name, process.env[name]));
    return tmpdir();
  },
});

const ReadFile = defineHost({
  pkg: PKG,
  name: "ReadFile",
  doc: "ReadFile(path?) returns the content of the file as a string (UTF-8). Panics with (error, message, code, path) if it cannot.",
  params: [{ name: "path", type: T.string, monadic: true }],
  result: T.string,
  effects: "io",
  dryRun: "runs",
  async: true,
  impl: async ([path], ctx) => {
    const p = path as string;
    const inputs = inputLog(ctx);
    let bytes: Buffer;
    try {
      bytes = await readFile(p, { signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw cancellation(ctx.signal);
      inputs?.read(fileInput(p, { error: e }));
      throw fileFailure("os.ReadFile", p, e);
    }
    inputs?.read(fileInput(p, { bytes }));
    return bytes.toString("utf8");
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
  dryRun: writeFileDryRun,
  async: true,
  impl: async ([path, content], ctx) => {
    await writeTextFile("os.WriteFile", path as string, content as string, ctx.signal);
    return path;
  },
});

const Exit = defineHost({
  pkg: PKG,
  name: "Exit",
  doc: "Exit(code?) ends the run with the exit status (0 to 255, default 0); nothing after it runs.",
  params: [{ name: "code", type: T.int64, monadic: true, optional: true }],
  result: T.empty,
  effects: "io",
  dryRun: "runs",
  impl: ([code]) => {
    const status = code === EMPTY ? 0n : bigOf(code!);
    if (status < 0n || status > 255n) throw misuse("os.Exit", `exit status ${status} is not between 0 and 255`);
    throw new KoExit(Number(status));
  },
});

export const osFunctions: readonly HostFunction[] = [Env, Mkdir, TempDir, ReadFile, WriteFile, Exit];
