// The Ko extension for VS Code: starts the language server, `ko lsp --stdio` (the `ko` command
// of Ko for Node, or the one the `ko.path` setting names), for .ko files. Highlighting comes from
// the TextMate grammar (grammar/ko.tmLanguage.json, copied into syntaxes/ by build.mjs); every
// other feature comes from the server.
import * as vscode from "vscode";
import { LanguageClient, TransportKind } from "vscode-languageclient/node";

/**
 * The language client. VS Code loads this module once per extension host and gives activate()
 * and deactivate() nothing to share, so the client that the one starts and the other stops lives
 * here.
 * @type {LanguageClient | undefined}
 */
// eslint-disable-next-line no-restricted-syntax -- the extension host's one client, shared by activate() and deactivate()
let client;

/** @param {vscode.ExtensionContext} context */
export async function activate(context) {
  const config = vscode.workspace.getConfiguration("ko");
  const command = config.get("path", "ko");
  // With the stdio transport the client adds `--stdio`, which `ko lsp` accepts.
  const server = { command, args: ["lsp"], transport: TransportKind.stdio };
  client = new LanguageClient(
    "ko",
    "Ko language server",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "ko" },
        { scheme: "untitled", language: "ko" },
      ],
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.ko") },
      initializationOptions: { roots: config.get("roots", []) },
    },
  );
  context.subscriptions.push(client);
  await client.start();
}

export function deactivate() {
  return client?.stop();
}
