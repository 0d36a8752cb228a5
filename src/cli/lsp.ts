/**
 * `ko lsp [--stdio]`: the language server, on standard input and output (the only transport; the
 * `--stdio` that editors pass is accepted). The server is loaded only when asked for, so that
 * nothing of it is on the start-up path of the other commands.
 */
export interface LspFlags {
  readonly root: string[];
}

export async function lspCommand(flags: LspFlags): Promise<number> {
  const { startServer } = await import("../lsp/server.js");
  await startServer({ input: process.stdin, output: process.stdout, roots: flags.root });
  return 0;
}
