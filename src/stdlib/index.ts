/**
 * The host half of the standard library (spec 6.6, D20, D29): the TypeScript functions of the
 * packages `strings`, `integer` (its gates), `file/path`, `encoding/json`, `encoding/yaml`, `os` and
 * `time`, and `k8s` (src/k8s: light declarations whose bodies load the client at the first call).
 * The Ko half (`idiom`, `testing`, `integer`) lives in the `stdlib/` directory; a package is
 * the union of both.
 */
import type { HostRegistry } from "../host/registry.js";
import { buildFunctions } from "./build.js";
import { integerFunctions } from "./integer.js";
import { k8sFunctions } from "../k8s/functions.js";
import { generatedFunctions } from "../k8s/generated.js";
import { jsonFunctions } from "./json.js";
import { osFunctions } from "./os.js";
import { pathFunctions } from "./path.js";
import { stringsFunctions } from "./strings.js";
import { timeFunctions } from "./time.js";
import { yamlFunctions } from "./yaml.js";

export { KoExit } from "./os.js";

/** Registers every host function of the standard library. */
export function registerStdlib(reg: HostRegistry): void {
  reg.register(
    ...stringsFunctions,
    ...integerFunctions,
    ...pathFunctions,
    ...jsonFunctions,
    ...yamlFunctions,
    ...osFunctions,
    ...timeFunctions,
    ...buildFunctions,
    ...k8sFunctions,
  );
  // The whole Kubernetes API, generated: built when a program first imports "k8s".
  const convenient = new Set(k8sFunctions.map((f) => f.name));
  reg.registerLazy("k8s", () => generatedFunctions(convenient));
}
