// ESLint: the recommended rules of ESLint and typescript-eslint, type-aware (the types come from
// tsconfig.json, which holds the whole project), tuned to this codebase. What is kept is what
// catches bugs — promises nobody awaits or that go where a callback's result is ignored
// (no-floating-promises, no-misused-promises, await-thenable), assertions that assert nothing,
// `any` spreading unseen (the no-unsafe-* family), "[object Object]" in messages
// (no-base-to-string, restrict-template-expressions), unused names; each rule turned off, or off
// for some files, says why. Layout is Prettier's business, not ESLint's.
//
//   npm run lint          (eslint . && prettier --check .)
import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

/** Module state: `let` and `var` at the top level of a module, exported or not. */
const moduleState = ["let", "var"].flatMap((kind) =>
  [`Program > VariableDeclaration[kind='${kind}']`, `Program > ExportNamedDeclaration > VariableDeclaration[kind='${kind}']`].map(
    (selector) => ({
      selector,
      message:
        `A module-level \`${kind}\` is shared by every session and run in the process. Per-run state belongs in a session ` +
        "(src/api/session.ts) or a run's services (src/host/services.ts): pass it explicitly. What is the same for every " +
        "program can be a const memo: once() of src/syntax/once.ts, or a WeakMap.",
    }),
  ),
);

/** The no-unsafe-* family: they follow a value of type `any` wherever it goes. */
const unsafeAny = {
  "@typescript-eslint/no-explicit-any": "off",
  "@typescript-eslint/no-unsafe-argument": "off",
  "@typescript-eslint/no-unsafe-assignment": "off",
  "@typescript-eslint/no-unsafe-call": "off",
  "@typescript-eslint/no-unsafe-member-access": "off",
  "@typescript-eslint/no-unsafe-return": "off",
};

/** Node's globals that the JavaScript files use (the TypeScript files know them from @types/node). */
const nodeGlobals = Object.fromEntries(
  [
    "AbortController",
    "AbortSignal",
    "Buffer",
    "URL",
    "clearTimeout",
    "console",
    "fetch",
    "performance",
    "process",
    "setImmediate",
    "setTimeout",
  ].map((name) => [name, "readonly"]),
);

export default defineConfig(
  globalIgnores(["dist/", "coverage/", "lsp/out/", "lsp/node_modules/"]),
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      // An `async` function without `await` is how this code returns a promise where an interface
      // asks for one, and turns a throw into a rejection; the rule would have it spelled otherwise.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Ko's own modules and the editor extension: no state shared by the runs of a process.
    files: ["src/**/*.{ts,mjs}", "lsp/src/**/*.js"],
    rules: { "no-restricted-syntax": ["error", ...moduleState] },
  },
  {
    // Kubernetes objects are JSON of any kind, custom resources included: the embedded cluster and
    // package k8s (the connection, the guard, plans) hold them as `Record<string, any>` (KObject, Json), and so do the tests
    // that read them back. Typing every field access would restate the API's schema.
    files: ["src/cluster/**", "src/k8s/**", "test/cluster/**", "test/k8s/**", "test/operator/**"],
    rules: unsafeAny,
  },
  {
    // Plain JavaScript (scripts, benchmarks, the extension, the generators) declares no types, so
    // whatever it imports from an untyped module is `any`; the TypeScript checks stop at its door.
    files: ["**/*.{js,mjs}"],
    languageOptions: { globals: nodeGlobals },
    rules: unsafeAny,
  },
);
