/**
 * Node's modules that only some programs use: HTTP, HTTPS, gzip and child processes. Importing
 * them statically made every start of `ko` load and initialise them (some 5 ms, a tenth of a
 * trivial run's own time); here each is loaded when a standard function first needs it.
 */
import type * as ChildProcess from "node:child_process";
import type * as Http from "node:http";
import type * as Https from "node:https";
import { createRequire } from "node:module";
import type * as Zlib from "node:zlib";
import { once } from "../syntax/once.js";

const nodeRequire = createRequire(import.meta.url);

export const nodeHttp = once(() => nodeRequire("node:http") as typeof Http);
export const nodeHttps = once(() => nodeRequire("node:https") as typeof Https);
export const nodeZlib = once(() => nodeRequire("node:zlib") as typeof Zlib);
export const nodeChildProcess = once(() => nodeRequire("node:child_process") as typeof ChildProcess);
