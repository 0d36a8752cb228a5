/**
 * Data-driven Ko test files, in the style of starlark-go's chunked files: one `.ko` file holds
 * several programs separated by lines `---`. Each program states what must happen:
 *
 *   `// expect: TEXT`   a line its standard output must contain, in order (all of stdout is matched)
 *   `### "regexp"`      at the end of a line: a diagnostic located on this line must match
 *   `### unreached "regexp"`  the same, for an error in code the run does not reach: `ko check`
 *                       reports it as an error, `ko run` as a warning, and runs (D33)
 *   `// exit: N`        the exit status (default: 0 with no `###`, else 1 or 3)
 *   `// run: ARGS`      extra arguments for `ko run` (FUNC, --arg ...), split on spaces
 *   `// stderr: TEXT`   a substring standard error must contain
 *
 * A chunk keeps its line numbers from the file (earlier lines become blank), so the locations in
 * errors and in expectations are the file's own.
 */
import * as fs from "node:fs";

export interface Chunk {
  readonly file: string;
  /** 1-based line of the chunk's first line in the file. */
  readonly line: number;
  /** The program, padded with blank lines so its line numbers are the file's. */
  readonly text: string;
  readonly expectOut: string[] | undefined;
  readonly errors: { line: number; pattern: RegExp; unreached?: boolean }[];
  readonly exit: number | undefined;
  readonly runArgs: string[];
  readonly stderr: string[];
}

export function readChunks(file: string): Chunk[] {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const chunks: Chunk[] = [];
  let start = 0;
  const flush = (end: number) => {
    const body = lines.slice(start, end);
    if (body.every((l) => l.trim() === "")) return;
    const padded = [...new Array<string>(start).fill(""), ...body];
    const expectOut: string[] = [];
    let sawExpect = false;
    const errors: { line: number; pattern: RegExp; unreached?: boolean }[] = [];
    let exit: number | undefined;
    let runArgs: string[] = [];
    const stderr: string[] = [];
    body.forEach((l, k) => {
      const lineNo = start + k + 1;
      const e = /^\s*\/\/ expect: ?(.*)$/.exec(l);
      if (e) {
        sawExpect = true;
        expectOut.push(e[1]!);
      }
      if (/^\s*\/\/ expect-empty\s*$/.test(l)) sawExpect = true;
      const x = /^\s*\/\/ exit: (\d+)/.exec(l);
      if (x) exit = Number(x[1]);
      const r = /^\s*\/\/ run: (.*)$/.exec(l);
      if (r) runArgs = r[1]!.trim().split(/\s+/);
      const s = /^\s*\/\/ stderr: (.*)$/.exec(l);
      if (s) stderr.push(s[1]!);
      const m = /###\s*(unreached\s+)?"((?:[^"\\]|\\.)*)"\s*$/.exec(l);
      if (m) errors.push({ line: lineNo, pattern: new RegExp(m[2]!.replace(/\\"/g, '"')), ...(m[1] ? { unreached: true } : {}) });
    });
    chunks.push({
      file,
      line: start + 1,
      text: padded.map((l) => l.replace(/###\s*(?:unreached\s+)?"(?:[^"\\]|\\.)*"\s*$/, "")).join("\n") + "\n",
      expectOut: sawExpect ? expectOut : undefined,
      errors,
      exit,
      runArgs,
      stderr,
    });
  };
  lines.forEach((l, i) => {
    if (l.trim() === "---") {
      flush(i);
      start = i + 1;
    }
  });
  flush(lines.length);
  return chunks;
}

/**
 * The located failures of a `ko` run's standard error: `FILE:LINE:COL: error: MESSAGE`, or an
 * unrecovered panic. Notes and warnings (D33: what a run defers) are not failures.
 */
export function reportedErrors(stderr: string): { line: number; message: string }[] {
  const out: { line: number; message: string }[] = [];
  for (const l of stderr.split("\n")) {
    const m = /^[^\s:][^:]*:(\d+):(\d+): (?:error: |)(.*)$/.exec(l);
    if (m && !/: (note|warning): /.test(l)) out.push({ line: Number(m[1]), message: m[3]! });
  }
  return out;
}
