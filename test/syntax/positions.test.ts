/**
 * Lines and columns as `ko run` prints them. Spans hold offsets, and lines and columns are found
 * when a diagnostic is printed (src/diag/span.ts): only `\n` starts a line (a CR is whitespace),
 * columns count UTF-16 units with a tab as one, and a last line without its newline is a line.
 * A second run reads the file's parse from the cache (src/resolve/parse-cache.ts), whose spans
 * are rebuilt from their serialized offsets, and must print the same.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "vitest";
import { ko } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const cases: [name: string, text: string, stderr: string][] = [
  [
    "CRLF line ends",
    'Main() {\r\n\tx: Sum(1, "a")\r\n\treturn: x\r\n}\r\n',
    [
      "main.ko:2:5: error: basic types Int64 and String cannot be unified",
      '  \tx: Sum(1, "a")',
      "  \t   ^^^^^^^^^^^",
      "  at main.Main:x (main.ko:2:5)",
    ].join("\n"),
  ],
  [
    "tabs inside a line",
    'Main() {\n\t\tx:\tSum(1, "a")\n\treturn: x\n}\n',
    [
      "main.ko:2:6: error: basic types Int64 and String cannot be unified",
      '  \t\tx:\tSum(1, "a")',
      "  \t\t  \t^^^^^^^^^^^",
      "  at main.Main:x (main.ko:2:6)",
    ].join("\n"),
  ],
  [
    "characters of two UTF-16 units before the place",
    'Main() {\n\ts: "é😀", x: Sum(1, "a")\n\treturn: (s: s, x: x)\n}\n',
    [
      "main.ko:2:15: error: basic types Int64 and String cannot be unified",
      '  \ts: "é😀", x: Sum(1, "a")',
      "  \t             ^^^^^^^^^^^",
      "  at main.Main:x (main.ko:2:15)",
    ].join("\n"),
  ],
  [
    "the last line without a newline",
    'Main() {\n\treturn: Sum(1, "a")}',
    [
      "main.ko:2:10: error: basic types Int64 and String cannot be unified",
      '  \treturn: Sum(1, "a")}',
      "  \t        ^^^^^^^^^^^",
      "  at main.Main:return (main.ko:2:10)",
    ].join("\n"),
  ],
  [
    "syntax errors at the end of a file without a newline",
    "Main() {\n\treturn: Sum(1, 2",
    [
      "main.ko:1:8: error: bracket imbalance: '{' is never closed",
      "  Main() {",
      "         ^",
      "main.ko:2:13: error: bracket imbalance: '(' is never closed",
      "  \treturn: Sum(1, 2",
      "  \t           ^",
    ].join("\n"),
  ],
];

test.each(cases)("%s", async (_name, text, stderr) => {
  const dir = tempDir("ko-positions-");
  fs.writeFileSync(path.join(dir, "main.ko"), text);
  const run = () => ko(["run", "main.ko"], { cwd: dir, env: { KO_CACHE_DIR: path.join(dir, "cache") } });
  const first = await run();
  expect(first.status).toBe(3);
  expect(first.stderr).toBe(`${stderr}\n`);
  expect(await run()).toEqual(first);
});
