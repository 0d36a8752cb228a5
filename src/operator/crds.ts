/**
 * The CustomResourceDefinitions of KoScript and KoRun, shipped as YAML files in the package's
 * crds/ directory (found from this module's location, as the standard library is), so that
 * `ko operator crds | kubectl apply -f -` installs them on any cluster.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const CRD_FILES = ["koscripts.ko.dev.yaml", "koruns.ko.dev.yaml"] as const;

/** crds/, from src/operator, dist/operator or dist/cli/chunks. */
export function crdsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "crds");
    if (fs.existsSync(path.join(candidate, CRD_FILES[0]))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("cannot find the CustomResourceDefinitions (crds/) next to the installed package");
}

/** Both definitions as one YAML stream, each document after a `---`. */
export function crdsYaml(): string {
  const dir = crdsDir();
  return CRD_FILES.map((f) => `---\n${fs.readFileSync(path.join(dir, f), "utf8").trimEnd()}\n`).join("");
}
