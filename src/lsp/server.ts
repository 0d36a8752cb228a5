/**
 * The Ko language server: the protocol side. Every feature is answered by the language service
 * (service/), which reads the compiler's own analyses; this module converts between its offsets
 * and paths and the protocol's positions and URIs, and decides when to analyse.
 *
 * After a change, the changed package's diagnostics are computed on a worker thread
 * (diagnostics.ts) and published; the main thread's own analysis, which the other features read,
 * is refreshed once typing pauses (REFRESH_AFTER_MS) or when a request needs it current.
 * Completion, hover, signature help, semantic tokens, folding and the outline answer at once
 * from the latest analysis, even one a few keystrokes old, with offsets mapped across the edits
 * since (workspace.ts); definition, references and rename wait for a current one.
 */
import * as path from "node:path";
import {
  CodeActionKind,
  CompletionItemKind,
  createConnection,
  DiagnosticSeverity,
  ErrorCodes,
  InsertTextFormat,
  MarkupKind,
  ProposedFeatures,
  ResponseError,
  SemanticTokensBuilder,
  StreamMessageReader,
  StreamMessageWriter,
  SymbolKind,
  TextDocumentSyncKind,
  type CodeAction,
  type CompletionItem,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type InitializeParams,
  type InitializeResult,
  type Location as LspLocation,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver/node";
import { rootsFromEnv } from "../api/program.js";
import type { Diagnostic, Fix } from "../diag/diagnostic.js";
import { formatSource } from "../fmt/index.js";
import { PositionCache, pathToUri, spanToRange, uriToPath } from "./positions.js";
import { DiagnosticsService, heapUsed } from "./diagnostics.js";
import { Documents } from "./documents.js";
import type { DiagnosticsReport } from "../service/report.js";
import { complete, type CompletionKind } from "../service/complete.js";
import { sourceFile } from "../service/places.js";
import type { OffsetMap } from "../service/edits.js";
import { foldingRanges } from "../service/folding.js";
import { hover } from "../service/hover.js";
import { definition, prepareRename, references, rename, type Location } from "../service/navigate.js";
import { carriedFix, quickFix } from "../service/quickfix.js";
import { semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from "../service/semantic.js";
import { signatureHelp } from "../service/signature.js";
import { documentSymbols, workspaceSymbols, type OutlineSymbol } from "../service/symbols.js";
import { Workspace } from "../service/workspace.js";

/** How long the server waits after a change before analysing (diagnostics are due within 200 ms). */
const DIAGNOSTICS_DELAY_MS = 15;
/** How long typing must pause before the main thread re-analyses for the other features. */
const REFRESH_AFTER_MS = 1000;

export interface ServerOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Repository roots given on the command line (`--root`), before those of the client and KOPATH. */
  readonly roots?: readonly string[];
}

/** Starts a server on the given streams; resolves when the client ends the connection. */
export function startServer(opts: ServerOptions): Promise<void> {
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(opts.input), new StreamMessageWriter(opts.output));
  const server = new KoServer(connection, opts.roots ?? []);
  server.register();
  return new Promise((resolve) => {
    connection.onExit(() => resolve());
    connection.listen();
  });
}

class KoServer {
  private workspace = new Workspace({ roots: [], folders: [] });
  private documents = new Documents(this.workspace);
  private readonly positions = new PositionCache((file) => this.workspace.readFile(file));
  private diagnostics: DiagnosticsService | undefined;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly refreshes = new Map<string, NodeJS.Timeout>();
  /** Files that have diagnostics published, by the package (report key) that published them. */
  private readonly published = new Map<string, Set<string>>();
  private semanticTokensRefresh = false;

  constructor(
    private readonly connection: Connection,
    private readonly roots: readonly string[],
  ) {}

  register(): void {
    const c = this.connection;
    c.onInitialize((params) => this.initialize(params));
    c.onDidOpenTextDocument((p) => this.schedule(this.documents.open(p.textDocument.uri, p.textDocument.text, p.textDocument.version)));
    c.onDidChangeTextDocument((p) => {
      const file = this.documents.change(p.textDocument.uri, p.contentChanges, p.textDocument.version);
      if (file !== undefined) this.schedule(file);
    });
    c.onDidCloseTextDocument((p) => {
      // A closed file's problems are no longer shown; they come back when it is opened again.
      this.documents.close(p.textDocument.uri);
      void c.sendDiagnostics({ uri: p.textDocument.uri, diagnostics: [] });
    });
    c.onDidChangeWatchedFiles(() => {
      this.workspace.diskChanged();
      this.diagnostics?.noteDiskChange();
      for (const f of this.workspace.openFiles()) this.schedule(f);
    });
    c.onShutdown(() => this.diagnostics?.dispose());
    c.onCompletion((p) => this.guard(() => this.completion(uriToPath(p.textDocument.uri), p.position), null));
    c.onHover((p) => this.guard(() => this.hover(uriToPath(p.textDocument.uri), p.position), null));
    c.onSignatureHelp((p) => this.guard(() => this.signature(uriToPath(p.textDocument.uri), p.position), null));
    c.onDefinition((p) => this.guard(() => this.definition(uriToPath(p.textDocument.uri), p.position), null));
    c.onReferences((p) => this.guard(() => this.references(uriToPath(p.textDocument.uri), p.position, p.context.includeDeclaration), null));
    c.onPrepareRename((p) => this.guard(() => this.prepareRename(uriToPath(p.textDocument.uri), p.position), null));
    c.onRenameRequest((p) => this.guard(() => this.rename(uriToPath(p.textDocument.uri), p.position, p.newName), null));
    c.onDocumentSymbol((p) => this.guard(() => this.documentSymbols(uriToPath(p.textDocument.uri)), null));
    c.onWorkspaceSymbol((p) => this.guard(() => this.workspaceSymbols(p.query), null));
    c.languages.semanticTokens.on((p) => this.guard(() => this.semanticTokens(uriToPath(p.textDocument.uri)), { data: [] }));
    c.onFoldingRanges((p) => this.guard(() => this.folding(uriToPath(p.textDocument.uri)), null));
    c.onDocumentFormatting((p) => this.guard(() => this.format(p.textDocument.uri), null));
    c.onCodeAction((p) => this.guard(() => this.codeActions(p.textDocument.uri, p.context.diagnostics), null));
    // Not part of the protocol: the heap the server uses, for tests and benchmarks of its memory.
    c.onRequest("ko/memory", async () => ({
      heapUsed: heapUsed(),
      workerHeapUsed: (await this.diagnostics?.workerHeap()) ?? null,
      rss: process.memoryUsage().rss,
    }));
  }

  private initialize(params: InitializeParams): InitializeResult {
    const options = (params.initializationOptions ?? {}) as { roots?: string[] };
    const folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri));
    if (folders.length === 0 && params.rootUri) folders.push(uriToPath(params.rootUri));
    const roots = [...this.roots, ...(options.roots ?? []).map((r) => path.resolve(folders[0] ?? ".", r)), ...rootsFromEnv()];
    this.workspace = new Workspace({ roots, folders });
    this.documents = new Documents(this.workspace);
    const log = (m: string) => this.connection.console.error(m);
    this.diagnostics = new DiagnosticsService(this.workspace, { roots, folders }, (r) => this.publish(r), log);
    this.semanticTokensRefresh = params.capabilities.workspace?.semanticTokens?.refreshSupport === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [".", "(", "[", ",", '"', "/"] },
        hoverProvider: true,
        signatureHelpProvider: { triggerCharacters: ["(", "[", ","], retriggerCharacters: [":"] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
        foldingRangeProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: "ko", version: "0.1.0" },
    };
  }

  /**
   * A request handler that fails soft: an internal error is logged and the editor gets
   * `fallback`; a refusal meant for the user (a rename that cannot be done) is sent as an error.
   */
  private guard<T>(answer: () => T, fallback: T): T | ResponseError<void> {
    try {
      return answer();
    } catch (e) {
      if (e instanceof Refusal) return new ResponseError(ErrorCodes.InvalidRequest, e.message);
      this.connection.console.error(`ko lsp: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return fallback;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Diagnostics

  private schedule(file: string): void {
    this.later(this.pending, file, DIAGNOSTICS_DELAY_MS, () => this.diagnostics?.request(file));
    this.later(this.refreshes, file, REFRESH_AFTER_MS, () => {
      this.workspace.analysisFor(file);
      if (this.semanticTokensRefresh) void this.connection.languages.semanticTokens.refresh();
    });
  }

  /** Runs `action` for `file` after `delay`, unless asked again before; an open file only. */
  private later(timers: Map<string, NodeJS.Timeout>, file: string, delay: number, action: () => void): void {
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        if (this.workspace.isOpen(file)) this.guard(action, undefined);
      }, delay),
    );
  }

  /** Publishes a package's diagnostics for its files and the open ones, clearing files fixed since. */
  private publish(report: DiagnosticsReport): void {
    const byFile = new Map<string, LspDiagnostic[]>();
    for (const f of report.ownFiles) byFile.set(f, []);
    for (const f of report.readFiles) if (this.workspace.isOpen(f)) byFile.set(f, []);
    for (const d of report.diagnostics) byFile.get(d.span.file)?.push(toLspDiagnostic(d));
    const before = this.published.get(report.key) ?? new Set<string>();
    const now = new Set<string>();
    for (const [file, diagnostics] of byFile) {
      if (diagnostics.length > 0) now.add(file);
      if (diagnostics.length > 0 || before.has(file) || this.workspace.isOpen(file)) {
        void this.connection.sendDiagnostics({ uri: pathToUri(file), diagnostics });
      }
    }
    this.published.set(report.key, now);
  }

  // -------------------------------------------------------------------------------------------
  // Answers read from the latest analysis

  private completion(file: string, position: { line: number; character: number }): CompletionItem[] {
    const doc = this.docFor(file);
    const offset = doc.offsetAt(position);
    const view = this.workspace.viewFor(file);
    const result = complete(view, file, offset, this.workspace.opts.roots);
    const range = { start: doc.positionAt(result.from), end: position };
    return result.entries.map((e, i) => {
      const item: CompletionItem = {
        label: e.label,
        kind: COMPLETION_KIND[e.kind],
        sortText: `${e.rank}${String(i).padStart(5, "0")}`,
        textEdit: { range, newText: e.insert ?? e.label },
        insertTextFormat: InsertTextFormat.PlainText,
      };
      if (e.detail !== undefined) item.detail = e.detail;
      if (e.doc) item.documentation = { kind: MarkupKind.Markdown, value: e.doc };
      if (e.monadic) item.labelDetails = { detail: "?", description: "monadic" };
      return item;
    });
  }

  private hover(file: string, position: { line: number; character: number }) {
    const doc = this.docFor(file);
    const result = hover(this.workspace.viewFor(file), file, doc.offsetAt(position));
    if (result === undefined) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: result.contents },
      range: { start: doc.positionAt(result.start), end: doc.positionAt(result.end) },
    };
  }

  private signature(file: string, position: { line: number; character: number }) {
    const doc = this.docFor(file);
    const s = signatureHelp(this.workspace.viewFor(file), file, doc.offsetAt(position));
    if (s === undefined) return null;
    return {
      signatures: [
        {
          label: s.label,
          documentation: { kind: MarkupKind.Markdown, value: s.doc },
          parameters: s.params.map(([a, b]) => ({ label: [a, b] as [number, number] })),
          ...(s.active !== undefined ? { activeParameter: s.active } : {}),
        },
      ],
      activeSignature: 0,
      activeParameter: s.active ?? null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Answers that need a current analysis

  private definition(file: string, position: { line: number; character: number }): LspLocation[] {
    const view = this.workspace.freshViewFor(file);
    return definition(view, file, this.docFor(file).offsetAt(position)).map((l) => this.location(l));
  }

  private references(file: string, position: { line: number; character: number }, includeDeclaration: boolean): LspLocation[] {
    const view = this.workspace.freshViewFor(file);
    const offset = this.docFor(file).offsetAt(position);
    return references(view, file, offset, this.workspace.allAnalyses(), includeDeclaration).map((l) => this.location(l));
  }

  private prepareRename(file: string, position: { line: number; character: number }) {
    const check = prepareRename(this.workspace.freshViewFor(file), file, this.docFor(file).offsetAt(position));
    if (!check.ok) throw new Refusal(check.error);
    return { range: this.positions.for(file).range(check.start, check.end), placeholder: check.name };
  }

  private rename(file: string, position: { line: number; character: number }, newName: string): WorkspaceEdit {
    const view = this.workspace.freshViewFor(file);
    const result = rename(view, file, this.docFor(file).offsetAt(position), newName, this.workspace.allAnalyses());
    if ("error" in result) throw new Refusal(result.error);
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of result.edits)
      (changes[pathToUri(e.file)] ??= []).push({ range: this.positions.for(e.file).range(e.start, e.end), newText: e.newText });
    return { changes };
  }

  private documentSymbols(file: string): DocumentSymbol[] {
    const view = this.workspace.viewFor(file);
    const doc = this.docFor(file);
    const range = (l: { start: number; end: number }) => mapRange(view.map, l.start, l.end, doc);
    const convert = (s: OutlineSymbol): DocumentSymbol[] => {
      const whole = range(s.range);
      const selection = range(s.selection);
      if (whole === undefined || selection === undefined) return []; // edited away since
      return [
        {
          name: s.name,
          detail: s.detail,
          kind: SYMBOL_KIND[s.kind],
          range: whole,
          selectionRange: selection,
          children: s.children.flatMap(convert),
        },
      ];
    };
    return documentSymbols(view.analysis, file).flatMap(convert);
  }

  private workspaceSymbols(query: string) {
    return workspaceSymbols(this.workspace.allAnalyses(), query).map((s) => ({
      name: s.name,
      kind: SymbolKind.Function,
      containerName: s.container,
      location: this.location(s.location),
    }));
  }

  private semanticTokens(file: string) {
    const view = this.workspace.viewFor(file);
    const doc = this.docFor(file);
    const text = view.text;
    const builder = new SemanticTokensBuilder();
    for (const t of semanticTokens(view.analysis, file)) {
      const start = view.map.toNew(t.start);
      const end = view.map.toNew(t.start + t.length);
      if (start === undefined || end === undefined || end - start !== t.length) continue; // edited since
      const type = TOKEN_TYPES.indexOf(t.type);
      const modifiers = (t.declaration ? 1 : 0) | (t.library ? 2 : 0);
      // A token may not span lines: a raw string or block comment is sent line by line.
      for (let from = start; from < end;) {
        const nl = text.indexOf("\n", from);
        const stop = nl < 0 || nl >= end ? end : nl;
        const p = doc.positionAt(from);
        if (stop > from) builder.push(p.line, p.character, stop - from, type, modifiers);
        from = stop + 1;
      }
    }
    return builder.build();
  }

  private folding(file: string) {
    const view = this.workspace.viewFor(file);
    const source = sourceFile(view.analysis.program, file);
    if (source === undefined) return [];
    const doc = this.docFor(file);
    return foldingRanges(source.ast, source.text).flatMap((f) => {
      const start = view.map.toNew(f.start);
      const end = view.map.toNew(f.end);
      if (start === undefined || end === undefined) return [];
      const startLine = doc.positionAt(start).line;
      const endLine = doc.positionAt(end).line - (f.beforeEnd ? 1 : 0);
      return endLine > startLine ? [{ startLine, endLine, ...(f.kind ? { kind: f.kind } : {}) }] : [];
    });
  }

  private format(uri: string): LspTextEdit[] {
    const doc = this.documents.get(uri);
    if (doc === undefined) return [];
    const result = formatSource(uriToPath(uri), doc.getText());
    if (!result.ok || !result.changed) return [];
    return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) }, newText: result.text }];
  }

  private codeActions(uri: string, diagnostics: readonly LspDiagnostic[]): CodeAction[] {
    const doc = this.documents.get(uri);
    if (doc === undefined) return [];
    const out: CodeAction[] = [];
    for (const d of diagnostics) {
      const data = d.data as { suggestion?: string; fix?: Fix } | undefined;
      const suggestion = data?.suggestion;
      const start = doc.offsetAt(d.range.start);
      const end = doc.offsetAt(d.range.end);
      const pos = (o: number) => ({ line: doc.positionAt(o).line + 1, col: doc.positionAt(o).character + 1, offset: o });
      const fix =
        data?.fix !== undefined && pathToUri(data.fix.span.file) === uri
          ? carriedFix(data.fix, doc.getText())
          : suggestion !== undefined
            ? quickFix({ suggestion, span: { file: uri, start: pos(start), end: pos(end) } }, doc.getText())
            : undefined;
      if (fix === undefined) continue;
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [uri]: [{ range: { start: doc.positionAt(fix.start), end: doc.positionAt(fix.end) }, newText: fix.newText }] } },
      });
    }
    return out;
  }

  // -------------------------------------------------------------------------------------------

  private docFor(file: string) {
    const doc = this.documents.get(pathToUri(file));
    if (doc !== undefined) return doc;
    // A request for a file that is not open: answer from the disk.
    const text = this.workspace.readFile(file) ?? "";
    const positions = this.positions.for(file);
    return {
      offsetAt: (p: { line: number; character: number }) => {
        let offset = 0;
        for (let line = 0; line < p.line; line++) offset = text.indexOf("\n", offset) + 1;
        return offset + p.character;
      },
      positionAt: (o: number) => positions.position(o),
    };
  }

  private location(l: Location): LspLocation {
    return { uri: pathToUri(l.file), range: this.positions.for(l.file).range(l.start, l.end) };
  }
}

/** [start, end) of an older text as a range of the current one; undefined if edited since. */
function mapRange(map: OffsetMap, start: number, end: number, doc: { positionAt(o: number): { line: number; character: number } }) {
  const s = map.toNew(start);
  const e = map.toNew(end);
  return s === undefined || e === undefined ? undefined : { start: doc.positionAt(s), end: doc.positionAt(e) };
}

/** A request the server declines, with the reason for the user. */
class Refusal extends Error {}

function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return {
    range: spanToRange(d.span),
    severity:
      d.severity === "error"
        ? DiagnosticSeverity.Error
        : d.severity === "warning"
          ? DiagnosticSeverity.Warning
          : DiagnosticSeverity.Information,
    code: d.code,
    source: `ko ${d.stage}`,
    message: d.suggestion !== undefined ? `${d.message} (did you mean ${d.suggestion}?)` : d.message,
    ...(d.related && d.related.length > 0
      ? {
          relatedInformation: d.related.map((r) => ({
            location: { uri: pathToUri(r.span.file), range: spanToRange(r.span) },
            message: r.message,
          })),
        }
      : {}),
    ...(d.suggestion !== undefined || d.fix !== undefined
      ? { data: { ...(d.suggestion !== undefined ? { suggestion: d.suggestion } : {}), ...(d.fix ? { fix: d.fix } : {}) } }
      : {}),
  };
}

const COMPLETION_KIND: Record<CompletionKind, CompletionItemKind> = {
  param: CompletionItemKind.Variable,
  step: CompletionItemKind.Variable,
  function: CompletionItemKind.Function,
  builtin: CompletionItemKind.Function,
  module: CompletionItemKind.Module,
  argument: CompletionItemKind.Field,
  field: CompletionItemKind.Field,
  keyword: CompletionItemKind.Keyword,
  package: CompletionItemKind.Module,
};

const SYMBOL_KIND: Record<OutlineSymbol["kind"], SymbolKind> = {
  import: SymbolKind.Module,
  function: SymbolKind.Function,
  param: SymbolKind.Variable,
  step: SymbolKind.Field,
};
