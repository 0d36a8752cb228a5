/**
 * The conformance cases of test/conformance/ (a copy of the shared suite, ../shared/conformance;
 * .ci/run checks the two agree). A case NAME is NAME.ko and its expectations:
 *
 *   NAME.out   the exact standard output, byte for byte (none: empty)
 *   NAME.rc    the exit status (none: 0)
 *   NAME.err   lines that must each occur somewhere in standard error (blank lines ignored)
 *   NAME.func  the function to run instead of Main
 *   NAME.args  more command-line arguments, one per line
 *
 * and is run from its own directory as `ko run NAME.ko [FUNC] [ARGS...]`, as the shared runner
 * (../shared/conformance/run) does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO } from "./cli.js";

export const CONFORMANCE = path.join(REPO, "test/conformance");

export interface ConformanceCase {
  readonly name: string;
  /** The program's absolute path. */
  readonly file: string;
  /** The arguments of `ko run` after NAME.ko: FUNC and ARGS. */
  readonly args: string[];
  /** Compared byte for byte. */
  readonly stdout: Buffer;
  readonly status: number;
  readonly stderrLines: string[];
}

/** The case's lines of an optional file, as the shared runner reads them: without a final CR, blank lines dropped. */
function lines(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => l !== "");
}

export function conformanceCase(name: string, dir = CONFORMANCE): ConformanceCase {
  const base = path.join(dir, name);
  // The shared runner reads NAME.func's first line (`read -r func`) and passes it unless empty.
  const func = fs.existsSync(`${base}.func`)
    ? fs
        .readFileSync(`${base}.func`, "utf8")
        .split("\n")[0]!
        .replace(/^[ \t]+|[ \t]+$/g, "")
    : "";
  const rc = fs.existsSync(`${base}.rc`) ? fs.readFileSync(`${base}.rc`, "utf8").replace(/\s/g, "") : "0";
  return {
    name,
    file: `${base}.ko`,
    args: [...(func !== "" ? [func] : []), ...lines(`${base}.args`)],
    stdout: fs.existsSync(`${base}.out`) ? fs.readFileSync(`${base}.out`) : Buffer.alloc(0),
    status: Number(rc),
    stderrLines: lines(`${base}.err`),
  };
}

/** The names of the cases (NAME of each NAME.ko), sorted. */
export function conformanceNames(dir = CONFORMANCE): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ko"))
    .map((e) => e.name.slice(0, -3))
    .sort();
}
