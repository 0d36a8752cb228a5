#!/usr/bin/env node
/**
 * The `ko` command (D19, D22, D23). Each subcommand lives in its own module; this file only
 * wires them to commander and maps outcomes to exit statuses.
 */
import { Command, CommanderError, Option } from "commander";
import { EXIT, UsageError } from "./exit.js";
import { docCommand, listCommand, versionCommand, VERSION } from "./info.js";
import { parseCommand } from "./parse.js";
import { playCommand, runCommand } from "./run.js";
import { testCommand } from "./test.js";
import { renderFailure } from "../api/report.js";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--max-depth expects a positive integer, got ${value}`);
  return n;
}

const rootOption = () => new Option("--root <dir>", "a repository root to look packages up in (repeatable; KOPATH adds DIR/src)").argParser(collect).default([]);
const depthOption = () => new Option("--max-depth <n>", "deepest Ko call chain allowed (default 1000000)").argParser(positiveInt);

function program(setStatus: (n: number | Promise<number>) => void): Command {
  const cmd = new Command("ko")
    .description("Ko: concurrent, immutable, functional workflows as data-flow graphs")
    .version(VERSION, "-V, --version")
    .showHelpAfterError(true);

  cmd
    .command("run")
    .description("compile FILE (or every .ko file of DIR) and run FUNC (default Main), printing its result")
    .argument("<target>", "a .ko file or a package directory")
    .argument("[func]", "the function to run", undefined)
    .option("--arg <name=value>", "pass an argument; VALUE is a Ko literal or a plain string (repeatable; no name: the unnamed one)", collect, [])
    .option("-l, --list <f1,f2>", "run several functions in order, stopping at the first failure")
    .addOption(depthOption())
    .addOption(rootOption())
    .action((target: string, func: string | undefined, opts) => setStatus(runCommand(target, func, opts)));

  cmd
    .command("play")
    .description("run PKG/FUNC found in the roots, with name=value string arguments (the original's form)")
    .argument("<pkgfunc>", "package path and function, e.g. examples/hello/Main")
    .argument("[args...]", "name=value (a named string) or value (the unnamed argument)")
    .addOption(depthOption())
    .addOption(rootOption())
    .action((spec: string, args: string[], opts) => setStatus(playCommand(spec, args, { ...opts, arg: [] })));

  cmd
    .command("test")
    .description("run every parameterless Test* function of each package, in name order")
    .argument("[targets...]", "package paths, directories or files (default: the current directory)")
    .addOption(depthOption())
    .addOption(rootOption())
    .action((targets: string[], opts) => setStatus(testCommand(targets, opts)));

  cmd
    .command("parse")
    .description("check the syntax of files (no resolution, no execution)")
    .argument("<files...>")
    .option("--ast", "print each file's syntax tree as JSON")
    .action((files: string[], opts) => setStatus(parseCommand(files, opts)));

  cmd.command("list").description("list every builtin, idiom and standard library function").action(() => setStatus(listCommand()));

  cmd
    .command("doc")
    .description("show the documentation of builtins, packages or functions (Yield, strings, strings.Join)")
    .argument("<names...>")
    .action((names: string[]) => setStatus(docCommand(names)));

  cmd.command("version").description("print the version and the builtin registry's fingerprint").action(() => setStatus(versionCommand()));

  // The embedded Kubernetes API server (issue 4), loaded only when used.
  const cluster = cmd.command("cluster").description("an embedded Kubernetes-API-compatible server for tests and dry runs");
  cluster
    .command("serve")
    .description("serve the Kubernetes API on 127.0.0.1 until SIGINT/SIGTERM")
    .option("--port <n>", "TCP port (default: an ephemeral one)")
    .option("--kubeconfig-out <file>", "write a kubeconfig pointing at the server")
    .option("--state <file>", "persist every acknowledged write to this journal; reload it on start")
    .option("--config <file>", "JSON or YAML: delays, readinessHolds, bookmarkIntervalMs")
    .option("--hold-ready <spec>", "SELECTOR[:job=NAME|:pods=SELECTOR][@NAMESPACE] (repeatable)", collect, [])
    .option("--delay <step=ms>", "schedule|start|ready|complete|terminate|bind|controller (repeatable)", collect, [])
    .action((opts) => setStatus(import("./cluster.js").then((m) => m.clusterServeCommand(opts))));

  return cmd;
}

async function main(argv: string[]): Promise<number> {
  let status: number | Promise<number> = EXIT.ok;
  const cmd = program((s) => (status = s));
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  const overrideAll = (c: Command): void => {
    for (const sub of c.commands) {
      sub.exitOverride();
      overrideAll(sub);
    }
  };
  overrideAll(cmd);
  try {
    if (argv.length <= 2) {
      cmd.outputHelp();
      return EXIT.usage;
    }
    await cmd.parseAsync(argv);
    return await status;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ko: ${e.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(renderFailure(e, () => undefined));
    return EXIT.runtime;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ko: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
