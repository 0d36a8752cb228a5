/**
 * The state file's checks (src/cluster/state-file.ts), through `ko cluster serve --state`: a
 * truncated or edited file, or one whose resourceVersions are not whole increasing numbers, is
 * refused with exit status 2, naming its last good record; `--repair` keeps the records up to it
 * and says what was lost; the old format is read and rewritten.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startCluster } from "../../src/cluster/index.js";
import { recordLine } from "../../src/cluster/state-file.js";
import { ko } from "../support/cli.js";
import { http, tempDir } from "./helpers.js";
import { isServed, serve, type Refused, type Served } from "./serve.js";

let dir: string;
/**
 * The lines (with their newlines) of a state file made by two runs of a cluster: a header, a
 * snapshot of 16 objects (records 2–17; the config maps a and b are records 16 and 17), then the
 * writes of the second run: c1, c2, c3 (records 18–20) and the deletion of a (record 21).
 */
let base: string[];

beforeAll(async () => {
  dir = tempDir("ko-state-");
  const file = path.join(dir, "base.state");
  for (const [make, remove] of [
    [["a", "b"], []],
    [["c1", "c2", "c3"], ["a"]],
  ]) {
    const c = await startCluster({ statePath: file, controllers: false });
    for (const name of make!) await http(c, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name } });
    for (const name of remove!) await http(c, "DELETE", `/api/v1/namespaces/default/configmaps/${name}`);
    await c.close();
  }
  base = fs.readFileSync(file, "utf8").split(/(?<=\n)/);
  expect(base).toHaveLength(21);
  expect(JSON.parse(base[0]!.split("\t")[0]!)).toMatchObject({ ko: "cluster-state", version: 2, objects: 16 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A write record chained to `after` (a line of the file), with its own resourceVersion and name. */
function write(after: string, rv: unknown, name: string, objectRV = String(rv)): string {
  const previousSum = after.trimEnd().split("\t")[1]!;
  const o = { metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: objectRV } };
  return recordLine(previousSum, `{"rv":${String(rv)},"gr":"/configmaps","k":"default/${name}","o":${JSON.stringify(o)}}`).line;
}

const edit = (line: string, from: string, to: string) => {
  expect(line).toContain(from);
  return line.replace(from, to);
};

interface Damage {
  readonly name: string;
  /** The damaged file's text. */
  readonly text: () => string;
  /** What is wrong, given the byte where the last good record ends. */
  readonly problem: (at: number) => string;
  readonly lastGood: number;
  readonly lost: string;
  /** The config maps of namespace default a repaired cluster holds. */
  readonly kept: string[];
}

const cut = (n: number) => base.slice(0, n).join("");

const DAMAGES: Damage[] = [
  {
    name: "cut inside a record of the snapshot",
    text: () => cut(16) + base[16]!.slice(0, 40),
    problem: (at) => `the file ends inside record 17, at byte ${at} (truncated)`,
    lastGood: 16,
    lost: "1 object of the snapshot",
    kept: ["a"],
  },
  {
    name: "cut between two records of the snapshot",
    text: () => cut(16),
    problem: () => "the header announces 16 objects, but the file ends after 15 (truncated)",
    lastGood: 16,
    lost: "1 object of the snapshot",
    kept: ["a"],
  },
  {
    name: "an edited record of the snapshot",
    text: () => cut(16) + edit(base[16]!, '"name":"b"', '"name":"B"') + base.slice(17).join(""),
    problem: (at) => `record 17, at byte ${at}, does not match its checksum (edited or corrupted)`,
    lastGood: 16,
    lost: "1 object of the snapshot and 4 writes",
    kept: ["a"],
  },
  {
    name: "an edited write",
    text: () => cut(18) + edit(base[18]!, '"name":"c2"', '"name":"c2","labels":{"x":"y"}') + base.slice(19).join(""),
    problem: (at) => `record 19, at byte ${at}, does not match its checksum (edited or corrupted)`,
    lastGood: 18,
    lost: "3 writes",
    kept: ["a", "b", "c1"],
  },
  {
    name: "a write removed",
    text: () => cut(18) + base.slice(19).join(""),
    problem: (at) => `record 19, at byte ${at}, does not match its checksum (edited or corrupted)`,
    lastGood: 18,
    lost: "2 writes",
    kept: ["a", "b", "c1"],
  },
  {
    name: "two writes swapped",
    text: () => cut(18) + base[19]! + base[18]! + base[20]!,
    problem: (at) => `record 19, at byte ${at}, does not match its checksum (edited or corrupted)`,
    lastGood: 18,
    lost: "3 writes",
    kept: ["a", "b", "c1"],
  },
  {
    name: "a write whose resourceVersion is not a whole number (1.5), its checksum right",
    text: () => cut(18) + write(base[17]!, 1.5, "half"),
    problem: (at) => `record 19, at byte ${at}: its resourceVersion (1.5) is not a whole number`,
    lastGood: 18,
    lost: "1 write",
    kept: ["a", "b", "c1"],
  },
  {
    name: "a write whose resourceVersion does not increase",
    text: () => cut(18) + write(base[17]!, 18, "again"),
    problem: (at) => `record 19, at byte ${at}: its resourceVersion 18 does not follow 18 (resourceVersions only increase)`,
    lastGood: 18,
    lost: "1 write",
    kept: ["a", "b", "c1"],
  },
  {
    name: 'a write whose object says resourceVersion "Infinity"',
    text: () => cut(18) + write(base[17]!, 19, "inf", "Infinity"),
    problem: (at) => `record 19, at byte ${at}: its object's resourceVersion ("Infinity") is not the write's (19)`,
    lastGood: 18,
    lost: "1 write",
    kept: ["a", "b", "c1"],
  },
];

/** The config maps of namespace default a server holds, but the one every namespace gets. */
async function configMaps(s: Served): Promise<string[]> {
  const list = (await http(s.access, "GET", "/api/v1/namespaces/default/configmaps")).body;
  return list.items.map((i: any) => i.metadata.name).filter((n: string) => n !== "kube-root-ca.crt");
}

describe("a damaged state file", () => {
  test.each(DAMAGES)("$name: refused (exit 2) naming the last good record; --repair keeps the records before it", async (d) => {
    const file = path.join(dir, `${d.name.replace(/\W+/g, "-")}.state`);
    const text = d.text();
    fs.writeFileSync(file, text);
    const at = Buffer.byteLength(base.slice(0, d.lastGood).join(""));
    const refused = (await serve(["--state", file])) as Refused;
    expect(isServed(refused)).toBe(false);
    expect(refused.status).toBe(2);
    expect(refused.output).toBe(
      `ko: cluster state ${file} is damaged: ${d.problem(at)}. Its last good record is record ${d.lastGood}, ending at byte ${at}: ` +
        `\`ko cluster serve --state ${file} --repair\` keeps the records up to it and loses ${d.lost}.\n`,
    );
    expect(fs.readFileSync(file, "utf8")).toBe(text); // refused: untouched
    expect(fs.existsSync(`${file}.lock`)).toBe(false);

    const repaired = await serve(["--state", file, "--repair"]);
    if (!isServed(repaired)) throw new Error(repaired.output);
    try {
      expect(repaired.output()).toContain(
        `ko cluster: repaired ${file}: kept ${d.lastGood} good records, lost ${d.lost} (${d.problem(at)}); the damaged file is kept as ${file}.damaged\n`,
      );
      expect(await configMaps(repaired)).toEqual(d.kept);
      expect(fs.readFileSync(`${file}.damaged`, "utf8")).toBe(text);
    } finally {
      await repaired.stop();
    }
  });

  test("a header that is not good: --repair starts from an empty cluster, saying that every record is lost", async () => {
    const file = path.join(dir, "header.state");
    fs.writeFileSync(file, edit(base[0]!, '"objects":16', '"objects":15') + base.slice(1).join(""));
    const refused = (await serve(["--state", file])) as Refused;
    expect(refused.status).toBe(2);
    expect(refused.output).toBe(
      `ko: cluster state ${file} is damaged: record 1, at byte 0, does not match its checksum (edited or corrupted). ` +
        `No record of it is good: \`ko cluster serve --state ${file} --repair\` starts from an empty cluster and loses all 21 of its records.\n`,
    );
    const repaired = await serve(["--state", file, "--repair"]);
    if (!isServed(repaired)) throw new Error(repaired.output);
    expect(await configMaps(repaired)).toEqual([]);
    await repaired.stop();
  });

  test("--repair of a sound file changes nothing; --repair without --state is a usage error", async () => {
    const file = path.join(dir, "sound.state");
    fs.writeFileSync(file, base.join(""));
    const s = await serve(["--state", file, "--repair"]);
    if (!isServed(s)) throw new Error(s.output);
    expect(s.output()).toContain(`ko cluster: ${file}: no damage found; nothing to repair\n`);
    expect(await configMaps(s)).toEqual(["b", "c1", "c2", "c3"]);
    await s.stop();
    const usage = (await serve(["--repair"])) as Refused;
    expect(usage).toEqual({ status: 2, output: "ko: --repair repairs the --state file: give --state FILE\n" });
  });

  test("ko run --cluster-state on a damaged file exits 2 before anything runs, with the same reason", async () => {
    const file = path.join(dir, "run.state");
    fs.writeFileSync(file, cut(18) + write(base[17]!, "1e400", "huge"));
    const script = path.join(dir, "touch.ko");
    fs.writeFileSync(
      script,
      `import "k8s"\nimport "os"\nMain() {\n\twrote: os.WriteFile(path: "${dir}/ran", content: "yes")\n\treturn: k8s.Get(kind: "ConfigMap", name: "c1", _after: wrote).metadata.name\n}\n`,
    );
    const run = await ko(["run", "--no-cache", "--no-progress", script, "--cluster-state", file], { env: { KUBECONFIG: "", HOME: dir } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^ko: cluster state ${file} is damaged: record 19, at byte \\d+: its resourceVersion \\(Infinity\\) is not a whole number\\. `,
      ),
    );
    expect(run.stdout).toBe("");
    expect(fs.existsSync(path.join(dir, "ran"))).toBe(false);
  });
});

describe("resourceVersions and the old format", () => {
  const configMap = (name: string, rv: string) =>
    JSON.stringify({ metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv } });

  test('format 1 with {"rv": 1e400}, which read as Infinity before: refused', async () => {
    const file = path.join(dir, "infinite.state");
    fs.writeFileSync(file, `{"rv":1e400}\n{"rv":2,"gr":"/configmaps","k":"default/x","o":${configMap("x", "2")}}\n`);
    const refused = (await serve(["--state", file])) as Refused;
    expect(refused.status).toBe(2);
    expect(refused.output).toContain(
      `is damaged: record 1, at byte 0: its resourceVersion (Infinity) is not a whole number. No record of it is good`,
    );
  });

  test("format 1 is read, its resourceVersions checked, and rewritten in format 2", async () => {
    const file = path.join(dir, "old.state");
    fs.writeFileSync(
      file,
      `{"rv":7}\n{"rv":6,"gr":"/configmaps","k":"default/old","o":${configMap("old", "6")}}\n` +
        `{"rv":8,"gr":"/configmaps","k":"default/newer","o":${configMap("newer", "8")}}\n`,
    );
    const s = await serve(["--state", file]);
    if (!isServed(s)) throw new Error(s.output);
    try {
      expect(s.output()).toContain(`ko cluster: ${file}: read in format 1 (no checksums) and rewritten in format 2\n`);
      expect(await configMaps(s)).toEqual(["newer", "old"]);
      const created = (await http(s.access, "POST", "/api/v1/namespaces/default/configmaps", { metadata: { name: "next" } })).body;
      expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(8);
      expect(JSON.parse(fs.readFileSync(file, "utf8").split("\t")[0]!)).toMatchObject({ ko: "cluster-state", version: 2, rv: 8 });
    } finally {
      await s.stop();
    }
  });

  test("a format this ko does not know is refused, not overwritten, and no repair is offered", async () => {
    const file = path.join(dir, "future.state");
    const text = recordLine("", JSON.stringify({ ko: "cluster-state", version: 3, rv: 1, objects: 0 })).line;
    fs.writeFileSync(file, text);
    const refused = (await serve(["--state", file])) as Refused;
    expect(refused.status).toBe(2);
    expect(refused.output).toBe(`ko: cluster state ${file} is in format 3, which a newer ko wrote: this one reads formats 1 and 2\n`);
    expect(fs.readFileSync(file, "utf8")).toBe(text);
  });
});
