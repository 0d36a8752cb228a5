// @ts-check
// Preloaded with `node --import`: records the modules the process loads, one a line, in the file
// named by KO_RECORD_MODULES: every ES module by URL (through a module hook, as it is loaded) and
// every CommonJS module by path (the require cache, at exit). Used by test/cli/startup.test.ts.
import * as fs from "node:fs";
import { createRequire, register } from "node:module";

const out = process.env.KO_RECORD_MODULES;
if (out) {
  const hooks = `import * as fs from "node:fs";
export async function load(url, context, next) {
  fs.appendFileSync(${JSON.stringify(out)}, url + "\\n");
  return next(url, context);
}
`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () =>
    fs.appendFileSync(
      out,
      Object.keys(cache)
        .map((f) => `${f}\n`)
        .join(""),
    ),
  );
}
