/**
 * The host half of the standard library (reference 6.6, D20, D29): the TypeScript functions of the
 * packages `strings`, `integer` (its gates), `file/path`, `encoding/json`, `encoding/yaml`, `os`,
 * `time` and `build`, and the gates beneath the original's library packages `web/xml`, `file`,
 * `net/http`, `shell`, `sync` and `redblack/fast`. (`k8s` is a package of its own: src/k8s.)
 * The Ko half (`idiom`, `testing`, `integer`) lives in the `stdlib/` directory; a package is
 * the union of both.
 */
import type { HostRegistry } from "../host/registry.js";
import { buildFunctions } from "./build.js";
import { integerFunctions } from "./integer.js";
import { jsonFunctions } from "./json.js";
import { osFunctions } from "./os.js";
import { pathFunctions } from "./path.js";
import { stringsFunctions } from "./strings.js";
import { timeFunctions } from "./time.js";
import { yamlFunctions } from "./yaml.js";
import { fileFunctions } from "./file.js";
import { httpClientFunctions } from "./http-client.js";
import { httpServerFunctions } from "./http-server.js";
import { httpStaticFunctions } from "./http-static.js";
import { redblackFunctions } from "./redblack.js";
import { shellFunctions } from "./shell.js";
import { syncFunctions } from "./sync.js";
import { xmlFunctions } from "./xml.js";

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
    ...xmlFunctions,
    ...fileFunctions,
    ...httpClientFunctions,
    ...httpServerFunctions,
    ...httpStaticFunctions,
    ...shellFunctions,
    ...syncFunctions,
    ...redblackFunctions,
  );
}
