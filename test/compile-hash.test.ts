/** Content hashes of compiled functions: comments and layout don't count, bodies and callees do. */
import { expect, test } from "vitest";
import { compileSource } from "../src/api/index.js";
import { isPure, ownHash, transitiveHash } from "../src/compile/circuit-hash.js";

const hashes = (src: string) => {
  const p = compileSource(src);
  return { main: transitiveHash(p.func("Main")!), own: ownHash(p.func("Main")!), pure: isPure(p.func("Main")!) };
};

const base = `Main() { return: Helper(2) }\nHelper(x?) { return: Sum(x, 1) }\n`;

test("a comment or a layout change leaves the hash alone", () => {
  const commented = `// Main calls Helper.\nMain() {\n\treturn: Helper(2) // two\n}\n\n/* the helper */\nHelper(x?) {\n\treturn: Sum(x, 1)\n}\n`;
  expect(hashes(commented).main).toBe(hashes(base).main);
});

test("changing a callee's body changes the caller's transitive hash, not its own", () => {
  const changed = base.replace("Sum(x, 1)", "Sum(x, 2)");
  expect(hashes(changed).main).not.toBe(hashes(base).main);
  expect(hashes(changed).own).toBe(hashes(base).own);
});

test("recursive functions hash, and purity follows what can be reached", () => {
  const rec = hashes(`Main() { return: F(3) }\nF(n?) { return: Yield(if: Less(n, 1), then: Return[0], else: F[Sum(n, -1)])() }\n`);
  expect(rec.main).toMatch(/^[0-9a-f]{64}$/);
  expect(rec.pure).toBe(true);
  expect(hashes(`Main() { return: Show(1) }`).pure).toBe(false);
});
