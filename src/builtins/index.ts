/**
 * The core builtins (reference 6.2, 6.3) and the builtin packages `integer` and `circuit` (6.5), all
 * declared with `defineHost` like any other host function (D17).
 */
import type { HostRegistry } from "../host/registry.js";
import { arithmeticBuiltins } from "./arith.js";
import { concurrencyBuiltins } from "./concurrency.js";
import { constructionBuiltins } from "./construct.js";
import { controlBuiltins } from "./control.js";
import { convertBuiltins } from "./convert.js";
import { logicBuiltins } from "./logic.js";
import { packageBuiltins } from "./named-packages.js";
import { printBuiltins } from "./output.js";
import { retry } from "./retry.js";
import { sequenceBuiltins } from "./seq.js";
import { textBuiltins } from "./text.js";
import { timeout } from "./timeout.js";

export { construction } from "./construct.js";

export function registerCoreBuiltins(reg: HostRegistry): void {
  reg.register(
    ...constructionBuiltins,
    ...logicBuiltins,
    ...convertBuiltins,
    ...arithmeticBuiltins(""),
    ...sequenceBuiltins,
    ...controlBuiltins,
    retry,
    timeout,
    ...concurrencyBuiltins,
    ...printBuiltins,
    ...textBuiltins,
    ...packageBuiltins,
  );
}
