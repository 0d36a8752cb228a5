/**
 * The typing rules of the builtins: one table keyed by host function (package, name), each rule
 * mirroring the run-time rule of src/builtins/ exactly — what it accepts, what it returns, which
 * varieties it invokes, with what, and whether it certainly does. The rules live in rules/, one
 * file per family as in src/builtins/. Every other host function is checked against its
 * declaration (host.ts).
 */
import type { HostFunction } from "../host/binding.js";
import { declaredRule } from "./host.js";
import { compareRule, foldRule, negativeRule } from "./rules/arith.js";
import { allRule, constructRule, neverReturns } from "./rules/construct.js";
import {
  exitRule,
  invokeNowRule,
  loopRule,
  memoryRule,
  profileRule,
  rangeRule,
  recoverRule,
  spinRule,
  whenRule,
  yieldRule,
} from "./rules/control.js";
import { CONVERSIONS, converter } from "./rules/convert.js";
import { retryRule, timeoutRule } from "./rules/flaky.js";
import { mergeRule, sortRule, takeRule } from "./rules/lists.js";
import type { Rule } from "./rules/support.js";
import { formatRule, printRule, templateRule } from "./rules/text.js";
import { STRING, maybeEmpty } from "./static-type.js";

export type { Rule } from "./rules/support.js";

/** The rule for a host function: its own if it has one, else its declaration's. */
export function hostRule(fn: HostFunction): Rule {
  return RULES.get(ruleKey(fn.pkg, fn.name)) ?? declaredRule;
}

function ruleKey(pkg: string, name: string): string {
  return `${pkg}\u0000${name}`;
}

const RULES = new Map<string, Rule>([
  [ruleKey("", ""), constructRule],
  [ruleKey("", "All"), allRule],
  [ruleKey("", "Show"), constructRule],
  [ruleKey("", "ShowType"), constructRule],
  [ruleKey("", "Peek"), constructRule],
  [ruleKey("", "PeekType"), constructRule],
  [ruleKey("", "Panic"), neverReturns],
  [ruleKey("", "Hang"), neverReturns],
  ...CONVERSIONS.map((t): [string, Rule] => [ruleKey("", t), converter(t)]),
  ...["", "integer"].flatMap((pkg): [string, Rule][] => [
    [ruleKey(pkg, "Sum"), foldRule],
    [ruleKey(pkg, "Prod"), foldRule],
    [ruleKey(pkg, "Ratio"), foldRule],
    [ruleKey(pkg, "Moduli"), foldRule],
    [ruleKey(pkg, "Negative"), negativeRule],
    [ruleKey(pkg, "Less"), compareRule],
  ]),
  [ruleKey("integer", "Equal"), compareRule],
  [ruleKey("", "Merge"), mergeRule],
  [ruleKey("", "Take"), takeRule],
  [ruleKey("", "Sort"), sortRule],
  [ruleKey("", "Yield"), yieldRule],
  [ruleKey("", "When"), whenRule],
  [ruleKey("", "Loop"), loopRule],
  [ruleKey("", "Range"), rangeRule],
  [ruleKey("", "Recover"), recoverRule],
  [ruleKey("", "Parallel"), invokeNowRule],
  [ruleKey("", "Sequential"), invokeNowRule],
  [ruleKey("", "Retry"), retryRule],
  [ruleKey("", "Timeout"), timeoutRule],
  [ruleKey("", "Profile"), profileRule],
  [ruleKey("", "Spin"), spinRule],
  [ruleKey("", "Memory"), memoryRule],
  [ruleKey("", "Print"), printRule],
  [ruleKey("", "Println"), printRule],
  [ruleKey("", "Template"), templateRule],
  [ruleKey("", "Format"), formatRule],
  // Host functions whose declaration says less than the checker needs:
  [ruleKey("repo", "Path"), () => maybeEmpty(STRING)], // Empty when there is no root
  [ruleKey("os", "Exit"), exitRule],
]);
