/**
 * Package `file`: the original's gate beneath its `file.LocalFileSystem` (lib/file).
 *
 * `WriteLocalFile(path, body)` writes the text to the file, making its directory first (with its
 * parents, mode 0755) as the original does, and returns true. A directory or file that cannot be
 * made or written is an operational failure: it panics with
 * `(error: "file.WriteLocalFile", message, code, path)` (D15), where the original stops the run.
 * As the original's gate, it takes Go's zero value for a missing field: no body is the empty text.
 */
import { mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { defineHost, findArg, type HostFunction } from "../host/binding.js";
import { T } from "../host/host-type.js";
import { byteLength, cancellation, fileFailure, stringOr, textArg } from "./helpers.js";

const WriteLocalFile = defineHost({
  pkg: "file",
  name: "WriteLocalFile",
  doc:
    "WriteLocalFile(path, body) writes the string body (default empty) to the file at path, making its directory " +
    "and parents first, and returns true. Panics with (error, message, code, path) if it cannot.",
  params: [
    { name: "path", type: T.string },
    { name: "body", type: T.string, optional: true },
  ],
  result: T.bool,
  effects: "io",
  // A planning pass writes nothing: it says what it would have written.
  dryRun: {
    would: (fields) => `write ${byteLength(findArg(fields, "body", false))} bytes to ${textArg(fields, "path")}`,
    result: () => true,
  },
  async: true,
  impl: async ([file, body], ctx) => {
    const p = file as string;
    const dir = path.dirname(p);
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
    } catch (e) {
      throw fileFailure("file.WriteLocalFile", dir, e);
    }
    // The write is not given the run's signal: a site builder writes hundreds of files at once,
    // and each write would hold a listener on it; a cancelled run stops before the next write.
    if (ctx.signal.aborted) throw cancellation(ctx.signal);
    try {
      await writeFile(p, stringOr(body!, ""), "utf8");
    } catch (e) {
      throw fileFailure("file.WriteLocalFile", p, e);
    }
    return true;
  },
});

export const fileFunctions: readonly HostFunction[] = [WriteLocalFile];
