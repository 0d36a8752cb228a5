/**
 * The `ko` command (D19, D22, D23). Each subcommand lives in its own module; this file only
 * wires them to commander and maps outcomes to exit statuses. main.ts is the entry point.
 *
 * What this module imports statically is what every start of `ko` loads; the bundle (the
 * "bundle" script, scripts/bundle.mjs) puts all of it in one chunk. Everything a command needs
 * only sometimes is imported with `import()` where it is needed.
 */
import { Command, CommanderError, Option } from "commander";
import { checkCommand, type CheckFlags } from "./check.js";
import type { ClusterServeOptions } from "./cluster.js";
import type { FmtFlags } from "./fmt.js";
import type { GraphFlags } from "./graph.js";
import type { GridCommandFlags } from "./grid.js";
import type { WorkerFlags } from "./worker.js";
import type { OperatorFlags, SubmitFlags } from "./operator.js";
import type { LspFlags } from "./lsp.js";
import type { ReplFlags } from "./repl.js";
import type { EvalFlags } from "./eval.js";
import type { RunsFlags } from "./runs.js";
import { EXIT, UsageError } from "../diag/exit.js";
import { listCommand, versionCommand, VERSION } from "../api/catalog.js";
import { docTargets } from "./doc.js";
import { parseCommand, type ParseFlags } from "./parse.js";
import { OUTPUT_FORMATS } from "../api/result-formats.js";
import { playCommand, runCommand, type RunFlags } from "./run.js";
import { testCommand, type TestFlags } from "./test.js";
import { renderFailure } from "../api/failures.js";
import { endQuietlyOnClosedOutput, processIO, type CliIO } from "./io.js";

/** `ko play --help`'s example, which runs as shown from the repository's directory (a test runs it). */
export const PLAY_EXAMPLE = `Example (in the repository):
  ko play --root examples/embed/lib greeting/Hello Ko    prints "Hello, Ko"`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--max-depth expects a positive integer, got ${value}`);
  return n;
}

const rootOption = () =>
  new Option("--root <dir>", "a repository root to look packages up in (repeatable; KOPATH adds DIR/src)").argParser(collect).default([]);
const depthOption = () => new Option("--max-depth <n>", "deepest Ko call chain allowed (default 1000000)").argParser(positiveInt);

/**
 * The command line's definitions: every command with its arguments and options. Also read by
 * scripts/reference.mjs, which writes docs/cli.md from them.
 */
export function program(argv: readonly string[], io: CliIO, setStatus: (n: number | Promise<number>) => void): Command {
  const cmd = new Command("ko")
    .description("Ko: concurrent, immutable, functional workflows as data-flow graphs")
    .version(VERSION, "-V, --version");

  cmd
    .command("run")
    .description("compile FILE (or every .ko file of DIR) and run FUNC (default Main), printing its result")
    .argument("<target>", "a .ko file or a package directory")
    .argument("[func]", "the function to run", undefined)
    .option(
      "--arg <name=value>",
      "pass an argument; VALUE is a Ko literal or a plain string (repeatable; no name: the unnamed one)",
      collect,
      [],
    )
    .option("-l, --list <f1,f2>", "run several functions in order, stopping at the first failure")
    .addOption(
      new Option("-o, --output <format>", "write each result as ko (canonical printing), json or yaml")
        .choices(OUTPUT_FORMATS)
        .default("ko"),
    )
    .addOption(depthOption())
    .addOption(rootOption())
    .option("--cache", "reuse and store the results of pure calls in .ko/cache next to the script, or KO_CACHE_DIR (the default)")
    .option("--no-cache", "neither reuse nor store results")
    .option("--name <name>", "journal the run in .ko/runs/NAME, so that it can be resumed")
    .option("--resume", "resume the run named by --name: only steps that did not complete, or whose inputs changed, run")
    .option("--rerun <steps>", "with --resume: run these steps (Func:step or step, comma-separated) again, and all downstream", collect, [])
    .option("--events <file>", "write step events as JSON lines to FILE (- for standard error)")
    .option("--trace <file>", "write a Chrome/Perfetto trace of the run's steps to FILE")
    .option("--no-progress", "no live view of the running steps on a terminal")
    // The cluster that `import "k8s"` talks to (src/k8s/options.ts), chosen as kubectl does.
    .option("--kubeconfig <file>", "the kubeconfig (default: KUBECONFIG, then ~/.kube/config; none: the embedded cluster)")
    .option("--context <name>", "the kubeconfig context to use")
    .option("-n, --namespace <ns>", "the namespace of Kubernetes calls that give none")
    .option("--cluster <which>", "embedded: run against the embedded cluster, started in-process; kubeconfig: never start it")
    .option(
      "--cluster-state <file>",
      "run against the embedded cluster keeping its state in FILE (or the ko cluster serve that keeps FILE)",
    )
    .option("--max-inflight <n>", "at most N Kubernetes API requests in flight at once (default 16)")
    .option(
      "--plan",
      "plan only: run with every Kubernetes write sent as a dry run and files and commands left alone, show the plan, change nothing",
    )
    .option("--dry-run", "the same as --plan")
    .option("--policy <file>", "what the run may do to the cluster (default: ko.policy.yaml next to the script)")
    .option("-y, --yes", "apply a plan that deletes without asking (on a cluster that is not the embedded one)")
    // The grid (src/grid/): calls of pure functions computed by `ko worker`s through Redis.
    .option("--grid <url>", "run calls of pure functions on the grid of workers at this Redis URL (redis://HOST:PORT)")
    .option("--remote <f,g|auto>", "with --grid: the functions whose calls run remotely, or auto (the default): measured slow ones")
    .option("--grid-prefix <prefix>", "with --grid: the grid's key prefix in Redis, as its workers were given it (default ko)")
    .action((target: string, func: string | undefined, opts: RunFlags) => setStatus(runCommand(target, func, { ...opts, argv }, io)));

  cmd
    .command("play")
    .description("run PKG/FUNC found in the roots, with name=value string arguments (the original's form)")
    .argument("<pkgfunc>", "package path and function, e.g. greeting/Hello")
    .argument("[args...]", "name=value (a named string) or value (the unnamed argument)")
    .addOption(depthOption())
    .addOption(rootOption())
    .addHelpText("after", `\n${PLAY_EXAMPLE}`)
    .action((spec: string, args: string[], opts: Omit<RunFlags, "arg">) =>
      setStatus(playCommand(spec, args, { ...opts, arg: [], argv }, io)),
    );

  cmd
    .command("eval")
    .description("evaluate one Ko expression, given with -e or on standard input, and print its value")
    .option("-e, --expr <expr>", "the expression (default: read it from standard input)")
    .addOption(depthOption())
    .addOption(rootOption())
    .addHelpText("after", `\nExample:\n  ko eval -e 'Sum(1, 2, 3)'    prints 6`)
    .action((opts: { expr?: string } & Omit<EvalFlags, "e">) =>
      setStatus(import("./eval.js").then((m) => m.evalCommand({ ...opts, ...(opts.expr !== undefined ? { e: opts.expr } : {}) }, io))),
    );

  cmd
    .command("test")
    .description("run every parameterless Test* function of each package, in name order")
    .argument("[targets...]", "package paths, directories or files (default: the current directory)")
    .addOption(depthOption())
    .addOption(rootOption())
    .action((targets: string[], opts: TestFlags) => setStatus(testCommand(targets, opts, io)));

  cmd
    .command("check")
    .description("compile and type-check without running: every parameterless and Test* function, or the --entry ones")
    .argument("<targets...>", "files, package directories or package paths")
    .option("--entry <func>", "check this function (repeatable; default: every parameterless and Test* function)", collect, [])
    .option("--types", "also print the inferred type of every function, parameter and labelled step")
    .addOption(rootOption())
    .action((targets: string[], opts: CheckFlags) => setStatus(checkCommand(targets, opts, io)));

  cmd
    .command("parse")
    .description("check the syntax of files (no resolution, no execution)")
    .argument("<files...>")
    .option("--ast", "print each file's syntax tree as JSON")
    .action((files: string[], opts: ParseFlags) => setStatus(parseCommand(files, opts, io)));

  cmd
    .command("list")
    .description("list every builtin, idiom and standard library function")
    .action(() => setStatus(listCommand(io.stdout)));

  cmd
    .command("doc")
    .description(
      "show the documentation of builtins, packages, functions, Kubernetes types and fields (Yield, strings, strings.Join, Pod.spec), or of your own file or package (app.ko [Func...], --root DIR pkg)",
    )
    .argument("<names...>")
    .addOption(rootOption())
    .action((names: string[], opts: { root: string[] }) => setStatus(docTargets(names, opts.root, io)));

  cmd
    .command("version")
    .description("print the version and the builtin registry's fingerprint")
    .action(() => setStatus(versionCommand(io.stdout)));

  // The embedded Kubernetes API server, loaded only when used.
  const cluster = cmd.command("cluster").description("an embedded Kubernetes-API-compatible server for tests and dry runs");
  cluster
    .command("serve")
    .description("serve the Kubernetes API on 127.0.0.1 until SIGINT/SIGTERM")
    .option("--port <n>", "TCP port (default: an ephemeral one)")
    .option("--kubeconfig-out <file>", "write the kubeconfig (with the server's token) here (default: a private temporary directory)")
    .option("--state <file>", "persist every acknowledged write to FILE and reload it on start (one process per file)")
    .option("--repair", "cut a damaged --state file back to its last good record (a copy is kept as FILE.damaged)")
    .option("--config <file>", "JSON or YAML: delays, readinessHolds, bookmarkIntervalMs")
    .option("--hold-ready <spec>", "SELECTOR[:job=NAME|:pods=SELECTOR][@NAMESPACE] (repeatable)", collect, [])
    .option("--delay <step=ms>", "schedule|start|ready|complete|terminate|bind|controller (repeatable)", collect, [])
    .action((opts: ClusterServeOptions) => setStatus(import("./cluster.js").then((m) => m.clusterServeCommand(opts))));

  // The editor and interactive commands are loaded only when used, so that `ko run` starts fast.
  cmd
    .command("fmt")
    .description("lay out Ko files in the canonical form, in place (no file: standard input to standard output)")
    .argument("[files...]", "files, or directories holding .ko files")
    .option("--check", "write nothing; list the files that are not formatted and exit with status 1 if any")
    .action((files: string[], opts: FmtFlags) => setStatus(import("./fmt.js").then((m) => m.fmtCommand(files, opts, io))));

  cmd
    .command("lsp")
    .description("run the language server on standard input and output (for editors)")
    .option("--stdio", "use standard input and output (the default and only transport)")
    .addOption(rootOption())
    .allowUnknownOption(true) // editors add their own flags (--clientProcessId=...)
    .allowExcessArguments(true)
    .action((opts: LspFlags) => setStatus(import("./lsp.js").then((m) => m.lspCommand(opts))));

  cmd
    .command("repl")
    .description("evaluate formulas and define functions interactively (without a terminal: one result per input read)")
    .addOption(rootOption())
    .action((opts: ReplFlags) => setStatus(import("./repl.js").then((m) => m.replCommand(opts))));

  // Caching, run journals and graphs, loaded only when used.
  cmd
    .command("cache")
    .description("show statistics of the cache (.ko/cache next to TARGET, or KO_CACHE_DIR), or clear it")
    .argument("<action>", "stats or clear")
    .argument("[target]", "a script or directory whose cache to use (default: the current directory)")
    .action((action: string, target: string | undefined) =>
      setStatus(import("./cache.js").then((m) => m.cacheCommand(action, target, io))),
    );

  cmd
    .command("runs")
    .description("list the named runs (.ko/runs) with their state, or show one run's steps")
    .argument("[show]", "show")
    .argument("[name]", "the run to show")
    .option("--dir <dir>", "the script or directory whose runs to list (default: the current directory)")
    .action((show: string | undefined, name: string | undefined, opts: RunsFlags) =>
      setStatus(import("./runs.js").then((m) => m.runsCommand(show, name, opts, io))),
    );

  cmd
    .command("graph")
    .description("draw a function's data-flow graph: steps, data and ordering edges, called functions as clusters")
    .argument("<target>", "a .ko file or a package directory")
    .argument("[func]", "the function (default Main)")
    .option("--format <format>", "dot, mermaid, svg or json", "dot")
    .option("--depth <n>", "draw called functions as clusters this many calls deep", "0")
    .option("--run <name>", "colour the steps by their status in the named run")
    .option("-o, --output <file>", "write to FILE instead of standard output")
    .addOption(rootOption())
    .action((target: string, func: string | undefined, opts: GraphFlags) =>
      setStatus(import("./graph.js").then((m) => m.graphCommand(target, func, opts, io))),
    );

  // The grid's worker and status, loaded only when used (with BullMQ and ioredis).
  cmd
    .command("worker")
    .description("compute the calls clients send to the grid at --redis URL, until SIGINT or SIGTERM")
    .option("--redis <url>", "the grid's Redis (redis://HOST:PORT[/DB])")
    .option("--concurrency <n>", "how many jobs to run at once (default 1)")
    .option("--name <name>", "the worker's name in failure chains, events and ko grid status (default HOST-PID)")
    .addOption(rootOption())
    .option("--prefix <prefix>", "the grid's key prefix in Redis (default ko)")
    .option(
      "--lock-ms <ms>",
      "how long a job's lock lasts without renewal: a dead worker's jobs move on after about twice this (default 10000)",
    )
    .action((opts: WorkerFlags) => setStatus(import("./worker.js").then((m) => m.workerCommand(opts, io))));

  cmd
    .command("grid")
    .description("show a grid's queue, workers, jobs by state and memo (status), or forget all it holds (clear)")
    .argument("<action>", "status or clear")
    .option("--redis <url>", "the grid's Redis (redis://HOST:PORT[/DB])")
    .option("--prefix <prefix>", "the grid's key prefix in Redis (default ko)")
    .option("--json", "print the status as JSON")
    .action((action: string, opts: GridCommandFlags) => setStatus(import("./grid.js").then((m) => m.gridCommand(action, opts, io))));

  // Operator mode (src/operator/): Ko scripts and runs as custom resources, loaded only when used.
  const operator = cmd
    .command("operator")
    .description("run KoRuns of KoScripts (custom resources of ko.dev) in a namespace, until SIGINT or SIGTERM")
    .option("--kubeconfig <file>", "the kubeconfig (default: KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "the kubeconfig context to use")
    .option("-n, --namespace <ns>", "the namespace to watch (default: the context's, else default)")
    .option("--concurrency <n>", "how many runs to execute at once (default 4)")
    .option("--work-dir <dir>", "where scripts are compiled from and runs journaled (default .ko/operator)")
    .option("--name <name>", "the operator's name in leases, statuses and events (default HOST-PID)")
    .option("--lease-seconds <n>", "how long a run's lease lasts without renewal: a dead operator's runs resume after it (default 15)")
    .option("--max-attempts <n>", "a run whose attempts were cut short this many times fails instead of resuming again (default 5)")
    .addOption(rootOption())
    .action((opts: OperatorFlags) => setStatus(import("./operator.js").then((m) => m.operatorCommand(opts))));
  operator
    .command("crds")
    .description("print the CustomResourceDefinitions of KoScript and KoRun (ko operator crds | kubectl apply -f -)")
    .action(() => setStatus(import("./operator.js").then((m) => m.crdsCommand(io))));

  cmd
    .command("submit")
    .description("create a KoScript of FILE and a KoRun of FUNC, and follow the run until it ends (exit status as ko run's)")
    .argument("<target>", "a .ko file or a package directory")
    .argument("[func]", "the function to run (default Main)")
    .option("--arg <name=value>", "pass an argument, as ko run reads it (repeatable)", collect, [])
    .option("--kubeconfig <file>", "the kubeconfig (default: KUBECONFIG, then ~/.kube/config)")
    .option("--context <name>", "the kubeconfig context to use")
    .option("-n, --namespace <ns>", "the namespace of the KoScript and KoRun (default: the context's, else default)")
    .option("--dry-run", "plan only: the run's writes are server-side dry runs; the plan is printed")
    .option("--policy <file>", "a policy file (as ko run --policy), put into the KoRun's spec.policy")
    .option("--no-follow", "print the KoRun's name and return without waiting for it")
    .action((target: string, func: string | undefined, opts: SubmitFlags) =>
      setStatus(import("./operator.js").then((m) => m.submitCommand(target, func, opts, io))),
    );

  return cmd;
}

/**
 * What follows a misused command's one-line error (an unknown flag, a missing argument): its usage
 * line and where the rest is, not the whole help, which would bury the error.
 */
function usageHint(c: Command): string {
  const usage = c.createHelp().commandUsage(c);
  const path: string[] = [];
  for (let p: Command | null = c; p !== null; p = p.parent) path.unshift(p.name());
  return `usage: ${usage}  (see ${[...path, "--help"].join(" ")})`;
}

/**
 * Runs the command line `argv` (as in `process.argv`) and returns the exit status. `io` is where
 * the output goes: the process's own streams for `ko`, writers of the caller's otherwise (io.ts).
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  // Set by the action of the command that runs; a holder, so that TypeScript does not narrow it
  // to its first value (it cannot see the action set it).
  const outcome: { status: number | Promise<number> } = { status: EXIT.ok };
  const cmd = program(argv.slice(2), io, (s) => {
    outcome.status = s;
  });
  cmd.exitOverride();
  cmd.configureOutput({ writeErr: io.stderr, writeOut: io.stdout });
  const overrideAll = (c: Command): void => {
    c.showHelpAfterError(usageHint(c));
    for (const sub of c.commands) {
      sub.exitOverride();
      overrideAll(sub);
    }
  };
  overrideAll(cmd);
  if (io.standalone) endQuietlyOnClosedOutput();
  try {
    if (argv.length <= 2) {
      // `ko` alone on a terminal starts the REPL; elsewhere it is a usage error, as before.
      if (io.standalone && process.stdin.isTTY && process.stdout.isTTY)
        return await import("./repl.js").then((m) => m.replCommand({ root: [] }));
      cmd.outputHelp();
      return EXIT.usage;
    }
    await cmd.parseAsync(argv);
    return await outcome.status;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help" ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      io.stderr(`ko: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr(renderFailure(e, () => undefined));
    return EXIT.runtime;
  }
}

/**
 * Runs `ko` as the process it is: `main` over the process's arguments, its status the process's
 * exit code. Both entry points call it: main.ts (an ES module) and the package's bin, a CommonJS
 * file the bundle writes (scripts/bundle.mjs), which starts without Node's ES module loader.
 */
export function runAsProcess(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ko: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
