/**
 * Package `build`: make-style work — reading and writing files and running commands — whose
 * results the cache can reuse by the *content* of the files involved, never their timestamps.
 *
 * All three have effects (`io`), so a Ko function calling them is never cached as a whole; each
 * call is cached on its own terms instead (src/host/cache-policy.ts), when `ko run` caches:
 *
 * - `ReadFile(path)` is keyed by the path and the SHA-256 of the file's content: a file touched
 *   but unchanged is a hit, and what depends on its content is keyed by that content.
 * - `WriteFile(path, content)` is keyed by the path and the content; on a hit the file is put
 *   back from the cache if it was changed or removed, and left alone (timestamp too) otherwise.
 * - `Exec(command, args, inputs, outputs, env, dir)` is cached only if it declares at least one
 *   input or output. Its key covers the command, args, inputs, outputs, env and dir as written;
 *   the SHA-256 of the command's executable (found on PATH, or at its path relative to dir); and
 *   the SHA-256 of every declared input file (a directory: of every file under it, by relative
 *   name). Only a run that exits with status 0 and leaves every declared output in place is
 *   stored; its outputs are stored as blobs and put back on a hit. Not in the key, so not to be
 *   relied on: the inherited environment (only `env` counts), files the command reads without
 *   declaring them, and the tools the command itself runs (`cc` runs `as` and `ld`). The
 *   command runs in a process group of its own, ended as a whole when the run is cancelled
 *   (process-group.ts).
 *
 * ReadFile and Exec tell the run what they read (host/inputs.ts): the file read, the command's
 * executable and declared inputs, fingerprinted by content.
 *
 * Failures are operational (D15): they panic with `(error: "build.<Func>", message, ...)`.
 */
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { declareCacheable, type FileCall } from "../host/cache-policy.js";
import { contentHash, fileInput, fileInputNow, inputLog, sha256, type Input } from "../host/inputs.js";
import { defineHost, findArg, type HostContext, type HostFunction } from "../host/binding.js";
import { checkHostType } from "../host/host-type.js";
import { T } from "../host/host-type.js";
import { EMPTY, Seq, Struct, field, type Field, type Value } from "../value/value.js";
import { cancellation, failure, fileFailure, messageOf, misuse, stringOr, stringsOf, writeFileDryRun, writeTextFile } from "./helpers.js";
import { runInGroup } from "./process-group.js";

const PKG = "build";

// ---------------------------------------------------------------------------------------------
// ReadFile

const readFileParams = [{ name: "path", type: T.string, monadic: true, doc: "the file to read" }] as const;

const ReadFile = declareCacheable(
  defineHost({
    pkg: PKG,
    name: "ReadFile",
    doc:
      "ReadFile(path?) returns the file's content (UTF-8). Cached by the SHA-256 of the content, not the timestamp. " +
      "Panics with (error, message, code, path) if it cannot read it.",
    params: readFileParams,
    result: T.string,
    effects: "io",
    dryRun: "runs",
    async: true,
    impl: async ([file], ctx) => {
      const p = file as string;
      const inputs = inputLog(ctx);
      let bytes: Buffer;
      try {
        bytes = await fs.readFile(p, { signal: ctx.signal });
      } catch (e) {
        if (ctx.signal.aborted) throw cancellation(ctx.signal);
        inputs?.read(fileInput(p, { error: e }));
        throw fileFailure("build.ReadFile", p, e);
      }
      inputs?.read(fileInput(p, { bytes }));
      return bytes.toString("utf8");
    },
  }),
  {
    async describe(fields): Promise<FileCall | undefined> {
      const p = findArg(fields, "path", true);
      if (typeof p !== "string") return undefined;
      const hash = sha256(await fs.readFile(p));
      return { material: `content ${hash}`, outputs: [], reads: [{ kind: "file", path: path.resolve(p), fingerprint: hash }] };
    },
  },
);

// ---------------------------------------------------------------------------------------------
// WriteFile

const WriteFile = declareCacheable(
  defineHost({
    pkg: PKG,
    name: "WriteFile",
    doc:
      "WriteFile(path?, content) writes the string (UTF-8) to the file, replacing it, and returns the path. " +
      "Cached: when the cache already saw this content written to this path, the file is only put back if it changed. " +
      "Panics with (error, message, code, path) if it cannot write it.",
    params: [
      { name: "path", type: T.string, monadic: true, doc: "the file to write" },
      { name: "content", type: T.string, doc: "what to write" },
    ],
    result: T.string,
    effects: "io",
    dryRun: writeFileDryRun,
    async: true,
    impl: async ([file, content], ctx) => {
      await writeTextFile("build.WriteFile", file as string, content as string, ctx.signal);
      return file;
    },
  }),
  {
    async describe(fields): Promise<FileCall | undefined> {
      const p = findArg(fields, "path", true);
      if (typeof p !== "string" || typeof findArg(fields, "content", false) !== "string") return undefined;
      return { material: "", outputs: [{ declared: p, absolute: path.resolve(p) }], reads: [] };
    },
  },
);

// ---------------------------------------------------------------------------------------------
// Exec

const execParams = [
  { name: "command", type: T.string, monadic: true, doc: "the program: a name looked up on PATH, or a path (relative to dir)" },
  { name: "args", type: T.list(T.string), optional: true, doc: "its arguments" },
  { name: "inputs", type: T.list(T.string), optional: true, doc: "the files it reads (relative to dir)" },
  { name: "outputs", type: T.list(T.string), optional: true, doc: "the files it writes (relative to dir)" },
  { name: "env", type: T.struct({}), optional: true, doc: 'environment variables to add, as (NAME: "value", ...)' },
  { name: "dir", type: T.string, optional: true, doc: "the working directory (default: the current one)" },
] as const;

/** An Exec call's arguments, read and checked. */
interface ExecSpec {
  readonly command: string;
  readonly args: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** The working directory, absolute. */
  readonly dir: string;
}

function execSpec(args: readonly Value[]): ExecSpec {
  const [command, argv, inputs, outputs, env, dir] = args;
  return {
    command: command as string,
    args: argv === EMPTY ? [] : stringsOf(argv!),
    inputs: inputs === EMPTY ? [] : stringsOf(inputs!),
    outputs: outputs === EMPTY ? [] : stringsOf(outputs!),
    env: envOf(env!),
    dir: path.resolve(stringOr(dir!, ".")),
  };
}

function envOf(v: Value): Record<string, string> {
  if (v === EMPTY) return {};
  const out: Record<string, string> = {};
  for (const f of (v as Struct).fields) {
    if (f.value === EMPTY) continue;
    if (typeof f.value !== "string") throw misuse("build.Exec", `env: ${f.name} must be a string`);
    out[f.name] = f.value;
  }
  return out;
}

/** Reads the arguments as `defineHost` would, for the cache policy. */
function execSpecOf(fields: readonly Field[]): ExecSpec {
  return execSpec(execParams.map((p) => checkHostType(findArg(fields, p.name, "monadic" in p && p.monadic === true), p, "build.Exec")));
}

/** The executable a command names: a path (relative to dir) if it has a slash, else the first match on PATH. */
async function resolveCommand(spec: ExecSpec): Promise<string | undefined> {
  if (spec.command.includes("/")) return path.resolve(spec.dir, spec.command);
  const dirs = (spec.env.PATH ?? process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  for (const d of dirs) {
    const candidate = path.resolve(spec.dir, d, spec.command);
    try {
      await fs.access(candidate, fs.constants.X_OK);
      if ((await fs.stat(candidate)).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The SHA-256 of an executable, remembered for the process by its identity, size and time of
 * change: hashing `cc` for each of a build's commands would cost more than it tells. (This is
 * only a shortcut within one process: what goes into the key is still the content's hash.)
 */
const executableHashes = new Map<string, { readonly stamp: string; readonly hash: string }>();

async function executableHash(file: string): Promise<string> {
  const st = await fs.stat(file);
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = executableHashes.get(file);
  if (known?.stamp === stamp) return known.hash;
  const hash = sha256(await fs.readFile(file));
  executableHashes.set(file, { stamp, hash });
  return hash;
}

/** The list rule of Ko: nothing is Empty, one value is itself, more are a sequence. */
function listValue(items: readonly string[]): Value {
  if (items.length === 0) return EMPTY;
  return items.length === 1 ? items[0]! : new Seq(items);
}

/**
 * Runs the command in a process group of its own (process-group.ts), so that cancelling the run
 * ends the command's own children too, and settles once they are all gone.
 */
async function runCommand(spec: ExecSpec, ctx: HostContext): Promise<Value> {
  const inputs = inputLog(ctx);
  if (inputs) for (const input of await execReads(spec)) inputs.read(input);
  const run = await runInGroup(spec.command, spec.args, { cwd: spec.dir, env: { ...process.env, ...spec.env } }, ctx.signal).catch(
    (e: unknown) => {
      if (ctx.signal.aborted) throw cancellation(ctx.signal);
      throw failure("build.Exec", `cannot run ${spec.command}: ${messageOf(e)}`, { command: spec.command, ...codeOf(e) });
    },
  );
  if (run === "cancelled") throw cancellation(ctx.signal);
  const { code, signal, stdout, stderr } = run;
  if (code !== 0) {
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    throw failure("build.Exec", `${spec.command} ${how}`, { command: spec.command, status: code ?? -1, stdout, stderr });
  }
  return new Struct([field("stdout", stdout), field("stderr", stderr), field("outputs", listValue(spec.outputs))]);
}

/**
 * What a command reads, as far as its call says: its executable and its declared inputs. (What
 * it reads without declaring it, its inherited environment among them, cannot be known.)
 */
async function execReads(spec: ExecSpec): Promise<Input[]> {
  const executable = await resolveCommand(spec);
  const reads = await Promise.all(spec.inputs.map((input) => fileInputNow(path.resolve(spec.dir, input))));
  if (executable === undefined) return reads;
  const command = await executableHash(executable).then(
    (fingerprint): Input => ({ kind: "file", path: executable, fingerprint }),
    () => fileInputNow(executable),
  );
  return [command, ...reads];
}

/** A word of a command line as a shell would need it quoted. */
function shellWord(w: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function codeOf(e: unknown): Record<string, Value> {
  const code = (e as NodeJS.ErrnoException).code;
  return code === undefined ? {} : { code };
}

const Exec = declareCacheable(
  defineHost({
    pkg: PKG,
    name: "Exec",
    doc:
      "Exec(command?, args, inputs, outputs, env, dir) runs the command and returns (stdout, stderr, outputs). " +
      "Cached when it declares inputs or outputs: keyed by its arguments, its executable's content and its inputs' content; " +
      "its outputs are stored and put back on a hit. Panics with (error, message, status, stdout, stderr) if the command fails.",
    params: execParams,
    result: T.struct({ stdout: T.string, stderr: T.string, outputs: T.list(T.string) }),
    effects: "io",
    dryRun: {
      would: (fields) => {
        const spec = execSpecOf(fields);
        return `run ${[spec.command, ...spec.args].map(shellWord).join(" ")}${spec.dir === path.resolve(".") ? "" : ` in ${spec.dir}`}`;
      },
      // What a command that printed nothing and made its declared outputs would return.
      result: (fields) => new Struct([field("stdout", ""), field("stderr", ""), field("outputs", listValue(execSpecOf(fields).outputs))]),
    },
    async: true,
    impl: (args, ctx) => runCommand(execSpec(args), ctx),
  }),
  {
    async describe(fields): Promise<FileCall | undefined> {
      const spec = execSpecOf(fields);
      if (spec.inputs.length === 0 && spec.outputs.length === 0) return undefined;
      const executable = await resolveCommand(spec);
      if (executable === undefined) return undefined;
      const command = await executableHash(executable);
      const lines = [`command ${command}`];
      const reads: Input[] = [{ kind: "file", path: executable, fingerprint: command }];
      for (const input of spec.inputs) {
        const file = path.resolve(spec.dir, input);
        const hash = await contentHash(file);
        lines.push(`input ${JSON.stringify(input)} ${hash}`);
        reads.push({ kind: "file", path: file, fingerprint: hash });
      }
      return {
        material: lines.join("\n"),
        outputs: spec.outputs.map((o) => ({ declared: o, absolute: path.resolve(spec.dir, o) })),
        reads,
      };
    },
  },
);

export const buildFunctions: readonly HostFunction[] = [ReadFile, WriteFile, Exec];
