/**
 * The editor's buffers, kept in step with the client by incremental sync. Each change is also
 * handed to the workspace as offsets, so that a stale analysis can still be read (edits.ts).
 */
import { TextDocument } from "vscode-languageserver-textdocument";
import type { TextDocumentContentChangeEvent } from "vscode-languageserver/node";
import type { Edit } from "../service/edits.js";
import type { Workspace } from "../service/workspace.js";
import { uriToPath } from "./positions.js";

export class Documents {
  private readonly docs = new Map<string, TextDocument>();

  constructor(private readonly workspace: Workspace) {}

  open(uri: string, text: string, version: number): string {
    const doc = TextDocument.create(uri, "ko", version, text);
    this.docs.set(uri, doc);
    const file = uriToPath(uri);
    this.workspace.open(file, text, version);
    return file;
  }

  change(uri: string, changes: readonly TextDocumentContentChangeEvent[], version: number): string | undefined {
    const doc = this.docs.get(uri);
    if (doc === undefined) return undefined;
    const edits: Edit[] = [];
    let current = doc;
    for (const change of changes) {
      if ("range" in change) {
        const start = current.offsetAt(change.range.start);
        const end = current.offsetAt(change.range.end);
        edits.push({ start, end, length: change.text.length });
        current = TextDocument.update(current, [change], version);
      } else {
        current = TextDocument.update(current, [change], version);
        edits.length = 0;
      }
    }
    this.docs.set(uri, current);
    const file = uriToPath(uri);
    const whole = changes.some((c) => !("range" in c));
    this.workspace.change(file, current.getText(), version, whole ? undefined : edits);
    return file;
  }

  close(uri: string): string {
    this.docs.delete(uri);
    const file = uriToPath(uri);
    this.workspace.close(file);
    return file;
  }

  get(uri: string): TextDocument | undefined {
    return this.docs.get(uri);
  }
}
