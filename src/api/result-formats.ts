/**
 * The results of a run as text: Ko's canonical printing (reference 7), or JSON or YAML for other
 * programs to read (`ko run -o json|yaml`, reference 7.5, 12.2).
 *
 * JSON and YAML hold data, so a result is first made a data tree (stdlib/data.ts):
 *
 * | Ko                         | data                                                          |
 * |----------------------------|---------------------------------------------------------------|
 * | structure                  | object, fields in their order; an Empty field is left out     |
 * | sequence                   | array                                                         |
 * | Empty (the whole result)   | null                                                          |
 * | Bool, String               | boolean, string                                               |
 * | integer of any width       | number, every digit of it (never rounded, never a string)     |
 * | Float64, Float32           | number (a Float32 by its shortest decimal); NaN and ±∞ only in YAML |
 * | a Secret's redacted value  | the string "<redacted>"                                       |
 * | variety, other host value  | none: the result cannot be written                            |
 *
 * Kubernetes objects are structures whose fields already have the API's JSON names (the k8s
 * package renames the client's TypeScript names when it reads an object), so they come out as
 * the server has them, less `managedFields` and the data of Secrets.
 */
import { REDACTED } from "../k8s/objects.js";
import { type Data, dataTree } from "../stdlib/data.js";
import { encodeJson } from "../stdlib/json.js";
import { kubectlYaml } from "../stdlib/yaml.js";
import { printValue } from "../value/print.js";
import { Variety, type Value } from "../value/value.js";

export type OutputFormat = "ko" | "json" | "yaml";

export const OUTPUT_FORMATS: readonly OutputFormat[] = ["ko", "json", "yaml"];

/** What stands for a secret's value in JSON and YAML, as `Show` prints it. */
export const REDACTED_TEXT = `<${REDACTED}>`;

/** A result that JSON or YAML cannot hold; `path` says where in it (`.spec.handler`, `[2]`). */
export class UnwritableResult extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path === "" ? "the result" : `at ${path}`}: ${problem}`);
    this.name = "UnwritableResult";
  }
}

/**
 * The text of one result in `format`, ending with a newline. `index` counts the results a
 * command writes (0 for the first): YAML separates documents with `---`.
 */
export function formatResult(v: Value, format: OutputFormat, index = 0): string {
  switch (format) {
    case "ko":
      return printValue(v) + "\n";
    case "json":
      // Four spaces, as `kubectl get -o json` indents.
      return encodeJson(resultData(v, "json"), "ko run -o json", { prefix: "", indent: "    " }) + "\n";
    case "yaml":
      return (index > 0 ? "---\n" : "") + kubectlYaml(resultData(v, "yaml"));
  }
}

/** The data tree of a result (see the table above); throws UnwritableResult. */
export function resultData(v: Value, format: "json" | "yaml"): Data {
  return dataTree(v, {
    nonData: (x, at) => {
      if (x instanceof Variety) throw new UnwritableResult(at(), `a variety (${x.callable.displayName}) is a function, not data`);
      if (x.hostType === REDACTED) return REDACTED_TEXT;
      throw new UnwritableResult(at(), `a host value (${x.hostType}) has no data form`);
    },
    // YAML writes .nan and .inf; JSON has no form for them.
    nonFinite:
      format === "json"
        ? (x, at) => {
            throw new UnwritableResult(at(), `the float ${x} has no JSON form (YAML has one)`);
          }
        : undefined,
  });
}
