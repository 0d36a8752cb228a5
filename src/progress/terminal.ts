/**
 * Whether the live view has a terminal to draw on. Asking process.stderr makes Node build the
 * stream, which loads its sockets and streams (a few milliseconds of a trivial run); where
 * standard error cannot be a terminal — a pipe or a file, as under a test, a benchmark or a
 * build — the descriptor says so without the stream: only a character device may be one.
 */
import * as fs from "node:fs";

export function stderrIsTerminal(): boolean {
  try {
    if (!fs.fstatSync(2).isCharacterDevice()) return false;
  } catch {
    return false; // closed
  }
  return process.stderr.isTTY === true;
}
