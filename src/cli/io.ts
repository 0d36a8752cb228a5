/**
 * Where a `ko` command writes. The `ko` process writes to its own standard output and error
 * (processIO); another caller — the test suite runs its corpora of .ko programs through `main`
 * without starting a process per program — passes writers of its own and gets the very text
 * `ko` would have printed, made by the same code.
 *
 * Only output is redirected. Reading standard input (`ko fmt` with no file, `ko repl`, `ko lsp`),
 * serving (`ko cluster serve`) and asking on the terminal before a deletion stay the process's.
 */
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
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  standalone: true,
};

/**
 * Makes an early-closed standard output or error (`ko list | head`) end `ko` quietly: the reader
 * has what it wanted, so the process stops at once with status 0 instead of dying with a
 * JavaScript `EPIPE` stack trace (D18). Only the `ko` process itself does this.
 */
export function endQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(0);
      throw e;
    });
  }
}
