/** The package's data files (stdlib/k8s/*.json), found from this module's location. */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

/** stdlib/k8s/NAME, from src/k8s, dist/k8s or dist/cli/chunks. */
export function stdlibFile(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "stdlib", "k8s", name);
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find stdlib/k8s/${name} next to the installed package`);
}
