/**
 * Between the language service (file paths, offsets, 1-based spans) and the protocol (URIs,
 * 0-based lines and UTF-16 characters). Ko columns already count UTF-16 units, like LSP's.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Position, Range } from "vscode-languageserver/node";
import type { Span } from "../diag/span.js";
import { LineMap } from "../syntax/index.js";

/** A `file:` URI as a path; any other URI (an unsaved buffer) stands for itself. */
export function uriToPath(uri: string): string {
  return uri.startsWith("file:") ? fileURLToPath(uri) : uri;
}

export function pathToUri(file: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(file) && !/^[a-z]:[\\/]/i.test(file) ? file : pathToFileURL(file).href;
}

export function spanToRange(span: Span): Range {
  return {
    start: { line: span.start.line - 1, character: span.start.col - 1 },
    end: { line: span.end.line - 1, character: span.end.col - 1 },
  };
}

/** Offsets → positions for one text; line starts are computed once per text. */
export class Positions {
  private readonly lines: LineMap;

  constructor(text: string) {
    this.lines = new LineMap("", text);
  }

  position(offset: number): Position {
    const p = this.lines.pos(offset);
    return { line: p.line - 1, character: p.col - 1 };
  }

  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
}

/** Positions for many files, each built once from the text its offsets refer to. */
export class PositionCache {
  private readonly byFile = new Map<string, { text: string; positions: Positions }>();

  constructor(private readonly textOf: (file: string) => string | undefined) {}

  for(file: string): Positions {
    const text = this.textOf(file) ?? "";
    const cached = this.byFile.get(file);
    if (cached?.text === text) return cached.positions;
    const positions = new Positions(text);
    this.byFile.set(file, { text, positions });
    return positions;
  }
}
