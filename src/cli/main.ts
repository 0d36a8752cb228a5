#!/usr/bin/env node
/**
 * An entry point of `ko` as an ES module (the package's bin is dist/cli/ko.cjs, which the bundle
 * writes, scripts/bundle.mjs: the same start without the ES module loader). It turns V8's compile
 * cache on where Node has one (22.1 and later; on Node 20 there is none and nothing happens), so
 * that a start after the first reuses the compiled code of the command instead of compiling it
 * again, and only then loads the command itself (commands.ts): modules imported statically here
 * would be loaded before the cache is on.
 */
import * as nodeModule from "node:module";

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

void import("./commands.js").then(({ runAsProcess }) => runAsProcess(process.argv));
