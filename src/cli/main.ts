#!/usr/bin/env node
/**
 * The entry point of `ko`. It turns V8's compile cache on where Node has one (22.1 and later; on
 * Node 20 there is none and nothing happens), so that a start after the first reuses the compiled
 * code of the command instead of compiling it again, and only then loads the command itself
 * (commands.ts): modules imported statically here would be loaded before the cache is on.
 */
import * as nodeModule from "node:module";

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

import("./commands.js")
  .then(({ main }) => main(process.argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`ko: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
