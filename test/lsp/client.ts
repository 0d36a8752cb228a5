/**
 * A real LSP client for the tests: starts `ko lsp --stdio` (the built command, as an editor
 * would), talks JSON-RPC to it with vscode-jsonrpc, and helps write sources with cursor markers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { KO } from "../support/cli.js";
import { tempDir, writeFiles } from "../support/temp.js";

export interface Position {
  line: number;
  character: number;
}

export interface LspDiagnostic {
  range: { start: Position; end: Position };
  message: string;
  code?: string;
  source?: string;
  severity?: number;
  relatedInformation?: { location: { uri: string; range: { start: Position; end: Position } }; message: string }[];
  data?: unknown;
}

/** A source with cursor markers `<|>` removed, and where they were. */
export interface Marked {
  readonly text: string;
  readonly cursors: Position[];
}

export function marked(source: string): Marked {
  const cursors: Position[] = [];
  let text = "";
  const parts = source.split("<|>");
  parts.forEach((part, i) => {
    text += part;
    if (i < parts.length - 1) {
      const lines = text.split("\n");
      cursors.push({ line: lines.length - 1, character: lines[lines.length - 1]!.length });
    }
  });
  return { text, cursors };
}

export function uri(file: string): string {
  return pathToFileURL(file).href;
}

/** A temporary directory with the given files (paths relative to it). */
export function workspace(files: Record<string, string>): string {
  return writeFiles(tempDir("ko-lsp-"), files);
}

export class LspClient {
  private readonly diagnostics = new Map<string, LspDiagnostic[]>();
  private readonly waiters: { uri: string; resolve: (d: LspDiagnostic[]) => void; pred: (d: LspDiagnostic[]) => boolean }[] = [];
  private versions = new Map<string, number>();
  /** How many times diagnostics were published, for any document. */
  publications = 0;

  private constructor(
    readonly child: ChildProcess,
    readonly connection: MessageConnection,
  ) {
    connection.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: LspDiagnostic[] }) => {
      this.publications++;
      this.diagnostics.set(p.uri, p.diagnostics);
      for (const w of [...this.waiters]) {
        if (w.uri === p.uri && w.pred(p.diagnostics)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(p.diagnostics);
        }
      }
    });
  }

  /** `nodeFlags`: options for the server's Node.js (`--expose-gc`, for `ko/memory` to collect first). */
  static async start(rootDir?: string, initializationOptions: object = {}, nodeFlags: readonly string[] = []): Promise<LspClient> {
    const child = spawn(process.execPath, [...nodeFlags, KO, "lsp", "--stdio"], { stdio: ["pipe", "pipe", "inherit"] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    const client = new LspClient(child, connection);
    await connection.sendRequest("initialize", {
      processId: process.pid,
      rootUri: rootDir ? uri(rootDir) : null,
      workspaceFolders: rootDir ? [{ uri: uri(rootDir), name: "test" }] : null,
      capabilities: {},
      initializationOptions,
    });
    await connection.sendNotification("initialized", {});
    return client;
  }

  request<T>(method: string, params: object): Promise<T> {
    return this.connection.sendRequest<T>(method, params);
  }

  async open(file: string, text: string): Promise<void> {
    this.versions.set(uri(file), 1);
    await this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: uri(file), languageId: "ko", version: 1, text },
    });
  }

  /** Replaces the range with `text` (an incremental change, as editors send them). */
  async edit(file: string, start: Position, end: Position, text: string): Promise<void> {
    const version = (this.versions.get(uri(file)) ?? 1) + 1;
    this.versions.set(uri(file), version);
    await this.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: uri(file), version },
      contentChanges: [{ range: { start, end }, text }],
    });
  }

  /** The next diagnostics published for `file` that satisfy `pred` (or the current ones if they do). */
  diagnosticsFor(file: string, pred: (d: LspDiagnostic[]) => boolean = () => true, timeoutMs = 10000): Promise<LspDiagnostic[]> {
    return this.diagnosticsForUri(uri(file), pred, timeoutMs);
  }

  /** The same for any document, by URI (an unsaved buffer has no file). */
  diagnosticsForUri(u: string, pred: (d: LspDiagnostic[]) => boolean = () => true, timeoutMs = 10000): Promise<LspDiagnostic[]> {
    const current = this.diagnostics.get(u);
    if (current && pred(current)) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching diagnostics for ${u}; last: ${JSON.stringify(this.diagnostics.get(u))}`)),
        timeoutMs,
      );
      this.waiters.push({ uri: u, pred, resolve: (d) => (clearTimeout(timer), resolve(d)) });
    });
  }

  /** Waits for the next publication for `file`, whatever it holds. */
  nextDiagnostics(file: string, timeoutMs = 10000): Promise<LspDiagnostic[]> {
    this.diagnostics.delete(uri(file));
    return this.diagnosticsFor(file, () => true, timeoutMs);
  }

  async stop(): Promise<void> {
    try {
      await this.request("shutdown", {});
      await this.connection.sendNotification("exit");
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      const timer = setTimeout(() => (this.child.kill(), resolve()), 3000);
      this.child.on("exit", () => (clearTimeout(timer), resolve()));
    });
    this.connection.dispose();
  }
}

/**
 * A workspace where each test opens its own file (`<|>` markers for cursors) in a directory of
 * its own, so that no two cases share a package.
 */
export class MarkedFiles {
  private counter = 0;

  constructor(
    private readonly client: LspClient,
    private readonly dir: string,
  ) {}

  async open(source: string): Promise<{ file: string; cursors: Position[] }> {
    const m = marked(source);
    const sub = path.join(this.dir, `case${this.counter++}`);
    fs.mkdirSync(sub);
    const file = path.join(sub, "t.ko");
    fs.writeFileSync(file, m.text);
    await this.client.open(file, m.text);
    return { file, cursors: m.cursors };
  }
}
