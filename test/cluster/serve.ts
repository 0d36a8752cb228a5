/** `ko cluster serve` in a child process, as a user starts it, and requests to it through its kubeconfig. */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { KO, REPO } from "../support/cli.js";

/** A server that started: its process, URL, kubeconfig, and what it printed so far. */
export interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  readonly kubeconfig: string;
  /** The URL, token and authority, for send() and http() of helpers.ts. */
  readonly access: { readonly url: string; readonly token: string; readonly ca: string };
  output(): string;
  /** SIGTERM, then the exit status and signal. */
  stop(): Promise<[number | null, NodeJS.Signals | null]>;
  kill(): Promise<[number | null, NodeJS.Signals | null]>;
}

/** A server that did not start: how it exited and what it said. */
export interface Refused {
  readonly status: number | null;
  readonly output: string;
}

export const exited = (child: ChildProcess) =>
  new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve([child.exitCode, child.signalCode]);
    else child.once("exit", (code, signal) => resolve([code, signal]));
  });

/** Starts `ko cluster serve ARGS` (with --port 0); resolves once it listens and has written its kubeconfig, or exits. */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served | Refused> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KO, "cluster", "serve", "--port", "0", ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let started = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    const onData = (d: string) => {
      out += d;
      const url = /listening on (https:\/\/\S+)/.exec(out)?.[1];
      const kubeconfig = /kubeconfig written to (\S+)/.exec(out)?.[1];
      if (started || !url || !kubeconfig) return;
      started = true;
      clearTimeout(timer);
      resolve({
        child,
        url,
        kubeconfig,
        access: accessOf(kubeconfig),
        output: () => out,
        stop: () => (child.kill("SIGTERM"), exited(child)),
        kill: () => (child.kill("SIGKILL"), exited(child)),
      });
    };
    child.stdout.setEncoding("utf8").on("data", onData);
    child.stderr.setEncoding("utf8").on("data", onData);
    child.on("exit", (status) => {
      clearTimeout(timer);
      if (!started) resolve({ status, output: out });
    });
  });
}

export function isServed(s: Served | Refused): s is Served {
  return "child" in s;
}

/** What a client needs from a kubeconfig the cluster wrote: URL, token, authority. */
export function accessOf(kubeconfig: string): { url: string; token: string; ca: string } {
  const text = fs.readFileSync(kubeconfig, "utf8");
  const field = (name: string) => new RegExp(`${name}: "?([^"\\n]+)"?`).exec(text)![1]!;
  return { url: field("server"), token: field("token"), ca: Buffer.from(field("certificate-authority-data"), "base64").toString() };
}
