/**
 * Where a `ko` command writes. The `ko` process writes to its own standard output and error
 * (processIO); another caller — the test suite runs its corpora of .ko programs through `main`
 * without starting a process per program — passes writers of its own and gets the very text
 * `ko` would have printed, made by the same code.
 *
 * Only output is redirected. Reading standard input (`ko fmt` with no file, `ko repl`, `ko lsp`),
 * serving (`ko cluster serve`) and asking on the terminal before a deletion stay the process's.
 */
import * as fs from "node:fs";

export interface CliIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * True when the command is the `ko` process itself: only then does it draw the live view on
   * the terminal, start the REPL on a bare `ko`, read `ko fmt`'s standard input or take Ctrl-C.
   */
  readonly standalone: boolean;
}

export const processIO: CliIO = {
  stdout: (text) => writeOutput(1, text),
  stderr: (text) => writeOutput(2, text),
  standalone: true,
};

/**
 * The `ko` process writes its output straight to file descriptors 1 and 2 for as long as nothing
 * has asked for process.stdout or process.stderr: making one of those streams loads Node's
 * sockets and streams, a few milliseconds of a trivial run that prints a line. Once a stream
 * exists (the live view, the REPL, a library), every later write goes through it, so that the
 * output keeps its order whatever the stream buffers.
 */
const direct = new Set<1 | 2>();

/** The end of a blocking wait: a pipe made non-blocking by another process is waited on, a millisecond at a time. */
const pause = new Int32Array(new SharedArrayBuffer(4));

function writeOutput(fd: 1 | 2, text: string): void {
  if (!direct.has(fd)) {
    void (fd === 1 ? process.stdout : process.stderr).write(text);
    return;
  }
  const bytes = Buffer.from(text, "utf8");
  for (let done = 0; done < bytes.length;) {
    try {
      done += fs.writeSync(fd, bytes, done);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else if (code === "EPIPE") process.exit(0);
      else {
        // Anything else is the stream's to deal with, as before there was a direct path (asking
        // for the stream ends that path, and gives the stream its handler).
        void (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(done));
        return;
      }
    }
  }
}

/**
 * Makes an early-closed standard output or error (`ko list | head`) end `ko` quietly: the reader
 * has what it wanted, so the process stops at once with status 0 instead of dying with a
 * JavaScript `EPIPE` stack trace (D18). Only the `ko` process itself does this. It also lets
 * processIO write to the descriptors directly: each stream gets its handler when it is first
 * asked for (Node makes it then), and from then on carries processIO's writes.
 */
export function endQuietlyOnClosedOutput(): void {
  for (const [fd, name] of [
    [1, "stdout"],
    [2, "stderr"],
  ] as const) {
    const made = Object.getOwnPropertyDescriptor(process, name);
    const makeStream = made?.get?.bind(process) as (() => NodeJS.WriteStream) | undefined;
    if (makeStream === undefined || made?.configurable !== true) {
      quietOnEpipe(process[name]);
      continue;
    }
    direct.add(fd);
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: made.enumerable ?? true,
      get() {
        const stream = makeStream();
        if (direct.delete(fd)) quietOnEpipe(stream);
        return stream;
      },
    });
  }
}

function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}
