/**
 * Every example of the guides in docs/ runs here, as a reader would run it, and prints what the
 * guide says it prints. The convention (docs/README.md says it for writers):
 *
 *   ```ko file=NAME.ko          a Ko file: written as NAME.ko (a path: dir/NAME.ko) into the
 *                               guide's own scratch directory, where the commands run. Any other
 *                               fence with file=NAME (```yaml file=ko.policy.yaml) is written too.
 *   ```console                  commands and what they print: each `$ ` line is a command, the
 *                               lines after it (to the next `$ ` line) its standard output and
 *                               error as a terminal shows them. `# exit status N` at the end of
 *                               a command: it must exit with N (otherwise 0). A command ending
 *                               in `&` runs in the background until the guide is done; the test
 *                               waits until it has printed its lines. Commands are `ko`,
 *                               `kubectl`, `node` and `cat`; NAME=VALUE before one sets a variable.
 *   ```ko norun="why"           a block that is deliberately not run (a fragment, a command that
 *   ```console norun="why"      needs what a test cannot have), with the reason.
 *
 * In expected output, a line `...` stands for any number of lines, and `...` within a line for
 * any text. `cat FILE` shows a file a command wrote. The guide's scratch directory starts with a copy of
 * examples/ and with this repository installed as the package ko-for-node (node_modules/ko-for-node,
 * a link), so that `node app.mjs` imports it as an application does; it is the working directory
 * and HOME (so there is no kubeconfig, and `k8s` programs use the embedded cluster).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { KO, REPO } from "../support/cli.js";
import { tempDir } from "../support/temp.js";

const DOCS = path.join(REPO, "docs");

interface Block {
  readonly lang: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly body: string;
  /** The line of the opening fence, 1-based. */
  readonly line: number;
}

/** The fenced blocks of a Markdown text, indented ones (in lists) included. */
export function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const close = lines.findIndex((l, j) => j > i && l.trimEnd() === `${indent}${fence}`);
    if (close < 0) throw new Error(`unclosed fence at line ${i + 1}`);
    const attrs: Record<string, string> = {};
    for (const m of info.matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) attrs[m[1]!] = m[2] ?? m[3]!;
    blocks.push({
      lang: info.trim().split(/\s+/)[0] ?? "",
      attrs,
      body: lines
        .slice(i + 1, close)
        .map((l) => l.slice(indent.length))
        .join("\n"),
      line: i + 1,
    });
    i = close;
  }
  return blocks;
}

interface Command {
  readonly env: Record<string, string>;
  readonly program: string;
  readonly args: string[];
  readonly status: number;
  readonly background: boolean;
  readonly expected: string[];
  readonly text: string;
}

/** Splits a command line as a shell does for the simple quoting the guides use. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]!));
  }
  return out;
}

/** The commands of a console block, each with what it should print. */
function commands(block: Block): Command[] {
  const out: Command[] = [];
  for (const raw of block.body.split("\n")) {
    if (!raw.startsWith("$ ")) {
      if (out.length === 0) throw new Error(`console block at line ${block.line}: output before the first command`);
      out[out.length - 1]!.expected.push(raw);
      continue;
    }
    let text = raw.slice(2);
    const exit = /\s+#\s*exit status (\d+)\s*$/.exec(text);
    text = text.replace(/\s+#.*$/, "").trim();
    const background = text.endsWith("&");
    const parts = words(background ? text.slice(0, -1) : text);
    const env: Record<string, string> = {};
    while (parts.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(parts[0]!)) {
      const [name, ...value] = parts.shift()!.split("=");
      env[name!] = value.join("=");
    }
    const program = parts.shift() ?? "";
    if (!["ko", "kubectl", "node", "cat", "redis-server"].includes(program)) {
      throw new Error(
        `console block at line ${block.line}: only ko, kubectl, node, cat and redis-server commands run (mark the block norun="why"): ${raw}`,
      );
    }
    out.push({ env, program, args: parts, status: exit ? Number(exit[1]) : 0, background, expected: [], text: raw });
  }
  return out;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether OUTPUT's lines are what EXPECTED's say, `...` standing for any lines or any text. */
export function matches(expected: readonly string[], output: readonly string[]): boolean {
  const line = (pattern: string, actual: string) =>
    pattern.includes("...") ? new RegExp(`^${pattern.split("...").map(escape).join(".*")}$`).test(actual) : pattern === actual;
  const from = (e: number, o: number): boolean => {
    if (e === expected.length) return o === output.length;
    if (expected[e] === "...") {
      for (let k = o; k <= output.length; k++) if (from(e + 1, k)) return true;
      return false;
    }
    return o < output.length && line(expected[e]!, output[o]!) && from(e + 1, o + 1);
  };
  return from(0, 0);
}

function trimLines(text: string): string[] {
  const lines = text.split("\n").map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The environment of a guide's commands: its directory as HOME, no kubeconfig, no Ko settings. */
function environment(dir: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== "KUBECONFIG" && !k.startsWith("KO_")) env[k] = v;
  return { ...env, HOME: dir, ...extra };
}

const background: ChildProcess[] = [];
/**
 * Stops the guides' background processes, the last started first (a worker before its Redis, an
 * operator before its cluster), as a user would: SIGTERM, and SIGKILL for one that has not ended
 * within a few seconds, so that a hung shutdown fails its own test rather than this hook.
 */
afterAll(async () => {
  for (const child of background.reverse()) await stop(child);
}, 60_000);

function stop(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.on("close", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Runs `ko` in this process, through the function the `ko` command runs, in DIR with the guide's
 * environment: the same parsing, messages and exit status without starting Node and loading `ko`
 * for each of the guides' many small programs. Standard output and error go to one text, in the
 * order a terminal shows them. One at a time (the runs queue): the working directory and the
 * environment are the process's.
 */
function runInProcess(cmd: Command, dir: string): Promise<{ output: string; status: number | null }> {
  const turn = inProcess.last.then(() => runHere(cmd, dir));
  inProcess.last = turn.catch(() => undefined);
  return turn;
}

/** The in-process runs, one after the other: the last one queued. */
const inProcess: { last: Promise<unknown> } = { last: Promise.resolve() };

async function runHere(cmd: Command, dir: string): Promise<{ output: string; status: number | null }> {
  const { main } = await import("../../src/cli/commands.js");
  const cwd = process.cwd();
  const saved = { ...process.env };
  const env = environment(dir, cmd.env);
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  process.chdir(dir);
  let output = "";
  const write = (text: string) => void (output += text);
  try {
    const status = await main([process.execPath, KO, ...cmd.args], { stdout: write, stderr: write, standalone: false });
    return {
      output: output
        .split(dir + "/")
        .join("")
        .split(dir)
        .join("."),
      status,
    };
  } finally {
    process.chdir(cwd);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/**
 * Runs a command as a process, with standard output and error on one pipe, so that their lines
 * come in the order a terminal shows them; a background one until its output matches what is
 * expected. `ko` in the foreground runs in this process.
 */
function run(cmd: Command, dir: string): Promise<{ output: string; status: number | null }> {
  if (cmd.program === "ko" && !cmd.background) return runInProcess(cmd, dir);
  const program = cmd.program === "ko" ? [process.execPath, KO] : cmd.program === "node" ? [process.execPath] : [cmd.program];
  const child = spawn("sh", ["-c", 'exec "$0" "$@" 2>&1', ...program, ...cmd.args], {
    cwd: dir,
    env: environment(dir, cmd.env),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.setEncoding("utf8").on(
    "data",
    (d: string) =>
      (output += d
        .split(dir + "/")
        .join("")
        .split(dir)
        .join(".")),
  );
  if (cmd.background) {
    background.push(child);
    return new Promise((resolve) => {
      const giveUp = setTimeout(() => resolve({ output, status: null }), 20_000);
      child.stdout.on("data", () => {
        if (!matches(cmd.expected, trimLines(output))) return;
        clearTimeout(giveUp);
        resolve({ output, status: null });
      });
      child.on("close", (status) => resolve({ output, status }));
    });
  }
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(killer);
      resolve({ output, status });
    });
  });
}

const guides = fs
  .readdirSync(DOCS)
  .filter((f) => f.endsWith(".md"))
  .sort();

describe("the rules of the examples", () => {
  test.each(guides)("%s: every ko and console block is run, or says why not", (guide) => {
    const problems: string[] = [];
    const blocks = fencedBlocks(fs.readFileSync(path.join(DOCS, guide), "utf8"));
    blocks.forEach((b, i) => {
      if (b.attrs.norun !== undefined && b.attrs.norun.trim() === "") problems.push(`line ${b.line}: norun needs a reason`);
      if (b.lang === "ko" && b.attrs.file === undefined && b.attrs.norun === undefined) {
        problems.push(`line ${b.line}: a ko block needs file=NAME (and a console block that runs it) or norun="why"`);
      }
      if (
        b.lang === "ko" &&
        b.attrs.file !== undefined &&
        !blocks.slice(i + 1).some((c) => c.lang === "console" && c.attrs.norun === undefined)
      ) {
        problems.push(`line ${b.line}: ${b.attrs.file} is never run: no console block follows it`);
      }
      if (b.lang === "console" && b.attrs.norun === undefined) {
        try {
          commands(b);
        } catch (e) {
          problems.push((e as Error).message);
        }
      }
    });
    expect(problems).toEqual([]);
  });
});

describe("the examples of docs/", () => {
  for (const guide of guides) {
    const blocks = fencedBlocks(fs.readFileSync(path.join(DOCS, guide), "utf8"));
    if (!blocks.some((b) => b.lang === "console" && b.attrs.norun === undefined)) continue;
    // One test per guide: its examples build on each other (files, caches, named runs, a server).
    // The guides run side by side; their `ko` commands, which run in this process in the guide's
    // directory, take turns.
    test.concurrent(`${guide}: every command prints what the guide shows`, { timeout: 120_000 }, async () => {
      const dir = tempDir("ko-docs-");
      fs.cpSync(path.join(REPO, "examples"), path.join(dir, "examples"), { recursive: true });
      fs.mkdirSync(path.join(dir, "node_modules"));
      fs.symlinkSync(REPO, path.join(dir, "node_modules", "ko-for-node"), "dir");
      for (const block of blocks) {
        if (block.attrs.norun !== undefined) continue;
        if (block.attrs.file !== undefined) {
          const file = path.join(dir, block.attrs.file);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, block.body + "\n");
        }
        if (block.lang !== "console") continue;
        for (const cmd of commands(block)) {
          const { output, status } = await run(cmd, dir);
          const where = `${guide}:${block.line}: ${cmd.text}`;
          const actual = trimLines(output);
          const expected = trimLines(cmd.expected.join("\n"));
          if (!matches(expected, actual)) expect(actual.join("\n"), where).toBe(expected.join("\n"));
          if (!cmd.background) expect(status, `${where}\n${output}`).toBe(cmd.status);
        }
      }
    });
  }
});
