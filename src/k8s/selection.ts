/**
 * Which cluster a session talks to — decided before anything runs, the way kubectl decides:
 *
 *   the kubeconfig --kubeconfig FILE, else KUBECONFIG (a list of files, merged: the first file to
 *   define a name or a current-context wins; files that do not exist are skipped), else
 *   ~/.kube/config; its context --context, else its current-context.
 *
 * With no kubeconfig at all, a process running in a pod uses the pod's service account, as
 * kubectl and client-go do: the API server at KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT,
 * trusted through the account's CA, with its token (read again as it is rotated) and its
 * namespace. The account's files are in /var/run/secrets/kubernetes.io/serviceaccount, or where
 * KO_SERVICE_ACCOUNT_DIR says (a projected token mounted elsewhere).
 *
 * The embedded cluster is started when asked for (--cluster embedded, --cluster-state) and
 * otherwise only when no kubeconfig exists at all, and standard error says so. A state file that
 * `ko cluster serve` holds is reached through that server's kubeconfig instead.
 *
 * What is wrong with the choice is a ClusterConfigError (exit status 2), found here rather than
 * at the first API call: a named kubeconfig that is missing or invalid, an unknown context, a
 * context without a cluster, a state file that is damaged or in use. (The policy file is read
 * when the session's access is made: policy.ts.) The files are read with the YAML library alone: the client is loaded at
 * the run's first call (connection.ts).
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type * as YamlLib from "yaml";
import type { Cluster, LockHolder } from "../cluster/index.js";
import { liveHolder } from "../cluster/state-lock.js";
import { once } from "../syntax/once.js";
import { ClusterConfigError, type K8sOptions } from "./options.js";

/** A cluster of a kubeconfig: the context chosen, and where each of its parts is defined. */
export interface KubeconfigChoice {
  readonly kind: "kubeconfig";
  /** The kubeconfig files read, in order. */
  readonly files: readonly string[];
  readonly context: Located;
  readonly cluster: Located;
  /** The user the context names, when a file defines it (none: no credentials, as kubectl). */
  readonly user?: Located;
  readonly server: string;
  readonly namespace?: string;
  /** Set when the kubeconfig is that of a `ko cluster serve` holding the --cluster-state file. */
  readonly servedBy?: LockHolder;
}

/** The pod's own service account (no kubeconfig, in a pod). */
export interface InClusterChoice {
  readonly kind: "in-cluster";
  readonly server: string;
  /** The directory holding the account's token, ca.crt and namespace. */
  readonly dir: string;
  readonly namespace?: string;
}

export interface EmbeddedChoice {
  readonly kind: "embedded";
  readonly why: "asked" | "no kubeconfig";
  readonly statePath?: string;
}

/** A context, cluster or user by name, and the file that defines it. */
export interface Located {
  readonly name: string;
  readonly file: string;
}

export interface Selection {
  readonly choice: KubeconfigChoice | InClusterChoice | EmbeddedChoice;
  /** The embedded cluster, started for this session. */
  readonly cluster?: Cluster;
}

/** Decides the cluster; starts the embedded cluster when that is the choice. (The policy is the access's: policy.ts.) */
export async function select(opts: K8sOptions, stderr: (text: string) => void): Promise<Selection> {
  const choice = chooseCluster(opts);
  if (choice.kind === "in-cluster") return { choice };
  if (choice.kind === "kubeconfig") {
    if (choice.servedBy)
      stderr(`ko: ${opts.clusterState} is kept by ${holderName(choice.servedBy)}: using its kubeconfig ${choice.files[0]}\n`);
    return { choice };
  }
  const cluster = await startEmbedded(choice, stderr);
  stderr(
    `ko: ${choice.why === "asked" ? "" : "no kubeconfig found; "}using the embedded cluster at ${cluster.url}` +
      `${choice.statePath ? ` (state in ${choice.statePath})` : " (its state ends with the run)"}\n`,
  );
  return { choice, cluster };
}

function chooseCluster(opts: K8sOptions): KubeconfigChoice | InClusterChoice | EmbeddedChoice {
  if (opts.clusterState !== undefined) return stateFileCluster(opts);
  if (opts.cluster === "embedded") return { kind: "embedded", why: "asked" };
  const files = kubeconfigFiles(opts.kubeconfig);
  if (files.length === 0) {
    const pod = inClusterChoice();
    if (pod) return pod;
    if (opts.cluster === "kubeconfig")
      throw new ClusterConfigError("--cluster kubeconfig: no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config)");
    return { kind: "embedded", why: "no kubeconfig" };
  }
  return kubeconfigCluster(files, opts.context);
}

/**
 * The kubeconfig files to read: the flag's (which must exist), else KUBECONFIG's that exist (at
 * least one, if it names any), else ~/.kube/config if it exists. None: the embedded cluster.
 */
function kubeconfigFiles(flag: string | undefined): string[] {
  if (flag !== undefined) {
    mustExist(flag, `--kubeconfig ${flag}`);
    return [flag];
  }
  const listed = (process.env.KUBECONFIG ?? "").split(path.delimiter).filter((f) => f !== "");
  if (listed.length > 0) {
    const existing = listed.filter((f) => fs.existsSync(f));
    if (existing.length === 0)
      throw new ClusterConfigError(
        listed.length === 1 ? `KUBECONFIG=${listed[0]}: no such file` : `KUBECONFIG=${process.env.KUBECONFIG}: none of its files exists`,
      );
    return existing;
  }
  const home = path.join(os.homedir(), ".kube", "config");
  return fs.existsSync(home) ? [home] : [];
}

/** The pod's service account, when the process runs in a pod (its API server's address is in the environment). */
function inClusterChoice(): InClusterChoice | undefined {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  const port = process.env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const dir = process.env.KO_SERVICE_ACCOUNT_DIR ?? "/var/run/secrets/kubernetes.io/serviceaccount";
  const where = `the pod's service account (KUBERNETES_SERVICE_HOST=${host})`;
  mustExist(path.join(dir, "token"), `${where}: its token ${path.join(dir, "token")}`);
  mustExist(path.join(dir, "ca.crt"), `${where}: its CA ${path.join(dir, "ca.crt")}`);
  const namespaceFile = path.join(dir, "namespace");
  const namespace = fs.existsSync(namespaceFile) ? readText(namespaceFile, `${where}: its namespace file`).trim() : "";
  return {
    kind: "in-cluster",
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    dir,
    ...(namespace !== "" ? { namespace } : {}),
  };
}

/** --cluster-state: the embedded cluster keeping FILE, or the `ko cluster serve` that keeps it already. */
function stateFileCluster(opts: K8sOptions): KubeconfigChoice | EmbeddedChoice {
  const state = opts.clusterState!;
  const holder = liveHolder(path.resolve(state));
  if (!holder) return { kind: "embedded", why: "asked", statePath: state };
  if (!holder.kubeconfig || !fs.existsSync(holder.kubeconfig))
    throw new ClusterConfigError(
      `--cluster-state ${state}: the file is kept by ${holderName(holder)}, ` +
        `and there is no kubeconfig of it to connect through; one process at a time keeps a state file`,
    );
  return { ...kubeconfigCluster([holder.kubeconfig], undefined), servedBy: holder };
}

function holderName(h: LockHolder): string {
  return `${h.holder} (pid ${h.pid}${h.url ? `, at ${h.url}` : ""})`;
}

/** An entry of `clusters`, `contexts` or `users` (`{name, cluster: {...}}`): its name, its mapping, its file. */
interface Entry {
  readonly name: string;
  readonly body: Record<string, unknown> | undefined;
  readonly file: string;
}

/** Kubeconfig files merged: each name's first definition, the first current-context. */
interface Kubeconfig {
  readonly currentContext?: Located;
  readonly clusters: Map<string, Entry>;
  readonly contexts: Map<string, Entry>;
  readonly users: Map<string, Entry>;
}

/** The context chosen in the merged files, checked down to its cluster's server. */
function kubeconfigCluster(files: readonly string[], contextFlag: string | undefined): KubeconfigChoice {
  const config = mergeKubeconfigs(files);
  const where = files.length === 1 ? `kubeconfig ${files[0]}` : `kubeconfigs ${files.join(", ")}`;
  const known = [...config.contexts.keys()].join(", ") || "none";
  const contextName = contextFlag ?? config.currentContext?.name;
  if (contextName === undefined) throw new ClusterConfigError(`${where}: no current-context; pass --context (its contexts: ${known})`);
  const context = config.contexts.get(contextName);
  if (!context)
    throw new ClusterConfigError(
      `${contextFlag !== undefined ? `--context ${contextName}` : `current-context ${contextName}`}: ${where} has no such context (its contexts: ${known})`,
    );
  const clusterName = context.body?.cluster;
  if (typeof clusterName !== "string" || clusterName === "")
    throw new ClusterConfigError(`context ${contextName} in ${context.file} names no cluster`);
  const cluster = config.clusters.get(clusterName);
  if (!cluster) throw new ClusterConfigError(`context ${contextName} names cluster ${clusterName}, which ${where} does not define`);
  const server = cluster.body?.server;
  if (typeof server !== "string" || server === "") throw new ClusterConfigError(`cluster ${clusterName} in ${cluster.file} has no server`);
  const userName = context.body?.user;
  const user = typeof userName === "string" ? config.users.get(userName) : undefined;
  const tokenFile = user?.body?.["token-file"];
  if (typeof tokenFile === "string" && !fs.existsSync(path.resolve(path.dirname(user!.file), tokenFile)))
    throw new ClusterConfigError(`user ${user!.name} in ${user!.file}: its token-file ${tokenFile} does not exist`);
  const namespace = context.body?.namespace;
  return {
    kind: "kubeconfig",
    files,
    context: { name: contextName, file: context.file },
    cluster: { name: clusterName, file: cluster.file },
    ...(user ? { user: { name: user.name, file: user.file } } : {}),
    server,
    ...(typeof namespace === "string" && namespace !== "" ? { namespace } : {}),
  };
}

/** Reads the files and merges them as kubectl does: the first to define a name, or a current-context, wins. */
function mergeKubeconfigs(files: readonly string[]): Kubeconfig {
  const merged = { clusters: new Map<string, Entry>(), contexts: new Map<string, Entry>(), users: new Map<string, Entry>() };
  let currentContext: Kubeconfig["currentContext"];
  for (const file of files) {
    const doc = readYaml(file);
    for (const [key, into] of [
      ["clusters", merged.clusters],
      ["contexts", merged.contexts],
      ["users", merged.users],
    ] as const) {
      for (const entry of entries(doc, key, file)) if (!into.has(entry.name)) into.set(entry.name, entry);
    }
    const current = doc["current-context"];
    if (current !== undefined && current !== null && typeof current !== "string")
      throw new ClusterConfigError(`kubeconfig ${file}: current-context must be a name`);
    if (!currentContext && current) currentContext = { name: current, file };
  }
  return { ...merged, ...(currentContext ? { currentContext } : {}) };
}

/** A kubeconfig's document: a mapping (an empty file is an empty one). */
function readYaml(file: string): Record<string, unknown> {
  const text = readText(file, `kubeconfig ${file}`);
  let doc: unknown;
  try {
    doc = yaml().parse(text);
  } catch (e) {
    throw new ClusterConfigError(`kubeconfig ${file} is not valid YAML: ${firstLine(e)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc))
    throw new ClusterConfigError(`kubeconfig ${file} is not a kubeconfig: expected a mapping`);
  return doc as Record<string, unknown>;
}

/** The named entries of a list such as `clusters`, each `{name, cluster: {...}}`. */
function entries(doc: Record<string, unknown>, key: "clusters" | "contexts" | "users", file: string): Entry[] {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ClusterConfigError(`kubeconfig ${file}: ${key} must be a list`);
  const field = key.slice(0, -1); // cluster, context, user
  return list.map((item: unknown, i) => {
    const e = item as Record<string, unknown> | null;
    if (typeof e !== "object" || e === null || typeof e.name !== "string" || e.name === "")
      throw new ClusterConfigError(`kubeconfig ${file}: ${key}[${i}] has no name`);
    const body = e[field];
    if (body !== undefined && body !== null && (typeof body !== "object" || Array.isArray(body)))
      throw new ClusterConfigError(`kubeconfig ${file}: ${key}[${i}].${field} must be a mapping`);
    return { name: e.name, body: (body ?? undefined) as Record<string, unknown> | undefined, file };
  });
}

async function startEmbedded(choice: EmbeddedChoice, stderr: (text: string) => void): Promise<Cluster> {
  const { startCluster, ClusterSetupError } = await import("../cluster/index.js");
  try {
    return await startCluster({
      ...(choice.statePath ? { statePath: choice.statePath } : {}),
      holder: "ko run",
      notify: (message) => stderr(`ko: ${message}\n`),
    });
  } catch (e) {
    if (e instanceof ClusterSetupError) throw new ClusterConfigError(e.message);
    throw e;
  }
}

function mustExist(file: string, what: string): void {
  if (!fs.existsSync(file)) throw new ClusterConfigError(`${what}: no such file`);
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ClusterConfigError(err.code === "ENOENT" ? `${what}: no such file` : `${what}: cannot read it (${err.code ?? err.message})`);
  }
}

const yaml = once((): typeof YamlLib => createRequire(import.meta.url)("yaml") as typeof YamlLib);

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!.replace(/:$/, "");
